#!/bin/bash
# --source qemu-dbus against a real QEMU 7.2 with two consoles (-device VGA
# -device secondary-vga -display dbus,gl=off) on a private session bus,
# first with no console= at all (the source finds QEMU's graphical
# consoles itself), then with consoles=0+1: the server says it has 2
# heads, offers display channels 0 and 1, and a spice-gtk client's
# screenshot of each channel (the probe, --channel-id) equals QEMU's own
# SPICE server's screenshot of the same channel (its display channel N is
# console N) pixel for pixel.  consoles=1 alone gives one head showing
# console 1.  A console QEMU lacks (consoles=0+7) is refused with its
# number.  Skipped where QEMU has no secondary-vga.
if [ -z "${SC_QEMU_DBUS_INNER:-}" ]; then
    for p in dbus-run-session qemu-system-x86_64 gdbus; do
        command -v "$p" >/dev/null 2>&1 || { echo "SKIP: $(basename "$0" .sh): $p not found" >&2; exit 77; }
    done
    SC_QEMU_DBUS_INNER=1 exec timeout -k 5 240 dbus-run-session -- "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_server
need_prog compare imagemagick
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || fail "dbus-run-session gave no DBUS_SESSION_BUS_ADDRESS"
timeout 10 qemu-system-x86_64 -device help 2>/dev/null | grep -q '"secondary-vga"' ||
    skip "this QEMU has no secondary-vga device"

qemu_on_bus() {
    gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetNameOwner org.qemu >/dev/null 2>&1
}
num() { [[ $1 =~ ^[0-9]+$ ]]; }
# shot PORT HEAD OUT: the probe's screenshot of display channel HEAD
shot() {
    run_probe 20 --uri "spice://127.0.0.1:$1" --channel-id "$2" --screenshot "$3" >"$T/shot.out" ||
        fail "no screenshot of display channel $2 on port $1: $(tail -n 3 "$T/probe.err")"
}

ref_port=$(free_port)
start_bg qemu "${QEMU_TIMEOUT:-$HELPER_TIMEOUT}" qemu-system-x86_64 -machine pc -m 64 -nodefaults -device VGA \
    -device secondary-vga -display dbus,gl=off \
    -spice "port=$ref_port,addr=127.0.0.1,disable-ticketing=on" -boot menu=on,splash-time=20000
QEMU_PID=$BG_PID
wait_for 20 "$QEMU_PID" qemu_on_bus || fail "QEMU did not take org.qemu on the session bus"
wait_tcp "$ref_port" 20 "$QEMU_PID" || fail "QEMU's SPICE server did not start"

timeout 20 "$SERVER_BIN" --source qemu-dbus:consoles=0+7 --listen "tcp:127.0.0.1:$(free_port)" \
    >"$T/console.out" 2>&1 && fail "the server started on a console QEMU does not have"
grep -q "QEMU has no console 7" "$T/console.out" || fail "no clear error for console 7: $(cat "$T/console.out")"

# same_heads PORT N: display channels 0..N-1 of our server on PORT equal
# QEMU's own (0 differing pixels; SeaBIOS's text cursor blinks on console
# 0, so the two shots are retried until they catch the same phase)
same_heads() {
    local head i ae ok
    for head in $(seq 0 $(($2 - 1))); do
        ok=
        for i in $(seq 20); do
            shot "$ref_port" $head "$T/ref$head.ppm"
            shot "$1" $head "$T/ours$head.ppm"
            ae=$(image_diff "$T/ref$head.ppm" "$T/ours$head.ppm")
            [ "$ae" = 0 ] && { ok=yes; break; }
            sleep 0.3
        done
        [ -n "$ok" ] || fail "console $head: ours differs from QEMU's own SPICE: $ae pixels"
        note "console $head: ours vs QEMU's own SPICE display channel $head: 0 pixels differ" \
            "($(identify -format '%wx%h' "$T/ours$head.ppm"), after $i tries)"
    done
}
# channels PORT: the display channel ids the probe saw offered
channels() {
    run_probe 20 --uri "spice://127.0.0.1:$1" --screenshot "$T/any.ppm" >"$T/shot.out" ||
        fail "no screenshot on port $1: $(tail -n 3 "$T/probe.err")"
    sed -n 's/^display_channel=//p' "$T/shot.out" | sort -n | tr '\n' ' '
}

# no console=: every graphical console QEMU exports is a head
port=$(free_port)
start_server --source qemu-dbus --listen "tcp:127.0.0.1:$port"
grep -aq "source qemu-dbus has 2 heads" "$T/server.err" ||
    fail "the server did not find QEMU's 2 consoles: $(grep -a qemu-dbus "$T/server.err")"
grep -aq "QEMU exports 2 graphical consoles (0+1)" "$T/server.err" || fail "no log line for the consoles found"
[ "$(channels "$port")" = "0 1 " ] || fail "display channels offered: $(channels "$port")"
same_heads "$port" 2
ae=$(image_diff "$T/ours0.ppm" "$T/ours1.ppm")
[ "$ae" != 0 ] || fail "both heads show the same picture"
server_alive
stop_pid "$SERVER_PID"

# consoles=1: one head, console 1's picture
port=$(free_port)
start_server --source qemu-dbus:consoles=1 --listen "tcp:127.0.0.1:$port"
[ "$(channels "$port")" = "0 " ] || fail "consoles=1: display channels offered: $(channels "$port")"
shot "$port" 0 "$T/one.ppm"
shot "$ref_port" 1 "$T/ref1.ppm"
ae=$(image_diff "$T/ref1.ppm" "$T/one.ppm")
[ "$ae" = 0 ] || fail "consoles=1: head 0 is not console 1: $ae pixels differ"
stop_pid "$SERVER_PID"

port=$(free_port)
start_server --source qemu-dbus:consoles=0+1 --listen "tcp:127.0.0.1:$port"
grep -aq "source qemu-dbus has 2 heads" "$T/server.err" || fail "the server did not take 2 heads"
same_heads "$port" 2
server_alive
stop_pid "$SERVER_PID"

# virtio-vga,max_outputs=2 under SeaBIOS (no guest driver): QEMU exports
# two consoles of one device (virtio-vga.0 Head 0, virtio-vga.1 Head 1);
# head 0 is SeaBIOS's VGA text screen, head 1 QEMU's own 640x480 "Guest
# has not initialized the display (yet)." placeholder; both equal QEMU's
# own SPICE server's channels.
timeout 10 qemu-system-x86_64 -device help 2>/dev/null | grep -q '"virtio-vga"' ||
    { note "this QEMU has no virtio-vga: that part is not run"; exit 0; }
stop_pid "$QEMU_PID"
wait_for 10 "" sh -c '! gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.GetNameOwner org.qemu >/dev/null 2>&1' ||
    fail "the first QEMU did not leave the bus"
ref_port=$(free_port)
start_bg qemu2 "${QEMU_TIMEOUT:-$HELPER_TIMEOUT}" qemu-system-x86_64 -machine pc -m 64 -nodefaults \
    -device virtio-vga,max_outputs=2 -display dbus,gl=off \
    -spice "port=$ref_port,addr=127.0.0.1,disable-ticketing=on"
QEMU_PID=$BG_PID
wait_for 20 "$QEMU_PID" qemu_on_bus || fail "virtio-vga QEMU did not take org.qemu on the session bus"
wait_tcp "$ref_port" 20 "$QEMU_PID" || fail "virtio-vga QEMU's SPICE server did not start"
port=$(free_port)
start_server --source qemu-dbus --listen "tcp:127.0.0.1:$port"
grep -aq "console 1 'virtio-vga.1'" "$T/server.err" ||
    fail "virtio-vga: no head on console 1: $(grep -a qemu-dbus "$T/server.err")"
[ "$(channels "$port")" = "0 1 " ] || fail "virtio-vga: display channels offered: $(channels "$port")"
same_heads "$port" 2
server_alive
