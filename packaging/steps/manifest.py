"""Step "release": the release directory. Every artifact of the earlier steps, release.json
(commit, variant, the build environment's identity, every artifact's SHA-256) and SHA256SUMS.
Runs inside the build root (see packaging/steps.toml)."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

IN, OUT = Path("/in"), Path("/out")
ARTIFACT_STEPS = ["library", "hmac", "sbom", "deb", "rpm", "msi"]


def sha256(p: Path) -> str:
    with open(p, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def collect() -> list:
    """(step, file) pairs; binaries of the library step (bin/) go to the top level."""
    found = {}
    for step in ARTIFACT_STEPS:
        d = IN / step
        if not d.is_dir():
            continue
        for f in sorted(d.rglob("*")):
            if f.is_file():
                if f.name in found:
                    raise SystemExit(f"release: {f.name} comes from two steps")
                found[f.name] = f
    return sorted(found.items())


def package_contents() -> list:
    """Every package's complete contents (paths, modes, owners, SHA-256s, control fields,
    relations, scripts), read by the craton-admin built in the library step: what
    `craton-admin verify-release` later checks each package against."""
    packages = sorted(p for p in os.listdir(OUT) if p.endswith((".deb", ".rpm", ".msi")))
    if not packages:
        return []
    admin = IN / "library" / "bin" / "craton-admin"
    out = subprocess.run([str(admin), "release-contents", *(str(OUT / p) for p in packages)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--locked", "--offline", "--no-deps", "--format-version", "1"],
        check=True, capture_output=True, text=True).stdout)
    crate = next(p for p in meta["packages"] if p["name"] == "craton-hsm")
    target = next(line.split(": ")[1] for line in subprocess.run(
        ["rustc", "-vV"], check=True, capture_output=True, text=True).stdout.splitlines()
        if line.startswith("host: "))
    artifacts = []
    for name, path in collect():
        dest = OUT / name
        shutil.copyfile(path, dest)
        os.chmod(dest, 0o755 if os.access(path, os.X_OK) and not name.endswith((".deb", ".rpm", ".msi")) else 0o644)
        artifacts.append({"file": name, "sha256": sha256(dest), "size": dest.stat().st_size})
    args = json.loads(os.environ["CRATON_CARGO_ARGS"])
    environment = json.loads(os.environ["CRATON_ENV"])
    windows = None
    if (IN / "msi").is_dir():
        windows = {"dll": "craton_hsm.dll", "built_here": False,
                   "note": "built on Windows from the same commit; only the MSI around it is reproducible here"}
    release = {
        "format": "craton-hsm-release/3",
        "name": crate["name"], "version": crate["version"], "variant": os.environ["CRATON_VARIANT"],
        "cargo_features": " ".join(args) if args else "default",
        "commit": os.environ["CRATON_COMMIT"],
        "source_date_epoch": int(os.environ["SOURCE_DATE_EPOCH"]), "target": target,
        # Built in the locked environment, or not at all: runs outside it are refused.
        "reproducible": True,
        "toolchain": environment,
        "windows": windows,
        "artifacts": artifacts,
        "packages": package_contents(),
    }
    (OUT / "release.json").write_text(json.dumps(release, indent=2) + "\n")
    lines = [f"{sha256(OUT / n)}  {n}\n" for n in sorted(os.listdir(OUT)) if n != "SHA256SUMS"]
    (OUT / "SHA256SUMS").write_text("".join(lines))


if __name__ == "__main__":
    main()
