#!/bin/bash
# remote-viewer (virt-viewer) under Xvfb opens one window per head of
# `--source pattern:...,heads=2` (one per display channel, as it does for
# spice-server's QXL heads), and each window shows its head's frame pixel
# for pixel: the frame is found in the window by the taskbar's colour
# (the full width of the frame, at its bottom), its stamp gives the frame
# number, and tests/interop/pattern-frame draws that frame of every head
# again: the window must be one of them exactly, and the two windows two
# different heads.  A frame caught mid-update is retried.  Then our viewer
# (client/viewer --zoom 100) opens its two windows, titled TITLE and
# "TITLE (2)" as remote-viewer's; their pixels are not compared here: at
# zoom 100 its window is a few rows shorter than the guest's screen (the
# bottom rows are hidden), and the engine's per-head pixels are checked
# exactly by test-multihead (viewer-headless --heads 2).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog remote-viewer virt-viewer
need_prog xdotool xdotool
need_prog import imagemagick
need_prog compare imagemagick
FRAME_BIN=$top_builddir/tests/interop/pattern-frame
[ -x "$FRAME_BIN" ] || skip "tests/interop/pattern-frame not built"

W=480 H=300
spec=pattern:${W}x$H,fps=2,stamp,heads=2
port=$(free_port)
start_server --source "$spec" --listen "tcp:127.0.0.1:$port" --disable-ticketing
start_xvfb 1600x900
export NO_AT_BRIDGE=1 GDK_BACKEND=x11

# windows SEARCH...: the ids of the visible windows xdotool finds, of at
# least WxH
windows() {
    local id geo
    for id in $(xdotool search --onlyvisible "$@" 2>/dev/null); do
        geo=$(xdotool getwindowgeometry "$id" 2>/dev/null | sed -n 's/.*Geometry: //p')
        [ "${geo%x*}" -ge $W ] 2>/dev/null && [ "${geo#*x}" -ge $H ] 2>/dev/null && echo "$id"
    done
}

# frame_in ID OUT: the WxH frame inside window ID, as PPM (bottom left
# where the taskbar's exact colour, #212128, ends), from a screenshot of the
# root window (a GTK window's own is black without a compositor)
frame_in() {
    local box pos geo
    pos=$(xdotool getwindowgeometry "$1" 2>/dev/null | sed -n 's/.*Position: \([0-9]*,[0-9]*\).*/\1/p')
    geo=$(xdotool getwindowgeometry "$1" 2>/dev/null | sed -n 's/.*Geometry: //p')
    [ -n "$pos" ] && [ -n "$geo" ] || return 1
    timeout 10 import -window root "$T/screen.png" 2>/dev/null || return 1
    convert "$T/screen.png" -crop "$geo+${pos%,*}+${pos#*,}" +repage "$T/win.png" 2>/dev/null || return 1
    box=$(convert "$T/win.png" -fill black +opaque '#212128' -format '%@' info: 2>/dev/null)
    set -- ${box//[x+]/ } "$2"
    [ "$1" = $W ] || return 1
    convert "$T/win.png" -crop "${W}x$H+$3+$(($4 + $2 - H))" +repage "$5" 2>/dev/null
}

# check_windows NAME SEARCH...: NAME (started as $viewer) has two windows
# that SEARCH finds, each exactly one head, the two heads different
check_windows() {
    local name=$1 i id ok try ids=()
    shift
    for i in $(seq 30); do
        sleep 1
        alive "$viewer" || fail "$name exited: $(tail -n 5 "$T/viewer.err")"
        mapfile -t ids < <(windows "$@")
        [ ${#ids[@]} -ge 2 ] && break
    done
    [ ${#ids[@]} = 2 ] || {
        import -window root "${TMPDIR:-/tmp}/spicecast-heads-$name-fail.png" 2>/dev/null
        fail "$name has ${#ids[@]} display windows, not 2"
    }
    note "$name opened 2 windows: ${ids[*]}"
    # no window manager here: both start at 0,0, one over the other
    xdotool windowmove "${ids[0]}" 0 0 && xdotool windowmove "${ids[1]}" 800 0 ||
        fail "xdotool could not move the windows apart"
    sleep 1
    local seen=
    for id in "${ids[@]}"; do
        ok=
        for try in $(seq 10); do
            frame_in "$id" "$T/shot.ppm" || { sleep 0.5; continue; }
            "$FRAME_BIN" "$spec" any "$T/shot.ppm" "$T/ref.ppm" >"$T/ref.out" 2>&1 &&
                [ "$(image_diff "$T/ref.ppm" "$T/shot.ppm")" = 0 ] && ok=$(kv head "$T/ref.out") && break
            sleep 0.3
        done
        [ -n "$ok" ] || {
            cp "$T/win.png" "${TMPDIR:-/tmp}/spicecast-heads-$name-fail.png" 2>/dev/null
            fail "$name: window $id never showed a head's frame exactly: $(cat "$T/ref.out" 2>/dev/null)"
        }
        [ "$seen" != "$ok" ] || fail "$name: two windows show head $ok"
        seen=$ok
        note "$name: window $id shows head $ok's frame $(kv seq "$T/ref.out") exactly"
    done
    server_alive
    stop_pid "$viewer"
}

start_bg viewer "$HELPER_TIMEOUT" remote-viewer "spice://127.0.0.1:$port"
viewer=$BG_PID
check_windows remote-viewer --class remote-viewer

VIEWER=$top_builddir/client/viewer
if [ -x "$VIEWER" ]; then
    start_bg viewer "$HELPER_TIMEOUT" env SPICECAST_RENDERER=cairo "$VIEWER" --zoom 100 --title heads-test \
        "spice://127.0.0.1:$port"
    viewer=$BG_PID
    for i in $(seq 30); do
        sleep 1
        alive "$viewer" || fail "viewer exited: $(tail -n 5 "$T/viewer.err")"
        [ "$(windows --name '^heads-test$' | wc -l)" = 1 ] &&
            [ "$(windows --name '^heads-test \(2\)$' | wc -l)" = 1 ] && break
    done
    [ "$(windows --name '^heads-test$' | wc -l)" = 1 ] &&
        [ "$(windows --name '^heads-test \(2\)$' | wc -l)" = 1 ] ||
        fail "our viewer did not open a window per head (heads-test, heads-test (2))"
    # remote-viewer linked display 1 once: our viewer is the second
    [ "$(grep -ac 'display 1: .* gets pixels' "$T/server.err")" -ge 2 ] ||
        fail "our viewer did not link display channel 1"
    note "viewer: a window per head (heads-test, heads-test (2))"
    server_alive
else
    note "client/viewer not built (no GTK3): our viewer not checked"
fi
