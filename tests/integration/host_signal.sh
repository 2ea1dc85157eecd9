#!/usr/bin/env bash
# host_signal.sh JVMOS PROGRAM: signals sent to the jvmos process reach the program: SIGINT runs
# its handler (exit 0 after "handler: got SIGINT"); SIGTERM, unhandled, kills it (143) — both
# exactly as the same program does natively.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
jvmos=$1
program=$2
[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"
work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-host-signal.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run LABEL SIGNAL COMMAND...: starts COMMAND, waits for "ready", sends SIGNAL, returns status.
run() {
    local label=$1 sig=$2
    shift 2
    "$@" >"$work/$label.out" 2>"$work/$label.err" </dev/null &
    local pid=$!
    for _ in $(seq 1 200); do
        grep -q ready "$work/$label.out" 2>/dev/null && break
        sleep 0.05
    done
    grep -q ready "$work/$label.out" || { kill -9 $pid; fail "$label: never printed ready"; }
    kill "-$sig" $pid
    for _ in $(seq 1 200); do
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    kill -0 $pid 2>/dev/null && { kill -9 $pid; fail "$label: still running 10 s after SIG$sig"; }
    wait $pid
}

for sig in INT TERM; do
    run native-$sig $sig "$program"
    native=$?
    run jvmos-$sig $sig "$jvmos" "$program"
    guest=$?
    [[ $native == "$guest" ]] || fail "SIG$sig: status $guest under jvmos, $native natively"
    cmp -s "$work/native-$sig.out" "$work/jvmos-$sig.out" || {
        diff "$work/native-$sig.out" "$work/jvmos-$sig.out" >&2
        fail "SIG$sig: different output"
    }
    echo "ok: SIG$sig -> status $guest, same output"
done
