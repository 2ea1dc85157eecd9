#!/usr/bin/env bash
# stress_ng.sh JVMOS STRESSOR-ARGS...
#
# Runs Debian's stress-ng (unmodified, glibc, dynamic) natively and under jvmos with the same
# bounded stressor arguments. stress-ng forks a child per stressor (and the futex stressor forks
# again: waiter and waker talk through a futex in MAP_SHARED memory), so this exercises fork,
# copy-on-write, wait4, kill, alarm and shared futexes with a real program. Bogo-op counts and
# times differ between the runs, so the outcome is compared, not the numbers: both runs must
# exit 0, report "successful run completed", name the same dispatched stressors, and print no
# failure line (--verify makes the stressors check their own results).
# A missing /dev/kvm or stress-ng is a failure, never a skip (scripts/setup.sh installs it).
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ $# -ge 2 ]] || fail "usage: stress_ng.sh JVMOS STRESSOR-ARGS..."
jvmos=$1
shift
stress_ng=$(command -v stress-ng) || fail "stress-ng is not installed (Debian package stress-ng)"
[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"
[[ -x $jvmos ]] || fail "monitor '$jvmos' is not an executable file"
read -r -a jvmos_opts <<<"${JVMOS_OPTS:-}"

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-stress-ng.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
cd "$work" || fail "cd $work"

# The outcome lines without pids and times: "info: [123] dispatching hogs: 1 futex" becomes
# "info: dispatching hogs: 1 futex".
outcome() {
    sed -E -n 's/^stress-ng: ([a-z]+): +\[[0-9]+\] /\1: /p' "$1" |
        grep -E '^(info: (dispatching hogs|successful run completed)|fail:|error:)' |
        sed -E 's/completed in [0-9.]+ ?(s|secs|mins?)?.*/completed/'
}

run() {
    local name=$1
    shift
    "$@" </dev/null >"$work/$name.out" 2>&1
    echo $? >"$work/$name.status"
}

run native "$stress_ng" "$@"
run jvmos "$jvmos" "${jvmos_opts[@]}" "$stress_ng" "$@"

status=0
for side in native jvmos; do
    if [[ $(cat "$work/$side.status") != 0 ]]; then
        echo "FAIL: stress-ng $* exited $(cat "$work/$side.status") ($side)" >&2
        status=1
    fi
    if ! outcome "$work/$side.out" | grep -q '^info: successful run completed$'; then
        echo "FAIL: no successful run reported ($side)" >&2
        status=1
    fi
    if outcome "$work/$side.out" | grep -qE '^(fail|error):'; then
        echo "FAIL: stress-ng reported a failure ($side)" >&2
        status=1
    fi
done
if ! diff <(outcome "$work/native.out") <(outcome "$work/jvmos.out") >"$work/diff"; then
    echo "FAIL: the outcomes differ (native <, jvmos >):" >&2
    cat "$work/diff" >&2
    status=1
fi
if [[ $status != 0 ]]; then
    for side in native jvmos; do
        echo "---- $side output" >&2
        tail -n 40 "$work/$side.out" >&2
    done
    exit 1
fi
outcome "$work/jvmos.out"
echo "ok: stress-ng $* (native and jvmos)"
