//! The user's checkout of the project: the commit being verified and its files.

use std::path::PathBuf;
use std::process::Command;

pub struct Repo {
    dir: PathBuf,
}

impl Repo {
    /// A git work tree at `dir`, if it is one.
    pub fn at(dir: PathBuf) -> Option<Repo> {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(["rev-parse", "--git-dir"])
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then_some(Repo { dir })
    }

    fn git(&self, args: &[&str]) -> Option<Vec<u8>> {
        let o = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .output()
            .ok()?;
        o.status.success().then_some(o.stdout)
    }

    pub fn head(&self) -> Option<String> {
        self.git(&["rev-parse", "HEAD"])
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
    }

    pub fn has_commit(&self, commit: &str) -> bool {
        commit.len() == 40
            && commit.bytes().all(|b| b.is_ascii_hexdigit())
            && self
                .git(&["cat-file", "-e", &format!("{commit}^{{commit}}")])
                .is_some()
    }

    /// `path` at `commit`.
    pub fn show(&self, commit: &str, path: &str) -> Option<Vec<u8>> {
        if !self.has_commit(commit) {
            return None;
        }
        self.git(&["show", &format!("{commit}:{path}")])
    }

    /// The commit time (SOURCE_DATE_EPOCH of a release).
    pub fn commit_time(&self, commit: &str) -> Option<i64> {
        let b = self.git(&["show", "-s", "--format=%ct", commit])?;
        String::from_utf8_lossy(&b).trim().parse().ok()
    }

    /// The build environment locked by `commit` (tools/release.sh --print-toolchain).
    pub fn locked_toolchain(&self, commit: &str) -> Option<serde_json::Value> {
        let script = self.dir.join("tools/release.sh");
        if !script.is_file() {
            return None;
        }
        let o = Command::new(script)
            .arg("--repo")
            .arg(&self.dir)
            .args(["--rev", commit, "--print-toolchain"])
            .output()
            .ok()?;
        if !o.status.success() {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        v.get("toolchain").cloned()
    }
}
