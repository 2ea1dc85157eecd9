#!/usr/bin/env bash
# java_bench.sh JVMOS [RUNS]
#
# Wall time of the JVM's start-up and shutdown, natively and under JVMOS (default options), run
# alternately so that both sides see the same machine: `java -version` and
# `java -cp JTESTS_CLASSES Hello one two` (jtests/Hello.java; it exits with status 2, the number
# of its arguments). Prints the median, min and max of RUNS (default 10) per side and the ratio
# of the medians, jvmos / linux (target <= 1.0). Builds nothing: Hello.class comes from
# JTESTS_CLASSES (default: the jtests/classes directory of the build JVMOS belongs to); the JVM is
# JAVA (default: the real file behind /usr/lib/jvm/java-17-openjdk-amd64/bin/java). JVMOS_OPTS:
# extra monitor options, split on whitespace (e.g. "--cpus 1").
set -u

[[ $# == 1 || $# == 2 ]] || {
    echo "usage: java_bench.sh JVMOS [RUNS]" >&2
    exit 1
}
jvmos=$1
runs=${2:-10}
build_dir=$(cd "$(dirname "$jvmos")/.." && pwd)
classes=${JTESTS_CLASSES:-$build_dir/jtests/classes}
java=${JAVA:-$(readlink -f /usr/lib/jvm/java-17-openjdk-amd64/bin/java)}
[[ -x $jvmos ]] || { echo "java_bench.sh: '$jvmos' is not an executable file" >&2; exit 1; }
[[ -x $java ]] || { echo "java_bench.sh: no JVM at '$java' (set JAVA)" >&2; exit 1; }
[[ -f $classes/Hello.class ]] || {
    echo "java_bench.sh: no Hello.class in '$classes' (build the jtests, or set JTESTS_CLASSES)" >&2
    exit 1
}
read -r -a jvmos_opts <<<"${JVMOS_OPTS:-}"
work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-java-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# sample FILE EXPECTED_STATUS COMMAND...: appends the wall time of COMMAND in ns to FILE; a run
# that exits with another status is reported and not counted.
sample() {
    local file=$1 expected=$2 t0 t1 status
    shift 2
    t0=$(date +%s%N)
    "$@" >/dev/null 2>"$work/stderr"
    status=$?
    t1=$(date +%s%N)
    if [[ $status == "$expected" ]]; then
        echo $((t1 - t0)) >>"$file"
    else
        echo "java_bench.sh: '$*' exited with $status (expected $expected):" \
            "$(head -n 3 "$work/stderr")" >&2
    fi
}

# stats FILE: "median min max n" of the ns values in FILE, in ms.
stats() {
    sort -n "$1" 2>/dev/null | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "- - - 0"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.1f %.1f %.1f %d\n", m / 1e6, v[1] / 1e6, v[NR] / 1e6, NR
        }'
}

printf "%-22s | %28s | %28s | %6s\n" "command (median of $runs)" "linux ms (min-max)" \
    "jvmos ms (min-max)" ratio
printf "%s+%s+%s+%s\n" "-----------------------" "------------------------------" \
    "------------------------------" "-------"
# bench NAME STATUS ARGS...: java ARGS natively and under jvmos, alternately, RUNS times each.
bench() {
    local name=$1 status=$2 lm lmin lmax ln jm jmin jmax jn
    shift 2
    for ((i = 0; i < runs; i++)); do
        sample "$work/$name.linux" "$status" "$java" "$@"
        sample "$work/$name.jvmos" "$status" "$jvmos" "${jvmos_opts[@]}" "$java" "$@"
    done
    read -r lm lmin lmax ln < <(stats "$work/$name.linux")
    read -r jm jmin jmax jn < <(stats "$work/$name.jvmos")
    printf "%-22s | %28s | %28s | %6s\n" "$name" "$lm ($lmin-$lmax, n=$ln)" \
        "$jm ($jmin-$jmax, n=$jn)" \
        "$(awk -v a="$jm" -v b="$lm" 'BEGIN {
            if (a != "-" && b > 0) printf "%.2f", a / b; else print "-" }')"
}
bench "java -version" 0 -version
bench "java Hello one two" 2 -cp "$classes" Hello one two
echo "(ratio = jvmos / linux of the medians; target <= 1.0; jvmos options: ${JVMOS_OPTS:-none})"
