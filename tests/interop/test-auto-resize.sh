#!/bin/bash
# The built-in agent (server/agent.c): remote-viewer (spice-gtk 0.42, which
# resizes the guest by default) under Xvfb sends VD_AGENT_MONITORS_CONFIG
# when its window changes size, and the pattern source follows: the server
# logs the new size and spicy-screenshot afterwards gets a surface of that
# size.  A source that cannot resize (image) offers no agent, and says so.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog remote-viewer virt-viewer
need_prog spicy-screenshot spice-client-gtk
need_prog xdotool xdotool
need_prog identify imagemagick

port=$(free_port)
start_server --source pattern:640x480 --listen "tcp:127.0.0.1:$port" --disable-ticketing
start_xvfb 1024x768
export NO_AT_BRIDGE=1 GDK_BACKEND=x11

start_bg viewer 60 remote-viewer "spice://127.0.0.1:$port"
viewer=$BG_PID
win=
for i in $(seq 100); do
    win=$(xdotool search --onlyvisible --class remote-viewer 2>/dev/null | head -n1)
    [ -n "$win" ] && break
    alive "$viewer" || fail "remote-viewer exited: $(tail -n 5 "$T/viewer.err")"
    sleep 0.2
done
[ -n "$win" ] || fail "no remote-viewer window"

asked() { grep -o 'agent: client asks for [0-9]*x[0-9]*' "$T/server.err" | tail -n1 | sed 's/.* //'; }
# resize_to W H: the window becomes WxH; the server is asked for the
# display area's size (the window less menu, toolbar and border) and
# follows it
resize_to() {
    local before after
    before=$(grep -c 'pattern: now ' "$T/server.err")
    xdotool windowsize "$win" "$1" "$2" || fail "xdotool windowsize failed"
    wait_for 15 "$SERVER_PID" eval '[ "$(grep -c "pattern: now " "$T/server.err")" -gt "$before" ]' ||
        fail "window ${1}x$2: the server never resized (asked: '$(asked)'): $(tail -n 5 "$T/server.err")"
    sleep 2 # the size settles: spice-gtk may send again
    size=$(grep -o 'pattern: now [0-9]*x[0-9]*' "$T/server.err" | tail -n1 | sed 's/.* //')
    [ "${size%x*}" -le "$1" ] && [ "${size%x*}" -gt $(($1 - 40)) ] ||
        fail "window ${1}x$2: the source is $size"
    [ "${size#*x}" -le "$2" ] && [ "${size#*x}" -gt $(($2 - 150)) ] ||
        fail "window ${1}x$2: the source is $size"
    note "window ${1}x$2: the pattern source is now $size (asked $(asked))"
}
# spice-gtk drops a resize before its display has a monitor: wait for it
wait_for 15 "$SERVER_PID" grep -q 'gets pixels' "$T/server.err" || fail "no display channel"
sleep 2
resize_to 800 600
resize_to 500 400
server_alive
alive "$viewer" || fail "remote-viewer exited: $(tail -n 5 "$T/viewer.err")"
stop_pid "$viewer"

# the surface a new client sees has the new size
timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -o "$T/shot.ppm" >"$T/spicy.out" 2>&1 ||
    fail "spicy-screenshot failed (exit $?)"
got=$(identify -format '%wx%h' "$T/shot.ppm")
[ "$got" = "$size" ] || fail "spicy-screenshot got $got after the resize to $size"
note "spicy-screenshot afterwards: $got"
grep -q 'unhandled agent message\|CRITICAL' "$T/viewer.err" &&
    fail "remote-viewer complained: $(grep -m3 'unhandled agent\|CRITICAL' "$T/viewer.err")"

# our viewer: without --auto-resize nothing is asked; with it, the same
VIEWER=$top_builddir/client/viewer
if [ -x "$VIEWER" ]; then
    # find_win PID: the viewer's visible window (PID: its timeout)
    find_win() {
        win=
        for i in $(seq 100); do
            win=$(xdotool search --onlyvisible --name "spicecast viewer" 2>/dev/null | head -n1)
            [ -n "$win" ] && return 0
            alive "$1" || fail "viewer exited: $(tail -n 5 "$T/ours.err")"
            sleep 0.2
        done
        fail "no viewer window"
    }
    export SPICECAST_RENDERER=cairo
    start_bg ours 60 "$VIEWER" "spice://127.0.0.1:$port"
    ours=$BG_PID
    find_win "$ours"
    sleep 2
    n=$(grep -c 'agent: client asks' "$T/server.err")
    xdotool windowsize "$win" 700 500 || fail "xdotool windowsize failed"
    sleep 3
    [ "$(grep -c 'agent: client asks' "$T/server.err")" = "$n" ] ||
        fail "the viewer without --auto-resize asked for a size: $(asked)"
    stop_pid "$ours"
    start_bg ours 60 "$VIEWER" --auto-resize "spice://127.0.0.1:$port"
    ours=$BG_PID
    find_win "$ours"
    wait_for 15 "$SERVER_PID" eval '[ "$(grep -c "display: .* gets pixels" "$T/server.err")" -ge 3 ]' ||
        fail "the viewer's display channel never came"
    sleep 2
    resize_to 700 500
    resize_to 560 420
    alive "$ours" || fail "viewer exited: $(tail -n 5 "$T/ours.err")"
    grep -q 'auto-resize: asking the server for' "$T/ours.err" ||
        fail "the viewer did not log its request"
    stop_pid "$ours"
else
    note "client/viewer not built (no GTK3): its --auto-resize not tested"
fi
server_alive
stop_pid "$SERVER_PID"

# an image cannot resize: no agent, said once
make_test_image "$T/x.png" 320 240
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --disable-ticketing
timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -o "$T/shot2.ppm" >"$T/spicy.out" 2>&1 ||
    fail "spicy-screenshot (image) failed (exit $?)"
grep -q 'source image cannot resize' "$T/server.err" "$T/server.out" ||
    fail "no 'cannot resize' line for the image source"
note "image source: no agent offered, logged"
