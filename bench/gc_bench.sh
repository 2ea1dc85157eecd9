#!/usr/bin/env bash
# gc_bench.sh JVMOS [SECONDS [RUNS]]
#
# GC pauses and throughput of bench/GcStress.java (allocation-heavy, 4 threads, a fixed time:
# SECONDS, default 5) on Linux and under JVMOS (default options) with G1, Parallel and ZGC, RUNS
# times each (default 3), Linux and jvmos alternating. Both sides get identical flags:
# -XX:+Use<GC> -Xmx512m -Xlog:gc,gc+phases:file=LOG. Every line of LOG that reports a pause
# ("Pause Young ... 3.456ms", "Pause Full ...", "Pause Remark ...", ZGC's "Pause Mark Start
# 0.012ms" ...) is one sample; the samples of all runs are pooled. Prints per collector and side
# the pauses per run, p50, p99 and max of the pool (nearest rank) and the median work done
# (GcStress's unit count), then the ratios jvmos / linux of p99 (target <= 0.7) and of work done.
# A collector that does not run under jvmos is reported as "fails" with its first error.
# Builds nothing: GcStress.class comes from BENCH_DIR/classes (default: the bench/ directory of
# the build JVMOS belongs to); the JVM is JAVA (default: the real file behind
# /usr/lib/jvm/java-17-openjdk-amd64/bin/java). JVMOS_OPTS: extra monitor options, split on
# whitespace (e.g. "--cpus 1").
# shellcheck disable=SC2059 # one printf format per table, kept in a variable on purpose
set -u

[[ $# -ge 1 && $# -le 3 ]] || {
    echo "usage: gc_bench.sh JVMOS [SECONDS [RUNS]]" >&2
    exit 1
}
jvmos=$1
seconds=${2:-5}
runs=${3:-3}
bench_dir=${BENCH_DIR:-$(cd "$(dirname "$jvmos")/.." && pwd)/bench}
classes=$bench_dir/classes
java=${JAVA:-$(readlink -f /usr/lib/jvm/java-17-openjdk-amd64/bin/java)}
heap=512m
collectors=(G1 Parallel Z)
[[ -x $jvmos ]] || { echo "gc_bench.sh: '$jvmos' is not an executable file" >&2; exit 1; }
[[ -x $java ]] || { echo "gc_bench.sh: no JVM at '$java' (set JAVA)" >&2; exit 1; }
[[ -f $classes/GcStress.class ]] || {
    echo "gc_bench.sh: no GcStress.class in '$classes' (build with: cmake --build BUILD)" >&2
    exit 1
}
read -r -a jvmos_opts <<<"${JVMOS_OPTS:-}"
work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-gc-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# pauses RUNS LOG...: "per_run p50 p99 max" of the pause times (ms) pooled from the LOGs.
pauses() {
    local n=$1
    shift
    sed -n 's/.*Pause .* \([0-9][0-9.]*\)ms$/\1/p' "$@" 2>/dev/null | sort -g | awk -v runs="$n" '
        { v[NR] = $1 }
        function rank(q,   r) { r = int(q * NR); if (r < q * NR) r++; return v[r < 1 ? 1 : r] }
        END {
            if (NR == 0) { print "0 - - -"; exit }
            printf "%.1f %.3f %.3f %.3f\n", NR / runs, rank(0.50), rank(0.99), v[NR]
        }'
}

# median: the median of the numbers on stdin.
median() {
    sort -g | awk '{ v[NR] = $1 }
        END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run BASE GC COMMAND...: GcStress under COMMAND with GC; leaves BASE.{log,out,err} and BASE.ok
# or BASE.why.
run() {
    local base=$1 gc=$2 status
    shift 2
    # The time limit only guards against a hung run; a normal one takes SECONDS plus start-up.
    timeout -k 10 $((seconds + 120)) "$@" "$java" "-XX:+Use${gc}GC" "-Xmx$heap" \
        "-Xlog:gc,gc+phases:file=$base.log" -cp "$classes" GcStress "$seconds" \
        >"$base.out" 2>"$base.err"
    status=$?
    if [[ $status == 0 ]] && grep -q '^work ' "$base.out"; then
        touch "$base.ok"
    else
        # HotSpot prints the reason as "[error][gc] ..." on stdout (the -Xlog default output).
        echo "exit status $status:" \
            "$(cat "$base.out" "$base.err" | grep -m 1 -E '\[error\]|Error')" >"$base.why"
    fi
}

# ratio A B: A / B with two decimals, "-" when either is missing.
ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
        if (a != "" && a != "-" && b != "" && b != "-" && b > 0) printf "%.2f", a / b
        else print "-" }'
}

format='%-8s | %-5s | %10s | %9s | %9s | %9s | %8s\n'
printf "$format" collector side "pauses/run" "p50 ms" "p99 ms" "max ms" work
printf "%s\n" "---------+-------+------------+-----------+-----------+-----------+---------"
summary=()
for gc in "${collectors[@]}"; do
    for ((i = 0; i < runs; i++)); do
        run "$work/linux-$gc-$i" "$gc"
        run "$work/jvmos-$gc-$i" "$gc" "$jvmos" "${jvmos_opts[@]}"
    done
    declare -A p99=() done_work=()
    for side in linux jvmos; do
        ok=()
        for ((i = 0; i < runs; i++)); do
            [[ -e $work/$side-$gc-$i.ok ]] && ok+=("$work/$side-$gc-$i")
        done
        if [[ ${#ok[@]} == 0 ]]; then
            printf "%-8s | %-5s | fails: %s\n" "$gc" "$side" "$(cat "$work/$side-$gc-0.why")"
            continue
        fi
        read -r n p50 p99v max < <(pauses "${#ok[@]}" "${ok[@]/%/.log}")
        w=$(for base in "${ok[@]}"; do awk '$1 == "work" { print $2 }' "$base.out"; done | median)
        p99[$side]=$p99v
        done_work[$side]=$w
        note=
        [[ ${#ok[@]} != "$runs" ]] && note=" ($((runs - ${#ok[@]})) of $runs runs failed)"
        printf "$format" "$gc" "$side" "$n" "$p50" "$p99v" "$max" "$w$note"
    done
    summary+=("$(printf "%-8s p99 ratio %s (target <= 0.7), work ratio %s" "$gc" \
        "$(ratio "${p99[jvmos]:-}" "${p99[linux]:-}")" \
        "$(ratio "${done_work[jvmos]:-}" "${done_work[linux]:-}")")")
done
echo
echo "jvmos / linux, same flags (-Xmx$heap, GcStress $seconds s, 4 threads, $runs runs each;" \
    "jvmos options: ${JVMOS_OPTS:-none}):"
printf "%s\n" "${summary[@]}"
