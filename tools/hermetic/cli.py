"""tools/craton-build: the commands the front doors (tools/release.sh, Bazel, Nix) and the
tests call. `tools/craton-build --help` lists them."""

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from . import crates, graph, sandbox
from .common import REPO, Refused, cache_dir, note
from .env import BuildEnv, identity, prepare
from .lockfile import check_current, load_lock, lock_sha256
from .lock import relock


def _src(a) -> Path:
    return Path(a.src).resolve() if a.src else REPO


def cmd_lock(a) -> None:
    relock(_src(a))


def cmd_prepare(a) -> None:
    src = _src(a)
    env = prepare(src)
    vendor = crates.vendor((src / "Cargo.lock").read_bytes()) if a.vendor else None
    info = env.describe() | {"cache": str(cache_dir())}
    if vendor:
        info["vendor"] = str(vendor)
    text = json.dumps(info, indent=2, sort_keys=True) + "\n"
    if a.json_out:
        Path(a.json_out).write_text(text)
    else:
        sys.stdout.write(text)


def _env(a, src: Path) -> BuildEnv:
    # --prepared: an earlier `prepare` of the same build re-hashed the root (Bazel's @craton_env);
    # the root's recorded digest, the Rust files and the tools are still checked against the lock.
    return prepare(src, verify=not a.prepared)


def _materialize(tree: Path, dest: Path, skip=()) -> Path:
    """A real copy of a tree of symlinks (Bazel's sandbox links every input): the build root
    cannot follow links to host paths."""
    def ignore(d, names):
        return [n for n in names if Path(d) == tree and n in skip]
    shutil.copytree(tree, dest, symlinks=False, ignore=ignore)
    return dest


def cmd_step(a) -> None:
    src = _src(a)
    out = Path(a.out).resolve()
    scratch = Path(a.scratch).resolve() if a.scratch else out.parent / f".{out.name}.scratch"
    inputs = {}
    for spec in a.input or []:
        name, _, path = spec.partition("=")
        inputs[name] = Path(path).resolve()
    if a.materialize:
        shutil.rmtree(scratch, ignore_errors=True)
        src = _materialize(src, scratch / "src", skip=("bazel-out", "external"))
        inputs = {n: _materialize(p, scratch / "in" / n) for n, p in inputs.items()}
    env = _env(a, src)
    vendor = Path(a.vendor).resolve() if a.vendor else None
    graph.run_step(env, graph.load_steps(src), a.name, variant=a.variant, src=src, commit=a.commit,
                   epoch=int(a.epoch), inputs=inputs, out=out, vendor=vendor,
                   windows_dll=Path(a.windows_dll).resolve() if a.windows_dll else None,
                   scratch_parent=scratch, log=Path(a.log).resolve() if a.log else out.parent / f"{a.name}.log")
    shutil.rmtree(scratch, ignore_errors=True)


def cmd_release(a) -> None:
    src = _src(a)
    env = _env(a, src)
    work = Path(a.work).resolve()
    rel = graph.run_release(env, variant=a.variant, src=src, commit=a.commit, epoch=int(a.epoch),
                            work=work, skip_packages=a.skip_packages,
                            windows_dll=Path(a.windows_dll).resolve() if a.windows_dll else None)
    out = Path(a.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted(rel.iterdir()):
        shutil.copy2(f, out / f.name)
    note(f"release written to {out}")


def cmd_shell(a) -> None:
    """Runs a command in the build root like a step (for tests and debugging)."""
    src = _src(a)
    env = _env(a, src)
    ro = {"/build/src": src}
    if a.vendor:
        ro["/build/vendor"] = crates.vendor((src / "Cargo.lock").read_bytes())
    env.run(a.command, ro=ro, rw={}, env=sandbox.step_environment({"SOURCE_DATE_EPOCH": "0"}),
            network=a.network)


def cmd_identity(a) -> None:
    """The locked environment as release.json records it, from the lock alone (no build)."""
    src = _src(a)
    lock = load_lock(src)
    check_current(src, lock)
    info = identity(lock, lock_sha256(src))
    print(json.dumps({"toolchain": info, "matches_manifest": True}, indent=2, sort_keys=True))


def cmd_steps(a) -> None:
    """The step graph as JSON (what Bazel's repository rule and the tests read)."""
    g = graph.load_steps(_src(a))
    print(json.dumps(g, indent=2, sort_keys=True))



def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="tools/craton-build", description=__doc__)
    p.add_argument("--src", help="source tree (default: this checkout)")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("lock", help="resolve packaging/toolchain.toml into packaging/toolchain.lock (network)")
    s.set_defaults(fn=cmd_lock)

    s = sub.add_parser("prepare", help="fetch, verify and make the locked build environment; print its identity")
    s.add_argument("--vendor", action="store_true", help="also vendor the crates of the source's Cargo.lock")
    s.add_argument("--json-out", help="write the JSON here instead of stdout")
    s.set_defaults(fn=cmd_prepare)

    for name, fn, helptext in (("step", cmd_step, "run one declared step in the build root"),
                               ("release", cmd_release, "run every declared step of a release")):
        s = sub.add_parser(name, help=helptext)
        if name == "step":
            s.add_argument("name")
            s.add_argument("--input", action="append", metavar="STEP=DIR")
            s.add_argument("--vendor", help="vendored crates (default: from the cache)")
            s.add_argument("--scratch")
            s.add_argument("--log")
            s.add_argument("--materialize", action="store_true",
                           help="copy the source and inputs first (they are trees of symlinks)")
        else:
            s.add_argument("--work", required=True)
            s.add_argument("--skip-packages", action="store_true")
        s.add_argument("--variant", required=True)
        s.add_argument("--commit", required=True)
        s.add_argument("--epoch", required=True)
        s.add_argument("--out", required=True)
        s.add_argument("--windows-dll")
        s.add_argument("--prepared", action="store_true", help=argparse.SUPPRESS)
        s.set_defaults(fn=fn)

    s = sub.add_parser("shell", help="run a command in the build root (no network unless --network)")
    s.add_argument("--network", action="store_true")
    s.add_argument("--vendor", action="store_true")
    s.add_argument("--prepared", action="store_true", help=argparse.SUPPRESS)
    s.add_argument("command", nargs="+")
    s.set_defaults(fn=cmd_shell)

    s = sub.add_parser("identity", help="print the locked environment's identity (as in release.json)")
    s.set_defaults(fn=cmd_identity)

    s = sub.add_parser("steps", help="print packaging/steps.toml as JSON")
    s.set_defaults(fn=cmd_steps)

    a = p.parse_args(argv)
    # Cache entries and outputs readable by everyone, whatever the caller's umask.
    os.umask(0o022)
    try:
        a.fn(a)
    except Refused as e:
        print(f"craton-build: error: {e}", file=sys.stderr)
        return 1
    return 0


