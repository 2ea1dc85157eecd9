#!/usr/bin/env bash
# compare.sh JVMOS PROGRAM [ARGS...]
#
# Runs PROGRAM natively and as `JVMOS [JVMOS_OPTS] PROGRAM [ARGS...]`, both with the same stdin
# and the same fixed environment, and requires identical stdout bytes and exit status. stderr is
# not compared (the monitor may add diagnostics there) but is shown when the runs differ.
#
# Environment:
#   COMPARE_STDIN          file fed to stdin both ways (default /dev/null)
#   COMPARE_EXPECT_STATUS  if set, the native status must also equal this (guards against a
#                          program that is broken natively, which would make the test vacuous)
#   JVMOS_OPTS             extra monitor options, split on whitespace (e.g. "--cpus 2")
#
# Exit status: 0 when the runs agree, 1 otherwise. A missing /dev/kvm or a monitor that cannot
# run is a failure, never a skip: this test exists to show that programs run under jvmos.
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ $# -ge 2 ]] || fail "usage: compare.sh JVMOS PROGRAM [ARGS...]"
jvmos=$1
program=$2
shift 2

[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"
[[ -r /dev/kvm && -w /dev/kvm ]] || fail "/dev/kvm is not readable and writable by $(id -un)"
[[ -x $jvmos ]] || fail "monitor '$jvmos' is not an executable file"
[[ -x $program ]] || fail "program '$program' is not an executable file"

stdin_file=${COMPARE_STDIN:-/dev/null}
[[ -r $stdin_file ]] || fail "COMPARE_STDIN '$stdin_file' is not readable"

read -r -a jvmos_opts <<<"${JVMOS_OPTS:-}"

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-compare.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT

# The same small environment both ways, so args_env-style output is reproducible and nothing
# from the caller's shell leaks into the comparison.
fixed_env=(env -i PATH=/usr/bin:/bin HOME=/ LANG=C LC_ALL=C TZ=UTC JVMOS_COMPARE=1)

# The fault test dies of SIGSEGV on purpose; do not litter core files.
ulimit -c 0

"${fixed_env[@]}" "$program" "$@" <"$stdin_file" >"$work/native.out" 2>"$work/native.err"
native_status=$?
"${fixed_env[@]}" "$jvmos" "${jvmos_opts[@]}" "$program" "$@" \
    <"$stdin_file" >"$work/jvmos.out" 2>"$work/jvmos.err"
jvmos_status=$?

show_stderr() {
    local label=$1 file=$2
    if [[ -s $file ]]; then
        echo "--- $label stderr (first 40 lines):"
        head -n 40 "$file"
    fi
}

ok=1
if [[ -n ${COMPARE_EXPECT_STATUS:-} && $native_status != "$COMPARE_EXPECT_STATUS" ]]; then
    echo "native status $native_status, expected $COMPARE_EXPECT_STATUS"
    ok=0
fi
if [[ $native_status != "$jvmos_status" ]]; then
    echo "exit status differs: native $native_status, jvmos $jvmos_status"
    ok=0
fi
if ! cmp -s "$work/native.out" "$work/jvmos.out"; then
    echo "stdout differs ($(wc -c <"$work/native.out") bytes native," \
        "$(wc -c <"$work/jvmos.out") bytes jvmos):"
    diff -u --label native --label jvmos "$work/native.out" "$work/jvmos.out" | head -n 200
    ok=0
fi

if [[ $ok == 1 ]]; then
    echo "PASS: $(basename "$program")${*:+ $*} -> status $native_status," \
        "$(wc -c <"$work/native.out") stdout bytes identical"
    exit 0
fi

echo "command: $jvmos ${jvmos_opts[*]} $program $*"
show_stderr native "$work/native.err"
show_stderr jvmos "$work/jvmos.err"
echo "--- native stdout (first 40 lines):"
head -n 40 "$work/native.out"
echo "--- jvmos stdout (first 40 lines):"
head -n 40 "$work/jvmos.out"
exit 1
