#!/usr/bin/env bash
# Installs the Debian packages jvmos needs (when missing) and builds everything into build/.
# Used by the README's two commands; safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(g++ cmake make musl-tools capnproto libcapnp-dev libunwind-dev googletest libgtest-dev
          libbenchmark-dev strace openjdk-17-jdk-headless python3 stress-ng)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
