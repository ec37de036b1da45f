#!/usr/bin/env bash
# Bazel test (//:verify_release_test, //:verify_release_fips_test): tools/verify-release.sh on
# the release Bazel built. Bazel's runfiles are no git checkout, so the check of release.json
# against the commit's lock is a warning here (tests/release/reproducible.sh compares the
# Bazel release with tools/release.sh's byte for byte). The checks run with the release's own
# craton-admin (this tests the build's consistency; a user verifies with a craton-admin they
# already trust). Runfiles are symlinks into the output tree and the verifier accepts regular
# files only, so it checks a dereferenced copy.
set -euo pipefail
SRC=${TEST_SRCDIR:?run by bazel test}/${TEST_WORKSPACE:-craton_hsm}
RUNFILES_DIST=${1:?usage: $0 DIST}
DIST=${TEST_TMPDIR:?run by bazel test}/release
rm -rf "$DIST"
cp -rL "$RUNFILES_DIST" "$DIST"
CRATON_ADMIN=${CRATON_ADMIN:-$DIST/craton-admin} exec "$SRC/tools/verify-release.sh" "$DIST" --allow-toolchain-mismatch --no-diffoscope
