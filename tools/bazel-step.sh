#!/usr/bin/env bash
# One craton_step action of the Bazel front door (bazel/craton.bzl): reads the commit from
# Bazel's workspace status and the locked environment from @craton_env, then runs the declared
# step with tools/craton-build, the same runner tools/release.sh uses.
# Usage: bazel-step.sh STATUS_FILE ENV_JSON OUT STEP VARIANT [INPUT=DIR ...]
set -euo pipefail
status=$1 env_json=$2 out=$3 step=$4 variant=$5
shift 5
field() { sed -n "s/^$1 //p" "$status"; }
commit=$(field STABLE_CRATON_COMMIT) epoch=$(field STABLE_CRATON_EPOCH)
[ -n "$commit" ] && [ -n "$epoch" ] || { echo "bazel-step: no commit in the workspace status (tools/bazel-status.sh)" >&2; exit 1; }
if [ "$(field STABLE_CRATON_DIRTY)" != 0 ]; then
    echo "bazel-step: the checkout has uncommitted changes to tracked files; a release is of a commit: commit or stash them" >&2
    exit 1
fi
json() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$env_json" "$1"; }
export CRATON_RELEASE_CACHE
CRATON_RELEASE_CACHE=$(json cache)
args=()
for i in "$@"; do
    case "$i" in
        windows-dll=*) args+=(--windows-dll "${i#windows-dll=}") ;;
        *) args+=(--input "$i") ;;
    esac
done
exec python3 tools/craton-build --src . step "$step" --variant "$variant" --commit "$commit" \
    --epoch "$epoch" --out "$out" --vendor "$(json vendor)" --materialize --prepared ${args[@]+"${args[@]}"}
