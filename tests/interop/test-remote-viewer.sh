#!/bin/bash
# remote-viewer (virt-viewer) under Xvfb connects to our server and draws
# the served image: a screenshot of the X screen contains it, pixel for
# pixel (found by its colour blocks, then compared exactly).  Over TCP, then
# over the unix socket.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog remote-viewer virt-viewer
need_prog import imagemagick
need_prog compare imagemagick

# block COLOUR: bounding box "W H X Y" of the pixels of exactly COLOUR in
# $T/screen.png, or nothing
block() {
    convert "$T/screen.png" -fill black +opaque "$1" -format '%@' info: 2>/dev/null |
        sed -n 's/^\([0-9]*\)x\([0-9]*\)+\([0-9]*\)+\([0-9]*\)$/\1 \2 \3 \4/p'
}

# find_image: sets IX IY (top left of the served image on the screen) when
# the four 64x48 blocks at (16,16) sit side by side, unscaled
find_image() {
    local r g b y
    r=$(block '#ff0000') g=$(block '#00ff00') b=$(block '#0000ff') y=$(block '#ffff00')
    note "blocks: red[$r] green[$g] blue[$b] yellow[$y]"
    set -- $r
    [ $# = 4 ] && [ "$1" = 64 ] && [ "$2" = 48 ] || return 1
    local rx=$3 ry=$4
    [ "$g" = "64 48 $((rx + 64)) $ry" ] && [ "$b" = "64 48 $((rx + 128)) $ry" ] &&
        [ "$y" = "64 48 $((rx + 192)) $ry" ] || return 1
    IX=$((rx - 16)) IY=$((ry - 16))
}

make_test_image "$T/x.png" 642 481
port=$(free_port)
sock=$T/sc.sock
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --listen "unix:$sock" \
    --disable-ticketing
start_xvfb 1024x768
export NO_AT_BRIDGE=1 GDK_BACKEND=x11

# check_viewer URI: remote-viewer shows the image exactly
check_viewer() {
    local uri=$1 found= i ae
    rm -f "$T/screen.png"
    start_bg viewer 60 remote-viewer "$uri"
    viewer=$BG_PID
    for i in $(seq 20); do
        sleep 1
        alive "$viewer" || fail "remote-viewer $uri exited: $(tail -n 5 "$T/viewer.err")"
        timeout 10 import -window root "$T/screen.png" 2>"$T/import.err" || continue
        if find_image; then
            found=yes
            break
        fi
    done
    server_alive
    [ -n "$found" ] || {
        cp "$T/screen.png" "${TMPDIR:-/tmp}/spicecast-remote-viewer-fail.png" 2>/dev/null
        fail "$uri: the image's colour blocks never appeared unscaled on the screen"
    }
    convert "$T/screen.png" -crop "642x481+$IX+$IY" +repage "$T/crop.png"
    ae=$(image_diff "$T/x.png" "$T/crop.png")
    [ "$ae" = 0 ] || fail "$uri: remote-viewer shows the image with $ae pixels different"
    note "$uri: remote-viewer shows the image exactly at $IX,$IY"
    stop_pid "$viewer"
    # the window is gone with the viewer, so the next check starts clean
    timeout 10 import -window root "$T/screen.png" 2>"$T/import.err" &&
        ! find_image 2>/dev/null || fail "the image is still on the screen after remote-viewer quit"
}

check_viewer "spice://127.0.0.1:$port"
check_viewer "spice+unix://$sock"
