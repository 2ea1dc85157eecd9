#!/usr/bin/env bash
# cli_errors.sh JVMOS [HELLO]
#
# The monitor's command-line contract for bad input: each error is a non-zero status and exactly
# one line on stderr (no usage dump, no crash), and the guest program never starts. HELLO is the
# hello test program: it is used as the otherwise valid program in the option-error cases (so
# the error can only come from the option) and as a positive control that the monitor can run
# it at all. Without HELLO those parts are skipped.
#
# Exit status 0 if every case holds; otherwise 1, after reporting every failing case.
set -u

[[ $# -ge 1 && $# -le 2 ]] || {
    echo "usage: cli_errors.sh JVMOS [HELLO]" >&2
    exit 1
}
jvmos=$1
hello=${2:-}
[[ -x $jvmos ]] || {
    echo "FAIL: monitor '$jvmos' is not an executable file" >&2
    exit 1
}
[[ -z $hello || -x $hello ]] || {
    echo "FAIL: hello program '$hello' is not an executable file" >&2
    exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-cli.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
ulimit -c 0

failures=0
status=0

# run ARGS...: runs the monitor with stdin from /dev/null; sets $status, fills out/err files.
run() {
    "$jvmos" "$@" </dev/null >"$work/out" 2>"$work/err"
    status=$?
}

# Counts lines the way a reader sees them: a last line without '\n' still counts.
line_count() {
    awk 'END { print NR }' "$1"
}

# True if the last status is death by SIGILL, SIGABRT, SIGBUS, SIGFPE or SIGSEGV.
crashed() {
    [[ $status == 132 || $status == 134 || $status == 135 || $status == 136 || $status == 139 ]]
}

report() {
    local name=$1 problem=$2
    echo "FAIL [$name]: $problem (status $status)"
    echo "  stdout: $(head -c 400 "$work/out")"
    echo "  stderr: $(head -c 400 "$work/err")"
    failures=$((failures + 1))
}

# expect_one_line_error NAME: non-zero status, no crash, one non-empty stderr line, no guest run.
expect_one_line_error() {
    local name=$1 lines
    lines=$(line_count "$work/err")
    if [[ $status == 0 ]]; then
        report "$name" "expected a non-zero status"
    elif crashed; then
        report "$name" "the monitor died of a signal"
    elif [[ $lines != 1 || ! -s $work/err ]]; then
        report "$name" "expected exactly one line on stderr, got $lines"
    elif grep -q "Hello from jvmos test" "$work/out"; then
        report "$name" "the guest program ran despite the error"
    else
        echo "ok [$name]: status $status, stderr: $(cat "$work/err")"
    fi
}

# A missing program is status 127, as in a shell, with "not found" in the one line.
run /nonexistent/jvmos-no-such-program
if [[ $status != 127 ]]; then
    report "missing program" "expected status 127"
elif [[ $(line_count "$work/err") != 1 ]] || ! grep -qi "not found" "$work/err"; then
    report "missing program" "expected one stderr line containing 'not found'"
else
    echo "ok [missing program]: status 127, stderr: $(cat "$work/err")"
fi

# Files that are not ELF executables, with the execute bit set so only the format is wrong.
printf 'this is a text file, not an ELF executable\n' >"$work/text-file"
printf '#!/bin/sh\necho "a shell script, not an ELF executable"\n' >"$work/script.sh"
printf '\177ELF\002\001\001' >"$work/truncated-elf"
: >"$work/empty-file"
chmod +x "$work/text-file" "$work/script.sh" "$work/truncated-elf" "$work/empty-file"
for bad in text-file script.sh truncated-elf empty-file; do
    run "$work/$bad"
    expect_one_line_error "non-ELF: $bad"
done

if [[ -n $hello ]]; then
    run "$hello"
    if [[ $status != 0 ]] || [[ $(cat "$work/out") != "Hello from jvmos test" ]]; then
        report "control: hello runs" "expected status 0 and the hello line"
    else
        echo "ok [control: hello runs]"
    fi
    program=$hello
else
    echo "note: no HELLO given; option errors use a missing program path and no control run"
    program=/nonexistent/jvmos-no-such-program
fi

run --mem 1x "$program"
expect_one_line_error "--mem 1x"
run --mem 1M "$program"
expect_one_line_error "--mem 1M (too small)"
run --cpus 0 "$program"
expect_one_line_error "--cpus 0"
run --backend bogus "$program"
expect_one_line_error "--backend bogus"
run --bogus-option "$program"
expect_one_line_error "--bogus-option"

# No program at all: an error; a usage text on stderr is acceptable here, so only the status.
run
if [[ $status == 0 ]] || crashed; then
    report "no program" "expected a non-zero status without a crash"
else
    echo "ok [no program]: status $status"
fi

run --help
if [[ $status != 0 ]]; then
    report "--help" "expected status 0"
elif ! grep -qi "usage" "$work/out"; then
    report "--help" "expected usage text on stdout"
else
    echo "ok [--help]: usage on stdout"
fi

run --version
if [[ $status != 0 ]]; then
    report "--version" "expected status 0"
elif [[ ! -s $work/out ]]; then
    report "--version" "expected the version on stdout"
else
    echo "ok [--version]: $(head -n 1 "$work/out")"
fi

if [[ $failures != 0 ]]; then
    echo "$failures case(s) failed"
    exit 1
fi
echo "all cases passed"
exit 0
