#!/bin/bash
# The client engine decodes our server's video streams: spicecast-server
# --streaming-video all with one encoder at a time, pattern source; the
# client must decode N frames and compose them into the canvas.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_prog identify imagemagick
need_headless
FRAMES=${FRAMES:-30}

"$HEADLESS_BIN" --list-decoders >"$T/decoders" 2>&1 || fail "viewer-headless --list-decoders failed"
grep -q '^openh264:h264 ok' "$T/decoders" || skip "no openh264 decoder here: $(grep openh264 "$T/decoders")"

tested=0
for enc in openh264:h264 gstreamer:vp8 gstreamer:vp9 gstreamer:h265; do
    codec=${enc#*:}
    if ! grep -q ":$codec ok" "$T/decoders"; then
        note "$enc: no $codec decoder here, not tested"
        continue
    fi
    port=$(free_port)
    start_server --streaming-video all --video-codecs "$enc" --source pattern:640x360 \
        --listen "tcp:127.0.0.1:$port" --disable-ticketing
    if grep -qi "unusable\|cannot\|not available" "$T/server.err" && [ "$enc" != openh264:h264 ]; then
        note "$enc: the server cannot encode it here, not tested"
        stop_pid "$SERVER_PID"
        continue
    fi
    : >"$T/headless.out"
    headless 30 --wait-video "$FRAMES" --screenshot "$T/video-$codec.ppm" "spice://127.0.0.1:$port" ||
        fail "$enc: fewer than $FRAMES decoded video frames (exit $?)"
    got=$(sed -n 's/.*video-frames \([0-9]*\).*/\1/p' "$T/headless.out")
    [ "${got:-0}" -ge "$FRAMES" ] || fail "$enc: $got video frames"
    colours=$(identify -format '%k' "$T/video-$codec.ppm") ||
        fail "$enc: identify cannot read the screenshot"
    [ "$colours" -ge 2 ] || fail "$enc: the composed canvas is one flat colour ($colours)"
    server_alive
    stop_pid "$SERVER_PID"
    note "$enc: $got frames decoded and composed"
    tested=$((tested + 1))
done
[ $tested -ge 1 ] || fail "no codec tested"
