"""The build environment made from the lock: the Debian root, the Rust toolchain and the
cargo tools, each verified against the lock, and one digest naming all of them."""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import crates, debian, rust, sandbox
from .common import RELOCK, Refused, cache_dir, cache_lock, fresh_dir, note, publish_dir, sha256_bytes, sha256_file
from .lockfile import check_current, load_lock, lock_sha256


@dataclass
class BuildEnv:
    lock: dict
    lock_sha256: str
    root: Path
    root_digest: str
    rust: Path
    tools: Path

    def describe(self) -> dict:
        """What release.json and the SBOM record about the environment."""
        return identity(self.lock, self.lock_sha256, self.root_digest)

    def run(self, argv, **kw):
        sandbox.run(self.root / "tree", self.rust, self.tools, argv, **kw)


def identity(lock: dict, lock_sha: str, root_digest: str | None = None) -> dict:
    return {
        "lock_sha256": lock_sha,
        "root_digest": root_digest or lock["debian"].get("root-digest", ""),
        "debian": f"{lock['debian']['suite']} ({lock['debian']['release-date']}), "
                  f"{len(lock['debian']['package'])} packages",
        "rust": lock["rust"]["version"],
        "cargo_tools": {t["name"]: t["version"] for t in lock.get("cargo-tool", [])},
    }


def _root_key(lock: dict) -> str:
    """Cache key of the root: the locked packages (not the recorded outcome, root-digest)."""
    deb = {k: v for k, v in lock["debian"].items() if k != "root-digest"}
    return sha256_bytes(repr(deb).encode())


def _tools_key(lock: dict, root_digest: str) -> str:
    rust_key = "".join(c["content-sha256"] for c in lock["rust"]["component"])
    tools = [{k: v for k, v in t.items() if k != "binary-sha256"} for t in lock.get("cargo-tool", [])]
    return sha256_bytes(repr((tools, root_digest, rust_key)).encode())


def build_tools(lock: dict, root: Path, root_digest: str, rust_dir: Path, check: bool) -> Path:
    """The cargo tools, built inside the root from their published Cargo.lock (offline)."""
    final = cache_dir() / "tools" / _tools_key(lock, root_digest)
    if not final.exists():
        work = fresh_dir(cache_dir() / "tmp", "tools.")
        (work / "out/bin").mkdir(parents=True)
        for t in lock.get("cargo-tool", []):
            name, version = t["name"], t["version"]
            note(f"building {name} {version} in the build root (offline)")
            blob = crates.fetch_crate(name, version, t["crate-sha256"])
            cargo_lock = crates.crate_cargo_lock(blob, name, version)
            if sha256_bytes(cargo_lock) != t["cargo-lock-sha256"]:
                raise Refused(f"{name} {version}: its Cargo.lock is not the locked one")
            src = work / "src"
            crates.unpack_to(blob, src)
            vendor = crates.vendor(cargo_lock)
            (work / "target").mkdir(exist_ok=True)
            env = sandbox.step_environment({"CARGO_TARGET_DIR": "/build/target", "SOURCE_DATE_EPOCH": "0"})
            sandbox.run(root / "tree", rust_dir, None,
                        ["cargo", "build", "--release", "--locked", "--offline", "--bin", name],
                        ro={"/build/src": src / f"{name}-{version}", "/build/vendor": vendor},
                        rw={"/build/target": work / "target"}, env=env, log=work / "build.log")
            shutil.copy2(work / "target/release" / name, work / "out/bin" / name)
            shutil.rmtree(src)
            shutil.rmtree(work / "target")
        out = work / "out"
        os.chmod(out, 0o755)
        publish_dir(out, final)
        shutil.rmtree(work, ignore_errors=True)
    if check:
        for t in lock.get("cargo-tool", []):
            got = sha256_file(final / "bin" / t["name"])
            want = t.get("binary-sha256")
            if want and got != want:
                raise Refused(f"{t['name']} built from the lock has SHA-256 {got}, the lock says {want}: "
                              f"the root or the toolchain is not the locked one (re-lock with {RELOCK})")
    return final


def prepare(src: Path, verify: bool = True, check_lock_outputs: bool = True) -> BuildEnv:
    """Fetches, verifies and (once) makes everything the lock names. `verify` re-hashes the
    cached root; callers that already verified it in this build pass False."""
    lock = load_lock(src)
    check_current(src, lock)
    cache = cache_dir()
    key = _root_key(lock)
    ready = (cache / "roots" / key / "digest").exists() and os.access(cache / "roots" / key, os.R_OK)
    writable = os.access(cache, os.W_OK) if cache.exists() else True
    if ready and not writable:
        env = _assemble(src, lock, key, verify, check_lock_outputs)
    else:
        with cache_lock(cache):
            env = _assemble(src, lock, key, verify, check_lock_outputs)
    return env


def _assemble(src: Path, lock: dict, key: str, verify: bool, check: bool) -> BuildEnv:
    if not (cache_dir() / "roots" / key / "tree").exists():
        # Every .deb is verified before the root is made from it.
        debian.fetch_debs(lock)
    root = debian.make_root(lock, key)
    recorded = (root / "digest").read_text().strip()
    if verify:
        actual = debian.tree_digest(root / "tree")
        if actual != recorded:
            raise Refused(f"the cached build root {root} changed since it was made ({actual} != "
                          f"{recorded}); delete that directory to make it again")
    want = lock["debian"].get("root-digest")
    if check and want and recorded != want:
        raise Refused(f"the build root made from the lock is {recorded}, the lock says {want}: "
                      f"this host's mmdebstrap made a different root (or the lock was edited); "
                      f"re-lock with {RELOCK} on the release platform")
    rust_dir = rust.install_rust(lock)
    tools = build_tools(lock, root, recorded, rust_dir, check)
    return BuildEnv(lock, lock_sha256(src), root, recorded, rust_dir, tools)
