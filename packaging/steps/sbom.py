"""Step "sbom": a CycloneDX 1.5 SBOM of what the library of this variant links, and nothing else.

- Rust crates: `cargo tree -e normal,no-proc-macro` for the variant's features and target, the
  crates whose code ends up in the library (build-dependencies, dev-dependencies, proc-macros
  and other platforms' crates are not); licenses and descriptions from `cargo metadata`, the
  SHA-256 of each crate from Cargo.lock. tests/release/sbom.sh checks the list against the
  library's own .dep-v0 data and cargo tree.
- C components compiled in: the SQLite bundled by libsqlite3-sys, the AWS-LC FIPS module of
  aws-lc-fips-sys (fips variant), with the versions their sources declare.
- The build toolchain (the SHA-256 of packaging/toolchain.lock and the build root's digest) and
  the SHA-256 of the library file.
Runs inside the build root (packaging/steps.toml)."""

import datetime
import hashlib
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

VENDOR = Path("/build/vendor")
LIB = Path("/in/library/libcraton_hsm.so")


def cargo(*args: str) -> str:
    return subprocess.run(["cargo", *args], check=True, capture_output=True, text=True).stdout


def linked_graph(target: str, cargo_args: list):
    """{(name, version)} and edges of the crates compiled into the library."""
    out = cargo("tree", "--locked", "--offline", "-p", "craton-hsm", "-e", "normal,no-proc-macro",
                "--target", target, "--prefix", "depth", "--format", "{p}", *cargo_args)
    nodes, edges, stack = set(), set(), []
    for line in out.splitlines():
        m = re.match(r"^(\d+)(\S+) v(\S+)", line)
        if not m:
            continue
        depth, node = int(m.group(1)), (m.group(2), m.group(3))
        del stack[depth:]
        if stack:
            edges.add((stack[-1], node))
        stack.append(node)
        nodes.add(node)
    return nodes, edges


def define(path: Path, name: str) -> str | None:
    if path.exists():
        m = re.search(rf'#define {name}\s+"([^"]+)"', path.read_text(errors="replace"))
        if m:
            return m.group(1)
    return None


def c_components(nodes: set) -> list:
    """(parent crate, component) for C code compiled into the library from vendored sources."""
    found = []
    for name, version in sorted(nodes):
        src = VENDOR / f"{name}-{version}"
        if name == "libsqlite3-sys":
            v = define(src / "sqlite3/sqlite3.h", "SQLITE_VERSION")
            if v:
                found.append(((name, version), {
                    "type": "library", "bom-ref": f"c:sqlite@{v}", "name": "SQLite", "version": v,
                    "description": f"SQLite amalgamation bundled by libsqlite3-sys {version} (feature bundled), compiled in",
                    "licenses": [{"license": {"name": "Public Domain (SQLite)"}}],
                    "externalReferences": [{"type": "website", "url": "https://sqlite.org/"}]}))
        if name == "aws-lc-fips-sys":
            v = define(src / "aws-lc/include/openssl/base.h", "AWSLC_VERSION_NUMBER_STRING")
            readme = (src / "README.md").read_text(errors="replace") if (src / "README.md").exists() else ""
            module = re.search(r"binds to\s+\[?(AWS-LC-FIPS [0-9][0-9.x]*)", readme)
            props = [{"name": "craton:source", "value": f"aws-lc-fips-sys {version}, aws-lc/"}]
            if module:
                props.append({"name": "craton:fips-module-line", "value": module.group(1)})
            found.append(((name, version), {
                "type": "library", "bom-ref": f"c:aws-lc-fips@{v}", "name": "AWS-LC FIPS module",
                "version": v or "unknown",
                "description": f"AWS-LC built in FIPS mode (cmake FIPS=1) by aws-lc-fips-sys {version}, linked statically; "
                               "version = AWSLC_VERSION_NUMBER_STRING of the bundled source",
                "licenses": [{"expression": "Apache-2.0 OR ISC"}],
                "properties": props}))
    return found


def main() -> None:
    variant = os.environ["CRATON_VARIANT"]
    cargo_args = json.loads(os.environ["CRATON_CARGO_ARGS"])
    environment = json.loads(os.environ["CRATON_ENV"])
    target = next(l.split(": ")[1] for l in subprocess.run(["rustc", "-vV"], check=True, capture_output=True,
                                                         text=True).stdout.splitlines() if l.startswith("host: "))
    nodes, edges = linked_graph(target, cargo_args)
    meta = json.loads(cargo("metadata", "--locked", "--offline", "--format-version", "1", "--all-features",
                            "--filter-platform", target))
    info = {(p["name"], p["version"]): p for p in meta["packages"]}
    with open("Cargo.lock", "rb") as f:
        checksums = {(p["name"], p["version"]): p.get("checksum") for p in tomllib.load(f)["package"]}
    root = next(n for n in nodes if n[0] == "craton-hsm")
    ref = lambda n: f"pkg:cargo/{n[0]}@{n[1]}"  # noqa: E731

    def component(n):
        p = info.get(n, {})
        c = {"type": "library", "bom-ref": ref(n), "name": n[0], "version": n[1], "scope": "required",
             "purl": ref(n)}
        if p.get("description"):
            c["description"] = " ".join(p["description"].split())
        if p.get("license"):
            c["licenses"] = [{"expression": p["license"]}]
        if checksums.get(n):
            c["hashes"] = [{"alg": "SHA-256", "content": checksums[n]}]
        if p.get("repository"):
            c["externalReferences"] = [{"type": "vcs", "url": p["repository"]}]
        return c

    with open(LIB, "rb") as f:
        lib_sha = hashlib.file_digest(f, "sha256").hexdigest()
    commit = os.environ["CRATON_COMMIT"]
    epoch = int(os.environ["SOURCE_DATE_EPOCH"])
    rustc = subprocess.run(["rustc", "-V"], check=True, capture_output=True, text=True).stdout.strip()
    components = [component(n) for n in sorted(nodes - {root})]
    deps = {n: sorted(ref(b) for a, b in edges if a == n) for n in nodes}
    for parent, c in c_components(nodes):
        components.append(c)
        deps[parent] = sorted(deps[parent] + [c["bom-ref"]])
    dependencies = [{"ref": ref(n), "dependsOn": deps[n]} for n in sorted(nodes)]
    dependencies += [{"ref": c["bom-ref"], "dependsOn": []} for _, c in c_components(nodes)]
    top = component(root)
    top["type"] = "library"
    top["hashes"] = [{"alg": "SHA-256", "content": lib_sha}]
    top["properties"] = [{"name": "craton:file", "value": "libcraton_hsm.so"}]
    bom = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {
            "timestamp": datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [
                {"type": "application", "name": "craton-build", "version": "craton-steps/1",
                 "description": "packaging/steps/sbom.py in the locked build root"},
                {"type": "application", "name": "rustc", "version": rustc},
                *[{"type": "application", "name": k, "version": v}
                  for k, v in sorted(environment["cargo_tools"].items())]]},
            "component": top,
            "properties": [
                {"name": "craton:variant", "value": variant},
                {"name": "craton:cargo-features", "value": " ".join(cargo_args) or "default"},
                {"name": "craton:source-commit", "value": commit},
                {"name": "craton:target", "value": target},
                {"name": "craton:library-sha256", "value": lib_sha},
                {"name": "craton:toolchain-lock-sha256", "value": environment["lock_sha256"]},
                {"name": "craton:build-root-digest", "value": environment["root_digest"]},
                {"name": "craton:build-environment", "value": f"{environment['debian']}; Rust {environment['rust']}"},
            ]},
        "components": components,
        "dependencies": dependencies,
    }
    name = f"{root[0]}-{root[1]}-{variant}.cdx.json"
    Path("/out", name).write_text(json.dumps(bom, indent=2, sort_keys=False) + "\n")


if __name__ == "__main__":
    main()
