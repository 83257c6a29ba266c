#!/bin/bash
# Slow viewers of one H.264 stream, end to end over TCP with
# bench/load-clients (receive-only viewers that ack and report like
# spice-gtk):
# - a slow decoder (it reports frames beyond 10 fps dropped and late while
#   its socket drains) stays in the one encoder group and is sent every
#   other frame: the server says "decodes too slowly", opens no second
#   group and moves nobody to a lower bitrate; the other viewers keep
#   getting every frame;
# - a slow link (its display socket read at 20 kB/s) is moved to a group at
#   a lower bitrate, as before.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_server
LOAD_BIN=$top_builddir/bench/load-clients
[ -x "$LOAD_BIN" ] || fail "$LOAD_BIN not built"
WINDOW=6

# run_load NAME N ARGS...: a fresh server, N viewers for 3 + WINDOW s.
run_load() {
    local name=$1 n=$2 port
    shift 2
    port=$(free_port)
    rm -f "$T/server.out" "$T/server.err"
    start_server --source pattern:640x360 --listen "tcp:127.0.0.1:$port" --disable-ticketing \
        --streaming-video all --video-codecs openh264:h264
    grep -q "unavailable" "$T/server.err" && skip "openh264 unavailable: $(cat "$T/server.err")"
    timeout -k 5 60 "$LOAD_BIN" --tcp "127.0.0.1:$port" --warmup 3 --window "$WINDOW" \
        --per-viewer "$@" "$n" >"$T/$name.txt" 2>"$T/$name.err" ||
        fail "$name: load-clients failed: $(cat "$T/$name.err")"
    server_alive
    stop_pid "$SERVER_PID"
    cp "$T/server.err" "$T/$name.server.err"
    cat "$T/$name.txt" >&2
}

viewer_frames() { sed -n "s/^viewer=$2 frames=\([0-9]*\).*/\1/p" "$T/$1.txt"; }

# a slow decoder beside two viewers that keep up
run_load dec 3 --slow-decoder 1:10
slow=$(viewer_frames dec 0) a=$(viewer_frames dec 1) b=$(viewer_frames dec 2)
note "slow decoder: $slow frames; the others: $a and $b in $WINDOW s"
groups=$(grep -c "video stream group .* ended" "$T/dec.server.err")
[ "$groups" = 1 ] || fail "$groups encoder groups for one source and codec"
grep -q "video at 1/" "$T/dec.server.err" && fail "a viewer was moved to a lower bitrate: $(grep 'video at' "$T/dec.server.err")"
grep -q "decodes too slowly" "$T/dec.server.err" || fail "the slow decoder was not noticed"
min=$((a < b ? a : b))
[ "$min" -ge $((WINDOW * 30 * 8 / 10)) ] || fail "the viewers that keep up got $a and $b frames"
[ $((slow * 100)) -le $((min * 65)) ] || fail "the slow decoder got $slow frames, the others $min"
[ $((slow * 100)) -ge $((min * 35)) ] || fail "the slow decoder got only $slow frames, the others $min"

# a slow link beside a viewer that keeps up
run_load link 2 --slow-link 1:20000
grep -q "video at 1/2 of the bitrate" "$T/link.server.err" ||
    fail "the slow link was not moved to a lower bitrate"
grep -q "decodes too slowly" "$T/link.server.err" && fail "the slow link was taken for a slow decoder"
fast=$(viewer_frames link 1)
note "slow link: $(viewer_frames link 0) frames; the other viewer: $fast"
[ "$fast" -ge $((WINDOW * 30 * 8 / 10)) ] || fail "the viewer beside the slow link got $fast frames"
exit 0
