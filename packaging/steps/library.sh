#!/usr/bin/env bash
# Step "library": libcraton_hsm.so with its dependency list embedded (cargo auditable, section
# .dep-v0), and every binary target of the workspace (craton-admin, once it exists), offline
# from the vendored crates. Paths are fixed by the root (/build/src, /build/vendor,
# /build/target), so nothing needs remapping.
. "$(dirname "$0")/lib.sh"
export CARGO_TARGET_DIR=/build/target

# The tree is read whole before matching (a `| grep -q` under pipefail can fail on SIGPIPE).
if [ "$VARIANT" = fips ]; then
    tree=$(cargo tree --locked --offline -e normal --prefix none -p craton-hsm "${CARGO_ARGS[@]}")
    grep -q '^aws-lc-fips-sys ' <<<"$tree" ||
        die "with ${CARGO_ARGS[*]}, this commit does not link aws-lc-fips-sys: no fips variant can be built"
fi

note "cargo auditable build --release -p craton-hsm --lib ${CARGO_ARGS[*]}"
cargo auditable build --locked --offline --release -p craton-hsm --lib "${CARGO_ARGS[@]}"
install -m 0755 /build/target/release/libcraton_hsm.so /out/libcraton_hsm.so

# Binaries: each package's bin targets, with the variant's features where the package has them.
cargo metadata --locked --offline --no-deps --format-version 1 | python3 -c '
import json, os, sys
args = json.loads(os.environ["CRATON_CARGO_ARGS"])
wanted = [f for i, a in enumerate(args) if i and args[i - 1] == "--features" for f in a.split(",")]
for p in json.load(sys.stdin)["packages"]:
    own = "1" if wanted and all(f in p["features"] for f in wanted) else "0"
    for t in p["targets"]:
        if "bin" in t["kind"]:
            print(p["name"], t["name"], own)
' | while read -r pkg bin own; do
    args=()
    [ "$own" = 0 ] || args=("${CARGO_ARGS[@]}")
    note "cargo auditable build --release -p $pkg --bin $bin ${args[*]}"
    cargo auditable build --locked --offline --release -p "$pkg" --bin "$bin" "${args[@]}"
    install -D -m 0755 "/build/target/release/$bin" "/out/bin/$bin"
done
