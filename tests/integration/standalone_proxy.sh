#!/usr/bin/env bash
# standalone_proxy.sh JVMOS PROXY COMPARE PROGRAM [ARGS...]
#
# Starts `PROXY --listen unix:SOCKET` on its own, then runs compare.sh with
# JVMOS_OPTS="--proxy unix:SOCKET": the program must behave the same through a proxy that jvmos
# did not start (stdio then comes from jvmos itself).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $# -ge 4 ]] || fail "usage: standalone_proxy.sh JVMOS PROXY COMPARE PROGRAM [ARGS...]"
jvmos=$1
proxy_bin=$2
compare=$3
shift 3
[[ -x $proxy_bin ]] || fail "proxy '$proxy_bin' is not executable"
work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-standalone.XXXXXX") || fail "mktemp"
"$proxy_bin" --listen "unix:$work/proxy.sock" 2>"$work/proxy.err" &
proxy=$!
trap 'kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    [[ -S $work/proxy.sock ]] && break
    sleep 0.05
done
[[ -S $work/proxy.sock ]] || { cat "$work/proxy.err" >&2; fail "the proxy did not create its socket"; }
JVMOS_OPTS="--proxy unix:$work/proxy.sock ${JVMOS_OPTS:-}" bash "$compare" "$jvmos" "$@"
status=$?
kill -0 "$proxy" 2>/dev/null || fail "the standalone proxy died during the run"
exit $status
