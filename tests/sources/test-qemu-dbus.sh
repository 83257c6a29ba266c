#!/bin/bash
# --source qemu-dbus against a real QEMU 7.2 (TCG, SeaBIOS, no disk) with
# `-display dbus,gl=off`, on a private session bus (dbus-run-session).  QEMU
# also runs its own SPICE server: its screenshots are the reference.
#  1. errors: no org.qemu on the bus, a console QEMU does not have
#  2. our screenshot of SeaBIOS's "Press ESC for boot menu" screen equals
#     QEMU's own (up to the blinking text cursor)
#  3. ESC sent through our inputs channel opens the boot menu: our screen
#     changes and equals QEMU's own again; pointer calls raise no D-Bus errors
#  4. QEMU going away: the server stays up and serves a "source lost" notice
#     (not a frozen frame); QEMU started again on the same bus: the server
#     attaches to it by itself and our screen equals its own again
if [ -z "${SC_QEMU_DBUS_INNER:-}" ]; then
    for p in dbus-run-session qemu-system-x86_64 gdbus; do
        command -v "$p" >/dev/null 2>&1 || { echo "SKIP: $(basename "$0" .sh): $p not found" >&2; exit 77; }
    done
    SC_QEMU_DBUS_INNER=1 exec timeout -k 5 240 dbus-run-session -- "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_server
need_prog spicy-screenshot spice-client-gtk
need_prog compare imagemagick
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || fail "dbus-run-session gave no DBUS_SESSION_BUS_ADDRESS"

qemu_on_bus() {
    gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetNameOwner org.qemu >/dev/null 2>&1
}
shot() { # shot PORT OUT
    timeout 20 spicy-screenshot -h 127.0.0.1 -p "$1" -o "$2" >"$T/spicy.out" 2>&1 ||
        fail "spicy-screenshot on port $1 failed: $(cat "$T/spicy.out")"
}
num() { [[ $1 =~ ^[0-9]+$ ]]; }

# 1. errors at create time
timeout 20 "$SERVER_BIN" --source qemu-dbus --listen "tcp:127.0.0.1:$(free_port)" \
    >"$T/noqemu.out" 2>&1 && fail "the server started without QEMU on the bus"
grep -q "nobody owns org.qemu" "$T/noqemu.out" || fail "no clear error without QEMU: $(cat "$T/noqemu.out")"

# start_vm: QEMU with -display dbus and its own SPICE server on $ref_port
start_vm() {
    ref_port=$(free_port)
    start_bg qemu 200 qemu-system-x86_64 -machine pc -m 64 -nodefaults -device VGA \
        -display dbus,gl=off -spice "port=$ref_port,addr=127.0.0.1,disable-ticketing=on" \
        -boot menu=on,splash-time=20000
    QEMU_PID=$BG_PID
    wait_for 20 "$QEMU_PID" qemu_on_bus || fail "QEMU did not take org.qemu on the session bus"
    wait_tcp "$ref_port" 20 "$QEMU_PID" || fail "QEMU's SPICE server did not start"
}
start_vm

timeout 20 "$SERVER_BIN" --source qemu-dbus:console=7 --listen "tcp:127.0.0.1:$(free_port)" \
    >"$T/console.out" 2>&1 && fail "the server started on a console QEMU does not have"
grep -q "QEMU has no console 7" "$T/console.out" || fail "no clear error for console 7: $(cat "$T/console.out")"

port=$(free_port)
SPICECAST_DEBUG=1 start_server --source qemu-dbus --listen "tcp:127.0.0.1:$port"
grep -q "console 0 'VGA'" "$T/server.err" || fail "the server did not report QEMU's VGA console"

# 2. wait until SeaBIOS's screen is up and stable (it stays 20 s), then
# compare ours with QEMU's own
convert -size 720x400 xc:black "$T/black.ppm"
same_as_qemu() { # WHAT
    local i lit ae size
    for i in $(seq 20); do
        shot "$ref_port" "$T/ref.ppm"
        lit=$(image_diff "$T/black.ppm" "$T/ref.ppm")
        if [ "$i" -gt 1 ] && num "$lit" && [ "$lit" -gt 500 ]; then
            ae=$(image_diff "$T/prev.ppm" "$T/ref.ppm")
            num "$ae" && [ "$ae" -lt 200 ] && break
        fi
        cp "$T/ref.ppm" "$T/prev.ppm"
        sleep 0.7
    done
    [ "$i" -lt 20 ] || fail "$1: SeaBIOS's screen never settled"
    shot "$port" "$T/ours.ppm"
    size=$(identify -format '%wx%h' "$T/ours.ppm")
    [ "$size" = 720x400 ] || fail "$1: our screenshot is $size, not 720x400"
    ae=$(image_diff "$T/ref.ppm" "$T/ours.ppm")
    note "$1: ours vs QEMU's own SPICE: $ae pixels differ (the text cursor blinks)"
    num "$ae" && [ "$ae" -lt 200 ] || {
        compare "$T/ref.ppm" "$T/ours.ppm" "$T/diff.png" 2>/dev/null
        fail "$1: our screenshot differs from QEMU's own: AE=$ae"
    }
}
same_as_qemu "SeaBIOS"

# 3. ESC through our inputs channel opens the boot menu
run_probe 20 --uri "spice://127.0.0.1:$port" --send-key 0x01 --send-pointer 10,10 --click \
    --screenshot "$T/probe.ppm" >"$T/key.out" || fail "probe --send-key failed: $(cat "$T/key.out")"
grep -q "input: key 01 down" "$T/server.err" || fail "the server did not get ESC"
for i in $(seq 20); do
    sleep 0.5
    shot "$port" "$T/after.ppm"
    changed=$(image_diff "$T/ours.ppm" "$T/after.ppm")
    num "$changed" && [ "$changed" -gt 500 ] && break
done
note "after ESC: $changed pixels changed"
num "$changed" && [ "$changed" -gt 500 ] || fail "ESC did not open the boot menu (AE=$changed)"
sleep 1
shot "$port" "$T/after.ppm"
shot "$ref_port" "$T/ref-after.ppm"
ae=$(image_diff "$T/ref-after.ppm" "$T/after.ppm")
note "boot menu, ours vs QEMU's own: $ae pixels differ"
num "$ae" && [ "$ae" -lt 200 ] || fail "our boot menu differs from QEMU's own: AE=$ae"
if grep -E "qemu-dbus: .* failed:" "$T/server.err" >&2; then
    fail "QEMU refused input calls"
fi

# 4. QEMU goes away: a "source lost" notice over the dimmed last picture
stop_pid "$QEMU_PID"
wait_for 10 "" grep -q "qemu-dbus: source lost" "$T/server.err" ||
    fail "the server did not notice QEMU leaving"
server_alive
sleep 0.5
shot "$port" "$T/lost.ppm"
ae=$(image_diff "$T/after.ppm" "$T/lost.ppm")
note "source lost: $ae pixels differ from the last frame"
num "$ae" && [ "$ae" -gt 5000 ] || fail "no source-lost notice after QEMU left (a frozen frame): AE=$ae"
#    and back: a new QEMU on the same bus, no server restart
start_vm
wait_for 20 "" grep -q "qemu-dbus: attached to QEMU .* again" "$T/server.err" ||
    fail "the server did not attach to the restarted QEMU"
same_as_qemu "restarted QEMU"
server_alive
note "qemu-dbus source checks passed"
