#!/bin/bash
# The GTK viewer in Xvfb against spicecast-server --source image: a PNG of
# four colour blocks must appear in a screenshot of the screen, scaled with
# its aspect ratio kept (over TCP, and over a unix socket with --attach and
# --gl-scanout on); a key typed in the window must reach the server; the
# title shows the URI; a server that goes away makes the viewer say so;
# a video stream goes through the renderer; passwords.
set -u
# lib.sh: $T, skip, free_port, start_bg/start_xvfb and a cleanup trap that
# ends every helper (their process groups, and whatever carries the test's
# mark) when the test ends
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
SERVER=$SERVER_BIN
VIEWER=$top_builddir/client/viewer
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$top_srcdir/data/spicecast-viewer.desktop" \
        || { echo "FAIL data/spicecast-viewer.desktop does not validate"; exit 1; }
    echo "ok   data/spicecast-viewer.desktop validates"
fi
for t in Xvfb convert import xwininfo; do
    command -v $t >/dev/null || skip "$t not installed (xvfb, imagemagick, x11-utils)"
done
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
[ -x "$SERVER" ] || skip "server/spicecast-server not built"

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

start_xvfb 1280x800

# 1600x1000 (larger than the screen's 90%: the window scales it down):
# red | green over blue | yellow
convert -size 800x500 xc:'#ff0000' xc:'#00ff00' +append \
    \( -size 800x500 xc:'#0000ff' xc:'#ffff00' +append \) -append "$T/x.png"

PORT=$(free_port)
SOCK=$T/xdg/spicecast/v.sock # what --attach v finds with XDG_RUNTIME_DIR=$T/xdg
start_bg srv 100 env SPICECAST_DEBUG=1 "$SERVER" --source image:"$T/x.png" --listen tcp:127.0.0.1:$PORT \
    --listen unix:"$SOCK" --gl-scanout on --disable-ticketing
SPID=$BG_PID
for _ in $(seq 100); do grep -q "^listening on unix" "$T/srv.out" 2>/dev/null && break; sleep 0.1; done
grep -q "^listening on unix" "$T/srv.out" || { bad "server did not start: $(cat $T/srv.err)"; exit 1; }

# box COLOUR SHOT: "w h x y" of the pixels of that colour (fuzz 20%)
box() {
    convert "$2" -fuzz 20% -fill black +opaque "$1" -fill white -opaque "$1" \
        -format '%@' info: 2>/dev/null | sed 's/[x+]/ /g'
}

# check_blocks NAME SHOT: the four blocks, same size, in place, aspect ~1.6
check_blocks() {
    local name=$1 shot=$2 r g b y
    r=($(box '#ff0000' "$shot")); g=($(box '#00ff00' "$shot"))
    b=($(box '#0000ff' "$shot")); y=($(box '#ffff00' "$shot"))
    if [ ${#r[@]} != 4 ] || [ ${#g[@]} != 4 ] || [ ${#b[@]} != 4 ] || [ ${#y[@]} != 4 ]; then
        bad "$name: colour blocks missing (red ${r[*]:-none} green ${g[*]:-none} blue ${b[*]:-none} yellow ${y[*]:-none})"
        return
    fi
    echo "     $name: red ${r[*]} green ${g[*]} blue ${b[*]} yellow ${y[*]}"
    local w=${r[0]} h=${r[1]}
    if [ "$w" -lt 40 ] || [ "$h" -lt 25 ]; then bad "$name: red block ${w}x$h too small"; return; fi
    # aspect ratio 320:200 kept (2% slack), the four blocks the same size
    [ $((w * 500 * 100 / (h * 800))) -ge 98 ] && [ $((w * 500 * 100 / (h * 800))) -le 102 ] \
        && ok "$name: aspect ratio kept (${w}x$h blocks of 800x500)" || bad "$name: aspect ratio ${w}x$h"
    if [ "${3:-}" != unscaled ]; then
        [ "$w" -lt 800 ] && ok "$name: scaled down to fit the screen" || bad "$name: not scaled (${w}x$h)"
    fi
    local same=1 p
    for p in "${g[*]}" "${b[*]}" "${y[*]}"; do
        set -- $p
        [ $(( $1 - w )) -ge -2 ] && [ $(( $1 - w )) -le 2 ] && [ $(( $2 - h )) -ge -2 ] && [ $(( $2 - h )) -le 2 ] || same=0
    done
    [ $same = 1 ] && ok "$name: four blocks of one size" || bad "$name: block sizes differ"
    # green right of red, blue below red, yellow right of blue and below green
    local dx=$(( g[2] - r[2] - w )) dy=$(( b[3] - r[3] - h ))
    if [ ${dx#-} -le 2 ] && [ ${dy#-} -le 2 ] && [ $(( y[2] - b[2] - w )) -ge -2 ] && [ $(( y[2] - b[2] - w )) -le 2 ] \
        && [ $(( y[3] - g[3] - h )) -ge -2 ] && [ $(( y[3] - g[3] - h )) -le 2 ] \
        && [ $(( g[3] - r[3] )) -ge -2 ] && [ $(( g[3] - r[3] )) -le 2 ]; then
        ok "$name: blocks in place (red top-left at ${r[2]},${r[3]})"
    else
        bad "$name: blocks out of place (orientation?)"
    fi
}

# run_viewer NAME ARGS...: starts it, waits for the renderer line and a picture
run_viewer() {
    local name=$1; shift
    start_bg "$name" 60 env SPICECAST_DEBUG=1 "$VIEWER" "$@"
    VPID=$BG_PID
    for _ in $(seq 100); do
        grep -q "first picture\|scanout [0-9]" "$T/$name.err" 2>/dev/null && break
        kill -0 $VPID 2>/dev/null || break
        sleep 0.1
    done
    sleep 1.5 # a frame or two drawn
}

# 1. TCP, the window sized to the surface
run_viewer tcp spice://127.0.0.1:$PORT
renderer=$(grep -o "renderer: [a-z]*$" "$T/tcp.err" | tail -1)
[ -n "$renderer" ] && ok "tcp: $renderer" || bad "tcp: no renderer chosen: $(tail -5 $T/tcp.err)"
import -window root "$T/tcp.png" && check_blocks tcp "$T/tcp.png"
xwininfo -root -tree | grep -q "spice://127.0.0.1:$PORT" && ok "tcp: title shows the URI" \
    || bad "tcp: no window titled with the URI"

# 2. a key typed in the window reaches the server (xdotool: bootstrap installs it)
if command -v xdotool >/dev/null; then
    r=($(box '#ff0000' "$T/tcp.png"))
    timeout 10 xdotool mousemove $(( ${r[2]:-10} + 10 )) $(( ${r[3]:-10} + 10 )) click 1
    timeout 10 xdotool key --delay 50 a Up
    for _ in $(seq 30); do grep -q "input: key e0 48 up" "$T/srv.err" && break; sleep 0.1; done
    grep -q "input: key 1e down" "$T/srv.err" && ok "key 'a' reached the server as 1e" \
        || bad "key: server saw $(grep -c 'input: key' $T/srv.err) key events"
    grep -q "input: key 9e up\|input: key 1e up" "$T/srv.err" && ok "key release reached the server" \
        || bad "key release missing"
    grep -q "input: key e0 48 down" "$T/srv.err" && ok "key Up reached the server as e0 48" \
        || bad "key Up: $(grep 'input: key' $T/srv.err | tail -n 2)"
    # the pointer in surface pixels: screen (360, 180) in the display
    # whose top-left is the red block's (below the menu bar), scaled by
    # blocks/800, is surface ((360-x)*800/w, (180-y)*800/w)
    w=${r[0]:-576}
    ex=$(((360 - ${r[2]:-0}) * 800 / w)); ey=$(((180 - ${r[3]:-0}) * 800 / w))
    timeout 10 xdotool mousemove 360 180 click 3
    for _ in $(seq 30); do grep -q "input: pointer .* buttons 4" "$T/srv.err" && break; sleep 0.1; done
    pt=$(grep "input: pointer .* buttons 4" "$T/srv.err" | tail -n 1 | grep -o "[0-9]*,[0-9]*")
    px=${pt%,*}; py=${pt#*,}
    if [ -n "$pt" ] && [ $((px - ex)) -ge -2 ] && [ $((px - ex)) -le 2 ] && [ $((py - ey)) -ge -2 ] && [ $((py - ey)) -le 2 ]; then
        ok "right click at surface $pt (expected $ex,$ey)"
    else
        bad "pointer: server got '${pt:-nothing}', expected $ex,$ey"
    fi
else
    echo "skip keys: xdotool not installed"
fi
stop_pid $VPID

# 2b. the CPU renderer, forced
run_viewer cairo --renderer cairo spice://127.0.0.1:$PORT
grep -q "renderer: cairo$" "$T/cairo.err" && ok "cairo: renderer forced" || bad "cairo: $(tail -n 3 $T/cairo.err)"
import -window root "$T/cairo.png" && check_blocks cairo "$T/cairo.png"
stop_pid $VPID

# 2c. --full-screen: the whole 1280x800 screen (1.6 like the image)
run_viewer full --full-screen --title "sc full" spice://127.0.0.1:$PORT
import -window root "$T/full.png" && check_blocks full "$T/full.png"
r=($(box '#ff0000' "$T/full.png"))
[ "${r[0]:-0}" -ge 638 ] && [ "${r[1]:-0}" -ge 398 ] && ok "full screen: ${r[0]}x${r[1]} blocks" \
    || bad "full screen: red block ${r[*]:-missing}"
xwininfo -root -tree | grep -q '"sc full"' && ok "--title" || bad "--title not set"
stop_pid $VPID

# 3. --attach NAME: unix socket, GL scanout (the server passes its memfd)
XDG_RUNTIME_DIR=$T/xdg run_viewer attach --attach v
grep -q "scanout [0-9]*x[0-9]*" "$T/attach.err" && ok "attach: scanout fd received" \
    || bad "attach: no scanout: $(tail -5 $T/attach.err)"
grep -o "scanout \(imported\|mapped\)[^(]*" "$T/attach.err" | head -1 | sed 's/^/     /'
import -window root "$T/attach.png" && check_blocks attach "$T/attach.png"

# 4. the server goes away: the viewer says so (and exits 1 once the dialog is closed)
kill -TERM $SPID
for _ in $(seq 50); do grep -q "disconnected" "$T/attach.err" && break; sleep 0.1; done
grep -q "disconnected" "$T/attach.err" && ok "server gone: '$(grep -m1 disconnected $T/attach.err)'" \
    || bad "server gone: the viewer said nothing"
if command -v xdotool >/dev/null; then
    sleep 0.5
    # no window manager gives the dialog focus: focus it, then Escape closes it
    dlg=$(timeout 5 xdotool search --onlyvisible --pid $(pgrep -P $VPID -x viewer || echo $VPID) 2>/dev/null | tail -1)
    [ -n "$dlg" ] && timeout 5 xdotool windowfocus "$dlg" key Escape
    st=0; for _ in $(seq 30); do kill -0 $VPID 2>/dev/null || break; sleep 0.1; done
    if kill -0 $VPID 2>/dev/null; then
        echo "     the dialog did not take the key (no window manager): left as is"
    else
        wait $VPID; st=$?
        [ $st = 1 ] && ok "exit status 1 after a disconnect" || bad "exit status $st after a disconnect"
    fi
fi

# 5. a video stream (H.264 or VP8 from a y4m of the same blocks, a white
# square blinking in the middle): frames go through the renderer (the GL
# renderer's YUV shader) and show the blocks in place
if convert -size 320x200 xc:'#ff0000' xc:'#00ff00' +append \
        \( -size 320x200 xc:'#0000ff' xc:'#ffff00' +append \) -append "$T/a.png" &&
    convert "$T/a.png" -fill white -draw "rectangle 300,180 340,220" "$T/b.png"; then
    # ImageMagick writes I420 for yuv: with 4:2:0 (and may exit 1 all the same)
    convert "$T/a.png" -sampling-factor 4:2:0 -depth 8 yuv:"$T/a.yuv" 2>/dev/null
    convert "$T/b.png" -sampling-factor 4:2:0 -depth 8 yuv:"$T/b.yuv" 2>/dev/null
fi
if [ "$(stat -c %s "$T/a.yuv" 2>/dev/null)" = 384000 ] && [ "$(stat -c %s "$T/b.yuv")" = 384000 ]; then
    { printf 'YUV4MPEG2 W640 H400 F10:1 Ip A1:1 C420jpeg\n'
      for _ in 1 2 3 4 5; do printf 'FRAME\n'; cat "$T/a.yuv"; printf 'FRAME\n'; cat "$T/b.yuv"; done
    } > "$T/v.y4m"
    PORT2=$(free_port)
    start_bg srv2 60 "$SERVER" --source y4m:"$T/v.y4m" --streaming-video all --listen tcp:127.0.0.1:$PORT2 \
        --disable-ticketing
    for _ in $(seq 100); do grep -q "^listening on" "$T/srv2.out" 2>/dev/null && break; sleep 0.1; done
    run_viewer video spice://127.0.0.1:$PORT2
    sleep 1.5
    grep -q "video: frames" "$T/video.err" && ok "$(grep -m1 -o 'video: frames.*' "$T/video.err")" \
        || bad "video: no stream frames reached the window"
    import -window root "$T/video.png" && check_blocks video "$T/video.png" unscaled
    stop_pid $VPID
else
    echo "skip video: ImageMagick did not write I420"
fi

# 6. --password-file: the right one shows the picture, a wrong one is refused
echo "s3cret word" > "$T/pw"; echo "wrong" > "$T/pw-bad"
PORT3=$(free_port)
start_bg srv3 60 "$SERVER" --source image:"$T/x.png" --listen tcp:127.0.0.1:$PORT3 --password-file "$T/pw"
for _ in $(seq 100); do grep -q "^listening on" "$T/srv3.out" 2>/dev/null && break; sleep 0.1; done
run_viewer pw --password-file "$T/pw" spice://127.0.0.1:$PORT3
grep -q "first picture" "$T/pw.err" && ok "right password: picture shown" || bad "right password: $(tail -n 3 $T/pw.err)"
stop_pid $VPID
run_viewer pwbad --password-file "$T/pw-bad" spice://127.0.0.1:$PORT3
grep -q "disconnected" "$T/pwbad.err" && ! grep -q "first picture" "$T/pwbad.err" \
    && ok "wrong password: '$(grep -m1 disconnected $T/pwbad.err)'" || bad "wrong password: $(tail -n 3 $T/pwbad.err)"
stop_pid $VPID

[ $fails = 0 ] || { echo "$fails failure(s); logs:"; for f in "$T"/*.err; do echo "== $f"; tail -n 5 "$f"; done; }
[ $fails = 0 ]
