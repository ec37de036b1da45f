"""Paths, errors, hashing, downloads and the cache shared by the other modules."""

import contextlib
import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REQUEST = "packaging/toolchain.toml"
LOCK = "packaging/toolchain.lock"
STEPS = "packaging/steps.toml"
RELOCK = "tools/lock-toolchain"


class Refused(Exception):
    """A check failed: the build must not go on. The message says why and what to do."""


def note(msg: str) -> None:
    print(f"craton-build: {msg}", file=sys.stderr, flush=True)


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_dir() -> Path:
    """Big downloads and the build root live here, never in the repository."""
    explicit = os.environ.get("CRATON_RELEASE_CACHE")
    if explicit:
        return Path(explicit).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(base) / "craton-hsm-release").resolve()


@contextlib.contextmanager
def cache_lock(cache: Path):
    """Serialises writers of one cache. Readers of a complete cache (another user sharing it
    read-only) never take it."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def fresh_dir(parent: Path, prefix: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def publish_dir(tmp: Path, final: Path) -> None:
    """Moves a finished directory into place (atomic on one file system)."""
    if final.exists():
        shutil.rmtree(tmp)
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    os.rename(tmp, final)


def download(url: str, dest: Path, sha256: str, what: str, missing_hint: str = "") -> None:
    """Downloads url to dest and refuses it unless its SHA-256 is the locked one."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + f".part{os.getpid()}")
    try:
        with urllib.request.urlopen(url, timeout=120) as r, open(tmp, "wb") as out:
            shutil.copyfileobj(r, out, 1 << 20)
    except urllib.error.HTTPError as e:
        tmp.unlink(missing_ok=True)
        if e.code in (404, 410):
            raise Refused(f"{what}: {url} is no longer served (HTTP {e.code}). {missing_hint}") from e
        raise Refused(f"{what}: downloading {url} failed: HTTP {e.code}") from e
    except (urllib.error.URLError, OSError) as e:
        tmp.unlink(missing_ok=True)
        raise Refused(f"{what}: cannot download {url}: {e}") from e
    got = sha256_file(tmp)
    if got != sha256:
        tmp.unlink()
        raise Refused(
            f"{what}: refused: {url} has SHA-256 {got}, the lock says {sha256}. Either the "
            f"lock entry was changed or the download is not the locked file; nothing was built."
        )
    os.replace(tmp, dest)


def verified_blob(cache: Path, kind: str, sha256: str, url: str, what: str, hint: str = "") -> Path:
    """A content-addressed file in the cache, downloaded when missing, verified on every use."""
    path = cache / kind / f"{sha256}"
    if path.exists():
        got = sha256_file(path)
        if got != sha256:
            raise Refused(f"{what}: the cached {path} has SHA-256 {got}, not the locked {sha256}; "
                          f"delete it to download it again")
        return path
    download(url, path, sha256, what, hint)
    return path
