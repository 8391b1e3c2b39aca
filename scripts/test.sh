#!/usr/bin/env bash
# The whole test suite: installs (the tests' dependencies too) and builds if needed, runs
# every test of the Release build (GCC), then, in the clang tree with ASan + UBSan, the
# fast unit tests (label `unit`) again, every fuzz target for 20 seconds (label `fuzz`)
# and the inspector's server under a storm of bad requests (label `server`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test-deps
ctest --test-dir build --output-on-failure -j "$(nproc)"
scripts/setup.sh --sanitize
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L "unit|fuzz|server"
