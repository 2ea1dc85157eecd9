#!/usr/bin/env bash
# debian_tools.sh JVMOS COMPARE TOOL
#
# Unmodified Debian programs (dynamically linked against glibc) run under jvmos with the same
# stdout bytes and exit status as natively (COMPARE is compare.sh). TOOL is one of:
#   sha256sum  sha256sum of two generated files (3.4 MB of text and 200,000 lines)
#   sort       sort of the generated lines, by whole line (with sort's threads), and by keys
#              with a 1 MiB buffer (an external merge through temporary files in /tmp)
#   python3    python3 running a script with worker threads, queue.Queue and a Lock whose output
#              does not depend on the scheduling
# scripts/setup.sh installs python3; sha256sum and sort are coreutils (Essential).
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ $# -eq 3 ]] || fail "usage: debian_tools.sh JVMOS COMPARE TOOL"
jvmos=$1
compare=$2
tool=$3

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-debian-tools.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT

# Deterministic inputs: the numbers 1..500000, and 200,000 lines "word number word" from a
# linear congruential generator.
seq 1 500000 >"$work/numbers.txt"
awk 'BEGIN {
    split("alpha beta gamma delta epsilon zeta eta theta iota kappa", w, " ");
    x = 12345;
    for (i = 0; i < 200000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648; a = w[int(x / 65536) % 10 + 1];
        x = (x * 1103515245 + 12345) % 2147483648; n = int(x / 1024) % 1000000;
        x = (x * 1103515245 + 12345) % 2147483648; b = w[int(x / 65536) % 10 + 1];
        print a, n, b;
    }
}' >"$work/lines.txt"

cat >"$work/threads.py" <<'EOF'
import hashlib
import queue
import threading

WORKERS = 4
ITEMS = 2000

tasks = queue.Queue()
results = queue.Queue()
lock = threading.Lock()
handled = {}


def worker(name):
    while True:
        item = tasks.get()
        if item is None:
            tasks.task_done()
            return
        digest = hashlib.sha256(str(item).encode()).hexdigest()
        with lock:
            handled[name] = handled.get(name, 0) + 1
        results.put((item, digest))
        tasks.task_done()


threads = [threading.Thread(target=worker, args=("w%d" % i,)) for i in range(WORKERS)]
for t in threads:
    t.start()
for i in range(ITEMS):
    tasks.put(i)
for _ in threads:
    tasks.put(None)
tasks.join()
for t in threads:
    t.join()

collected = sorted(results.get() for _ in range(ITEMS))
print("items:", len(collected))
print("first:", collected[0])
print("last:", collected[-1])
print("combined sha256:", hashlib.sha256("".join(d for _, d in collected).encode()).hexdigest())
print("handled by the workers:", sum(handled.values()))
print("threads alive after join:", sum(t.is_alive() for t in threads))
print("active threads:", threading.active_count())
EOF

need() { [[ -x $1 ]] || fail "$1 is missing (scripts/setup.sh installs the Debian packages)"; }

case $tool in
sha256sum)
    need /usr/bin/sha256sum
    bash "$compare" "$jvmos" /usr/bin/sha256sum "$work/numbers.txt" "$work/lines.txt"
    ;;
sort)
    need /usr/bin/sort
    bash "$compare" "$jvmos" /usr/bin/sort "$work/lines.txt" || exit 1
    bash "$compare" "$jvmos" /usr/bin/sort -S 1M -k2,2n -k1,1 -k3,3 "$work/lines.txt"
    ;;
python3)
    need /usr/bin/python3
    bash "$compare" "$jvmos" /usr/bin/python3 "$work/threads.py"
    ;;
*)
    fail "unknown tool '$tool' (sha256sum, sort or python3)"
    ;;
esac
