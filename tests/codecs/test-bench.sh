#!/bin/sh
# spicecast-bench from the command line: a short run writes a table, JSON,
# CSV and a PNG chart with every pipeline listed (available or with its
# reason); bad input (truncated or unsupported Y4M, absurd sizes, bad
# options) gets a clear message and a non-zero exit, never a crash.
set -u
builddir=${top_builddir:-.}
bench=$builddir/bench/spicecast-bench
[ -x "$bench" ] || { echo "spicecast-bench not built" >&2; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spicecast-bench-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

check() { # name expected-status grep-pattern-in-stderr command...
    name=$1 want=$2 pat=$3
    shift 3
    timeout 120 "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ge 124 ]; then
        echo "FAIL: $name: exit $rc (crash or timeout)"; cat "$tmp/err"; fail=1; return
    fi
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: $name: exit $rc, expected $want"; cat "$tmp/err"; fail=1; return
    fi
    if [ -n "$pat" ] && ! grep -qi -- "$pat" "$tmp/err"; then
        echo "FAIL: $name: stderr lacks '$pat':"; cat "$tmp/err"; fail=1; return
    fi
    echo "ok: $name"
}

# --list names every backend, with a reason for those that cannot work
check "list" 0 "" "$bench" --list
grep -q "lossless:raw" "$tmp/out" || { echo "FAIL: --list lacks lossless:raw"; fail=1; }
if grep -q "vaapi:h264" "$tmp/out" && ! ls /dev/dri/renderD* >/dev/null 2>&1; then
    grep -q "vaapi:h264 *unavailable: no DRM render node" "$tmp/out" \
        || { echo "FAIL: vaapi without render node does not say why"; fail=1; }
fi
if grep -q "vaapi:h265" "$tmp/out" && ! ls /dev/dri/renderD* >/dev/null 2>&1; then
    grep -q "vaapi:h265 *unavailable: no DRM render node" "$tmp/out" \
        || { echo "FAIL: vaapi:h265 without render node does not say why"; fail=1; }
fi
grep -q "gstreamer:h265" "$tmp/out" || { echo "FAIL: --list lacks gstreamer:h265"; fail=1; }

# a short run of every pipeline with every output
check "run" 0 "" "$bench" --size 160x96 --frames 8 --warmup 2 \
    --content text-scroll,desktop,video --bare \
    --json "$tmp/r.json" --csv "$tmp/r.csv" --plot "$tmp/r.png"
cat "$tmp/out"
for key in pipeline available reason encode_fps encode_ms_p50 encode_ms_p99 convert_ms \
           decode_ms kbps psnr_y ssim_y zero_copy bare_ratio; do
    grep -q "\"$key\"" "$tmp/r.json" || { echo "FAIL: JSON lacks $key"; fail=1; }
done
grep -q '"pipeline": "lossless:lz4", "content": "desktop", "available": true' "$tmp/r.json" \
    || { echo "FAIL: JSON lacks an available lossless:lz4 row"; fail=1; }
grep -q '"psnr_y": 100.0000' "$tmp/r.json" || { echo "FAIL: lossless is not exact"; fail=1; }
# the lossless rows measure what the server sends: each frame's damage only
# (the desktop scene changes a moving window, the terminal, the clock: far
# below whole frames, 320*192*4*8*30/1000 =
# 58982 kbit/s raw), drawn on a canvas at each packet's rect and exact
check "lossless damage" 0 "" "$bench" --size 320x192 --frames 30 --warmup 2 \
    --content desktop --codecs "lossless:raw;lossless:lz4" --quiet
cat "$tmp/out"
awk '$2 == "lossless:raw" { k = $10 } END { exit !(k > 0 && k < 58982 / 2) }' "$tmp/out" \
    || { echo "FAIL: lossless:raw on desktop sends whole frames (not damage-driven)"; fail=1; }
[ "$(grep -c 'lossless:.*100.00 1.0000 .*dec=canvas' "$tmp/out")" = 2 ] \
    || { echo "FAIL: lossless packets drawn at their rects do not rebuild the frame"; fail=1; }
head -1 "$tmp/r.csv" | grep -q "^content,pipeline,available,reason" \
    || { echo "FAIL: CSV header"; fail=1; }
[ "$(head -c 4 "$tmp/r.png" | od -An -c | tr -d ' ')" = "211PNG" ] \
    || { echo "FAIL: --plot did not write a PNG"; fail=1; }
# --frame-png: the desktop's first frame (bench/bench-server.sh's picture)
check "frame png" 0 "" "$bench" --content desktop --size 160x96 --frame-png "$tmp/f.png"
[ "$(head -c 24 "$tmp/f.png" | od -An -tx1 -j16 | tr -d ' \n')" = "000000a000000060" ] \
    || { echo "FAIL: --frame-png did not write a 160x96 PNG"; fail=1; }
check "frame png small" 1 "64x64 at least" "$bench" --content desktop --size 32x32 \
    --frame-png "$tmp/g.png"

# Y4M: a valid file, then broken ones
frame=$((32 * 32 * 3 / 2))
{ printf 'YUV4MPEG2 W32 H32 F30:1 Ip A1:1 C420jpeg\n'
  for i in 1 2 3; do printf 'FRAME\n'; head -c $frame /dev/urandom; done; } > "$tmp/ok.y4m"
check "y4m ok" 0 "" "$bench" --content "y4m:$tmp/ok.y4m" --codecs "lossless:lz4" --frames 3
{ printf 'YUV4MPEG2 W32 H32 F30:1 C420\n'; printf 'FRAME\n'; head -c $frame /dev/urandom
  printf 'FRAME\n'; head -c 100 /dev/urandom; } > "$tmp/trunc.y4m"
check "y4m truncated" 1 "truncated" "$bench" --content "y4m:$tmp/trunc.y4m" \
    --codecs "lossless:lz4" --frames 5
{ printf 'YUV4MPEG2 W32 H32 F30:1 C444\n'; printf 'FRAME\n'; head -c 3072 /dev/urandom; } \
    > "$tmp/c444.y4m"
check "y4m 4:4:4" 0 "" "$bench" --content "y4m:$tmp/c444.y4m" --codecs "lossless:lz4" \
    --frames 1
{ printf 'YUV4MPEG2 W32 H32 F30:1 C420p10\n'; printf 'FRAME\n'; head -c 3072 /dev/urandom; } \
    > "$tmp/c10.y4m"
check "y4m 10-bit" 1 "unsupported chroma" "$bench" --content "y4m:$tmp/c10.y4m" \
    --codecs "lossless:lz4"
printf 'YUV4MPEG2 W100000 H100000 F30:1 C420\nFRAME\n' > "$tmp/huge.y4m"
check "y4m absurd size" 1 "too large width" "$bench" --content "y4m:$tmp/huge.y4m"
printf 'YUV4MPEG2 W-5 H0 C420\n' > "$tmp/neg.y4m"
check "y4m negative size" 1 "too large width" "$bench" --content "y4m:$tmp/neg.y4m"
printf 'P6\n32 32\n255\n' > "$tmp/notyuv.y4m"
check "not y4m" 1 "not a YUV4MPEG2" "$bench" --content "y4m:$tmp/notyuv.y4m"
check "y4m missing" 1 "No such file" "$bench" --content "y4m:$tmp/none.y4m"
: > "$tmp/empty.y4m"
check "y4m empty" 1 "no YUV4MPEG2 header" "$bench" --content "y4m:$tmp/empty.y4m"
check "absurd --size" 2 "invalid value" "$bench" --size 100000x100000
check "zero --size" 2 "invalid value" "$bench" --size 0x0
check "bad --frames" 2 "invalid value" "$bench" --frames -3
check "bad --codecs" 2 "nope" "$bench" --codecs "nope:h264"
check "unknown content" 1 "unknown content" "$bench" --content nonsense --frames 1
exit $fail
