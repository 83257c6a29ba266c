#!/bin/bash
# --source qemu-dbus:consoles=0+1 against a real QEMU 7.2 with two consoles
# (-device VGA -device secondary-vga -display dbus,gl=off) on a private
# session bus: the server says it has 2 heads, offers display channels 0
# and 1, and a spice-gtk client's screenshot of each channel (the probe,
# --channel-id) equals QEMU's own SPICE server's screenshot of the same
# channel (its display channel N is console N), once each has settled.  A
# console QEMU lacks (consoles=0+7) is refused with its number.  Skipped
# where QEMU has no secondary-vga.
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

port=$(free_port)
start_server --source qemu-dbus:consoles=0+1 --listen "tcp:127.0.0.1:$port"
grep -aq "source qemu-dbus has 2 heads" "$T/server.err" || fail "the server did not take 2 heads"

for head in 0 1; do
    ok=
    for i in $(seq 20); do
        shot "$ref_port" $head "$T/ref$head.ppm"
        shot "$port" $head "$T/ours$head.ppm"
        grep -q '^display_channel=1$' "$T/shot.out" || fail "our server offered no display channel 1"
        ae=$(image_diff "$T/ref$head.ppm" "$T/ours$head.ppm")
        # SeaBIOS's text cursor blinks on console 0
        num "$ae" && [ "$ae" -lt 200 ] && { ok=yes; break; }
        sleep 0.7
    done
    [ -n "$ok" ] || fail "console $head: ours differs from QEMU's own SPICE: $ae"
    note "console $head: ours vs QEMU's own SPICE display channel $head: $ae pixels differ" \
        "($(identify -format '%wx%h' "$T/ours$head.ppm"))"
done
ae=$(image_diff "$T/ours0.ppm" "$T/ours1.ppm")
[ "$ae" != 0 ] || fail "both heads show the same picture"
server_alive
