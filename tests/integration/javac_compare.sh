#!/usr/bin/env bash
# javac_compare.sh JVMOS JAVAC SOURCE_DIR...
#
# Compiles the same source trees with JAVAC natively and as `JVMOS JAVAC`, each into its own
# output directory, and requires byte-identical class files (same names, same bytes) and the
# same exit status. Each SOURCE_DIR's .java files (found recursively, sorted) are compiled in
# one javac invocation with -g (full debug info) and -parameters, so line tables, local variable
# tables and parameter names are compared too; JAVAC_OPTS adds options (split on whitespace).
# A missing /dev/kvm is a failure, never a skip.
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ $# -ge 3 ]] || fail "usage: javac_compare.sh JVMOS JAVAC SOURCE_DIR..."
jvmos=$1
javac=$2
shift 2
[[ -c /dev/kvm ]] || fail "/dev/kvm is missing: jvmos needs KVM"
[[ -x $jvmos ]] || fail "monitor '$jvmos' is not an executable file"
[[ -x $javac ]] || fail "javac '$javac' is not an executable file"

work=$(mktemp -d "${TMPDIR:-/tmp}/jvmos-javac.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
fixed_env=(env -i PATH=/usr/bin:/bin HOME=/ LANG=C LC_ALL=C TZ=UTC)

tree=0
for src in "$@"; do
    tree=$((tree + 1))
    [[ -d $src ]] || fail "source directory '$src' does not exist"
    mapfile -t files < <(find "$src" -name '*.java' | LC_ALL=C sort)
    [[ ${#files[@]} -gt 0 ]] || fail "no .java files under '$src'"
    mkdir -p "$work/native/$tree" "$work/jvmos/$tree"
    read -r -a extra <<<"${JAVAC_OPTS:-}"
    opts=(-encoding UTF-8 -g -parameters -Xlint:none "${extra[@]}")
    "${fixed_env[@]}" "$javac" "${opts[@]}" -d "$work/native/$tree" "${files[@]}" \
        >"$work/native.$tree.out" 2>&1
    native_status=$?
    "${fixed_env[@]}" "$jvmos" "$javac" "${opts[@]}" -d "$work/jvmos/$tree" "${files[@]}" \
        >"$work/jvmos.$tree.out" 2>&1
    jvmos_status=$?
    if [[ $native_status != 0 ]]; then
        cat "$work/native.$tree.out" >&2
        fail "javac failed natively on $src (status $native_status)"
    fi
    if [[ $jvmos_status != "$native_status" ]]; then
        head -n 40 "$work/jvmos.$tree.out" >&2
        fail "javac under jvmos exited $jvmos_status, natively $native_status ($src)"
    fi
    cmp -s "$work/native.$tree.out" "$work/jvmos.$tree.out" ||
        fail "javac's messages differ for $src: $(diff "$work/native.$tree.out" "$work/jvmos.$tree.out" | head -n 5)"
    count=$(find "$work/native/$tree" -name '*.class' | wc -l)
    [[ $count -gt 0 ]] || fail "javac wrote no class files for $src"
    if ! diff -r "$work/native/$tree" "$work/jvmos/$tree" >"$work/diff" 2>&1; then
        head -n 20 "$work/diff" >&2
        fail "class files differ for $src"
    fi
    echo "ok: $src: $count class files identical"
done
