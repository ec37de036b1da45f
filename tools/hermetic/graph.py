"""packaging/steps.toml: the declared steps, and running them inside the build root."""

import fnmatch
import json
import os
import shutil
import tomllib
from pathlib import Path

from . import crates, sandbox
from .common import STEPS, Refused, fresh_dir, note
from .env import BuildEnv

NON_STEP_INPUTS = {"source", "vendor", "windows-dll"}


def load_steps(src: Path) -> dict:
    with open(src / STEPS, "rb") as f:
        graph = tomllib.load(f)
    if graph.get("format") != "craton-steps/1":
        raise Refused(f"{STEPS}: unknown format {graph.get('format')!r}")
    names = set()
    for s in graph["step"]:
        for i in s["inputs"]:
            i = i.rstrip("?")
            if i not in NON_STEP_INPUTS and i not in names:
                raise Refused(f"{STEPS}: step {s['name']} uses {i}, which is not an earlier step")
        names.add(s["name"])
    return graph


def selected(graph: dict, skip_packages: bool, windows_dll: bool) -> list:
    """The steps of one release, in their declared (topological) order."""
    out = []
    for s in graph["step"]:
        if s.get("package") and skip_packages:
            continue
        if s.get("when") == "windows-dll" and not windows_dll:
            continue
        out.append(s)
    return out


def _check_outputs(step: dict, out: Path) -> list:
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() or p.is_symlink())
    patterns = step["outputs"]
    for f in files:
        if not any(fnmatch.fnmatchcase(f, p.rstrip("?")) for p in patterns):
            raise Refused(f"step {step['name']} wrote {f}, which it does not declare ({patterns})")
    for p in patterns:
        if not p.endswith("?") and not any(fnmatch.fnmatchcase(f, p) for f in files):
            raise Refused(f"step {step['name']} did not produce its declared output {p}")
    return files


def _check_no_host_paths(step: dict, out: Path, host_paths: list) -> None:
    """No absolute host path may end up in an artifact (everything runs under fixed paths)."""
    needles = [p.rstrip("/").encode() + b"/" for p in host_paths if p and len(p) > 4]
    for f in out.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            for n in needles:
                if n in data:
                    raise Refused(f"step {step['name']}: {f.name} contains the host path {n.decode()}")


def run_step(env: BuildEnv, graph: dict, name: str, *, variant: str, src: Path, commit: str,
             epoch: int, inputs: dict, out: Path, vendor: Path | None, windows_dll: Path | None,
             scratch_parent: Path, log: Path) -> list:
    step = next((s for s in graph["step"] if s["name"] == name), None)
    if step is None:
        raise Refused(f"{STEPS} has no step {name}")
    if variant not in graph["variant"]:
        raise Refused(f"unknown variant {variant} (known: {', '.join(graph['variant'])})")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise Refused(f"step {name}: output directory {out} is not empty")
    ro = {"/build/src": src}
    rw = {"/out": out}
    for i in step["inputs"]:
        optional = i.endswith("?")
        i = i.rstrip("?")
        if i == "source":
            continue
        if i == "vendor":
            ro["/build/vendor"] = vendor or crates.vendor((src / "Cargo.lock").read_bytes())
        elif i == "windows-dll":
            if windows_dll is None:
                raise Refused(f"step {name} needs --windows-dll")
            ro["/in/windows-dll/craton_hsm.dll"] = windows_dll
        elif i in inputs:
            ro[f"/in/{i}"] = inputs[i]
        elif not optional:
            raise Refused(f"step {name} needs the output of step {i}")
    scratch = None
    if step.get("scratch"):
        scratch = fresh_dir(scratch_parent, f"{name}.")
        rw[step["scratch"]] = scratch
    extra = {
        "SOURCE_DATE_EPOCH": str(epoch),
        "CRATON_STEP": name,
        "CRATON_VARIANT": variant,
        "CRATON_COMMIT": commit,
        "CRATON_CARGO_ARGS": json.dumps(graph["variant"][variant]["cargo-args"]),
        "CRATON_ENV": json.dumps(env.describe(), sort_keys=True),
    }
    note(f"step {name} ({variant}): {step['doc']}")
    try:
        env.run(step["run"], ro=ro, rw=rw, env=sandbox.step_environment(extra), log=log)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    files = _check_outputs(step, out)
    hosts = [str(src), str(out), str(scratch_parent), str(Path.home()), os.environ.get("TMPDIR", "")]
    _check_no_host_paths(step, out, [h for h in hosts if h not in ("/", "/tmp")])
    return files


def run_release(env: BuildEnv, *, variant: str, src: Path, commit: str, epoch: int, work: Path,
                skip_packages: bool, windows_dll: Path | None) -> Path:
    """Every selected step in order; returns the release step's output directory."""
    graph = load_steps(src)
    vendor = crates.vendor((src / "Cargo.lock").read_bytes())
    outputs = {}
    for s in selected(graph, skip_packages, windows_dll is not None):
        out = work / "steps" / s["name"]
        run_step(env, graph, s["name"], variant=variant, src=src, commit=commit, epoch=epoch,
                 inputs=outputs, out=out, vendor=vendor, windows_dll=windows_dll,
                 scratch_parent=work / "scratch", log=work / f"{s['name']}.log")
        outputs[s["name"]] = out
    return outputs["release"]
