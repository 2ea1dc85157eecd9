#!/usr/bin/env bash
# run_abi.sh JVMOS [DIVISOR]
#
# The kernel paths HotSpot leans on (bench/abi_bench.c), natively and under JVMOS, in one run on
# one machine: table "op | linux ns | jvmos ns | ratio | jvmos --cpus 1 ns | ratio | target"
# (ratio = jvmos / linux; the target of issue 4 is "at most half of Linux" where one is set).
# Builds nothing: abi_bench comes from BENCH_DIR (default: the bench/ directory of the build
# JVMOS belongs to). DIVISOR divides the iteration counts for a quick run. See bench/README.md.
#
#   1. abi_bench natively, under `JVMOS` (default options: as many vCPUs as the host has CPUs)
#      and under `JVMOS --cpus 1`, every operation but the ping-pong;
#   2. futex ping-pong on one CPU (natively `taskset -c 0`, `JVMOS --cpus 1`) and on two
#      (natively unpinned, `JVMOS --cpus 2`), with the CPU count each run saw;
#   3. the trap and TLB-invalidation floor from `JVMOS --kernel-bench`, with default options and
#      with --cpus 1 (in that mode the other vCPUs are never released and spin, so the --cpus 1
#      numbers are the floor). A TLB invalidation is not reachable alone from a program: the
#      nearest is mprotect_1page - mprotect_1page_untouched.
# shellcheck disable=SC2059 # one printf format per table, kept in a variable on purpose
set -u

[[ $# == 1 || $# == 2 ]] || {
    echo "usage: run_abi.sh JVMOS [DIVISOR]" >&2
    exit 1
}
jvmos=$1
divisor=${2:-1}
bench_dir=${BENCH_DIR:-$(cd "$(dirname "$jvmos")/.." && pwd)/bench}
abi_bench=$bench_dir/abi_bench
for f in "$jvmos" "$abi_bench"; do
    [[ -x $f ]] || {
        echo "run_abi.sh: '$f' is not an executable file (build with: cmake --build BUILD)" >&2
        exit 1
    }
done

# run LABEL COMMAND...: the command's "name value" lines, or nothing (and a note) if it failed.
run() {
    local label=$1 out status
    shift
    out=$("$@")
    status=$?
    if [[ $status != 0 ]]; then
        echo "run_abi.sh: abi_bench failed ($label, status $status); its column is left empty" >&2
        return
    fi
    echo "$out"
}

native=$(run native "$abi_bench" "$divisor")
# The ping-pong has its own runs below.
guest=$(run jvmos "$jvmos" "$abi_bench" "$divisor" -futex_pingpong)
guest_cpus1=$(run "jvmos --cpus 1" "$jvmos" --cpus 1 "$abi_bench" "$divisor" -futex_pingpong)
native_1cpu=$(run "native, one CPU" taskset -c 0 "$abi_bench" "$divisor" futex_pingpong)
guest_1cpu=$(run "jvmos --cpus 1" "$jvmos" --cpus 1 "$abi_bench" "$divisor" futex_pingpong)
guest_2cpu=$(run "jvmos --cpus 2" "$jvmos" --cpus 2 "$abi_bench" "$divisor" futex_pingpong)

get() { awk -v k="$2" '$1 == k { print $2 }' <<<"$1"; }

# ratio A B: A / B with two decimals, "-" when either is missing.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else print "-" }'
}
# met RATIO TARGET: "<= TARGET met|not met", or nothing without a target.
met() {
    [[ -n $2 ]] || return 0
    awk -v r="$1" -v t="$2" 'BEGIN {
        printf "<= %s%s", t, (r == "-") ? "" : (r <= t) ? " met" : " not met" }'
}
or_dash() { echo "${1:--}"; }

format='%-26s | %10s | %10s | %6s | %10s | %6s | %s\n'
echo "== abi_bench (median of 11 runs, ns per op)"
printf "$format" op "linux" "jvmos" ratio "--cpus 1" ratio "target (issue 4)"
printf "$format" "" "" "($(or_dash "$(get "$guest" online_cpus)") vCPU)" "" "" "" "(worse ratio)"
printf "%s+%s+%s+%s+%s+%s+%s\n" "---------------------------" "------------" "------------" \
    "--------" "------------" "--------" "-----------------"
# Targets: at most half of Linux for the paths issue 4 names.
declare -A target=([futex_wake_nowaiter]=0.5 [mprotect_1page]=0.5 [fault_4k]=0.5
    [fault_4k_fresh]=0.5 [sigsegv_fixup]=0.5 [thread_create_join]=0.5)
while read -r op value; do
    [[ -z $op || $op == online_cpus || $op == futex_pingpong ]] && continue
    j=$(get "$guest" "$op")
    j1=$(get "$guest_cpus1" "$op")
    r=$(ratio "$j" "$value")
    r1=$(ratio "$j1" "$value")
    worse=$(awk -v a="$r" -v b="$r1" 'BEGIN { print (a == "-" || (b != "-" && b > a)) ? b : a }')
    printf "$format" "$op" "$value" "$(or_dash "$j")" "$r" "$(or_dash "$j1")" "$r1" \
        "$(met "$worse" "${target[$op]:-}")"
done <<<"$native"
echo "(jvmos_nop is the empty round trip under jvmos, natively the ENOSYS path: the floor.)"

echo
echo "== futex ping-pong between two threads (median of 11 runs, ns per round trip)"
format='%-44s | %10s | %10s | %6s\n'
printf "$format" "" linux jvmos ratio
pingpong_row() {
    local l j
    l=$(get "$2" futex_pingpong)
    j=$(get "$3" futex_pingpong)
    printf "$format" "$1" "$(or_dash "$l")" "$(or_dash "$j")" "$(ratio "$j" "$l")"
}
pingpong_row "one CPU (taskset -c 0 / --cpus 1)" "$native_1cpu" "$guest_1cpu"
pingpong_row "two CPUs (unpinned / --cpus 2)" "$native" "$guest_2cpu"
cpus_seen() { or_dash "$(get "$1" online_cpus)"; }
echo "(CPUs the program saw: linux $(cpus_seen "$native"), pinned $(cpus_seen "$native_1cpu");" \
    "jvmos --cpus 1 $(cpus_seen "$guest_1cpu"), --cpus 2 $(cpus_seen "$guest_2cpu").)"

echo
echo "== the floor: one trap to the hypervisor, one TLB invalidation (jvmos --kernel-bench)"
for cpus in "" "--cpus 1"; do
    # shellcheck disable=SC2086 # $cpus is empty or two words on purpose
    if kernel=$("$jvmos" $cpus --kernel-bench 2>&1); then
        echo "jvmos ${cpus:-(default options)}:"
        grep -E "TLB|hypercall" <<<"$kernel" || echo "$kernel"
    else
        echo "not supported by this monitor (status $?): $(head -n 1 <<<"$kernel")"
    fi
done
