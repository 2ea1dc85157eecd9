#!/usr/bin/env bash
# strace_pids.sh JVMOS HELLO FORK
#
# --strace's format with processes: a program that never forks gets plain strace lines (no
# prefix); while more than one process exists every line starts with "[pid N] ", as `strace -f`
# writes it, and the lines of the parent and of its children carry different pids. The lines
# before the first fork stay unprefixed.
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ $# -eq 3 ]] || fail "usage: strace_pids.sh JVMOS HELLO FORK"
jvmos=$1
hello=$2
forker=$3
[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-strace-pids.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT

"$jvmos" --strace "$hello" </dev/null >"$work/hello.out" 2>"$work/hello.err" ||
    fail "hello under --strace exited $?"
grep -q -E '^(write|writev)\(1, ' "$work/hello.err" || fail "no plain write(1, ...) line for hello"
! grep -q '^\[pid' "$work/hello.err" || fail "a single process's lines carry a pid prefix"

"$jvmos" --strace "$forker" </dev/null >"$work/fork.out" 2>"$work/fork.err" ||
    fail "the fork program under --strace exited $?"
# The fork's own line is written after it returned, when the child exists: prefixed.
first_fork=$(grep -n -m1 -E '^(\[pid +[0-9]+\] )?(fork|clone)\(' "$work/fork.err" | cut -d: -f1)
[[ -n $first_fork ]] || fail "no fork/clone line"
sed -n "${first_fork}p" "$work/fork.err" | grep -q '^\[pid' || fail "the first fork's line has no pid prefix"
if head -n "$((first_fork - 1))" "$work/fork.err" | grep -q '^\[pid'; then
    fail "lines before the first fork carry a pid prefix"
fi
pids=$(grep -o -E '^\[pid +[0-9]+\] ' "$work/fork.err" | tr -d '[]pid ' | sort -u | wc -l)
[[ $pids -ge 3 ]] || fail "expected lines from at least 3 processes, found $pids"
grep -q -E '^\[pid +[0-9]+\] wait4\(' "$work/fork.err" || fail "no prefixed wait4 line"
echo "ok: plain lines for one process, [pid N] prefixes from $pids processes"
