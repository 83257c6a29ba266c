#!/bin/bash
# bench/glass-to-glass: frame capture to picture on the client's surface,
# on loopback, per client, codec and size (issue 9 item 2).  Built by make
# from bench/glass-to-glass.sh; never run by make check.
#
#   bench/glass-to-glass [--sizes "1280x720 1920x1080"] [--codecs "LIST"]
#                        [--fps N] [--warmup S] [--window S] [--bitrate BPS]
#                        [--plot FILE.svg] [--keep DIR] [--replot DIR/results]
#
# For each size and codec one spicecast-server (SPICECAST_STATS=1) runs
# --source pattern:WxH,fps=N,stamp: every frame carries its number and
# capture time (CLOCK_MONOTONIC µs) in its top-left corner (common/stamp.h).
# Clients, one at a time:
#  - spice-gtk: bench/g2g-probe (spice-client-glib, what remote-viewer runs
#    on) reads the stamp off its primary surface at each display-invalidate
#    that covers it: latency = now - capture time, per frame shown;
#  - ours: client/viewer-headless --video --stats: its final
#    "stats: viewer capture-present ... total" line (capture to present,
#    read from the stamp when the frame is presented) is the figure; for
#    local, --gl --stats: the fd path, the stamp read from the mapped
#    scanout buffer at each GL_DRAW before GL_DRAW_DONE is answered.
# Codecs (default: every one listed that the server can use here):
# openh264:h264 gstreamer:h264 gstreamer:vp8 gstreamer:mjpeg lossless
# local (default list: all of them; lossless: --streaming-video off,
# DRAW_COPY updates; local: a unix socket and --gl-scanout on, the buffer's
# fd and a GL_DRAW per frame, the probe mapping the fd: srv:sent is then
# the server's gl_draw stage, frame to GL_DRAW on the wire, in µs).  Columns: p50/p95/
# p99 in ms over the frames after the warm-up, frames shown and skipped (a
# frame index that never reached the surface), and the server's own stages
# (p50 ms from capture: encode_end, written = last byte on the socket).
# --plot writes an SVG bar chart (p50 bars, p95 and p99 marks) made by this
# script (no dependency).  --keep DIR keeps the logs and the results table;
# --replot DIR/results --plot FILE draws the chart of a kept run again.
top_builddir=%TOP_BUILDDIR%
top_srcdir=%TOP_SRCDIR%
. "$top_srcdir/tests/interop/lib.sh"
G2G_PROBE=$top_builddir/bench/g2g-probe
VIEWER=$top_builddir/client/viewer-headless

sizes="1280x720 1920x1080" fps=30 warmup=3 window=10 bitrate="" plot="" keep="" replot=""
codecs="openh264:h264 gstreamer:h264 gstreamer:vp8 gstreamer:mjpeg lossless local"
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) sizes=$2 ;;
    --codecs) codecs=$2 ;;
    --fps) fps=$2 ;;
    --warmup) warmup=$2 ;;
    --window) window=$2 ;;
    --bitrate) bitrate=$2 ;;
    --plot) plot=$2 ;;
    --keep) keep=$2 ;;
    --replot) replot=$2 ;;
    *) echo "usage: see the head of $0" >&2; exit 2 ;;
    esac
    shift 2
done
[ -x "$G2G_PROBE" ] || fail "$G2G_PROBE not built (make; needs spice-client-glib-2.0)"
need_server
RESULTS=$T/results # client codec size p50 p95 p99 shown skipped
: >"$RESULTS"

viewer_has_stats() {
    [ -x "$VIEWER" ] && "$VIEWER" --help 2>&1 | grep -q -- '--stats'
}

# server_stage STAGE: the p50 (ms) of the server's total line for STAGE
server_stage() {
    sed -n "s/.*stats: server $1 n=[0-9]* p50=\([0-9.]*\)ms.* total$/\1/p" "$T/server.err" | tail -n1
}

# start CODEC SIZE: a server for one run; false if the codec is unusable
start() {
    local codec=$1 size=$2 video=(--streaming-video all --video-codecs "$1")
    local listen
    PORT=$(free_port)
    URI=spice://127.0.0.1:$PORT listen=tcp:127.0.0.1:$PORT
    [ "$codec" = lossless ] && video=(--streaming-video off)
    if [ "$codec" = local ]; then
        video=(--streaming-video off --gl-scanout on)
        URI=spice+unix://$T/g2g.sock listen=unix:$T/g2g.sock
    fi
    rm -f "$T/server.out" "$T/server.err"
    SPICECAST_STATS=1 SERVER_TIMEOUT=$((warmup + window + 60)) start_server \
        --source "pattern:$size,fps=$fps,stamp" --listen "$listen" \
        --disable-ticketing "${video[@]}" ${bitrate:+--video-bitrate "$bitrate"}
    if grep -q "video codec .* unavailable" "$T/server.err"; then
        UNAVAILABLE=$(sed -n 's/.*video codec .* unavailable: //p' "$T/server.err" | head -n1)
        stop_pid "$SERVER_PID"
        return 1
    fi
}

# row CLIENT CODEC SIZE P50 P95 P99 SHOWN SKIPPED
row() {
    local sent
    sent=$(server_stage written)
    [ "$2" = local ] && sent="$(server_stage gl_draw | awk '{ printf "%.0fus", $1 * 1000 }')"
    printf '%-10s %-16s %-10s %7s %7s %7s %6s %6s %8s %8s\n' "$@" \
        "$(server_stage encode_end)" "$sent"
    echo "$*" >>"$RESULTS"
}

run_spice_gtk() {
    local codec=$1 size=$2 out=$T/probe-$1-$2.out
    out=${out//:/_}
    local gl=()
    [ "$codec" = local ] && gl=(--gl)
    timeout -k 5 $((warmup + window + 30)) "$G2G_PROBE" --uri "$URI" "${gl[@]}" \
        --warmup "$warmup" --seconds "$window" >"$out" 2>"$out.err"
    stop_pid "$SERVER_PID"
    local line
    line=$(grep '^stats: probe shown .* total$' "$out")
    if [ -z "$line" ]; then
        printf '%-10s %-16s %-10s  no stamped frame shown: %s\n' spice-gtk "$codec" "$size" \
            "$(tail -n 2 "$out.err" "$out" | tr '\n' ' ')"
        return
    fi
    set -- $(echo "$line" | sed 's/.*p50=\([0-9.]*\)ms p95=\([0-9.]*\)ms p99=\([0-9.]*\)ms.*/\1 \2 \3/')
    row spice-gtk "$codec" "$size" "$1" "$2" "$3" "$(kv frames_shown <(tr ' ' '\n' <"$out"))" \
        "$(kv frames_skipped <(tr ' ' '\n' <"$out"))"
}

run_ours() {
    local codec=$1 size=$2 out=$T/viewer-$1-$2.out line
    out=${out//:/_}
    # it runs until it has decoded (local: drawn) the frames of warm-up and
    # window
    local mode=(--video --wait-video=$((fps * (warmup + window))))
    [ "$codec" = local ] && mode=(--gl --wait-frames=$((fps * (warmup + window))))
    timeout -k 5 $((warmup + window + 40)) "$VIEWER" "${mode[@]}" --stats --stats-from="$warmup" \
        --timeout=$((warmup + window + 30)) --screenshot "$T/ours.ppm" "$URI" >"$out" 2>&1
    stop_pid "$SERVER_PID"
    line=$(grep 'stats: viewer capture-present .* total$' "$out")
    if [ -z "$line" ]; then
        printf '%-10s %-16s %-10s  no "stats: viewer capture-present ... total" line: %s\n' ours "$codec" \
            "$size" "$(tail -n 2 "$out" | tr '\n' ' ')"
        return
    fi
    set -- $(echo "$line" | sed 's/.*n=\([0-9]*\) p50=\([0-9.]*\)ms p95=\([0-9.]*\)ms p99=\([0-9.]*\)ms.*/\1 \2 \3 \4/')
    row ours "$codec" "$size" "$2" "$3" "$4" "$1" -
}

# ---- --plot: an SVG bar chart, p50 bars with p95 (thin) and p99 (dot) marks
plot_svg() {
awk -v fps="$fps" '
    { n++; label[n] = $1 " " $2 " " $3; p50[n] = $4; p95[n] = $5; p99[n] = $6
      if ($6 > max) max = $6 }
    END {
        if (n == 0) { print "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"; exit }
        bw = 28; gap = 12; left = 60; top = 30; h = 300; w = left + n * (bw + gap) + 20
        if (w < 560) w = 560
        if (max <= 0) max = 1
        scale = h / (max * 1.1)
        raw = max * 1.1 / 8; mag = 1
        while (mag * 10 <= raw) mag *= 10
        while (mag > raw) mag /= 10
        step = (raw / mag < 2 ? 2 : raw / mag < 5 ? 5 : 10) * mag
        printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", w, top + h + 190
        printf "<text x=\"%d\" y=\"18\" font-size=\"14\">glass-to-glass latency, ms (bar p50, line p95, dot p99; %s fps)</text>\n", left, fps
        for (t = 0; t <= max * 1.1; t += step) {
            y = top + h - t * scale
            printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", left, w - 10, y, y, left - 4, y + 4, t
        }
        for (i = 1; i <= n; i++) {
            x = left + (i - 1) * (bw + gap) + gap / 2
            color = label[i] ~ /^ours/ ? "#2a7" : "#47b"
            printf "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n", x, top + h - p50[i] * scale, bw, p50[i] * scale, color
            printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"2\"/>\n", x, x + bw, top + h - p95[i] * scale, top + h - p95[i] * scale
            printf "<circle cx=\"%d\" cy=\"%.1f\" r=\"3\" fill=\"#c33\"/>\n", x + bw / 2, top + h - p99[i] * scale
            printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x + bw / 2, top + h - p50[i] * scale - 3, p50[i]
            printf "<text transform=\"translate(%d,%d) rotate(60)\">%s</text>\n", x + 4, top + h + 8, label[i]
        }
        print "</svg>"
    }' "$1" >"$2" || fail "cannot write $2"
note "chart: $2"
}

if [ -n "$replot" ]; then # --replot RESULTS: only the chart, from a kept run
    plot_svg "$replot" "${plot:?--replot needs --plot}"
    exit 0
fi
note "pattern source with stamps, $fps fps, warm-up $warmup s, window $window s; latencies in ms"
printf '%-10s %-16s %-10s %7s %7s %7s %6s %6s %8s %8s\n' client codec size p50 p95 p99 shown \
    skipped "srv:enc" "srv:sent"
ours=yes
viewer_has_stats || ours="no: client/viewer-headless has no --stats"
for size in $sizes; do
    for codec in $codecs; do
        if ! start "$codec" "$size"; then
            printf '%-10s %-16s %-10s  unavailable here: %s\n' - "$codec" "$size" "$UNAVAILABLE"
            continue
        fi
        run_spice_gtk "$codec" "$size"
        [ "$ours" = yes ] || continue
        start "$codec" "$size" && run_ours "$codec" "$size"
    done
done
[ "$ours" = yes ] || note "our viewer not measured: ${ours#no: }"
[ -z "$keep" ] || { mkdir -p "$keep" && cp -r "$T"/. "$keep"/; }
[ -z "$plot" ] || plot_svg "$RESULTS" "$plot"

