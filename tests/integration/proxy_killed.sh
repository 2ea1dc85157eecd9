#!/usr/bin/env bash
# proxy_killed.sh JVMOS PROGRAM
#
# The proxy dies during a run: PROGRAM (stdin_echo) blocks reading a stdin that never ends; the
# test kills jvmos's linux-proxy child and requires that jvmos prints "linux-proxy connection
# lost", exits non-zero, and does so within seconds (never hangs).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $# == 2 ]] || fail "usage: proxy_killed.sh JVMOS PROGRAM"
jvmos=$1
program=$2
[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-proxy-killed.XXXXXX") || fail "mktemp"
trap 'exec 9>&- 2>/dev/null; rm -rf "$work"; [[ -n ${pid:-} ]] && kill -9 "$pid" 2>/dev/null' EXIT
mkfifo "$work/stdin"
"$jvmos" "$program" <"$work/stdin" >"$work/out" 2>"$work/err" &
pid=$!
exec 9>"$work/stdin" # keep the fifo open for writing: the guest's read blocks forever

# Wait for the proxy child to appear.
proxy=
for _ in $(seq 1 100); do
    proxy=$(pgrep -P "$pid" -f jvmos-proxy | head -1)
    [[ -n $proxy ]] && break
    sleep 0.05
done
[[ -n $proxy ]] || fail "no jvmos-proxy child of jvmos (pid $pid) appeared"
printf 'some input\n' >&9 # the program echoes it: the ring works before the kill
sleep 0.5
kill -9 "$proxy"

# jvmos must exit by itself within 10 s.
for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
    fail "jvmos still running 10 s after its proxy was killed (it hangs)"
fi
wait "$pid"
status=$?
pid=
[[ $status != 0 ]] || fail "jvmos exited 0 after losing its proxy"
grep -q "linux-proxy connection lost" "$work/err" || {
    cat "$work/err" >&2
    fail "stderr does not say 'linux-proxy connection lost'"
}
[[ $(grep -c "linux-proxy connection lost" "$work/err") == 1 ]] || fail "the loss is reported more than once"
grep -q "some input" "$work/out" || fail "the input written before the kill was not echoed"
echo "ok: jvmos reported the lost proxy and exited with status $status"
