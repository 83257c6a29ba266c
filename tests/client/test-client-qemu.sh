#!/bin/bash
# The client engine against QEMU 7.2's own SPICE server (SeaBIOS text screen
# on -device VGA): the screenshot equals spicy-screenshot's, taken right
# after (a few pixels may differ: the blinking text cursor); updates after
# MARK arrive; a password is checked right and wrong.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_prog qemu-system-x86_64 qemu-system-x86
need_prog spicy-screenshot spice-client-gtk
need_prog compare imagemagick
need_headless
MAX_AE=${MAX_AE:-400} # the cursor block is 9x2 to 9x16 pixels

port=$(free_port)
start_qemu "$port" disable-ticketing=on
sleep 2 # let SeaBIOS draw its screen
headless 30 --screenshot "$T/ours.ppm" "spice://127.0.0.1:$port" ||
    fail "viewer-headless against QEMU failed (exit $?)"
timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -o "$T/ref.ppm" >"$T/spicy.out" 2>&1 ||
    fail "spicy-screenshot failed (exit $?)"
size=$(identify -format '%wx%h' "$T/ours.ppm")
[ "$size" = "$(identify -format '%wx%h' "$T/ref.ppm")" ] || fail "size $size differs from spicy's"
[ "$(identify -format '%k' "$T/ours.ppm")" -ge 2 ] || fail "our screenshot is one flat colour"
ae=$(image_diff "$T/ref.ppm" "$T/ours.ppm")
[ "$ae" -le "$MAX_AE" ] 2>/dev/null || fail "screenshot differs from spicy-screenshot's in $ae pixels"
note "QEMU: $size, $ae pixels differ from spicy-screenshot (blinking cursor allowed: $MAX_AE)"

# spice-server stops sending after 2 x window (40) un-ACKed messages: 45
# updates (the blinking cursor, about 4 a second) prove the ACKs go out
headless 40 --wait-frames 45 --screenshot "$T/later.ppm" "spice://127.0.0.1:$port" ||
    fail "fewer than 45 updates after MARK from QEMU: ACK flow control? (exit $?)"
note "QEMU: 45 updates after MARK (more than the 40 un-ACKed spice-server allows)"
alive "$QEMU_PID" || fail "QEMU died"
stop_pid "$QEMU_PID"

port=$(free_port)
start_qemu "$port" password=secret
headless 30 --password secret --screenshot "$T/pw.ppm" "spice://127.0.0.1:$port" ||
    fail "the right password was refused by QEMU (exit $?)"
if headless 30 --password wrong --screenshot "$T/bad.ppm" "spice://127.0.0.1:$port"; then
    fail "QEMU accepted a wrong password"
fi
grep -q "error 7" "$T/headless.err" || fail "no PERMISSION_DENIED: $(tail -3 "$T/headless.err")"
note "QEMU password: right accepted, wrong refused"

# over a unix socket (spice+unix:// and a plain path)
stop_pid "$QEMU_PID"
start_qemu "unix:$T/qemu.sock" disable-ticketing=on
sleep 2
headless 30 --screenshot "$T/unix.ppm" "spice+unix://$T/qemu.sock" ||
    fail "viewer-headless over QEMU's unix socket failed (exit $?)"
[ "$(identify -format '%wx%h' "$T/unix.ppm")" = "$size" ] || fail "unix screenshot size differs"
ae=$(image_diff "$T/ours.ppm" "$T/unix.ppm")
[ "$ae" -le "$MAX_AE" ] 2>/dev/null || fail "the unix screenshot differs from the TCP one in $ae pixels"
note "QEMU over unix: $ae pixels differ from the TCP screenshot"
