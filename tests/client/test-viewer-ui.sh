#!/bin/bash
# The viewer as remote-viewer users drive it, in Xvfb with xdotool, against
# our server (SPICECAST_DEBUG=1: it logs each key it gets):
#  - `viewer FILE.vv`: password, title and hotkeys from the file; its
#    toggle-fullscreen=shift+f11 makes the window the screen's size, and
#    F11 (no longer a hotkey) goes to the guest;
#  - a URI with tls-port= first and password=; --zoom 100 shows the
#    source's exact pixels; Ctrl+plus (typed with Shift) / Ctrl+KP_Subtract / Ctrl+0 zoom
#    to 110%, 90%, 100% (exact again); F11 full screen and back;
#  - Ctrl+Alt+End (secure-attention) and the Send key menu's Ctrl+Alt+Del
#    and Ctrl+Alt+F2 reach the server as scancodes; File > Disconnect
#    exits 0;
#  - --reconnect: the server restarted, the picture comes back;
#  - QEMU (PS/2 mouse: server mouse mode): a click grabs the pointer with
#    the release hint in the title, and the keyboard: keys (Alt+Tab too)
#    reach the guest with the pointer outside the window, where without a
#    grab they go elsewhere (no window manager: focus follows the pointer);
#    Shift+F12 releases both.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
VIEWER=$top_builddir/client/viewer
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
need_prog convert imagemagick
need_prog compare imagemagick
need_prog import imagemagick
need_prog xwininfo x11-utils
need_prog xdotool xdotool
start_xvfb 1280x800
export SPICECAST_DEBUG=1 SPICECAST_RENDERER=${SPICECAST_RENDERER:-}
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

make_test_image "$T/x.png" 640 400
echo "pw-1" >"$T/pw"
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --password-file "$T/pw"

# viewer NAME ARGS...: started, waits for the first picture
viewer() {
    local name=$1
    shift
    start_bg "$name" 90 "$VIEWER" "$@"
    VPID=$BG_PID
    wait_for 20 "$VPID" grep -q "first picture" "$T/$name.err" ||
        { bad "$name: no picture: $(tail -n 3 "$T/$name.err")"; return 1; }
    # no window manager: the keyboard goes where the pointer is
    xdotool mousemove 300 200
    sleep 1
}
# box COLOUR SHOT [FUZZ]: "w h x y" of that colour (exact, or within FUZZ)
box() {
    convert "$2" ${3:+-fuzz $3} -fill black +opaque "$1" -fill white -opaque "$1" -format '%@' info: 2>/dev/null |
        sed 's/[x+]/ /g'
}
shot() { import -window root "$T/$1.png"; }
# the viewer's top-level window: "w h"
win_size() {
    local id
    id=$(xdotool search --onlyvisible --pid "$(pgrep -P "$VPID" -x viewer || echo "$VPID")" 2>/dev/null | head -n 1)
    xwininfo -id "$id" 2>/dev/null | awk '/Width:/ {w=$2} /Height:/ {h=$2} END {print w, h}'
}
# server_key PATTERN: the server logged "input: key PATTERN" since MARK lines
server_key() {
    local i
    for i in $(seq 30); do
        tail -n +"$MARK" "$T/server.err" | grep -q "input: key $1\$" && return 0
        sleep 0.1
    done
    return 1
}
mark() { MARK=$(($(wc -l <"$T/server.err") + 1)); }
# exact_at NAME SHOT: the 640x400 source at the red block's place (16,16), pixel for pixel
exact_at() {
    local r ae
    r=($(box '#ff0000' "$2"))
    convert "$2" -crop "640x400+$((r[2] - 16))+$((r[3] - 16))" +repage "$T/$1-crop.png"
    ae=$(image_diff "$T/x.png" "$T/$1-crop.png")
    [ "$ae" = 0 ] && ok "$1: the source's exact pixels at +$((r[2] - 16))+$((r[3] - 16))" \
        || bad "$1: differs from the source in $ae pixels (red block ${r[*]})"
}
# red_w SHOT: the red block's width (64 at 1:1), scaled edges included
red_w() { box '#ff0000' "$1" 20% | cut -d' ' -f1; }

# ---- 1. a .vv file ---------------------------------------------------
cat >"$T/c.vv" <<VV
[virt-viewer]
type=spice
host=127.0.0.1
port=$port
password=pw-1
title=vv-title
toggle-fullscreen=shift+f11
release-cursor=shift+f12
VV
if viewer vv "$T/c.vv"; then
    ok "viewer FILE.vv: picture shown (password from the file)"
    xwininfo -root -tree | grep -q '"vv-title"' && ok "title= from the file" || bad "title= not used"
    mark
    xdotool key shift+F11
    sleep 1
    [ "$(win_size)" = "1280 800" ] && ok ".vv toggle-fullscreen=shift+f11: window is the screen (1280x800)" \
        || bad ".vv shift+f11: window $(win_size)"
    shot vvfull
    w=$(red_w "$T/vvfull.png")
    [ "${w:-0}" -ge 125 ] && [ "${w:-0}" -le 131 ] && ok "full screen: the picture scaled 2x (red block $w wide)" \
        || bad "full screen: red block $(red_w "$T/vvfull.png") wide"
    xdotool key F11
    server_key "57 down" && ok "F11 (not a hotkey with this file) went to the guest as 57" \
        || bad "F11 did not reach the server"
    xdotool key shift+F11
    sleep 1
    [ "$(win_size)" != "1280 800" ] && ok "shift+f11 again: windowed ($(win_size))" || bad "still full screen"
fi
stop_pid "$VPID"

# ---- 2. a URI, zoom, full screen, keys, menus ---------------------------
if viewer uri --zoom 100 "spice://127.0.0.1?tls-port=1&port=$port&password=pw-1"; then
    ok "URI with tls-port= first and password=: picture shown"
    shot z100 && exact_at "--zoom 100" "$T/z100.png"
    xdotool key ctrl+plus; sleep 1; shot z110
    w=$(red_w "$T/z110.png")
    [ "${w:-0}" -ge 69 ] && [ "${w:-0}" -le 71 ] && ok "Ctrl+plus (Shift+= here): zoom 110% (red block $w wide)" \
        || bad "Ctrl+plus: red block ${w:-missing} wide, not 70"
    xdotool key ctrl+KP_Subtract ctrl+KP_Subtract; sleep 1; shot z90
    w=$(red_w "$T/z90.png")
    [ "${w:-0}" -ge 57 ] && [ "${w:-0}" -le 59 ] && ok "Ctrl+KP_Subtract x2: zoom 90% (red block $w wide)" \
        || bad "Ctrl+KP_Subtract: red block ${w:-missing} wide, not 58"
    xdotool key ctrl+0; sleep 1; shot z100b && exact_at "Ctrl+0 (zoom-reset)" "$T/z100b.png"
    xdotool key F11; sleep 1
    [ "$(win_size)" = "1280 800" ] && ok "F11: full screen (1280x800)" || bad "F11: window $(win_size)"
    xdotool key F11; sleep 1
    [ "$(win_size)" != "1280 800" ] && ok "F11 again: windowed" || bad "F11 again: still full screen"

    mark
    xdotool key ctrl+alt+End
    server_key "e0 53 down" && server_key "e0 d3 up" && ok "Ctrl+Alt+End: Ctrl+Alt+Del reached the server (e0 53)" \
        || bad "Ctrl+Alt+End: no Delete at the server: $(tail -n +"$MARK" "$T/server.err" | grep 'input: key' | tr '\n' ' ')"
    server_key "e0 4f down" && bad "End itself was sent to the guest" || true

    # Send key menu: File is at the window's top left; Right Right opens Send key
    mark
    xdotool mousemove 12 10 click 1; sleep 0.5
    xdotool key Right Right Down Return; sleep 0.5
    server_key "1d down" && server_key "38 down" && server_key "e0 53 down" \
        && ok "Send key > Ctrl+Alt+Del: 1d, 38, e0 53 at the server" \
        || bad "Send key > Ctrl+Alt+Del: $(tail -n +"$MARK" "$T/server.err" | grep 'input: key' | tr '\n' ' ')"
    mark
    xdotool mousemove 12 10 click 1; sleep 0.5
    xdotool key Right Right Down Down Down Down Return; sleep 0.5
    server_key "3c down" && server_key "bc up" && ok "Send key > Ctrl+Alt+F2: 3c at the server" \
        || bad "Send key > Ctrl+Alt+F2: $(tail -n +"$MARK" "$T/server.err" | grep 'input: key' | tr '\n' ' ')"

    # File > Disconnect: a normal end
    xdotool mousemove 12 10 click 1; sleep 0.5
    xdotool key Down Down Return
    xdotool mousemove 300 200
    wait_for 10 "" bash -c "! kill -0 $VPID 2>/dev/null"
    if kill -0 "$VPID" 2>/dev/null; then
        bad "File > Disconnect: the viewer is still running"
    else
        wait "$VPID"; st=$?
        [ $st = 0 ] && ok "File > Disconnect: exit 0" || bad "File > Disconnect: exit $st"
    fi
fi
stop_pid "$VPID"
stop_pid "$SERVER_PID"

# ---- 3. --reconnect ------------------------------------------------------
port2=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port2" --disable-ticketing
if viewer re --reconnect "spice://127.0.0.1:$port2"; then
    stop_pid "$SERVER_PID"
    wait_for 10 "$VPID" grep -q "reconnecting" "$T/re.err" || bad "--reconnect: no reconnect attempt"
    start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port2" --disable-ticketing
    pictures() { [ "$(grep -c 'first picture' "$T/re.err")" -ge 2 ]; }
    wait_for 15 "$VPID" pictures \
        && ok "--reconnect: server restarted, the picture is back" \
        || bad "--reconnect: $(tail -n 3 "$T/re.err")"
fi
stop_pid "$VPID"

# ---- 4. pointer grab in server mouse mode (QEMU with a PS/2 mouse only) ---
if command -v qemu-system-x86_64 >/dev/null; then
    qport=$(free_port)
    start_qemu "$qport" disable-ticketing=on
    if viewer grab "spice://127.0.0.1:$qport"; then
        hint='(Press Shift+F12 to release pointer)'
        xwininfo -root -tree | grep -qF "$hint" && bad "grab hint shown before any click"
        xdotool mousemove 300 200 click 1; sleep 1
        grep -q "pointer grabbed (server mouse mode)" "$T/grab.err" && xwininfo -root -tree | grep -qF "$hint" \
            && ok "server mouse mode: a click grabs the pointer, the title says '$hint'" \
            || bad "no grab: $(grep -i 'pointer\|mouse' "$T/grab.err" | tail -n 2)"
        # keyboard grab: the pointer leaves the window (no confinement), keys still come
        xdotool mousemove 1200 780; sleep 0.3
        mark_v=$(($(wc -l <"$T/grab.err") + 1))
        xdotool key a alt+Tab; sleep 0.5
        keys=$(tail -n +"$mark_v" "$T/grab.err" | grep -o 'key [0-9a-f]* down' | tr '\n' ' ')
        [[ "$keys" == *"key 1e down"* && "$keys" == *"key 38 down"* && "$keys" == *"key f down"* ]] \
            && ok "keyboard grabbed with the pointer: a and Alt+Tab go to the guest from outside the window ($keys)" \
            || bad "keyboard not grabbed: keys typed outside the window: '$keys'"
        xdotool mousemove 300 200; sleep 0.3
        xdotool key shift+F12; sleep 1
        grep -q "pointer released" "$T/grab.err" && ! xwininfo -root -tree | grep -qF "$hint" \
            && ok "Shift+F12 (release-cursor) releases it, the hint goes" || bad "Shift+F12 did not release"
        xdotool mousemove 1200 780; sleep 0.3
        mark_v=$(($(wc -l <"$T/grab.err") + 1))
        xdotool key b; sleep 0.5
        tail -n +"$mark_v" "$T/grab.err" | grep -q 'key 30 down' \
            && bad "after Shift+F12 the keyboard is still grabbed (b typed outside reached the guest)" \
            || ok "after Shift+F12 the keyboard is released too (b typed outside the window stays out)"
    fi
    stop_pid "$VPID"
    stop_pid "$QEMU_PID"
else
    echo "skip grab: qemu-system-x86_64 not installed"
fi

[ $fails = 0 ] || { echo "$fails failure(s)"; dump_logs; exit 1; }
