#!/bin/bash
# The GTK viewer shows an NV12 scanout: a VMM embedding libspicecast
# (tests/client/nv12-vmm) scans out NV12 in two sealed memfds; over the unix
# socket our viewer takes GL_SCANOUT2 and gets both fds, and its GL renderer
# (Mesa llvmpipe under Xvfb: GLX, so no EGL import) maps them into a luma
# (R8) and a chroma (RG8) texture drawn through its YUV shader, BT.601
# limited range.  A screenshot of the screen must show the four quadrants
# red, green, blue and white in place, each quadrant's centre within 24 of
# its colour per channel (the shader's float rounding; the edges, where GL
# filters between quadrants, are not looked at).
# Before, the window logged "not shown" and stayed black.  EGL import of
# NV12 (an external texture) needs a GPU: not tested here.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
VIEWER=$top_builddir/client/viewer
VMM=$top_builddir/tests/client/nv12-vmm
for t in Xvfb convert import; do
    command -v $t >/dev/null || skip "$t not installed (xvfb, imagemagick)"
done
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
[ -x "$VMM" ] || fail "tests/client/nv12-vmm not built"

start_xvfb 1024x768
mkdir -p "$T/xdg/spicecast" && chmod 700 "$T/xdg"
start_bg vmm 90 "$VMM" "$T/xdg/spicecast/nv.sock" 80
VMM_PID=$BG_PID
wait_for 20 "$VMM_PID" grep -q '^listening' "$T/vmm.out" || fail "nv12-vmm did not start"

# --attach: a local server, so the viewer asks for GL scanouts
start_bg view 60 env SPICECAST_DEBUG=1 XDG_RUNTIME_DIR="$T/xdg" "$VIEWER" --renderer gl --attach nv
VPID=$BG_PID
wait_for 20 "$VPID" grep -q "scanout NV12\|not shown" "$T/view.err" ||
    fail "the viewer never took the scanout: $(tail -n 5 "$T/view.err")"
grep -q "renderer: gl$" "$T/view.err" || skip "no GL renderer here: $(grep renderer "$T/view.err")"
sleep 1.5 # a frame or two drawn
import -window root "$T/shot.png" || fail "import failed"

# box R G B: "w h x y" of the pixels near that colour (fuzz 20 %)
box() {
    convert "$T/shot.png" -fuzz 20% -fill black +opaque "rgb($1,$2,$3)" \
        -fill white -opaque "rgb($1,$2,$3)" -format '%@' info: 2>/dev/null | sed 's/[x+]/ /g'
}
# near NAME X Y R G B: the screenshot's pixel X,Y is within 24 of R,G,B
near() {
    local name=$1 x=$2 y=$3 px i want d
    px=($(convert "$T/shot.png" -format \
        "%[fx:int(255*p{$x,$y}.r+0.5)] %[fx:int(255*p{$x,$y}.g+0.5)] %[fx:int(255*p{$x,$y}.b+0.5)]" info:))
    for i in 0 1 2; do
        want=$(( i == 0 ? $4 : i == 1 ? $5 : $6 ))
        d=$(( ${px[i]:-999} - want ))
        [ ${d#-} -le 24 ] || fail "$name quadrant: pixel $x,$y is ${px[*]}, expected $4 $5 $6"
    done
    echo "     $name at $x,$y: ${px[*]}" >&2
}
# the red quadrant locates the picture (below the menu bar, zoomed to fit);
# then each quadrant's centre has its colour, and the green and blue
# quadrants are found where they belong, as large as the red one
red=($(box 255 0 0))
[ ${#red[@]} = 4 ] && [ "${red[0]}" -ge 40 ] && [ "${red[1]}" -ge 25 ] ||
    fail "no red quadrant (${red[*]:-none}); $(grep -i 'scanout\|renderer' "$T/view.err" | tail -n 3)"
qw=${red[0]} qh=${red[1]} x0=${red[2]} y0=${red[3]}
near red $((x0 + qw / 2)) $((y0 + qh / 2)) 255 0 0
near green $((x0 + qw * 3 / 2)) $((y0 + qh / 2)) 0 255 0
near blue $((x0 + qw / 2)) $((y0 + qh * 3 / 2)) 0 0 255
near white $((x0 + qw * 3 / 2)) $((y0 + qh * 3 / 2)) 255 255 255
green=($(box 0 255 0)); blue=($(box 0 0 255))
for q in green blue; do
    eval "set -- \${$q[@]:-0 0 0 0}"
    [ "$q" = green ] && ex=$((x0 + qw)) ey=$y0 || { ex=$x0; ey=$((y0 + qh)); }
    for d in $(( $1 - qw )) $(( $2 - qh )) $(( $3 - ex )) $(( $4 - ey )); do
        [ ${d#-} -le 2 ] || fail "$q quadrant ${1}x$2+$3+$4, expected ${qw}x$qh+$ex+$ey"
    done
done
note "quadrants ${qw}x$qh from $x0,$y0: red, green, blue, white in place"
grep -o "scanout NV12 mapped[^(]*" "$T/view.err" | head -n 1 | sed 's/^/     /' >&2
note "NV12 scanout shown through the YUV shader"
stop_pid "$VPID"
exit 0
