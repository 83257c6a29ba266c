#!/bin/bash
# The viewer's stats overlay (issue 9 item 5, issue 12 item 4's "Stats"):
#  - engine: viewer-headless --live-stats prints the figures the overlay
#    shows (sc_client_live_stats): on our server's H.264 stream frames and
#    fps > 0, codec h264, decode p50/p95 >= 0, kbit/s > 0, capture ->
#    present > 0 (stamped pattern), the server's stages (source, encoder,
#    queued, written: SC_MSG_DISPLAY_FRAME_TIMES) in order; on the lossless path codec lossless and
#    capture -> present too; without the option no figures at all;
#  - window, for each renderer (gl, cairo), in Xvfb with xdotool, a still
#    image on the lossless path: Ctrl+Alt+S shows the overlay (the shot
#    changes inside a panel-sized region at the display's top-left and
#    nowhere else: the picture is still shown around it), Ctrl+Alt+S again
#    restores the picture pixel-exact; View > Stats does the same; a
#    --hotkeys=toggle-stats=shift+f5 moves it there;
#  - window on an H.264 stream (pattern source): the overlay shows, its
#    panel is dark (drawn over the moving picture), and the picture around
#    it keeps changing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_headless
VIEWER=$top_builddir/client/viewer
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# ---- 1. the engine's figures (viewer-headless) -------------------------
"$HEADLESS_BIN" --list-decoders >"$T/decoders" 2>&1 || fail "viewer-headless --list-decoders failed"
have_h264=false
grep -q '^openh264:h264 ok' "$T/decoders" && have_h264=true
port=$(free_port)
if $have_h264; then
    start_server --streaming-video all --video-codecs openh264:h264 --source pattern:320x240,stamp \
        --listen "tcp:127.0.0.1:$port" --disable-ticketing
    headless 30 --live-stats --wait-video 30 --screenshot "$T/v.ppm" "spice://127.0.0.1:$port" ||
        bad "viewer-headless --live-stats on H.264 failed (exit $?)"
    line=$(grep '^live: ' "$T/headless.err" | tail -n 1)
    note "$line"
    [[ "$line" =~ frames=([0-9]+)\ fps=([0-9.]+)\ codec=([^ ]+)\ kbit_s=([0-9]+)\ decode=(-?[0-9]+)/(-?[0-9]+)\ recv-decoded=(-?[0-9]+) ]] &&
        [ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[3]}" = h264 ] &&
        [ "${BASH_REMATCH[4]}" -gt 0 ] && [ "${BASH_REMATCH[5]}" -ge 0 ] &&
        [ "${BASH_REMATCH[6]}" -ge "${BASH_REMATCH[5]}" ] && [ "${BASH_REMATCH[7]}" -ge "${BASH_REMATCH[5]}" ] &&
        awk -v f="${BASH_REMATCH[2]}" 'BEGIN { exit !(f > 0) }' &&
        [[ "$line" =~ capture-present=([0-9]+)/([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
        ok "H.264: the live figures are filled ($line)" || bad "H.264 live figures: '${line:-none}'"
    # the server's stages (SC_MSG_DISPLAY_FRAME_TIMES), p50 from capture: all
    # there, in order where they are the same frames' (source <= to the
    # encoder <= encode start <= end <= queued)
    [[ "$line" =~ server-p50=([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+) ]] &&
        [ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] &&
        [ "${BASH_REMATCH[2]}" -le "${BASH_REMATCH[3]}" ] &&
        [ "${BASH_REMATCH[3]}" -le "${BASH_REMATCH[4]}" ] &&
        [ "${BASH_REMATCH[4]}" -le "${BASH_REMATCH[5]}" ] && [ "${BASH_REMATCH[6]}" -gt 0 ] &&
        ok "H.264: the server's stages are in the figures (${BASH_REMATCH[0]})" ||
        bad "H.264: the server's stages missing or out of order: '${line:-none}'"
    stop_pid "$SERVER_PID"
    : >"$T/headless.err"
else
    echo "skip H.264 figures: no openh264 decoder here"
fi
start_server --source pattern:320x240,stamp --listen "tcp:127.0.0.1:$port" --disable-ticketing
headless 30 --live-stats --wait-frames 10 --screenshot "$T/l.ppm" "spice://127.0.0.1:$port" ||
    bad "viewer-headless --live-stats lossless failed (exit $?)"
line=$(grep '^live: ' "$T/headless.err" | tail -n 1)
[[ "$line" =~ frames=([1-9][0-9]*)\ fps=[0-9.]+\ codec=lossless\ kbit_s=[1-9].*capture-present=[1-9][0-9]*/ ]] &&
    ok "lossless: the live figures are filled ($line)" || bad "lossless live figures: '${line:-none}'"
: >"$T/headless.err"
headless 30 --wait-frames 10 --screenshot "$T/n.ppm" "spice://127.0.0.1:$port" || bad "viewer-headless failed"
grep -q '^live: ' "$T/headless.err" && bad "figures without --live-stats" || ok "no figures when off"
stop_pid "$SERVER_PID"

# ---- 2. the window -------------------------------------------------------
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
for p in convert compare import; do need_prog $p imagemagick; done
need_prog xdotool xdotool
start_xvfb 1280x800
export SPICECAST_DEBUG=1

shot() { import -window root "$T/$1.png"; }
# changed A B: "w h x y" of the region where A and B differ (empty: none)
changed() {
    local r
    [ "$(image_diff "$1" "$2")" = 0 ] && return 0
    r=$(convert "$1" "$2" -compose difference -composite -threshold 0 -format '%@' info: 2>/dev/null)
    echo "$r" | sed 's/[x+]/ /g'
}
viewer() {
    local name=$1
    shift
    start_bg "$name" 90 "$VIEWER" "$@"
    VPID=$BG_PID
    wait_for 20 "$VPID" grep -q "first picture" "$T/$name.err" ||
        { bad "$name: no picture: $(tail -n 3 "$T/$name.err")"; return 1; }
    xdotool mousemove 400 300
    sleep 1
}
# overlay_cycle NAME HOW_ON HOW_OFF: shots off / on / off, the checks
overlay_cycle() {
    local name=$1 on=$2 off=$3 r
    shot "$name-0"
    eval "$on"; sleep 2.5; shot "$name-1"
    r=($(changed "$T/$name-0.png" "$T/$name-1.png"))
    if [ ${#r[@]} = 4 ] && [ "${r[0]}" -le 320 ] && [ "${r[1]}" -le 240 ] && [ "${r[0]}" -ge 150 ] &&
        [ "${r[1]}" -ge 60 ]; then
        ok "$name: the overlay shows (${r[0]}x${r[1]} at +${r[2]}+${r[3]}), the picture elsewhere unchanged"
        OVERLAY=("${r[@]}")
    else
        bad "$name: after '$on' the change is '${r[*]:-none}', not a stats panel"
    fi
    eval "$off"; sleep 1.5; shot "$name-2"
    r=$(image_diff "$T/$name-0.png" "$T/$name-2.png")
    [ "$r" = 0 ] && ok "$name: off again, the picture is back pixel-exact" ||
        bad "$name: off again, $r pixels differ"
}
stats_menu() { xdotool mousemove 12 10 click 1; sleep 0.5; xdotool key Right Down Down Down Down Down Down Return; sleep 0.3; xdotool mousemove 400 300; }

make_test_image "$T/x.png" 640 400
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --disable-ticketing
for r in gl cairo; do
    if viewer "$r" --renderer "$r" --zoom 100 "spice://127.0.0.1:$port"; then
        grep -o "renderer: [a-z]*" "$T/$r.err" | head -n 1
        overlay_cycle "$r-hotkey" "xdotool key ctrl+alt+s" "xdotool key ctrl+alt+s"
        overlay_cycle "$r-menu" stats_menu stats_menu
        grep -q "stats overlay on" "$T/$r.err" || bad "$r: no 'stats overlay on' in the log"
    fi
    stop_pid "$VPID"
done
if viewer hk --zoom 100 --hotkeys=toggle-stats=shift+f5 "spice://127.0.0.1:$port"; then
    xdotool key ctrl+alt+s; sleep 1.5
    grep -q "stats overlay on" "$T/hk.err" && bad "--hotkeys without toggle-stats: ctrl+alt+s still toggles" ||
        ok "--hotkeys=toggle-stats=shift+f5: ctrl+alt+s is no longer the hotkey"
    overlay_cycle "hk-shift+f5" "xdotool key shift+F5" "xdotool key shift+F5"
fi
stop_pid "$VPID"
stop_pid "$SERVER_PID"

if $have_h264 && [ ${#OVERLAY[@]} = 4 ]; then
    start_server --streaming-video all --video-codecs openh264:h264 --source pattern:640x400,stamp \
        --listen "tcp:127.0.0.1:$port" --disable-ticketing
    if viewer video --zoom 100 "spice://127.0.0.1:$port"; then
        xdotool key ctrl+alt+s; sleep 2.5; shot v1; sleep 0.5; shot v2
        # the panel: dark (black at 0.7 over the picture), mostly
        crop="${OVERLAY[0]}x${OVERLAY[1]}+${OVERLAY[2]}+${OVERLAY[3]}"
        mean=$(convert "$T/v1.png" -crop "$crop" +repage -colorspace Gray -format '%[fx:mean]' info:)
        awk -v m="$mean" 'BEGIN { exit !(m < 0.35) }' && ok "H.264: the panel is drawn (mean $mean)" ||
            bad "H.264: no dark panel at $crop (mean $mean)"
        r=($(changed "$T/v1.png" "$T/v2.png"))
        [ ${#r[@]} = 4 ] && [ "${r[0]}" -gt "${OVERLAY[0]}" ] &&
            ok "H.264: the picture keeps moving around the overlay (${r[*]})" ||
            bad "H.264: the picture is not moving with the overlay on (${r[*]:-no change})"
        grep -q "stats overlay on" "$T/video.err" || bad "H.264: no 'stats overlay on' in the log"
    fi
    stop_pid "$VPID"
fi

[ $fails = 0 ] || { echo "$fails failure(s)"; dump_logs; exit 1; }
