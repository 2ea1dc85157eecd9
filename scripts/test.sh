#!/usr/bin/env bash
# Set up, build and run every test (unit tests, and integration tests that need /dev/kvm: they
# fail, never skip, when KVM is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd build
ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@"
