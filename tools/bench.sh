#!/usr/bin/env bash
# The layer benchmark (benches/layer.rs) in one command: the raw crates, Craton HSM on each
# provider, SoftHSMv2 and `openssl speed`, at 1 and 2 threads, in one run. Writes the measured
# part of docs/benchmarks.md (between its bench markers) with the date, machine and commit.
# Usage: tools/bench.sh [SECONDS_PER_CASE (3)] [TOKEN_OBJECTS (10000)]
# Needs softhsm2 (apt-get install softhsm2) for its column; run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
per_case=${1:-3}
objects=${2:-10000}
table=$(mktemp)
trap 'rm -f "$table"' EXIT
cargo bench --locked --features awslc-backend --bench layer -- \
    --seconds "$per_case" --objects "$objects" --markdown "$table"
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)
# shellcheck source=/dev/null
os=$(. /etc/os-release && echo "$PRETTY_NAME")
softhsm=$(dpkg-query -W -f '${Version}' softhsm2 2>/dev/null || echo "not installed")
{
    echo "Measured $(date -u +%F) at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with local changes)'):"
    echo "$os, $(nproc) cores ($cpu), $(rustc --version | cut -d' ' -f1-2), release profile;"
    echo "SoftHSMv2 $softhsm, $(openssl version | cut -d' ' -f1-2)."
    echo
    cat "$table"
} >"$table.section"
python3 - "$table.section" docs/benchmarks.md <<'PY'
import sys
section, doc = open(sys.argv[1]).read(), sys.argv[2]
text = open(doc).read()
begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w").write(head + begin + section + end + tail)
PY
rm -f "$table.section"
echo "docs/benchmarks.md: measured section rewritten"
