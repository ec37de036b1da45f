"""Runs a command inside the build root with bubblewrap: a fixed file system, user, HOME,
TMPDIR and environment, the caller's environment emptied, and no network unless asked for."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .common import Refused

# /build/cargo-home/config.toml: crates come only from the vendored sources, never the network.
CARGO_CONFIG = """[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "/build/vendor"

[net]
offline = true
"""

# The only variables a step sees. Nothing of the caller's environment passes, except a job
# count (it changes how long a build takes, never its bytes).
BASE_ENV = {
    "PATH": "/opt/cargo-tools/bin:/opt/rust/bin:/usr/bin:/bin",
    "HOME": "/build/home",
    "USER": "builder",
    "LOGNAME": "builder",
    "CARGO_HOME": "/build/cargo-home",
    "TMPDIR": "/tmp",
    "TZ": "UTC",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "CARGO_INCREMENTAL": "0",
    "CARGO_TERM_COLOR": "never",
    "CC": "clang",
    "CXX": "clang++",
}
UID = GID = 1000


def step_environment(extra: dict) -> dict:
    env = dict(BASE_ENV)
    jobs = os.environ.get("CARGO_BUILD_JOBS", "")
    if jobs.isdigit() and int(jobs) > 0:
        env["CARGO_BUILD_JOBS"] = jobs
    env.update(extra)
    return env


def run(root: Path, rust: Path, tools: Path | None, argv: list, *, ro: dict, rw: dict,
        env: dict, network: bool = False, cwd: str = "/build/src", log: Path | None = None) -> None:
    """ro/rw map a path inside the root to a host path. Raises Refused when the command fails."""
    if not shutil.which("bwrap"):
        raise Refused("bubblewrap is needed to run the build steps (apt-get install bubblewrap)")
    with tempfile.TemporaryDirectory(prefix="craton-sandbox.") as tmp:
        cfg = Path(tmp) / "config.toml"
        cfg.write_text(CARGO_CONFIG)
        args = ["bwrap", "--unshare-user", "--uid", str(UID), "--gid", str(GID),
                "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try",
                "--hostname", "craton-build", "--die-with-parent"]
        if not network:
            args.append("--unshare-net")
        args += ["--ro-bind", str(root), "/", "--dev", "/dev", "--proc", "/proc",
                 "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/build", "--tmpfs", "/in",
                 "--dir", "/build/home", "--dir", "/build/cargo-home",
                 "--ro-bind", str(cfg), "/build/cargo-home/config.toml",
                 "--ro-bind", str(rust), "/opt/rust"]
        if tools is not None:
            args += ["--ro-bind", str(tools), "/opt/cargo-tools"]
        if network:
            args += ["--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"]
        for inside, host in ro.items():
            args += ["--ro-bind", str(host), inside]
        for inside, host in rw.items():
            args += ["--bind", str(host), inside]
        args += ["--chdir", cwd, "--", *argv]
        old = os.umask(0o022)
        try:
            out = open(log, "ab") if log else None
            try:
                r = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
            finally:
                if out:
                    out.close()
        finally:
            os.umask(old)
    if r.returncode != 0:
        tail = ""
        if log and log.exists():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise Refused(f"{' '.join(argv)} failed in the build root (exit {r.returncode})"
                      + (f"; last lines of {log}:\n{tail}" if tail else ""))
