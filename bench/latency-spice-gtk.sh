#!/bin/bash
# bench/latency-spice-gtk.sh: glass-to-glass latency through spice-gtk 0.42,
# before and after in one run.  For each setting it starts spicecast-server
# --streaming-video all on one source and codec (SPICECAST_DEBUG=1: the
# server logs when each frame is emitted and, per STREAM_DATA, the frame's
# number, the FNV-1a hash of its bytes and its stamp), connects the spice-gtk
# probe (tests/interop/probe) with PROBE_FRAME_TIMES (it logs when spice-gtk
# received, decoded, and drew each frame on its surface, by the same hash),
# and prints per stage the p50/p95 in ms over the frames after the warm-up:
#   arrive  emitted -> STREAM_DATA pushed into spice-gtk's decoder
#   decode  emitted -> decoded frame pulled from the pipeline by spice-gtk
#   shown   emitted -> drawn on spice-gtk's surface (display-invalidate)
# and the frames shown, dropped by spice-gtk's playout, and late.
#
#   bench/latency-spice-gtk.sh [--source SPEC] [--codec BACKEND:CODEC]
#                              [--warmup S] [--window S] [--modes "before stamp after"]
#
# Defaults: pattern:1280x720,fps=30, openh264:h264, warm-up 3 s, window 10 s.
# The modes (server/stream-data.c's bench knobs, one server each):
#   before  every frame stamped 50 ms ahead, H.264 packets as encoded (what
#           the server did before: SPICECAST_MM_AHEAD_MS=50 SPICECAST_H264_AUD=0)
#   stamp   the learned per-client stamp only (SPICECAST_H264_AUD=0)
#   after   the learned stamp and the trailing access unit delimiters (default)
#   N       every frame stamped N ms ahead, with the delimiters
# Needs `make` and `make tests/interop/probe`; never run by `make check`.
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
. "$top_srcdir/tests/interop/lib.sh"

source_spec=pattern:1280x720,fps=30 codec=openh264:h264 warmup=3 window=10
modes="before stamp after"
while [ $# -gt 0 ]; do
    case $1 in
    --source) source_spec=$2 ;;
    --codec) codec=$2 ;;
    --warmup) warmup=$2 ;;
    --window) window=$2 ;;
    --modes) modes=$2 ;;
    *) echo "usage: see the head of $0" >&2; exit 2 ;;
    esac
    shift 2
done
need_probe
need_server

# stats FILE: "p50 p95 n" of the numbers in FILE (ms)
stats() {
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- - 0"; exit }
        printf "%.1f %.1f %d\n", v[int((NR - 1) * 0.50) + 1], v[int((NR - 1) * 0.95) + 1], NR }'
}

# run AHEAD: one server, one probe; prints a table row
run() {
    local mode=$1 port dir=$T/$1 secs
    mkdir -p "$dir"
    unset SPICECAST_MM_AHEAD_MS SPICECAST_H264_AUD
    case $mode in
    before) export SPICECAST_MM_AHEAD_MS=50 SPICECAST_H264_AUD=0 ;;
    stamp) export SPICECAST_H264_AUD=0 ;;
    after) ;;
    *) export SPICECAST_MM_AHEAD_MS="$mode" ;;
    esac
    port=$(free_port)
    rm -f "$T/server.out" "$T/server.err"
    SPICECAST_DEBUG=1 start_server --source "$source_spec" --listen "tcp:127.0.0.1:$port" \
        --disable-ticketing --streaming-video all --video-codecs "$codec"
    unset SPICECAST_MM_AHEAD_MS SPICECAST_H264_AUD
    secs=$(awk -v a="$warmup" -v b="$window" 'BEGIN { print a + b }')
    PROBE_FRAME_TIMES=$dir/frames run_probe $((${secs%.*} + 30)) --uri "spice://127.0.0.1:$port" \
        --video-codec "${codec##*:}" --count-updates "$secs" >"$dir/probe.out" ||
        fail "$mode: the probe failed: $(tail -n 3 "$dir/probe.out")"
    stop_pid "$SERVER_PID"
    cp "$T/server.err" "$dir/server.err"
    # frame number -> emitted (us); hash -> frame number and stamp margin
    awk -v dir="$dir" -v warm="$warmup" '
        FILENAME ~ /server.err$/ && / frame [0-9]+ emitted at / {
            for (i = 1; i < NF; i++) if ($i == "frame") emit[$(i + 1)] = $(i + 4) }
        FILENAME ~ /server.err$/ && / data: frame / {
            for (i = 1; i < NF; i++) {
                if ($i == "frame") n = $(i + 1)
                if ($i == "hash") { h = $(i + 1); sub(/,/, "", h) }
            }
            seq[h] = n }
        FILENAME ~ /frames$/ {
            if (!t0) t0 = $3
            if ($3 - t0 < warm * 1e6) next
            if (!($2 in seq) || !(seq[$2] in emit)) { unmatched++; next }
            ms = ($3 - emit[seq[$2]]) / 1000
            if ($1 == "arrived") print ms > (dir "/arrive")
            if ($1 == "decoded") print ms > (dir "/decode")
            if ($1 == "shown") print ms > (dir "/shown")
            if ($1 == "dropped") dropped++
        }
        END { print unmatched + 0, dropped + 0 > (dir "/counts") }' \
        "$dir/server.err" "$dir/frames"
    touch "$dir/arrive" "$dir/decode" "$dir/shown"
    read -r unmatched dropped <"$dir/counts"
    printf '%-8s | %-13s | %-13s | %-13s | %6s %7s %5s %9s\n' "$mode" \
        "$(stats "$dir/arrive" | awk '{ print $1 " / " $2 }')" \
        "$(stats "$dir/decode" | awk '{ print $1 " / " $2 }')" \
        "$(stats "$dir/shown" | awk '{ print $1 " / " $2 }')" \
        "$(wc -l <"$dir/shown")" "$dropped" "$(kv steady_late "$dir/probe.out")" "$unmatched"
}

note "source $source_spec, $codec, warm-up $warmup s, window $window s"
printf '%-8s | %-13s | %-13s | %-13s | %6s %7s %5s %9s\n' "mode" "arrive p50/95" \
    "decode p50/95" "shown p50/95" "shown" "dropped" "late" "unmatched"
for a in $modes; do
    run "$a"
done
