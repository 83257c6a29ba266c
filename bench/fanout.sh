#!/bin/bash
# bench/fanout: what one video stream costs the server for 1, 4, 16 and 64
# viewers.  For each count it starts spicecast-server --streaming-video all
# on one source with one codec, connects that many receive-only viewers
# (bench/load-clients: they ack and report like spice-gtk but never decode),
# waits for the warm-up, then counts over a fixed window the server's CPU
# time (utime + stime from /proc/PID/stat: CPU time, not wall time) and the
# frames each viewer received.  It prints a table with ratios to 1 viewer.
#
#   bench/fanout [--source SPEC] [--codec BACKEND:CODEC] [--viewers "1 4 16 64"]
#                [--warmup S] [--window S] [--bitrate BPS]
#                [--slow-decoder K:FPS] [--slow-link K:BYTES_PER_S] [--perf]
#
# Defaults: pattern:1920x1080 (30 fps), openh264:h264, warm-up 5 s, window
# 10 s.  --slow-decoder / --slow-link make the first K viewers of every run
# slow decoders / slow links (see bench/load-clients.c).  --perf records
# the largest run with `perf record -g` and prints the top of the report.
# Built by `make` from bench/fanout.sh; never run by `make check`.
top_builddir=%TOP_BUILDDIR%
top_srcdir=%TOP_SRCDIR%
. "$top_srcdir/tests/interop/lib.sh"
LOAD_BIN=$top_builddir/bench/load-clients

source_spec=pattern:1920x1080 codec=openh264:h264 viewers="1 4 16 64"
warmup=5 window=10 bitrate="" perf="" modes=()
while [ $# -gt 0 ]; do
    case $1 in
    --source) source_spec=$2 ;;
    --codec) codec=$2 ;;
    --viewers) viewers=$2 ;;
    --warmup) warmup=$2 ;;
    --window) window=$2 ;;
    --bitrate) bitrate=$2 ;;
    --slow-decoder | --slow-link) modes+=("$1" "$2") ;;
    --perf) perf=1; shift; continue ;;
    *) echo "usage: see the head of $0" >&2; exit 2 ;;
    esac
    shift 2
done
[ -x "$LOAD_BIN" ] || fail "$LOAD_BIN not built (make)"
need_server
[ -z "$perf" ] || need_prog perf linux-perf

# The server itself, not the timeout(1) that runs it.
server_child() { cat /proc/"$SERVER_PID"/task/*/children 2>/dev/null | awk '{print $1; exit}'; }

# run_one N: one server, N viewers; appends a line to $T/results.
run_one() {
    local n=$1 port spid out=$T/load-$1.out limit=$((warmup + window + 60))
    port=$(free_port)
    rm -f "$T/server.out" "$T/server.err"
    SERVER_TIMEOUT=$((limit + 30)) start_server --source "$source_spec" \
        --listen "tcp:127.0.0.1:$port" --disable-ticketing --streaming-video all \
        --video-codecs "$codec" ${bitrate:+--video-bitrate "$bitrate"}
    grep -q "video codec .* unavailable" "$T/server.err" &&
        fail "$codec unavailable: $(grep unavailable "$T/server.err")"
    spid=$(server_child)
    [ -n "$spid" ] || fail "no server process under $SERVER_PID"
    if [ -n "$perf" ] && [ "$n" = "$largest" ]; then
        (sleep "$warmup"; timeout "$window" perf record -q -g -o "$T/perf.data" -p "$spid" \
            >/dev/null 2>&1) &
    fi
    timeout -k 5 "$limit" "$LOAD_BIN" --tcp "127.0.0.1:$port" --codec "${codec#*:}" \
        --warmup "$warmup" --window "$window" --server-pid "$spid" "${modes[@]}" "$n" \
        >"$out" 2>"$T/load-$n.err" || fail "load-clients failed for $n viewers: $(cat "$T/load-$n.err")"
    server_alive
    stop_pid "$SERVER_PID"
    wait 2>/dev/null
    echo "$(cat "$out") rate_changes=$(grep -c 'video at 1/' "$T/server.err")" \
        "groups=$(grep -c 'video stream group .* ended' "$T/server.err")" \
        "busy=$(grep 'ended' "$T/server.err" | sed -n 's/.* \([0-9]*\) dropped.*/\1/p' |
            awk '{s += $1} END {print s + 0}')" >>"$T/results"
}

largest=${viewers##* }
for n in $viewers; do
    run_one "$n"
done

echo "fanout: $source_spec, $codec${bitrate:+ at $bitrate bit/s}, warm-up $warmup s," \
    "window $window s${modes[*]:+, ${modes[*]}} ($(nproc) CPUs, $(uptime | sed 's/.*load/load/'))"
awk '
function kv(k,   i, a) { for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } }
{
    n = kv("viewers"); cpu = kv("server_cpu_per_s"); fmin = kv("frames_min"); fmean = kv("frames_mean")
    if (NR == 1) { cpu1 = cpu; f1 = fmean }
    printf "%8s %10.3f %7.2fx %9s %9.1f %7.1f%% %9.2f %6s %6s %5s %5s\n", n, cpu,
        (cpu1 > 0 ? cpu / cpu1 : 0), fmin, fmean, (f1 > 0 ? 100 * fmin / f1 : 0),
        kv("mbit_per_viewer"), kv("groups"), kv("rate_changes"), kv("busy"), kv("reported_drops")
    if (kv("slow_viewers") != "")
        printf "%8s %s slow viewers: %s frames each (mean); the others: %s at least\n", "", \
            kv("slow_viewers"), kv("slow_frames_mean"), kv("others_frames_min")
}' "$T/results" | {
    printf "%8s %10s %8s %9s %9s %8s %9s %6s %6s %5s %5s\n" viewers "cpu s/s" "vs 1" \
        "fr min" "fr mean" "min/1" "Mbit/vwr" groups "rate" busy drops
    cat
}
if [ -n "$perf" ] && [ -s "$T/perf.data" ]; then
    echo "perf, $largest viewers: server CPU by thread and library, then the top symbols"
    perf report -i "$T/perf.data" --stdio --no-children -g none --sort comm,dso \
        --percent-limit 2 2>/dev/null | grep '%' | head -15
    perf report -i "$T/perf.data" --stdio --no-children -g none --percent-limit 1.5 \
        2>/dev/null | grep '%' | head -20
fi
