"""packaging/toolchain.toml (the request) and packaging/toolchain.lock (its resolution)."""

import tomllib
from pathlib import Path

from .common import LOCK, RELOCK, REQUEST, Refused, sha256_file

FORMAT = "craton-toolchain-lock/1"


def load_request(src: Path) -> dict:
    with open(src / REQUEST, "rb") as f:
        return tomllib.load(f)


def load_lock(src: Path) -> dict:
    path = src / LOCK
    if not path.exists():
        raise Refused(f"{LOCK} is missing: run {RELOCK}")
    try:
        with open(path, "rb") as f:
            lock = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise Refused(f"{LOCK} is not valid TOML ({e}): restore it or run {RELOCK}") from None
    if lock.get("format") != FORMAT:
        raise Refused(f"{LOCK}: unknown format {lock.get('format')!r} (expected {FORMAT})")
    return lock


def lock_sha256(src: Path) -> str:
    return sha256_file(src / LOCK)


def check_current(src: Path, lock: dict) -> None:
    """The lock must resolve the committed request and the committed rust-toolchain.toml."""
    want = sha256_file(src / REQUEST)
    if lock.get("request-sha256") != want:
        raise Refused(f"{LOCK} was made from another {REQUEST} (request-sha256 "
                      f"{lock.get('request-sha256')}, the file has {want}): run {RELOCK}")
    with open(src / "rust-toolchain.toml", "rb") as f:
        channel = tomllib.load(f)["toolchain"]["channel"]
    if lock["rust"]["version"] != channel:
        raise Refused(f"rust-toolchain.toml says {channel}, {LOCK} locks Rust "
                      f"{lock['rust']['version']}: run {RELOCK}")


# --- writing ---------------------------------------------------------------------------------
def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to the lock")


def _table(lines: list, header: str, table: dict) -> None:
    if header:
        lines.append("")
        lines.append(header)
    for k, v in table.items():
        if not isinstance(v, (dict, list)) or (isinstance(v, list) and not any(isinstance(x, dict) for x in v)):
            lines.append(f"{k} = {_value(v)}")


def dump_lock(lock: dict, comment: str) -> str:
    """Writes the lock as plain TOML: scalars first, then tables, then arrays of tables."""
    lines = [f"# {line}".rstrip() for line in comment.strip().splitlines()]
    _table(lines, "", lock)
    for name, section in lock.items():
        if not isinstance(section, dict):
            continue
        _table(lines, f"[{name}]", section)
        for sub, items in section.items():
            if isinstance(items, list) and items and isinstance(items[0], dict):
                for item in items:
                    _table(lines, f"[[{name}.{sub}]]", item)
    for name, items in lock.items():
        if isinstance(items, list) and items and isinstance(items[0], dict):
            for item in items:
                _table(lines, f"[[{name}]]", item)
    return "\n".join(lines) + "\n"
