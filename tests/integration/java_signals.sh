#!/usr/bin/env bash
# java_signals.sh JVMOS JAVA CLASSES: signals the Java way, natively and under jvmos.
#   1. SIGINT (Ctrl-C) to the process: the program's shutdown hook runs; status 130.
#   2. SIGQUIT: the JVM prints a full thread dump (with the main thread and the program's own
#      thread) to stdout and keeps running; SIGTERM then ends it through the hook (status 143).
#   3. A JVM crash (-XX:+CrashOnOutOfMemoryError): status 134 and an hs_err_pid<N>.log file in
#      the working directory on the host.
# Each outcome (status, hook line, dump lines, crash file) must be the same both ways.
set -u
# Job control: without it, background commands start with SIGINT and SIGQUIT ignored, and a
# JVM keeps signals it inherited as ignored.
set -m
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $# == 3 ]] || fail "usage: java_signals.sh JVMOS JAVA CLASSES"
jvmos=$(realpath "$1")
java=$(realpath "$2")
classes=$(realpath "$3") # the crash runs in another directory
[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"
work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-java-signals.XXXXXX")
trap 'rm -rf "$work"' EXIT
fixed_env=(env -i PATH=/usr/bin:/bin HOME=/ LANG=C LC_ALL=C TZ=UTC)

# start LABEL COMMAND...: runs COMMAND in the background (stdout/stderr to LABEL.out/.err),
# waits up to 60 s for "ready"; sets $pid.
start() {
    local label=$1
    shift
    "${fixed_env[@]}" "$@" >"$work/$label.out" 2>"$work/$label.err" </dev/null &
    pid=$!
    for _ in $(seq 1 600); do
        grep -q '^ready$' "$work/$label.out" 2>/dev/null && return 0
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    kill -9 $pid 2>/dev/null
    cat "$work/$label.err" >&2
    fail "$label: never printed ready"
}

# finish LABEL: waits up to 60 s for $pid to end; prints its status.
finish() {
    local label=$1
    for _ in $(seq 1 600); do
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 $pid 2>/dev/null; then
        kill -9 $pid
        fail "$label: still running 60 s after the signal"
    fi
    wait $pid
}

for how in native jvmos; do
    if [[ $how == native ]]; then run=("$java"); else run=("$jvmos" "$java"); fi

    start "$how-int" "${run[@]}" -cp "$classes" JavaSignals wait
    kill -INT $pid
    finish "$how-int"
    echo $? >"$work/$how-int.status"
    grep -c '^shutdown hook ran$' "$work/$how-int.out" >"$work/$how-int.hook"

    start "$how-quit" "${run[@]}" -cp "$classes" JavaSignals wait
    kill -QUIT $pid
    for _ in $(seq 1 600); do
        grep -q '"sleepy-worker"' "$work/$how-quit.out" 2>/dev/null && break
        sleep 0.1
    done
    kill -0 $pid 2>/dev/null && echo alive >"$work/$how-quit.alive"
    kill -TERM $pid
    finish "$how-quit"
    echo $? >"$work/$how-quit.status"
    {
        grep -c '^Full thread dump' "$work/$how-quit.out"
        grep -c '^"main" ' "$work/$how-quit.out"
        grep -c '^"sleepy-worker" ' "$work/$how-quit.out"
        grep -c '^shutdown hook ran$' "$work/$how-quit.out"
    } >"$work/$how-quit.facts"

    mkdir "$work/$how-crash"
    (cd "$work/$how-crash" &&
        "${fixed_env[@]}" "${run[@]}" -Xmx32m -XX:+CrashOnOutOfMemoryError -cp "$classes" \
            JavaSignals oom >out 2>err </dev/null)
    echo $? >"$work/$how-crash.status"
    ls "$work/$how-crash" | grep -c '^hs_err_pid[0-9]*\.log$' >"$work/$how-crash.files"
done

same() { # same WHAT FILE-SUFFIX
    cmp -s "$work/native-$2" "$work/jvmos-$2" ||
        fail "$1: native $(tr '\n' ' ' <"$work/native-$2"), jvmos $(tr '\n' ' ' <"$work/jvmos-$2")"
}
[[ $(cat "$work/native-int.status") == 130 ]] || fail "native SIGINT status $(cat "$work/native-int.status"), expected 130"
same "SIGINT status" int.status
same "shutdown hook after SIGINT" int.hook
echo "ok: SIGINT -> shutdown hook, status $(cat "$work/jvmos-int.status")"
[[ -f $work/jvmos-quit.alive ]] || fail "jvmos: the JVM did not survive SIGQUIT"
[[ $(head -n 1 "$work/native-quit.facts") -ge 1 ]] || fail "native SIGQUIT printed no thread dump"
same "thread dump facts (dump header, main, sleepy-worker, hook)" quit.facts
same "SIGTERM status after SIGQUIT" quit.status
echo "ok: SIGQUIT -> full thread dump, the JVM goes on; SIGTERM -> hook, status $(cat "$work/jvmos-quit.status")"
[[ $(cat "$work/native-crash.files") == 1 ]] || fail "natively the crash wrote no hs_err_pid file"
same "crash status" crash.status
same "hs_err_pid files in the working directory" crash.files
echo "ok: crash -> status $(cat "$work/jvmos-crash.status") and hs_err_pid<N>.log in the working directory"
