"""The hermetic release build of Craton HSM (see docs/release.md).

One locked build environment (packaging/toolchain.lock), one declared step graph
(packaging/steps.toml); tools/release.sh, Bazel and Nix all run the steps through this package.
Python 3.11 standard library only.
"""
