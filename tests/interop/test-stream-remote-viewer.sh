#!/bin/bash
# remote-viewer (virt-viewer, spice-gtk 0.42) under Xvfb with
# --streaming-video all: an 8 s y4m clip (a red block moving over blue,
# a still green marker) plays as a video stream and remote-viewer shows it
# moving, in about the right colours; when the clip ends on its last frame
# the screen shows that frame exactly (the lossless refresh after the
# stream), compared with the probe's screenshot of that frame alone served
# with streaming off.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog remote-viewer virt-viewer
need_prog import imagemagick
need_prog compare imagemagick
need_probe
need_server

# big enough that remote-viewer (its window is at least 320x200 plus bars)
# shows it unscaled
W=640 H=384 FRAMES=96   # 8 s at 12 fps, 4:2:0
MX=560 MY=16            # the green marker, 32x48
RY=288                  # the red block, 48x48, x = 8 * frame % 480

# mky4m OUT FIRST COUNT: frames FIRST.. of the clip.  A row is blue, or
# crosses the marker band (y 16..63) or the block band (y 288..335) only, so
# each frame needs three rows per plane.
mky4m() {
    LC_ALL=C awk -v W=$W -v H=$H -v first="$2" -v count="$3" -v mx=$MX -v my=$MY -v ry=$RY '
    # one row of plane p (chroma at half size): kind 0 blue, 1 marker, 2 block
    function mk(p, kind, k,    s, x, X, sub2, rx, v) {
        s = ""; sub2 = (p == 0) ? 1 : 2; rx = (8 * k) % 480
        for (x = 0; x < W / sub2; x++) {
            X = x * sub2
            if (kind == 1 && X >= mx && X < mx + 32)
                v = p == 0 ? 145 : p == 1 ? 54 : 34                     # green
            else if (kind == 2 && X >= rx && X < rx + 48)
                v = p == 0 ? 81 : p == 1 ? 90 : 240                     # red
            else
                v = p == 0 ? 41 : p == 1 ? 240 : 110                    # blue
            s = s sprintf("%c", v)
        }
        return s
    }
    BEGIN {
        printf "YUV4MPEG2 W%d H%d F12:1 Ip A1:1 C420jpeg\n", W, H
        for (p = 0; p < 3; p++) { blue[p] = mk(p, 0, 0); marker[p] = mk(p, 1, 0) }
        for (k = first; k < first + count; k++) {
            printf "FRAME\n"
            for (p = 0; p < 3; p++) {
                block = mk(p, 2, k); sub2 = (p == 0) ? 1 : 2
                for (y = 0; y < H / sub2; y++) {
                    Y = y * sub2
                    if (Y >= my && Y < my + 48) printf "%s", marker[p]
                    else if (Y >= ry && Y < ry + 48) printf "%s", block
                    else printf "%s", blue[p]
                }
            }
        }
    }' >"$1" || fail "could not write $1"
}

mky4m "$T/clip.y4m" 0 $FRAMES
mky4m "$T/last.y4m" $((FRAMES - 1)) 1

# the reference: the last frame alone, lossless
port=$(free_port)
start_server --source "y4m:$T/last.y4m,loop=no" --listen "tcp:127.0.0.1:$port" --disable-ticketing
run_probe 20 --uri "spice://127.0.0.1:$port" --screenshot "$T/ref.ppm" >"$T/ref.out" ||
    fail "no reference screenshot: $(cat "$T/ref.out")"
stop_pid "$SERVER_PID"

start_xvfb 1024x768
export NO_AT_BRIDGE=1 GDK_BACKEND=x11

# bbox FILE COLOUR: "W H X Y" of the pixels near COLOUR (lossy video)
bbox() {
    convert "$1" -fuzz 20% -fill black +opaque "$2" -format '%@' info: 2>/dev/null |
        sed -n 's/^\([0-9]*\)x\([0-9]*\)+\([0-9]*\)+\([0-9]*\)$/\1 \2 \3 \4/p'
}

shot() { timeout 10 import -window root "$1" 2>>"$T/import.err"; }

port=$(free_port)
SPICECAST_DEBUG=1 start_server --source "y4m:$T/clip.y4m,loop=no" --listen "tcp:127.0.0.1:$port" \
    --disable-ticketing --streaming-video all
t0=$(date +%s)
start_bg viewer 60 remote-viewer "spice://127.0.0.1:$port"
viewer=$BG_PID

# wait for the green marker: then the display area sits at IX,IY
IX= IY=
for i in $(seq 40); do
    sleep 0.25
    alive "$viewer" || fail "remote-viewer exited: $(tail -n 5 "$T/viewer.err")"
    shot "$T/s1.png" || continue
    set -- $(bbox "$T/s1.png" '#00ff00')
    if [ $# = 4 ] && [ $(($1 - 32)) -le 2 ] && [ $(($1 - 32)) -ge -2 ] &&
        [ $(($2 - 48)) -le 2 ] && [ $(($2 - 48)) -ge -2 ]; then
        IX=$(($3 - MX)) IY=$(($4 - MY))
        break
    fi
done
[ -n "$IX" ] || fail "the green marker never appeared on the screen"
[ $(($(date +%s) - t0)) -le 6 ] || fail "remote-viewer took $(($(date +%s) - t0)) s to show the clip: too late to see it move"
grep -q 'video stream group' "$T/server.err" || fail "the server made no video stream for remote-viewer"

# the red block moves: its x differs between two screenshots 0.5 s apart
crop() { convert "$1" -crop "${W}x$H+$IX+$IY" +repage "$2"; }
crop "$T/s1.png" "$T/c1.png"
sleep 0.5
shot "$T/s2.png" || fail "no second screenshot"
crop "$T/s2.png" "$T/c2.png"
r1=$(bbox "$T/c1.png" '#ff0000') r2=$(bbox "$T/c2.png" '#ff0000')
note "display at $IX,$IY; red block: [$r1] then [$r2]"
set -- $r1
[ $# = 4 ] && [ "$4" -ge $((RY - 2)) ] && [ "$4" -le $((RY + 2)) ] || fail "no red block at y=$RY in the first screenshot"
set -- $r2
[ $# = 4 ] || fail "no red block in the second screenshot"
[ "$r1" != "$r2" ] || fail "the red block did not move in 0.5 s"
# blue background where nothing else is drawn
bg=$(convert "$T/c2.png" -crop 16x16+4+360 +repage -format '%[fx:int(255*mean.r)] %[fx:int(255*mean.g)] %[fx:int(255*mean.b)]' info:)
set -- $bg
[ "$1" -le 24 ] && [ "$2" -le 24 ] && [ "$3" -ge 230 ] || fail "the background is $bg, not blue"

# the clip ends at 8 s: 300 ms later the stream ends and the refresh comes
ae=
for i in $(seq 40); do
    sleep 0.5
    alive "$viewer" || fail "remote-viewer exited: $(tail -n 5 "$T/viewer.err")"
    grep -q 'video mode off' "$T/server.err" || continue
    sleep 0.5
    shot "$T/s3.png" || continue
    crop "$T/s3.png" "$T/c3.png"
    ae=$(image_diff "$T/ref.ppm" "$T/c3.png")
    [ "$ae" = 0 ] && break
done
server_alive
[ -n "$ae" ] || fail "the server never left video mode"
[ "$ae" = 0 ] || fail "after the stream ended remote-viewer shows the last frame with $ae pixels different"
note "remote-viewer showed the stream moving, then the last frame exactly"
