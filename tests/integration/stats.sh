#!/usr/bin/env bash
# stats.sh JVMOS PROGRAMS_DIR
#
# `jvmos --stats`: the program's stdout and exit status are what they are natively, and the
# report of what the run cost follows on stderr, with the counts each program must produce:
#   file_copy  shipped syscalls and ring calls, local syscalls, page faults, one program exit
#   threads    context switches and futex calls
#   fault      death by SIGSEGV: the report still comes (after the kill line), and the fault
#              that became the signal is counted
# Without --stats nothing is reported.
set -u

fail() {
    echo "FAIL: $*" >&2
    [[ -f ${work:-}/jvmos.err ]] && { echo "--- jvmos stderr:" >&2; cat "$work/jvmos.err" >&2; }
    exit 1
}

[[ $# == 2 ]] || fail "usage: stats.sh JVMOS PROGRAMS_DIR"
jvmos=$1
programs=$2
[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"
[[ -x $jvmos ]] || fail "monitor '$jvmos' is not an executable file"

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-stats.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
cd "$work" || fail "cd $work"
ulimit -c 0 # fault dies of SIGSEGV on purpose

# run PROGRAM EXPECTED_STATUS [JVMOS_OPTION]: natively, then under jvmos with the option; the
# statuses and stdout must agree. Leaves jvmos's stderr in jvmos.err.
run() {
    local program=$programs/$1 expected=$2 option=${3:-}
    [[ -x $program ]] || fail "program '$program' is not an executable file"
    "$program" </dev/null >native.out 2>native.err
    local native=$?
    [[ $native == "$expected" ]] || fail "$1 natively exited $native, expected $expected"
    "$jvmos" $option "$program" </dev/null >jvmos.out 2>jvmos.err
    local status=$?
    [[ $status == "$native" ]] || fail "$1 $option: status $status under jvmos, $native natively"
    cmp -s native.out jvmos.out || fail "$1 $option: stdout differs from the native run"
}

# count LABEL: the first number on the report line that starts with LABEL (commas removed).
count() {
    awk -v label="$1" 'index($0, label) == 1 {
        rest = substr($0, length(label) + 1)
        if (match(rest, /[0-9][0-9,]*/)) { v = substr(rest, RSTART, RLENGTH); gsub(",", "", v); print v; exit }
    }' jvmos.err
}

# positive LABEL: the count on LABEL's line is above zero.
positive() {
    local n
    n=$(count "$1")
    [[ -n $n && $n -gt 0 ]] || fail "report line '$1' is missing or zero (got '${n}')"
}

run file_copy 0
grep -q '^jvmos --stats$' jvmos.err && fail "a report without --stats"

run file_copy 0 --stats
grep -q '^jvmos --stats$' jvmos.err || fail "file_copy: no report on stderr"
positive "local syscalls"
positive "shipped syscalls"
positive "shipped calls (ring)"
positive "  write "
positive "page faults"
positive "exits to the monitor"
[[ $(count "  program exit") == 1 ]] || fail "file_copy: not one program exit"

run threads 0 --stats
n=$(sed -nE 's/.*; ([0-9,]+) context switches$/\1/p' jvmos.err | tr -d ,)
[[ -n $n && $n -gt 0 ]] || fail "threads: no context switches counted (got '$n')"
positive "  futex "

run fault 139 --stats
kill_line=$(grep -n 'program killed by SIGSEGV' jvmos.err | cut -d: -f1)
report_line=$(grep -n '^jvmos --stats$' jvmos.err | cut -d: -f1)
[[ -n $kill_line && -n $report_line && $kill_line -lt $report_line ]] ||
    fail "fault: the report does not follow the kill line"
positive "  signal (SEGV/BUS)"

echo "ok: --stats leaves stdout and status alone and reports the counts"
