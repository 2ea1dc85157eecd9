#!/usr/bin/env bash
# syscalls_table.sh JVMOS: `jvmos --syscalls` prints, from the kernel's own table, one line per
# x86-64 Linux syscall with its disposition; every syscall of the host's UAPI header is listed.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
jvmos=$1
out=$("$jvmos" --syscalls) || fail "jvmos --syscalls exited $?"
header=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
[[ -r $header ]] || fail "no $header to check against"
missing=0
while read -r nr name; do
    grep -qE "^ *$nr $name +(local|shipped|partial|unsupported|unknown)" <<<"$out" || {
        echo "missing or wrong: $nr $name" >&2
        missing=$((missing + 1))
    }
done < <(sed -nE 's/^#define __NR_([a-z0-9_]+) ([0-9]+)$/\2 \1/p' "$header")
[[ $missing == 0 ]] || fail "$missing syscalls not listed correctly"
grep -qE "^202 futex +partial " <<<"$out" || fail "futex is not listed as partial"
grep -qE "^257 openat +shipped +paths in /proc and /sys are answered locally" <<<"$out" ||
    fail "openat is not listed as shipped with /proc and /sys local"
grep -qE "^ 39 getpid +local" <<<"$out" || fail "getpid is not listed as local"
echo "ok: $(wc -l <<<"$out") syscalls listed"
