#!/usr/bin/env bash
# make_stdin.sh OUT
#
# Writes the stdin file for the stdin_echo test: 1 MiB in which every byte value 0..255 occurs
# (so NUL and high bytes must pass through read/write unchanged), followed by a 4097-byte text
# tail so the total (1052673 bytes) is not a multiple of the page size or of any read buffer.
# Deterministic, so a failure reproduces with the same input.
set -eu

[[ $# == 1 ]] || {
    echo "usage: make_stdin.sh OUT" >&2
    exit 1
}
out=$1
tmp="$out.tmp.$$"
trap 'rm -f "$tmp" "$tmp.block"' EXIT

# 256 bytes: 0x00, 0x01, ..., 0xff.
: >"$tmp.block"
for ((i = 0; i < 256; i++)); do
    printf "\\$(printf '%03o' "$i")" >>"$tmp.block"
done
# Doubling 12 times: 256 B * 4096 = 1 MiB.
for ((i = 0; i < 12; i++)); do
    cat "$tmp.block" "$tmp.block" >"$tmp"
    mv "$tmp" "$tmp.block"
done
mv "$tmp.block" "$tmp"
# The text tail: 4096 'x' and a final newline.
printf '%4096s\n' '' | tr ' ' x >>"$tmp"

size=$(stat -c %s "$tmp")
[[ $size == 1052673 ]] || {
    echo "make_stdin.sh: wrote $size bytes, expected 1052673" >&2
    exit 1
}
mv "$tmp" "$out"
