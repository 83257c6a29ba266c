#!/bin/bash
# remote-viewer (spice-gtk 0.42, resize-guest on) with two heads
# (`--source pattern:...,heads=2`, whose heads follow the monitors config):
# our built-in agent announces VD_AGENT_CAP_SPARSE_MONITORS_CONFIG, so with
# display 1's window (head 0) closed spice-gtk still numbers its monitors
# by display (head 0 disabled, 0x0), and resizing display 2's window
# resizes head 1, not head 0 (without the cap spice-gtk packs the enabled
# monitors and head 1's size went to head 0).  Display 1 is turned off in
# display 2's window through remote-viewer's Displays menu (the monitor
# icon in its header bar; closing display 1's window would end the
# session, after asking).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog remote-viewer virt-viewer
need_prog xdotool xdotool

port=$(free_port)
start_server --source pattern:480x300,fps=5,heads=2 --listen "tcp:127.0.0.1:$port" --disable-ticketing
start_xvfb 1600x900
export NO_AT_BRIDGE=1 GDK_BACKEND=x11

# win N: remote-viewer's visible window of display N (titled "NAME (N)",
# NAME the server's display name)
win() { xdotool search --onlyvisible --name " \\($1\\)\$" 2>/dev/null | head -n1; }
sizes() { grep -a -o "pattern: head $1 now [0-9]*x[0-9]*" "$T/server.err"; }

start_bg viewer 120 remote-viewer "spice://127.0.0.1:$port"
viewer=$BG_PID
wait_for 30 "$viewer" eval '[ -n "$(win 1)" ] && [ -n "$(win 2)" ]' ||
    fail "remote-viewer did not open two display windows: $(tail -n 5 "$T/viewer.err")"
xdotool windowmove "$(win 1)" 0 0 && xdotool windowmove "$(win 2)" 800 0 ||
    fail "xdotool could not move the windows apart"
wait_for 15 "$SERVER_PID" eval '[ "$(grep -ac "gets pixels" "$T/server.err")" -ge 2 ]' ||
    fail "remote-viewer's display channels never came"
sleep 3 # spice-gtk's first monitors configs
grep -aq 'agent: monitor .* refused\|malformed monitors config' "$T/server.err" &&
    fail "the server refused spice-gtk's monitors config: $(grep -a refused "$T/server.err" | tail -n 2)"

# display 2's window at 800,0: the Displays icon at +112+27, its menu's
# "Display 1" check item at +98+87 (virt-viewer 11, Adwaita, Xvfb's fonts)
xdotool mousemove 912 27 click 1
sleep 1
xdotool mousemove 898 87 click 1
wait_for 10 "$viewer" eval '[ -z "$(win 1)" ]' || {
    import -window root "${TMPDIR:-/tmp}/spicecast-rv-sparse-fail.png" 2>/dev/null
    fail "display 1's window still shown after Displays > Display 1 was unchecked"
}
xdotool key Escape
sleep 2
n0=$(sizes 0 | wc -l) n1=$(sizes 1 | wc -l)
xdotool windowsize "$(win 2)" 700 500 || fail "xdotool windowsize failed"
wait_for 15 "$SERVER_PID" eval '[ "$(sizes 1 | wc -l)" -gt '"$n1"' ]' ||
    fail "display 2's window 700x500 with display 1 closed: head 1 never resized" \
        "(head 0: $(sizes 0 | tail -n1)): $(grep -a 'agent' "$T/server.err" | tail -n 3)"
sleep 2
size=$(sizes 1 | tail -n1 | sed 's/.* //')
[ "${size%x*}" -le 700 ] && [ "${size%x*}" -gt 650 ] && [ "${size#*x}" -le 500 ] &&
    [ "${size#*x}" -gt 380 ] || fail "display 2's window 700x500: head 1 is $size"
[ "$(sizes 0 | wc -l)" = "$n0" ] ||
    fail "display 2's size went to head 0 too: $(sizes 0 | tail -n1)"
note "display 1's window closed, display 2's 700x500: head 1 is $size, head 0 left alone"
alive "$viewer" || fail "remote-viewer exited: $(tail -n 5 "$T/viewer.err")"
server_alive
