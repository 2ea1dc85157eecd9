#!/usr/bin/env bash
# run.sh JVMOS
#
# Runs the benchmarks natively and under JVMOS and prints the comparison. Builds nothing: the
# binaries come from BENCH_DIR (default: build/bench/ next to this script's parent, which is
# where `cmake --build build` puts them). See bench/README.md.
#
#   1. syscall_bench natively and under jvmos: table "op | linux ns | jvmos ns | ratio".
#   2. startup_bench 10 times under jvmos (and natively, for reference): the median of
#      (guest realtime at the top of main - host realtime just before exec), in ms.
#   3. `jvmos --kernel-bench`, if the monitor supports it (it prints its own numbers).
set -u

[[ $# == 1 ]] || {
    echo "usage: run.sh JVMOS" >&2
    exit 1
}
jvmos=$1
script_dir=$(cd "$(dirname "$0")" && pwd)
bench_dir=${BENCH_DIR:-$script_dir/../build/bench}
syscall_bench=$bench_dir/syscall_bench
startup_bench=$bench_dir/startup_bench
startup_runs=10

for f in "$jvmos" "$syscall_bench" "$startup_bench"; do
    [[ -x $f ]] || {
        echo "run.sh: '$f' is not an executable file (build with: cmake --build build)" >&2
        exit 1
    }
done

echo "== syscall_bench (median of runs, ns per op)"
native=$("$syscall_bench") || {
    echo "run.sh: syscall_bench failed natively" >&2
    exit 1
}
guest=$("$jvmos" "$syscall_bench")
guest_status=$?
if [[ $guest_status != 0 ]]; then
    echo "run.sh: syscall_bench failed under jvmos (status $guest_status); jvmos column left empty" >&2
    guest=
fi
# Join the two "name ns" listings on the name; the ratio is jvmos / linux.
awk -v guest="${guest:-}" '
    BEGIN {
        n = split(guest, lines, "\n")
        for (i = 1; i <= n; i++) {
            split(lines[i], f, " ")
            if (f[1] != "") g[f[1]] = f[2]
        }
        printf "%-24s | %10s | %10s | %6s\n", "op", "linux ns", "jvmos ns", "ratio"
        printf "%-24s-+-%10s-+-%10s-+-%6s\n", "------------------------", "----------", "----------", "------"
    }
    {
        j = ($1 in g) ? g[$1] : ""
        ratio = (j != "" && $2 > 0) ? sprintf("%.2f", j / $2) : "-"
        printf "%-24s | %10s | %10s | %6s\n", $1, $2, (j != "" ? j : "-"), ratio
    }' <<<"$native"
echo "(jvmos_nop is the empty round trip under jvmos; natively it is the ENOSYS path.)"

# median_ms FILE: median of the nanosecond deltas in FILE, printed in ms with two decimals.
median_ms() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "n/a"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f ms (min %.2f, max %.2f, %d runs)\n", m / 1e6, v[1] / 1e6, v[NR] / 1e6, NR
        }'
}

# startup LABEL COMMAND...: runs COMMAND startup_bench 10 times, prints the median latency.
startup() {
    local label=$1 deltas t0 t1
    shift
    deltas=$(mktemp)
    for ((i = 0; i < startup_runs; i++)); do
        t0=$(date +%s%N)
        if t1=$("$@" "$startup_bench") && [[ $t1 =~ ^[0-9]+$ ]]; then
            echo $((t1 - t0)) >>"$deltas"
        else
            echo "run.sh: startup_bench failed ($label, run $i)" >&2
        fi
    done
    printf "%-8s %s\n" "$label" "$(median_ms "$deltas")"
    rm -f "$deltas"
}

echo
echo "== startup: host exec -> first instruction of main (median of $startup_runs)"
startup native
startup jvmos "$jvmos"

echo
echo "== jvmos --kernel-bench"
if kernel=$("$jvmos" --kernel-bench 2>&1); then
    echo "$kernel"
else
    echo "not supported by this monitor (status $?): $(head -n 1 <<<"$kernel")"
fi
