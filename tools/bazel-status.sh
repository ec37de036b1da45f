#!/bin/sh
# Bazel's workspace status (.bazelrc): the commit the steps record and its time as
# SOURCE_DATE_EPOCH, and whether tracked files have uncommitted changes (the steps refuse those:
# a release is of a commit).
set -eu
echo "STABLE_CRATON_COMMIT $(git rev-parse HEAD)"
echo "STABLE_CRATON_EPOCH $(git log -1 --format=%ct HEAD)"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "STABLE_CRATON_DIRTY 1"
else
    echo "STABLE_CRATON_DIRTY 0"
fi
