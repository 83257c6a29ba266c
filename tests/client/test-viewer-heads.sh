#!/bin/bash
# The viewer's heads in Xvfb against `--source pattern:...,heads=2` (the
# pattern follows each head's monitors config and logs "pattern: head N
# now WxH"):
#  - --auto-resize asks for every head's window size: head 1's window made
#    600x400 resizes head 1 to its display area, head 0's to head 0's;
#  - closing head 0's window (the window manager's close: WM_DELETE_WINDOW,
#    tests/client/wm-close.py) hides it, the viewer goes on, the server is
#    told head 0 is disabled and leaves it as it is, and head 1 still gets
#    its own size (not head 0's, as with a packed monitors list);
#  - View > Displays in head 1's window lists "Display 1" and "Display 2";
#    checking "Display 1" opens head 0's window again;
#  - closing head 1's window then head 0's ends the viewer with status 0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
VIEWER=$top_builddir/client/viewer
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
need_prog xdotool xdotool
need_prog python3 python3
CLOSE=$top_srcdir/tests/client/wm-close.py

port=$(free_port)
start_server --source pattern:480x300,fps=5,heads=2 --listen "tcp:127.0.0.1:$port" --disable-ticketing
start_xvfb 1600x900
export SPICECAST_RENDERER=cairo NO_AT_BRIDGE=1

# win 0|1: the visible window of head 0 ("... spicecast viewer") or head 1
# ("... spicecast viewer (2)"), or nothing
win() {
    local re='spicecast viewer$'
    [ "$1" = 1 ] && re='spicecast viewer \(2\)$'
    xdotool search --onlyvisible --name "$re" 2>/dev/null | head -n1
}
# sizes HEAD: the pattern's size lines for HEAD so far
sizes() {
    grep -a -o "pattern: head $1 now [0-9]*x[0-9]*" "$T/server.err"
}
last_size() { sizes "$1" | tail -n1 | sed 's/.* //'; }
# resized HEAD W H: the window of HEAD made WxH; the server resizes that
# head to its display area (W wide, H less the menu bar high)
resized() {
    local before size
    before=$(sizes "$1" | wc -l)
    xdotool windowsize "$(win "$1")" "$2" "$3" || fail "xdotool windowsize failed"
    wait_for 15 "$SERVER_PID" eval '[ "$(sizes '"$1"' | wc -l)" -gt '"$before"' ]' ||
        fail "head $1's window ${2}x$3: the server's head $1 never resized: $(grep -a 'agent\|pattern' "$T/server.err" | tail -n 5)"
    sleep 1 # settled: the last asked size
    size=$(last_size "$1")
    [ "${size%x*}" = "$2" ] && [ "${size#*x}" -le "$3" ] && [ "${size#*x}" -gt $(($3 - 60)) ] ||
        fail "head $1's window ${2}x$3: the server's head $1 is $size"
    note "head $1's window ${2}x$3: the server's head $1 is now $size"
}

start_bg ours 120 "$VIEWER" --auto-resize "spice://127.0.0.1:$port"
VPID=$BG_PID
wait_for 20 "$VPID" eval '[ -n "$(win 0)" ] && [ -n "$(win 1)" ]' ||
    fail "the viewer did not open two windows: $(tail -n 5 "$T/ours.err")"
xdotool windowmove "$(win 0)" 0 0
xdotool windowmove "$(win 1)" 800 0
wait_for 15 "$SERVER_PID" eval '[ "$(grep -ac "gets pixels" "$T/server.err")" -ge 2 ]' ||
    fail "the viewer's display channels never came"
sleep 2

resized 1 600 400
resized 0 500 350
h0=$(last_size 0)

# head 0's window closed: hidden, head 0 left alone, head 1 still itself
n0=$(sizes 0 | wc -l)
python3 "$CLOSE" "$(win 0)" || fail "wm-close.py failed"
wait_for 10 "$VPID" eval '[ -z "$(win 0)" ]' || fail "head 0's window is still shown after its close"
alive "$VPID" || fail "the viewer ended when head 0's window (of two) was closed"
wait_for 10 "" grep -q 'auto-resize: head 0 disabled' "$T/ours.err" ||
    fail "the viewer did not tell the server head 0 is closed"
resized 1 640 420
[ "$(sizes 0 | wc -l)" = "$n0" ] ||
    fail "head 0 was resized while its window was closed: $(sizes 0 | tail -n 2 | tr '\n' ' ')"
grep -aq 'agent: monitor .* refused\|malformed monitors config' "$T/server.err" &&
    fail "the server refused a monitors config: $(grep -a 'refused' "$T/server.err" | tail -n 2)"
note "head 0's window closed: head 0 stays $h0, head 1 follows its window"

# View > Displays > Display 1 in head 1's window: head 0's window is back
# (File at the window's top left; Right: View; Up: its last item, Displays;
# Right: its submenu, Display 1 selected)
xdotool mousemove 812 10 click 1
sleep 0.5
xdotool key Right Up Right
sleep 0.5
xdotool key Return
wait_for 10 "$VPID" eval '[ -n "$(win 0)" ]' ||
    fail "View > Displays > Display 1 did not open head 0's window again"
# --auto-resize: head 0 is asked for again
head0() { grep -a 'auto-resize: \(head 0 \|asking the server for [0-9]*x[0-9]*$\)' "$T/ours.err" | tail -n1; }
wait_for 10 "$VPID" eval 'head0 | grep -q asking' ||
    fail "head 0's window back: its size was not asked for again: $(head0)"
note "View > Displays > Display 1 opened head 0's window again; its size is asked for again"

# the last window closed ends the viewer, a normal end
python3 "$CLOSE" "$(win 1)" || fail "wm-close.py failed"
wait_for 10 "$VPID" eval '[ -z "$(win 1)" ]' || fail "head 1's window is still shown after its close"
alive "$VPID" || fail "the viewer ended when head 1's window (of two) was closed"
python3 "$CLOSE" "$(win 0)" || fail "wm-close.py failed"
for i in $(seq 50); do alive "$VPID" || break; sleep 0.2; done
alive "$VPID" && fail "the viewer did not end when its last window was closed"
wait "$VPID"
rc=$?
[ "$rc" = 0 ] || fail "the viewer ended with status $rc when its last window was closed"
note "the last window closed: the viewer ended with status 0"
server_alive
