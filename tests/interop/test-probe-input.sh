#!/bin/bash
# A key press, a pointer move and a left click sent by a spice-gtk client through the
# inputs channel reach the source (the server logs them with
# SPICECAST_DEBUG=1: "input: key 1e down", "input: pointer X,Y buttons B"),
# and the cursor channel gives the client a cursor shape that follows the
# pointer (at least one MOVE after the pointer moved).  The pointer first
# moves through 40 positions: spice-gtk sends no more than 8 moves without a
# MOUSE_MOTION_ACK, so the final position only arrives if the server acks.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe

port=$(free_port)
export SPICECAST_DEBUG=1
start_server --source pattern:640x480 --listen "tcp:127.0.0.1:$port" --disable-ticketing
unset SPICECAST_DEBUG
run_probe 20 --uri "spice://127.0.0.1:$port" --send-key 0x1e --send-pointer 123,45 --pointer-trail 40 --click >"$T/input.out"
rc=$?
cat "$T/input.out" >&2
server_alive
[ $rc = 0 ] || fail "the probe failed to send input"
grep -q '^pointer=position 123,45' "$T/input.out" ||
    fail "the client was not in client (absolute) mouse mode: $(grep '^pointer=' "$T/input.out")"
sleep 0.5
grep -a 'input:' "$T/server.err" >&2
grep -aq 'input: key 1e down' "$T/server.err" || fail "key 0x1e press did not reach the source"
grep -aEq 'input: key (1e|9e) up' "$T/server.err" || fail "key 0x1e release did not reach the source"
grep -aq 'input: pointer 123,45 buttons 0' "$T/server.err" ||
    fail "the final pointer position did not reach the source (MOUSE_MOTION_ACK missing?)"
n=$(grep -ac 'input: pointer [0-9]*,45 buttons 0' "$T/server.err")
[ "$n" -gt 8 ] || fail "only $n pointer positions arrived: spice-gtk stalled waiting for MOUSE_MOTION_ACK"
grep -aq 'input: pointer 123,45 buttons 1' "$T/server.err" || fail "left button press did not reach the source"
cur=$(grep '^cursor_shapes=' "$T/input.out")
set -- $cur
[ "${1#cursor_shapes=}" -ge 1 ] 2>/dev/null || fail "no cursor shape from the cursor channel: $cur"
case $2 in cursor_size=0x0 | cursor_size=) fail "empty cursor shape: $cur" ;; esac
[ "${3#cursor_moves=}" -ge 1 ] 2>/dev/null || fail "the cursor did not follow the pointer: $cur"
note "key and pointer reached the source; cursor: $cur"
