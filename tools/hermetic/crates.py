"""Crate sources: downloaded by the SHA-256 that a Cargo.lock records, unpacked into a
vendor directory that the offline build reads (cargo checks .cargo-checksum.json)."""

import json
import os
import tarfile
import tomllib
import urllib.request
from pathlib import Path

from .common import Refused, cache_dir, fresh_dir, note, publish_dir, sha256_bytes, verified_blob

CRATES_DL = os.environ.get("CRATON_CRATES_DL", "https://static.crates.io/crates")
CRATES_INDEX = "https://index.crates.io"
REGISTRY = "registry+https://github.com/rust-lang/crates.io-index"


def crate_url(name: str, version: str) -> str:
    return f"{CRATES_DL}/{name}/{name}-{version}.crate"


def locked_crates(cargo_lock: bytes) -> list:
    """(name, version, checksum) of every registry package in a Cargo.lock."""
    out = []
    for p in tomllib.loads(cargo_lock.decode())["package"]:
        src = p.get("source")
        if src is None:
            continue  # a workspace member
        if src != REGISTRY or "checksum" not in p:
            raise Refused(f"Cargo.lock: {p['name']} {p['version']} comes from {src}; only "
                          f"crates.io packages with checksums can be vendored")
        out.append((p["name"], p["version"], p["checksum"]))
    return out


def fetch_crate(name: str, version: str, sha256: str) -> Path:
    return verified_blob(cache_dir(), "crates", sha256, crate_url(name, version), f"crate {name} {version}")


def unpack_crate(blob: Path, dest: Path, name: str, version: str, sha256: str) -> None:
    """One crate as `cargo vendor --versioned-dirs` lays it out."""
    top = f"{name}-{version}"
    files = {}
    with tarfile.open(blob) as t:
        for m in t.getmembers():
            if not m.name.startswith(top + "/"):
                raise Refused(f"crate {top}: unexpected path {m.name}")
            if m.isfile():
                data = t.extractfile(m).read()
                rel = m.name[len(top) + 1:]
                out = dest / top / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
                os.chmod(out, 0o755 if m.mode & 0o111 else 0o644)
                files[rel] = sha256_bytes(data)
    (dest / top).mkdir(parents=True, exist_ok=True)
    (dest / top / ".cargo-checksum.json").write_text(
        json.dumps({"files": dict(sorted(files.items())), "package": sha256}, sort_keys=True))


def vendor(cargo_lock: bytes) -> Path:
    """The vendor directory for a Cargo.lock, cached under the lock's SHA-256."""
    key = sha256_bytes(cargo_lock)
    final = cache_dir() / "vendor" / key
    if final.exists():
        return final
    crates = locked_crates(cargo_lock)
    note(f"vendoring {len(crates)} crates from Cargo.lock {key[:12]}")
    work = fresh_dir(cache_dir() / "tmp", "vendor.")
    for name, version, sha in crates:
        unpack_crate(fetch_crate(name, version, sha), work, name, version, sha)
    os.chmod(work, 0o755)
    publish_dir(work, final)
    return final


def index_checksum(name: str, version: str) -> str:
    """The checksum crates.io's index publishes for one crate version (used when locking)."""
    n = name.lower()
    prefix = {1: "1", 2: "2", 3: f"3/{n[0]}"}.get(len(n), f"{n[:2]}/{n[2:4]}")
    with urllib.request.urlopen(f"{CRATES_INDEX}/{prefix}/{n}", timeout=60) as r:
        for line in r.read().decode().splitlines():
            entry = json.loads(line)
            if entry["vers"] == version:
                return entry["cksum"]
    raise Refused(f"crates.io has no {name} {version}")


def crate_cargo_lock(blob: Path, name: str, version: str) -> bytes:
    with tarfile.open(blob) as t:
        try:
            return t.extractfile(f"{name}-{version}/Cargo.lock").read()
        except KeyError:
            raise Refused(f"crate {name} {version} ships no Cargo.lock: it cannot be built --locked") from None


def unpack_to(blob: Path, dest: Path) -> None:
    with tarfile.open(blob) as t:
        t.extractall(dest, filter="data")

