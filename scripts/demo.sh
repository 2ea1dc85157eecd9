#!/usr/bin/env bash
# The main job: set up, build, and run a Java program with the unmodified Debian OpenJDK 17
# inside a jvmos VM.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p build/examples
javac -d build/examples examples/Hello.java
exec build/bin/jvmos java -cp build/examples Hello "$@"
