#!/bin/bash
# Stale invalid-stream reports must not condemn the next codec.
#
# spice-gtk answers every STREAM_DATA for a stream it no longer has with an
# invalid-stream STREAM_REPORT (num_drops 0xffffffff).  When a client cannot
# decode VP8, the server hears the first such report, drops VP8 and moves
# the client to the next codec; the reports for the VP8 frames that were
# still in flight follow, one per frame interval.  They name the dead VP8
# stream's id, which the server keeps for the new group until that group's
# first packet goes out with a new STREAM_CREATE: a stale report arriving in
# that window is taken as "cannot decode VP9" (then MJPEG), and the client
# loses codecs for the session that spice-gtk never even saw a stream of.
#
# The window lasts until the new group's encoder delivers its first packet
# (a VP9 pipeline takes a while to start), and stale reports only exist
# with a round trip longer than a frame interval: nine spice-gtk clients
# connect at once through delay-proxy with one-way delays of 50..66 ms
# (round trips 100..132 ms, 4 ms apart, over one 33 ms frame interval).
# Each advertises VP8 but cannot build a VP8 pipeline (its VP8 decoders
# ranked NONE) and prefers vp8,vp9,mjpeg: each must end up streaming VP9,
# and the server must say "cannot decode" for VP8 only.  (Before e21bf9c,
# which ignores reports until the client's next stream is created, 4 runs
# of 4 failed, with 2 or more clients hit in each.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_server
PROXY_BIN=$top_builddir/tests/interop/delay-proxy
[ -x "$PROXY_BIN" ] || fail "$PROXY_BIN not built"

port=$(free_port)
SPICECAST_DEBUG=1 start_server --source pattern:640x360 --listen "tcp:127.0.0.1:$port" \
    --disable-ticketing --streaming-video all --video-codecs "gstreamer:vp8;gstreamer:vp9;gstreamer:mjpeg"
for b in gstreamer:vp8 gstreamer:vp9; do
    if grep -q "video codec $b unavailable" "$T/server.err"; then
        skip "the server cannot use $b here"
    fi
done

delays="50 52 54 56 58 60 62 64 66"
declare -A proxy_port
for d in $delays; do
    start_bg "proxy$d" 60 "$PROXY_BIN" "$port" "$d"
    for i in $(seq 50); do
        proxy_port[$d]=$(sed -n 's/^listening on 127.0.0.1://p' "$T/proxy$d.out")
        [ -n "${proxy_port[$d]}" ] && break
        sleep 0.1
    done
    [ -n "${proxy_port[$d]}" ] || fail "delay-proxy $d did not start: $(cat "$T/proxy$d.err")"
done

export GST_PLUGIN_FEATURE_RANK=vp8dec:0,avdec_vp8:0,vp8alphadecodebin:0
pids=()
for d in $delays; do
    start_bg "client$d" 30 "$PROBE_BIN" --timeout 25 --uri "spice://127.0.0.1:${proxy_port[$d]}" \
        --video-codec vp8,vp9,mjpeg --count-updates 5
    pids+=("$BG_PID")
done
unset GST_PLUGIN_FEATURE_RANK
for p in "${pids[@]}"; do
    wait "$p"
done
server_alive

advertised=0 bad=()
for d in $delays; do
    out=$T/client$d.out
    grep -q '^client_gst_decoders=.*vp8:' "$out" && advertised=$((advertised + 1))
    line=$(grep '^stream[0-9]* ' "$out" | tail -n1)
    dec=$(sed -n 's/.* decoder=\([^ ]*\).*/\1/p' <<<"$line")
    frames=$(sed -n 's/.* frames=\([0-9]*\).*/\1/p' <<<"$line")
    note "delay ${d} ms: $(sed -n 's/^streams_invalid=/invalid reports sent: /p' "$out"), last stream: decoder ${dec:-none} ${frames:-0} frames"
    if [ "$dec" != vp9dec ] || [ "${frames:-0}" -lt 30 ]; then
        bad+=("${d}ms")
    fi
done
[ $advertised -gt 0 ] || skip "spice-gtk no longer advertises VP8 with its VP8 decoders ranked NONE"
grep -q 'cannot decode gstreamer:vp8' "$T/server.err" || fail "no client was seen failing VP8"
wrong=$(grep 'cannot decode' "$T/server.err" | grep -v 'cannot decode gstreamer:vp8' | sed 's/.*: client/client/')
[ -z "$wrong" ] || fail "stale reports for the dead VP8 stream condemned other codecs" \
    "($(grep -c 'cannot decode gstreamer:vp9' "$T/server.err") clients lost VP9): $(echo $wrong)"
[ ${#bad[@]} = 0 ] || fail "clients not streaming VP9 at the end: ${bad[*]}"
note "all $(echo $delays | wc -w) clients fell back from VP8 to VP9 only"
