#!/bin/bash
# H.264 to spice-gtk 0.42 without added latency (issue 9; server/stream-data.c,
# "stamps" and the access unit delimiters).  The pattern streams with
# openh264 for 6 s to the probe; over the steady part (frames arriving 2 s
# or more after the stream started, when the client's first reports have
# tuned its stamps):
# - stamps: the STREAM_DATA mm times are at most a few ms ahead of the
#   server's clock (median of the "ms ahead" the server logs over the last
#   half <= 15; it was 50), and spice-gtk sees them arrive at most a little
#   early (median margin <= 25 ms; it was ~55);
# - no late frames in steady state: at most a quarter of the server's
#   STREAM_REPORTs in the last half have drops or a negative
#   last_frame_delay (a scheduling hiccup of over 8 ms on a loaded machine
#   makes one late, and the margin then grows; a margin learned into
#   lateness would make most of them late);
# - spice-gtk's pipeline does not hold a frame until the next one comes:
#   most frames (>= 50 %) come out of its decoder before the STREAM_DATA of
#   the next frame arrives (none did while each packet ended with a bare
#   access unit delimiter: h264parse held it, and so the frame, until the
#   next buffer came; with no delimiters at all it held two frames), with no
#   decoder errors (no "unexpected decoded buffer": every frame has its own
#   PTS) and >= 20 frames/s shown.
# SPICECAST_MM_AHEAD_MS=50 SPICECAST_H264_AUD=0 in the environment brings
# back the old stamps and packets: then this test fails.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_server
grep -q '^#define HAVE_GSTREAMER 1' "$top_builddir/config.h" 2>/dev/null ||
    skip "built without GStreamer: the probe has no frame times"

port=$(free_port)
SPICECAST_DEBUG=1 start_server --source pattern:640x360 --listen "tcp:127.0.0.1:$port" \
    --disable-ticketing --streaming-video all --video-codecs openh264:h264
grep -q "video codec openh264:h264 unavailable" "$T/server.err" &&
    skip "the server cannot use openh264 here"
PROBE_FRAME_TIMES=$T/frames run_probe 30 --uri "spice://127.0.0.1:$port" --video-codec h264 \
    --count-updates 6 >"$T/probe.out" || fail "the probe failed"
server_alive
stop_pid "$SERVER_PID"
cat "$T/probe.out" >&2
kv client_gst_decoders "$T/probe.out" | grep -q '\(^\|,\)h264:' ||
    skip "spice-gtk has no GStreamer H.264 decoder here"
[ "$(kv streams_created "$T/probe.out")" -ge 1 ] || fail "no stream was created"
[ "$(kv decoder_errors "$T/probe.out")" = 0 ] ||
    fail "decoder errors: $(kv first_decoder_error "$T/probe.out")"

# last_half PATTERN: the server's debug lines matching PATTERN, last half
last_half() {
    grep "$1" "$T/server.err" | awk '{ l[NR] = $0 } END { for (i = int(NR / 2) + 1; i <= NR; i++) print l[i] }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "none" }'; }

ahead=$(last_half ' data: frame ' | sed -n 's/.* \(-\{0,1\}[0-9]*\) ms ahead$/\1/p' | median)
margin=$(kv steady_margin_p50 "$T/probe.out")
note "stamps: median $ahead ms ahead of the server's clock; spice-gtk saw them $margin ms early"
[ "$ahead" != none ] || fail "no STREAM_DATA in the server's debug log"
[ "$ahead" -le 15 ] || fail "the stamps are $ahead ms ahead of the server's clock (median)"
[ -n "$margin" ] && [ "$margin" -le 25 ] || fail "frames reach spice-gtk ${margin:-?} ms early (median)"

reports=$(last_half ' report: ' | wc -l)
late=$(last_half ' report: ' | awk '{ for (i = 1; i < NF; i++) {
    if ($(i + 1) ~ /^drops/) d = $i; if ($i == "delay") l = $(i + 1) }
    if (d > 0 || l < 0) n++ } END { print n + 0 }')
note "$late of the last $reports STREAM_REPORTs with late frames"
[ "$reports" -ge 3 ] || fail "only $reports STREAM_REPORTs in the last half"
[ $((late * 4)) -le "$reports" ] || fail "$late of the last $reports STREAM_REPORTs had late frames"

# arrival order -> time; a frame decoded before the one after the next arrived
read -r steady early shown <<<"$(awk '
    $1 == "arrived" { n++; at[n] = $3; idx[$2] = n; if (!t0) t0 = $3 }
    $1 == "decoded" && ($2 in idx) && $3 - t0 >= 2e6 {
        s++; i = idx[$2]; if (i + 1 > n || $3 < at[i + 1]) e++ }
    $1 == "shown" { sh++ }
    END { print s + 0, e + 0, sh + 0 }' "$T/frames")"
note "$early of $steady steady frames decoded before the next one arrived; $shown shown in 6 s"
[ "$steady" -ge 60 ] || fail "only $steady frames decoded in the steady part"
[ $((early * 2)) -ge "$steady" ] ||
    fail "only $early of $steady frames left spice-gtk's decoder before the next one arrived"
[ "$shown" -ge 120 ] || fail "spice-gtk showed $shown frames in 6 s (< 20/s)"
