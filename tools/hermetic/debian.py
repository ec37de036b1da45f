"""The Debian part of the build root: locking its packages, fetching and verifying each .deb,
and making the root from exactly those files with mmdebstrap."""

import email.utils
import hashlib
import os
import re
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

from .common import RELOCK, Refused, cache_dir, fresh_dir, note, publish_dir, sha256_file, verified_blob

# Made inside every root, after the packages: the build user, fixed host files (mmdebstrap
# copies the host's otherwise) and the mount points the sandbox binds things onto.
HOOKS = [
    'echo "builder:x:1000:1000:craton build:/build/home:/bin/sh" >>"$1/etc/passwd"',
    'echo "builder:x:1000:" >>"$1/etc/group"',
    ': >"$1/etc/resolv.conf"; echo craton-build >"$1/etc/hostname"',
    'mkdir -p "$1/build" "$1/in" "$1/out" "$1/opt/rust" "$1/opt/cargo-tools"',
    # apt wrote the temporary repository's path here; the root never runs apt again.
    'echo "# packages: packaging/toolchain.lock" >"$1/etc/apt/sources.list"',
]
SNAPSHOT = "https://snapshot.debian.org"


def _mmdebstrap(args: list, epoch: int | None) -> None:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8", "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    if not shutil.which("mmdebstrap"):
        raise Refused("mmdebstrap is needed to make the build root (apt-get install mmdebstrap)")
    r = subprocess.run(["mmdebstrap", "--quiet", *args], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        lines = [l for l in r.stdout.splitlines() if l.startswith(("E:", "W:"))]
        raise Refused("mmdebstrap failed:\n" + "\n".join(lines[-30:])[-6000:])


def _paragraphs(text: str):
    for block in text.split("\n\n"):
        fields, key = {}, None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            yield fields


# --- locking ---------------------------------------------------------------------------------
def lock_debian(request: dict, work: Path) -> dict:
    """Resolves the requested packages against the archive's suite (network) and returns the
    lock's [debian] section: every package of the root with version, archive path and SHA-256."""
    deb = request["debian"]
    root = work / "resolve"
    note(f"resolving the build root against {deb['archive']} {deb['suite']} {deb['component']}")
    _mmdebstrap([
        f"--variant={deb['variant']}", f"--architectures={deb['architecture']}",
        "--include=" + ",".join(deb["packages"]),
        "--skip=cleanup/apt/cache,cleanup/apt/lists,essential/unlink",
        deb["suite"], str(root), f"deb {deb['archive']} {deb['suite']} {deb['component']}",
    ], None)
    lists = root / "var/lib/apt/lists"
    index = {}
    for f in lists.glob("*_Packages"):
        for p in _paragraphs(f.read_text()):
            index[(p["Package"], p["Version"], p["Architecture"])] = p
    release = next(lists.glob("*_InRelease")).read_text()
    date = re.search(r"^Date: (.*)$", release, re.M).group(1)
    epoch = int(email.utils.parsedate_to_datetime(date).timestamp())
    installed = subprocess.run(
        ["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W",
         "-f=${Package}\t${Version}\t${Architecture}\n"],
        check=True, capture_output=True, text=True).stdout.split("\n")
    by_hash = {sha256_file(p): p for p in (root / "var/cache/apt/archives").glob("*.deb")}
    cache = cache_dir()
    packages = []
    for line in sorted(filter(None, installed)):
        name, version, arch = line.split("\t")
        entry = index.get((name, version, arch))
        if entry is None:
            raise Refused(f"{name} {version} is installed but not in {deb['suite']}'s index")
        if entry["SHA256"] not in by_hash:
            raise Refused(f"the downloaded {name} {version} does not have the index's SHA-256")
        blob = cache / "debs" / entry["SHA256"]
        if not blob.exists():
            blob.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(by_hash[entry["SHA256"]], blob)
        packages.append({"name": name, "version": version, "architecture": arch,
                         "filename": entry["Filename"], "size": int(entry["Size"]),
                         "sha256": entry["SHA256"]})
    shutil.rmtree(root)
    note(f"locked {len(packages)} Debian packages ({deb['suite']} of {date})")
    return {"archive": deb["archive"], "suite": deb["suite"], "component": deb["component"],
            "architecture": deb["architecture"], "variant": deb["variant"],
            "release-date": date, "source-date-epoch": epoch, "package": packages}


# --- fetching and making the root ------------------------------------------------------------
def fetch_debs(lock: dict) -> dict:
    """Every locked .deb, from the cache or the archive, each verified against its SHA-256.
    Nothing is built until all of them passed."""
    deb, cache, paths = lock["debian"], cache_dir(), {}
    for p in deb["package"]:
        hint = (f"Debian serves only the current version of a package in {deb['suite']}; "
                f"re-lock with {RELOCK} (review and commit the new lock), or fetch "
                f"{p['name']}_{p['version']} from the Debian snapshot archive ({SNAPSHOT}/binary/"
                f"{p['name']}/) into {cache / 'debs' / p['sha256']}.")
        paths[p["name"]] = verified_blob(cache, "debs", p["sha256"], f"{deb['archive']}/{p['filename']}",
                                         f"Debian package {p['name']} {p['version']}", hint)
    return paths


def _write_repo(lock: dict, debs: dict, repo: Path) -> None:
    """A flat apt repository holding exactly the locked packages."""
    (repo / "pool").mkdir(parents=True)
    stanzas = []
    for p in lock["debian"]["package"]:
        name = f"pool/{p['sha256']}.deb"
        os.symlink(debs[p["name"]], repo / name)
        control = subprocess.run(["dpkg-deb", "-f", str(debs[p["name"]])], check=True,
                                 capture_output=True, text=True).stdout.rstrip("\n")
        stanzas.append(f"{control}\nFilename: {name}\nSize: {p['size']}\nSHA256: {p['sha256']}\n")
    (repo / "Packages").write_text("\n".join(stanzas))
    # mmdebstrap picks the Essential set by suite name: name the repository after the suite.
    suite = lock["debian"]["suite"]
    (repo / "Release").write_text(f"Origin: craton-toolchain-lock\nLabel: craton-toolchain-lock\n"
                                  f"Suite: {suite}\nCodename: {suite}\n")


def _extract(tarball: Path, dest: Path) -> None:
    """Unpacks the root as the invoking user: no owners, no device nodes (the sandbox brings
    its own /dev), everything readable so that other users can share the cached root."""
    with tarfile.open(tarball) as t:
        members = [m for m in t.getmembers() if not (m.ischr() or m.isblk() or m.isfifo())]
        t.extractall(dest, members=members, filter="fully_trusted", numeric_owner=True)
    for dirpath, dirnames, filenames in os.walk(dest):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                continue
            want = stat.S_IMODE(st.st_mode) | 0o444 | (0o111 if stat.S_ISDIR(st.st_mode) or st.st_mode & 0o111 else 0)
            want &= ~0o6022
            if want != stat.S_IMODE(st.st_mode):
                os.chmod(p, want)


def tree_digest(root: Path) -> str:
    """A digest of a directory tree's content: paths, types, permission bits, symlink targets
    and file SHA-256 (owners and times left out)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            rel = os.path.normpath(os.path.join(rel_dir, n))
            st = os.lstat(p)
            mode = f"{stat.S_IMODE(st.st_mode):o}"
            if stat.S_ISLNK(st.st_mode):
                line = f"l {rel} {os.readlink(p)}"
            elif stat.S_ISDIR(st.st_mode):
                line = f"d {rel} {mode}"
            elif stat.S_ISREG(st.st_mode):
                line = f"f {rel} {mode} {sha256_file(Path(p))}"
            else:
                line = f"? {rel} {mode}"
            h.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return "sha256:" + h.hexdigest()


def make_root(lock: dict, key: str) -> Path:
    """The Debian root for this lock, made once and cached under the lock's key."""
    cache = cache_dir()
    final = cache / "roots" / key
    if (final / "tree").is_dir() and (final / "digest").is_file():
        return final
    debs = fetch_debs(lock)
    work = fresh_dir(cache / "tmp", "root.")
    try:
        _make(lock, debs, work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    publish_dir(work, final)
    note(f"build root {(final / 'digest').read_text().strip()}")
    return final


def _make(lock: dict, debs: dict, work: Path) -> None:
    deb = lock["debian"]
    _write_repo(lock, debs, work / "repo")
    note(f"making the build root from {len(debs)} locked packages (mmdebstrap)")
    args = [f"--variant={deb['variant']}", f"--architectures={deb['architecture']}",
            "--include=" + ",".join(f"{p['name']}={p['version']}" for p in deb["package"]),
            "--aptopt=Acquire::Languages \"none\""]
    args += [f"--customize-hook={h}" for h in HOOKS]
    args += [deb["suite"], str(work / "root.tar"), f"deb [trusted=yes] copy://{work / 'repo'} ./"]
    _mmdebstrap(args, deb["source-date-epoch"])
    _extract(work / "root.tar", work / "tree")
    (work / "root.tar").unlink()
    shutil.rmtree(work / "repo")
    digest = tree_digest(work / "tree")
    (work / "digest").write_text(digest + "\n")
    os.chmod(work, 0o755)
