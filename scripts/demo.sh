#!/usr/bin/env bash
# The main job: set up, build, and run a C program in a jvmos VM (until HotSpot runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/bin/jvmos build/tests/programs/hello "$@"
