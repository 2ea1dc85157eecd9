#!/usr/bin/env bash
# run_ship.sh JVMOS: shipped-call latency (fstat, 4 KiB pread: p50/p99) under jvmos against the
# native syscalls and against the same Cap'n Proto calls made directly to jvmos-proxy; and the
# sequential copy throughput of a 256 MiB file against native cp. Builds nothing.
set -u
[[ $# == 1 ]] || { echo "usage: run_ship.sh JVMOS" >&2; exit 1; }
jvmos=$1
bin_dir=$(cd "$(dirname "$jvmos")" && pwd)
bench_dir=${BENCH_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build/bench}
work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-ship-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
head -c $((256 << 20)) /dev/urandom >"$work/src.bin"
probe=$work/src.bin

echo "== shipped-call latency (ns) and copy throughput (MB/s)"
native=$("$bench_dir/ship_bench" "$probe" "$work/src.bin" "$work/native.bin")
guest=$("$jvmos" "$bench_dir/ship_bench" "$probe" "$work/src.bin" "$work/guest.bin")
capnp=$("$bench_dir/capnp_rtt" "$bin_dir/jvmos-proxy" "$probe")
cmp -s "$work/src.bin" "$work/guest.bin" || echo "WARNING: the copy made under jvmos differs"
t0=$(date +%s%N)
cp "$work/src.bin" "$work/cp.bin"
t1=$(date +%s%N)
cp_mbps=$(( (256 << 20) * 1000 / (t1 - t0) ))
# The same cp under jvmos: copy_file_range is shipped, so the bytes never leave the proxy.
t0=$(date +%s%N)
"$jvmos" "$(command -v cp)" "$work/src.bin" "$work/jvmos_cp.bin"
t1=$(date +%s%N)
jvmos_cp_mbps=$(( (256 << 20) * 1000 / (t1 - t0) ))
cmp -s "$work/src.bin" "$work/jvmos_cp.bin" || echo "WARNING: cp under jvmos made a different copy"
get() { awk -v k="$2" '$1 == k { print $2 }' <<<"$1"; }
printf "%-12s | %10s | %10s | %12s | %s\n" metric linux jvmos "bare capnp" "jvmos/capnp"
for m in fstat_p50 fstat_p99 pread_4k_p50 pread_4k_p99; do
    c=$(get "$capnp" "capnp_${m#f}")
    j=$(get "$guest" "$m")
    printf "%-12s | %10s | %10s | %12s | %s\n" "$m" "$(get "$native" "$m")" "$j" "$c" \
        "$(awk -v a="$j" -v b="$c" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "-" }')"
done
printf "copy MB/s: jvmos %s, native read/write %s, native cp %s (ratio to cp %s)\n" \
    "$(get "$guest" copy_MBps)" "$(get "$native" copy_MBps)" "$cp_mbps" \
    "$(awk -v a="$(get "$guest" copy_MBps)" -v b="$cp_mbps" 'BEGIN { printf "%.2f", a / b }')"
printf "cp MB/s: jvmos %s, native %s (ratio %s; jvmos includes its start-up)\n" "$jvmos_cp_mbps" "$cp_mbps" \
    "$(awk -v a="$jvmos_cp_mbps" -v b="$cp_mbps" 'BEGIN { printf "%.2f", a / b }')"
"$jvmos" --strace "$bench_dir/ship_bench" "$probe" "$work/src.bin" "$work/guest2.bin" 2>&1 >/dev/null | grep "shipped calls"
