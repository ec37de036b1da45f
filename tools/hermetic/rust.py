"""The Rust toolchain of the build root: the official component hashes from the channel
manifest, and a content hash of the installed files of each component."""

import hashlib
import os
import shutil
import stat
import tomllib
from pathlib import Path

from .common import RELOCK, Refused, cache_dir, fresh_dir, note, publish_dir, sha256_file


def _toolchain_dir(version: str, target: str) -> Path:
    home = Path(os.environ.get("RUSTUP_HOME") or Path.home() / ".rustup")
    return home / "toolchains" / f"{version}-{target}"


def _component_files(tc: Path, component: str, target: str) -> list:
    """The files rustup installed for one component (its manifest-<component>-<target>)."""
    manifest = tc / "lib/rustlib" / f"manifest-{component}-{target}"
    if not manifest.exists():
        raise Refused(f"Rust component {component} is not installed in {tc} "
                      f"(rustup component add {component} --toolchain {tc.name})")
    files = []
    for line in manifest.read_text().splitlines():
        kind, _, rel = line.partition(":")
        if kind == "file":
            files.append(rel)
        elif kind == "dir":
            for dirpath, _, names in os.walk(tc / rel):
                files += [os.path.relpath(os.path.join(dirpath, n), tc) for n in names]
    return sorted(set(files))


def content_sha256(base: Path, files: list) -> str:
    """Paths, executable bits and SHA-256 of the files: what the build actually runs."""
    h = hashlib.sha256()
    for rel in files:
        p = base / rel
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            h.update(f"l {rel} {os.readlink(p)}\n".encode())
        else:
            x = "x" if st.st_mode & 0o111 else "-"
            h.update(f"f {rel} {x} {sha256_file(p)}\n".encode())
    return h.hexdigest()


def lock_rust(request: dict) -> dict:
    r = request["rust"]
    tc = _toolchain_dir(r["version"], r["target"])
    manifest_path = tc / "lib/rustlib/multirust-channel-manifest.toml"
    if not manifest_path.exists():
        raise Refused(f"Rust {r['version']} is not installed at {tc} (rustup toolchain install {r['version']})")
    with open(manifest_path, "rb") as f:
        channel = tomllib.load(f)
    components = []
    for name in r["components"]:
        official = channel["pkg"][name]["target"][r["target"]]
        installed = f"{name}-{r['target']}"
        files = _component_files(tc, name, r["target"])
        components.append({
            "name": name, "version": channel["pkg"][name]["version"],
            "url": official["xz_url"], "sha256": official["xz_hash"],
            "installed-files": len(files), "content-sha256": content_sha256(tc, files),
            "installed-as": installed,
        })
    note(f"locked Rust {r['version']} ({', '.join(c['name'] for c in components)})")
    return {"version": r["version"], "target": r["target"], "date": channel["date"],
            "channel-manifest-sha256": sha256_file(manifest_path), "component": components}


def install_rust(lock: dict) -> Path:
    """The locked components, copied from the local rustup installation into the cache once,
    and verified against the lock's content hashes on every use."""
    r = lock["rust"]
    key = hashlib.sha256("".join(c["content-sha256"] for c in r["component"]).encode()).hexdigest()
    final = cache_dir() / "rust" / key
    if not final.exists():
        tc = _toolchain_dir(r["version"], r["target"])
        if not tc.exists():
            raise Refused(f"Rust {r['version']} is not in the cache and not installed at {tc}: "
                          f"rustup toolchain install {r['version']} (the lock's official component "
                          f"hashes name the archives rustup downloads)")
        work = fresh_dir(cache_dir() / "tmp", "rust.")
        for c in r["component"]:
            files = _component_files(tc, c["name"], r["target"])
            for rel in files:
                dest = work / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(tc / rel, dest, follow_symlinks=False)
                if not dest.is_symlink():
                    os.chmod(dest, 0o755 if os.stat(dest).st_mode & 0o111 else 0o644)
            (work / f".files-{c['name']}").write_text("\n".join(files) + "\n")
        os.chmod(work, 0o755)
        publish_dir(work, final)
    for c in r["component"]:
        files = (final / f".files-{c['name']}").read_text().split()
        got = content_sha256(final, files)
        if got != c["content-sha256"]:
            raise Refused(f"Rust component {c['name']}: installed files hash to {got}, the lock says "
                          f"{c['content-sha256']}. Reinstall the toolchain with rustup, or re-lock "
                          f"with {RELOCK} if the toolchain was meant to change.")
    return final
