#!/bin/bash
# bench/bench-server.sh: issue 3's performance figures (a benchmark, not a
# test; run by hand after `make` and `make check` has built the probe):
#
#  (a) lossless full-frame updates of a 1920x1080 desktop frame:
#      1. spicecast-bench's lossless rows (the server's own lossless encoder,
#         damage-driven as the server drives it) on its desktop (the pattern
#         source's scene) and scrolling text;
#      2. end to end: spicecast-server playing a 60 fps y4m of that desktop's
#         first frame (spicecast-bench --frame-png) scrolling (every frame
#         fully damaged) to a spice-gtk client (the probe) over TCP loopback;
#         prints the full frames/s the client got
#         and the server's CPU use (1.00 = one core).
#  (b) memory: the server's RSS with no client, with 64 spice-gtk sessions
#      connected and idle, and with 64 clients that link the display and
#      then never read (at +5 s and +15 s: a server keeping at most one
#      pending frame per client does not grow).
#
# Usage: bench/bench-server.sh   (from the build tree; BENCH_QUICK=1 shorter)
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
. "$top_srcdir/tests/interop/lib.sh"
need_server
need_probe
need_prog convert imagemagick
SERVER_TIMEOUT=600
secs=${BENCH_QUICK:+4}
secs=${secs:-8}

# the real server process (start_server runs it under timeout)
server_child() { cat /proc/"$SERVER_PID"/task/*/children 2>/dev/null | awk '{print $1}'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/"$1"/status 2>/dev/null; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat 2>/dev/null; }
hz=$(getconf CLK_TCK)

echo "== spicecast bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m)"
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /cpu: /'

# ---- the desktop: the pattern source's scene (common/scene.h), frame 0 ------
bench=$top_builddir/bench/spicecast-bench
[ -x "$bench" ] || fail "$bench not built (make)"
"$bench" --content desktop --size 1920x1080 --frame-png "$T/desktop.png" ||
    fail "could not draw the desktop"

# ---- (a1) encode + send micro-benchmark -------------------------------------
echo "== (a1) spicecast-bench: the server's lossless encoder, damage-driven, one thread"
timeout 300 "$bench" --codecs 'lossless:lz4;lossless:raw' --content desktop,text-scroll \
    --frames 300 --quiet

# ---- (a2) end to end: y4m of the desktop scrolling, every frame damaged ----
nframes=16
y4m() {
    printf 'YUV4MPEG2 W1920 H1080 F%s:1 Ip A1:1 C420jpeg\n' "$1"
    for i in $(seq 0 $((nframes - 1))); do
        printf 'FRAME\n'
        # (convert exits 1 after writing YUV; the size check below is the test)
        convert "$T/desktop.png" -roll +0+$((i * 8)) -sampling-factor 4:2:0 -depth 8 yuv:-
    done
}
y4m 60 >"$T/desktop60.y4m"
[ "$(stat -c %s "$T/desktop60.y4m")" = $((45 + nframes * (6 + 1920 * 1080 * 3 / 2))) ] ||
    fail "could not write the y4m"
# the same frames at 200 fps: what the whole chain can take
{ printf 'YUV4MPEG2 W1920 H1080 F200:1 Ip A1:1 C420jpeg\n'; tail -c +46 "$T/desktop60.y4m"; } \
    >"$T/desktop200.y4m"

e2e() {
    local fps=$1 port spid probe t0 t1 w0 w1 ffr
    port=$(free_port)
    start_server --source "y4m:$T/desktop$fps.y4m" --listen "tcp:127.0.0.1:$port" --disable-ticketing
    spid=$(server_child)
    sleep 1
    run_probe $((secs + 30)) --uri "spice://127.0.0.1:$port" --count-updates "$secs" >"$T/e2e.out" &
    probe=$!
    HELPER_PIDS+=("$probe")
    # server CPU over the counting window (the probe counts from about 1 s in)
    sleep 1.5
    t0=$(cpu_ticks "$spid") w0=$(date +%s.%N)
    sleep $((secs - 1))
    t1=$(cpu_ticks "$spid") w1=$(date +%s.%N)
    wait "$probe"
    echo "== (a2) end to end, y4m 1920x1080 @ $fps fps (full damage) -> spice-gtk probe over TCP"
    grep -E '^(size|full_frame_rate)=' "$T/e2e.out" | sed 's/^/   /'
    ffr=$(sed -n 's/^full_frame_rate=//p' "$T/e2e.out")
    awk -v f="${ffr:-0}" -v t0="$t0" -v t1="$t1" -v w0="$w0" -v w1="$w1" -v hz="$hz" 'BEGIN {
        c = (t1 - t0) / hz / (w1 - w0)
        printf "   server CPU: %.2f cores (all threads; includes I420->BGRX of every source frame)\n", c
        if (c > 0) printf "   full frames delivered per server CPU-second: %.1f\n", f / c }'
    stop_pid "$SERVER_PID"
}
e2e 60
e2e 200

# ---- (b) memory with 64 clients ------------------------------------------
echo "== (b) server RSS, 1920x1080"
port=$(free_port)
start_server --source "image:$T/desktop.png" --listen "tcp:127.0.0.1:$port" --disable-ticketing
spid=$(server_child)
sleep 1
echo "   image source, no client:              $(rss_kb "$spid") kB"
run_probe 120 --uri "spice://127.0.0.1:$port" --clients 64 --hold 6 >"$T/c64.out" &
probe=$!
HELPER_PIDS+=("$probe")
for i in $(seq 900); do
    grep -q '^holding' "$T/c64.out" 2>/dev/null && break
    alive "$probe" || break
    sleep 0.1
done
grep -q '^holding' "$T/c64.out" || fail "64 spice-gtk clients did not all get the picture: $(tail -n 3 "$T/c64.out")"
sleep 2
echo "   image source, 64 spice-gtk clients:   $(rss_kb "$spid") kB ($(grep -c checksum= "$T/c64.out") sessions drawn)"
wait "$probe"
sleep 1
echo "   image source, after they left:        $(rss_kb "$spid") kB"
stop_pid "$SERVER_PID"

idle=$T/idle-clients
cc -std=gnu11 -O2 -I"$top_builddir" -I"$top_srcdir" $(pkg-config --cflags glib-2.0 spice-protocol) \
    -o "$idle" "$top_srcdir/bench/idle-clients.c" "$top_builddir/common/.libs/libsccommon.a" \
    $(pkg-config --libs glib-2.0 libcrypto liblz4) || fail "could not build idle-clients"
port=$(free_port)
start_server --source pattern:1920x1080 --listen "tcp:127.0.0.1:$port" --disable-ticketing
spid=$(server_child)
sleep 1
echo "   pattern (animated), no client:        $(rss_kb "$spid") kB"
start_bg idle 60 "$idle" --tcp "127.0.0.1:$port" 64 20
for i in $(seq 300); do
    grep -q '^linked=' "$T/idle.out" 2>/dev/null && break
    alive "$BG_PID" || break
    sleep 0.1
done
grep -q '^linked=64' "$T/idle.out" || fail "64 non-reading clients did not link: $(cat "$T/idle.err")"
sleep 5
echo "   pattern, 64 non-reading clients, +5 s:  $(rss_kb "$spid") kB"
sleep 10
echo "   pattern, 64 non-reading clients, +15 s: $(rss_kb "$spid") kB"
alive "$spid" || fail "the server died"
stop_pid "$SERVER_PID"
