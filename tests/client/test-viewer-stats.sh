#!/bin/bash
# viewer-headless --stats (issue 9 item 1): against our server's H.264
# stream it logs, for the frames it decodes, receive -> decode end and
# receive -> present, p50/p95/p99 each second and a final summary; the
# figures are real (n counts the frames, the percentiles are ordered and
# positive).  Without --stats (and SPICECAST_STATS unset) it logs none.
# On the lossless path with a stamped source, capture -> present comes for
# the frames as they arrive in damage boxes.  The server's stages of the
# H.264 frames (our server sends them: SC_MSG_DISPLAY_FRAME_TIMES) are
# logged too, as server-STAGE, for most frames, their p50s in order.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_headless
unset SPICECAST_STATS
"$HEADLESS_BIN" --list-decoders >"$T/decoders" 2>&1 || fail "viewer-headless --list-decoders failed"
grep -q '^openh264:h264 ok' "$T/decoders" || skip "no openh264 decoder here"

port=$(free_port)
start_server --streaming-video all --video-codecs openh264:h264 --source pattern:320x240 \
    --listen "tcp:127.0.0.1:$port" --disable-ticketing
headless 30 --wait-video 5 --screenshot "$T/plain.ppm" "spice://127.0.0.1:$port" ||
    fail "viewer-headless without --stats failed (exit $?)"
! grep -q "stats: viewer" "$T/headless.err" || fail "stats lines without --stats"
: >"$T/headless.err"
# 75 frames at 30 fps: more than two seconds, so per-second lines come too
headless 40 --stats --wait-video 75 --screenshot "$T/stats.ppm" "spice://127.0.0.1:$port" ||
    fail "viewer-headless --stats failed (exit $?)"
server_alive
for stage in recv-decoded recv-present; do
    line=$(grep "stats: viewer $stage n=.* total" "$T/headless.err" | tail -1)
    [ -n "$line" ] || fail "no final $stage summary: $(cat "$T/headless.err")"
    grep "stats: viewer $stage n=" "$T/headless.err" | grep -vq " total" ||
        fail "no per-second $stage line"
    read -r n p50 p95 p99 < <(echo "$line" |
        sed 's/.* n=\([0-9]*\) p50=\([0-9.]*\)ms p95=\([0-9.]*\)ms p99=\([0-9.]*\)ms.*/\1 \2 \3 \4/')
    [ "${n:-0}" -ge 75 ] || fail "$stage: n=$n, wanted >= 75 frames"
    awk -v a="$p50" -v b="$p95" -v c="$p99" 'BEGIN { exit !(a > 0 && a <= b && b <= c && c < 2000) }' ||
        fail "$stage: implausible percentiles: $line"
    note "$line"
done

prev=0
for stage in source display encode_start encode_end queued written; do
    line=$(grep "stats: viewer server-$stage n=.* total" "$T/headless.err" | tail -1)
    [ -n "$line" ] || fail "no final server-$stage summary: $(grep 'stats: viewer' "$T/headless.err" | tail -n 12)"
    read -r n p50 < <(echo "$line" | sed 's/.* n=\([0-9]*\) p50=\([0-9.]*\)ms.*/\1 \2/')
    [ "${n:-0}" -ge 60 ] || fail "server-$stage: n=$n for 75 frames"
    # written is not always the same frames' as queued: only those before it
    [ "$stage" = written ] || awk -v a="$prev" -v b="$p50" 'BEGIN { exit !(a <= b) }' ||
        fail "server-$stage p50 $p50 ms below the stage before it ($prev ms)"
    prev=$p50
    note "$line"
done

# the lossless path with a stamped source: capture -> present for (about)
# every frame, though the server sends each frame as damage boxes (one
# sample a run before: only a box covering the whole stamp was read)
stop_pid "$SERVER_PID"
port=$(free_port)
start_server --source pattern:320x240,fps=30,stamp --listen "tcp:127.0.0.1:$port" \
    --disable-ticketing
: >"$T/headless.err"
# 300 updates after MARK: a frame comes in 3 or 4 of them (its damage
# boxes), so about 80 frames; at least 30 stamps read
headless 30 --stats --wait-frames 300 --screenshot "$T/lossless.ppm" "spice://127.0.0.1:$port" ||
    fail "viewer-headless --stats on the lossless path failed (exit $?)"
line=$(grep "stats: viewer capture-present n=.* total" "$T/headless.err" | tail -1)
[ -n "$line" ] || fail "no capture-present summary on the lossless path: $(tail -n 5 "$T/headless.err")"
n=$(echo "$line" | sed 's/.* n=\([0-9]*\) .*/\1/')
[ "${n:-0}" -ge 30 ] || fail "lossless capture-present: n=$n for 300 updates, wanted >= 30"
note "$line"
