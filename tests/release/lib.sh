# shellcheck shell=bash
# Helpers shared by tests/release/*.sh (sourced, not run).

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
section() { printf '\n--- %s\n' "$*"; }

# The file offset of an ELF section (hex from readelf, printed in decimal).
section_offset() {
    local off
    off=$(readelf -S -W "$1" | sed -n "s/.*\] $2 *[A-Z_]* *[0-9a-f]* \([0-9a-f]*\) .*/\1/p" | head -n1)
    [ -n "$off" ] || return 1
    echo $((16#$off))
}

# The file offset of symbol $2 of ELF file $1 (from .symtab, through its section), in decimal.
symbol_offset() {
    local value sec addr off
    read -r value sec < <(readelf -s -W "$1" | awk -v s="$2" '$8 == s { print $2, $7; exit }') || return 1
    [ -n "${value:-}" ] && [ "$sec" != UND ] || return 1
    read -r addr off < <(readelf -S -W "$1" | sed -n "s/^ *\[ *$sec\] *[^ ]* *[A-Z_]* *\([0-9a-f]*\) \([0-9a-f]*\) .*/\1 \2/p") || return 1
    echo $((16#$value - 16#$addr + 16#$off))
}

# Flips the lowest bit of the byte at offset $2 of file $1, in place.
flip_byte() {
    local f=$1 off=$2 b
    b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
    [ -n "$b" ] || return 1
    # shellcheck disable=SC2059
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# Flips a byte inside the library's .comment section: the library still loads and runs, so
# only the integrity self-test (the .hmac check) can notice.
flip_comment_byte() {
    local off
    off=$(section_offset "$1" .comment) || fail "no .comment section in $1"
    flip_byte "$1" $((off + 1))
}

# Rewrites SHA256SUMS and release.json's hashes of a release directory, as someone who controls
# the directory would after tampering with it.
regen_sums() {
    local d=$1 f tmp
    tmp=$(mktemp)
    jq '.' "$d/release.json" >"$tmp"
    while IFS= read -r f; do
        jq --arg f "$f" --arg s "$(sha256sum "$d/$f" | cut -d' ' -f1)" --argjson n "$(stat -c %s "$d/$f")" \
            '(.artifacts[] | select(.file == $f)) |= (.sha256 = $s | .size = $n)' "$tmp" >"$tmp.2"
        mv "$tmp.2" "$tmp"
    done < <(jq -r '.artifacts[].file' "$tmp")
    mv "$tmp" "$d/release.json"
    (cd "$d" && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name '*.asc' -printf '%P\n' | LC_ALL=C sort | xargs sha256sum) >"$d/SHA256SUMS.new"
    mv "$d/SHA256SUMS.new" "$d/SHA256SUMS"
}

# What a consistent attacker does after changing anything in release directory $1: release.json's
# package contents (read by craton-admin, as the build writes them), every artifact's hash and
# SHA256SUMS rewritten to match. Needs $CRATON_ADMIN.
reseal() {
    local d=$1 pkgs=() f arts
    while IFS= read -r f; do pkgs+=("$d/$f"); done < <(cd "$d" && ls -- *.deb *.rpm *.msi 2>/dev/null | LC_ALL=C sort)
    arts=$(cd "$d" && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name release.json ! -name '*.asc' -printf '%P\n' |
        LC_ALL=C sort | while IFS= read -r f; do
            jq -n --arg f "$f" --arg s "$(sha256sum "$f" | cut -d' ' -f1)" --argjson n "$(stat -c %s "$f")" \
                '{file: $f, sha256: $s, size: $n}'
        done | jq -s .)
    jq --argjson p "$("$CRATON_ADMIN" release-contents "${pkgs[@]}")" --argjson a "$arts" \
        '.packages = $p | .artifacts = $a' "$d/release.json" >"$d/release.json.new"
    mv "$d/release.json.new" "$d/release.json"
    (cd "$d" && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name '*.asc' -printf '%P\n' | LC_ALL=C sort | xargs sha256sum) >"$d/SHA256SUMS"
}

# A config for tests: token store in $1/store, cheap PIN hashing.
test_config() {
    mkdir -p "$1"
    printf 'token.storage_path = "%s/store"\nsecurity.pbkdf2_iterations = 1000\n' "$1" >"$1/craton_hsm.toml"
    echo "$1/craton_hsm.toml"
}

# Loads library $1 with pkcs11-tool --list-slots, config $2, info logs; output in $3.
# Returns pkcs11-tool's exit status.
load_module() {
    CRATON_HSM_CONFIG=$2 CRATON_HSM_LOG=info timeout 120 pkcs11-tool --module "$1" --list-slots >"$3" 2>&1
}

# The integrity self-test's verdict in a log: OK, FAILED, SKIPPED..., or "none" when the module
# does not log one yet.
integrity_verdict() {
    local v
    v=$(sed -n 's/.*POST: integrity=\([A-Za-z_-]*\).*/\1/p' "$1" | head -n1)
    echo "${v:-none}"
}

# Says what differs between two release directories, printed last so a CI log's tail shows
# it: each differing file, and for ELF files their differing sections, for packages their
# differing members and headers, for JSON the differing keys.
explain_difference() {
    local a=$1 b=$2 f s
    echo "--- what differs between $a and $b" >&2
    diff "$a/SHA256SUMS" "$b/SHA256SUMS" >&2 || true
    for f in $(cd "$a" && ls); do
        [ -f "$b/$f" ] || { echo "only in A: $f" >&2; continue; }
        cmp -s "$a/$f" "$b/$f" && continue
        echo "differs: $f ($(stat -c %s "$a/$f") and $(stat -c %s "$b/$f") bytes)" >&2
        case "$f" in
            *.json) diff <(jq -S . "$a/$f") <(jq -S . "$b/$f") | head -n 20 >&2 || true ;;
            *.deb) diff <(dpkg-deb -c "$a/$f"; dpkg-deb -f "$a/$f") <(dpkg-deb -c "$b/$f"; dpkg-deb -f "$b/$f") | head -n 20 >&2 || true ;;
            *.rpm) diff <(rpm -qp --dump --info "$a/$f" 2>/dev/null) <(rpm -qp --dump --info "$b/$f" 2>/dev/null) | head -n 20 >&2 || true ;;
        esac
        if readelf -h "$a/$f" >/dev/null 2>&1; then
            local t
            t=$(mktemp -d)
            for s in $(readelf -S -W "$a/$f" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p'); do
                objcopy --dump-section "$s=$t/a" "$a/$f" "$t/a.elf" 2>/dev/null || continue
                objcopy --dump-section "$s=$t/b" "$b/$f" "$t/b.elf" 2>/dev/null || continue
                cmp -s "$t/a" "$t/b" || echo "  section $s differs" >&2
            done
            rm -rf "$t"
        fi
    done
    if command -v diffoscope >/dev/null; then
        diffoscope --text - --max-report-size 20000 "$a" "$b" 2>/dev/null | head -n 80 >&2 || true
    fi
}
