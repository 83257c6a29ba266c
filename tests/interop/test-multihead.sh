#!/bin/bash
# Multi-head: `--source pattern:...,heads=2` is served as two display
# channels (ids 0 and 1, spice-server's one channel per head).  A spice-gtk
# client (the probe) sees both in CHANNELS_LIST, and its screenshot of each
# channel is, pixel for pixel, that head's frame of the pattern (drawn again
# by tests/interop/pattern-frame from the frame number in the screenshot's
# stamp); the two heads differ.  Our viewer's engine (viewer-headless
# --heads 2) shows both heads, each exactly its frame too, and over a unix
# socket with --gl (the server's defaults: each head's buffer fd as
# GL_SCANOUT_UNIX) maps each head's own scanout, exactly its frame.  A
# single-head server offers channel 0 only.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_prog compare imagemagick
FRAME_BIN=$top_builddir/tests/interop/pattern-frame
[ -x "$FRAME_BIN" ] || skip "tests/interop/pattern-frame not built"

spec=pattern:640x400,fps=2,stamp,heads=2
port=$(free_port)
start_server --source "$spec" --listen "tcp:127.0.0.1:$port" --listen "unix:$T/heads.sock" \
    --disable-ticketing
for head in 0 1; do
    run_probe 30 --uri "spice://127.0.0.1:$port" --channel-id $head --settle 250 \
        --screenshot "$T/shot$head.ppm" >"$T/probe$head.out" ||
        fail "the probe got no screenshot of display channel $head: $(tail -n 3 "$T/probe.err")"
    grep -q '^display_channel=0$' "$T/probe$head.out" && grep -q '^display_channel=1$' "$T/probe$head.out" ||
        fail "the client was not offered display channels 0 and 1: $(grep display_channel "$T/probe$head.out")"
    "$FRAME_BIN" "$spec" $head "$T/shot$head.ppm" "$T/ref$head.ppm" >"$T/ref$head.out" 2>&1 ||
        fail "head $head: $(cat "$T/ref$head.out")"
    check_screenshot "$T/ref$head.ppm" "$T/shot$head.ppm" 640x400 \
        "display channel $head (frame $(kv seq "$T/ref$head.out"))"
    note "display channel $head is head $head's frame $(kv seq "$T/ref$head.out"), exactly"
done
server_alive
ae=$(image_diff "$T/shot0.ppm" "$T/shot1.ppm")
[ "$ae" != 0 ] || fail "the two heads look the same"
grep -aq 'source pattern has 2 heads' "$T/server.err" || fail "the server did not say it serves 2 heads"

# our viewer: one canvas per display channel
HEADLESS=$top_builddir/client/viewer-headless
if [ -x "$HEADLESS" ]; then
    timeout -k 5 30 "$HEADLESS" --heads 2 --screenshot "$T/ours.ppm" "spice://127.0.0.1:$port" \
        >"$T/ours.out" 2>"$T/ours.err" || fail "viewer-headless --heads 2: $(tail -n 3 "$T/ours.err")"
    grep -q '^head 1 offered' "$T/ours.out" || fail "viewer-headless was not offered head 1"
    for head in 0 1; do
        shot=$T/ours.ppm
        [ $head = 0 ] || shot=$T/ours.head$head.ppm
        "$FRAME_BIN" "$spec" $head "$shot" "$T/oref$head.ppm" >"$T/oref$head.out" 2>&1 ||
            fail "viewer-headless head $head: $(cat "$T/oref$head.out")"
        check_screenshot "$T/oref$head.ppm" "$shot" 640x400 "viewer-headless head $head"
        note "viewer-headless: head $head is its frame $(kv seq "$T/oref$head.out"), exactly"
    done
    # GL: head 1's scanout is its own buffer, head 0's stays head 0's
    timeout -k 5 30 "$HEADLESS" --gl --heads 2 --screenshot "$T/gl.ppm" "spice+unix://$T/heads.sock" \
        >"$T/gl.out" 2>"$T/gl.err" || fail "viewer-headless --gl --heads 2: $(tail -n 3 "$T/gl.err")"
    grep -q '^head 1 scanout 640x400 stride' "$T/gl.out" && grep -q '^scanout 640x400 stride' "$T/gl.out" ||
        fail "viewer-headless --gl: not a GL scanout on each head: $(cat "$T/gl.out")"
    for head in 0 1; do
        shot=$T/gl.ppm
        [ $head = 0 ] || shot=$T/gl.head$head.ppm
        "$FRAME_BIN" "$spec" $head "$shot" "$T/gref$head.ppm" >"$T/gref$head.out" 2>&1 ||
            fail "viewer-headless --gl head $head: $(cat "$T/gref$head.out")"
        check_screenshot "$T/gref$head.ppm" "$shot" 640x400 "viewer-headless --gl head $head"
        note "viewer-headless --gl: head $head's GL scanout is its frame $(kv seq "$T/gref$head.out"), exactly"
    done
else
    note "client/viewer-headless not built: our viewer not checked"
fi
server_alive
stop_pid "$SERVER_PID"

# one head (the default): display channel 0 only, as before
port=$(free_port)
start_server --source pattern:320x200 --listen "tcp:127.0.0.1:$port" --disable-ticketing
run_probe 20 --uri "spice://127.0.0.1:$port" --screenshot "$T/one.ppm" >"$T/one.out" ||
    fail "single head: no screenshot"
[ "$(grep -c '^display_channel=' "$T/one.out")" = 1 ] && grep -q '^display_channel=0$' "$T/one.out" ||
    fail "single head: display channels offered: $(grep display_channel "$T/one.out")"
note "single head: one display channel"
