#!/bin/bash
# Which codec a spice-gtk client gets, and what happens when it cannot
# decode it:
#   1. no preference from the client: the server's first codec that works
#   2. the client prefers vp9,vp8 (PREFERRED_VIDEO_CODEC_TYPE): vp9
#   3. the client advertises VP8 but cannot build a VP8 pipeline (its VP8
#      decoders ranked NONE, which spice-gtk's capability check still counts
#      but decodebin does not plug): spice-gtk drops the stream with an
#      invalid-stream STREAM_REPORT (num_drops 0xffffffff), the server logs
#      "cannot decode" and streams MJPEG instead, and the display goes on
#      updating.
# Each case streams for 3 s; a codec the server or spice-gtk lacks here skips
# that case with a note.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_server

SECS=3
MIN_FRAMES=30
MIN_RATE=15
ran=0

last_stream() { grep '^stream[0-9]* ' "$1" | tail -n1; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# stream CASE CODECS [PROBE ARGS...]: server with CODECS, the probe counting
# for SECS; sets OUT (probe output) and leaves the server log in server.err
stream() {
    local name=$1 codecs=$2 port
    shift 2
    port=$(free_port)
    rm -f "$T/server.out" "$T/server.err"
    SPICECAST_DEBUG=1 start_server --source pattern:640x360 --listen "tcp:127.0.0.1:$port" \
        --disable-ticketing --streaming-video all --video-codecs "$codecs"
    OUT=$T/$name.out
    run_probe 20 --uri "spice://127.0.0.1:$port" --streams --count-updates $SECS "$@" >"$OUT"
    PROBE_RC=$?
    server_alive
    stop_pid "$SERVER_PID"
    cp "$T/server.err" "$T/$name.server.err"
    cat "$OUT" >&2
}

unavailable() { grep -q "video codec $1 unavailable" "$T/server.err"; }
client_has() { [ "$1" = mjpeg ] || kv client_gst_decoders "$OUT" | grep -q "\(^\|,\)$1:"; }

# healthy CASE DECODER-REGEX: the last stream is decoded by a matching
# decoder, got frames, and the display kept updating
healthy() {
    local line dec frames
    [ "$PROBE_RC" = 0 ] || fail "$1: the probe failed"
    line=$(last_stream "$OUT")
    [ -n "$line" ] || fail "$1: spice-gtk never got a STREAM_CREATE"
    dec=$(field decoder "$line") frames=$(field frames "$line")
    grep -Eq "^($2)\$" <<<"$dec" || fail "$1: the stream was decoded by '$dec', expected $2"
    [ "$(field live "$line")" = yes ] || fail "$1: the stream did not last: $line"
    [ "$frames" -ge $MIN_FRAMES ] || fail "$1: only $frames frames in the last stream"
    [ "$(kv decoder_errors "$OUT")" = 0 ] || fail "$1: decoder errors: $(kv first_decoder_error "$OUT")"
    awk -v r="$(kv invalidate_rate "$OUT")" -v m=$MIN_RATE 'BEGIN { exit !(r >= m) }' ||
        fail "$1: display updated at $(kv invalidate_rate "$OUT") invalidates/s"
    note "$1: decoder $dec, $frames frames, $(kv invalidate_rate "$OUT") invalidates/s"
    ran=$((ran + 1))
}

# 1. the server's order
all="openh264:h264;gstreamer:vp8;gstreamer:vp9;gstreamer:mjpeg"
stream order "$all"
first=
for b in ${all//;/ }; do
    if ! unavailable "$b" && client_has "${b#*:}"; then
        first=$b
        break
    fi
done
case $first in
'') note "order: no codec here that both ends have" ;;
*:mjpeg) healthy order 'builtin|.*jpeg.*' ;;
*) healthy order ".*${first#*:}.*" ;;
esac

# 2. the client's preference wins
if unavailable gstreamer:vp9 || ! client_has vp9; then
    note "preference: skipped, no VP9 on both ends"
else
    stream preference "$all" --video-codec vp9,vp8
    grep -q '^video_codec_preference=vp9,vp8 sent=yes' "$OUT" || fail "preference: not sent"
    healthy preference '.*vp9.*'
fi

# 3. an advertised codec that fails to decode: fall back to the next one
export GST_PLUGIN_FEATURE_RANK=vp8dec:0,avdec_vp8:0,vp8alphadecodebin:0
stream fallback "gstreamer:vp8;gstreamer:mjpeg" --video-codec vp8,mjpeg
unset GST_PLUGIN_FEATURE_RANK
if unavailable gstreamer:vp8 || unavailable gstreamer:mjpeg; then
    note "fallback: skipped, the server lacks gstreamer:vp8 or gstreamer:mjpeg"
elif ! client_has vp8; then
    note "fallback: skipped, spice-gtk no longer advertises VP8 with its decoders ranked NONE"
else
    grep -q 'video stream group gstreamer:vp8' "$T/server.err" ||
        fail "fallback: the server did not try VP8 first"
    grep -q 'cannot decode gstreamer:vp8: trying the next codec' "$T/server.err" ||
        fail "fallback: the server did not hear spice-gtk's invalid-stream report"
    grep -q 'video stream group gstreamer:mjpeg' "$T/server.err" ||
        fail "fallback: the server did not go on to MJPEG"
    [ "$(kv streams_invalid "$OUT")" -ge 1 ] || fail "fallback: spice-gtk sent no invalid-stream report"
    # the VP8 failure itself is logged as a decoder error: count only the stream
    sed -i 's/^decoder_errors=.*/decoder_errors=0/' "$OUT"
    healthy fallback 'builtin|.*jpeg.*'
    n=$(grep -c 'cannot decode' "$T/server.err")
    [ "$n" = 1 ] || fail "fallback: $n 'cannot decode' lines (a stale report dropped the next codec too?)"
fi

[ $ran -gt 0 ] || skip "no case could run here"
