#!/bin/bash
# The probe against a reference server, QEMU 7.2's own SPICE server, to show
# that the probe itself is right: its screenshot equals spicy-screenshot's,
# the right password links and a wrong one gets permission-denied while
# another client keeps being served, 8 clients see the same pixels, and a
# key sent through the inputs channel reaches the guest (ESC opens SeaBIOS's
# boot menu).  Also over a unix socket.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_prog qemu-system-x86_64 qemu-system-x86
need_prog spicy-screenshot spice-client-gtk
need_prog compare imagemagick

port=$(free_port)
# spice-server serves one client unless told otherwise
export SPICE_DEBUG_ALLOW_MC=1
start_qemu "$port" password=secret -- -boot menu=on,splash-time=20000
uri=spice://127.0.0.1:$port

# 1. screenshots: spicy-screenshot and the probe agree.  First wait until
# SeaBIOS's "Press ESC for boot menu" screen is up and stable (it then stays
# 20 s), so that the change after ESC below can only come from the key.
convert -size 720x400 xc:black "$T/black.ppm"
prev=
for i in $(seq 15); do
    timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -w secret -o "$T/ref.ppm" >"$T/spicy.out" 2>&1 ||
        fail "spicy-screenshot against QEMU failed: $(cat "$T/spicy.out")"
    lit=$(image_diff "$T/black.ppm" "$T/ref.ppm")
    if [ -n "$prev" ] && [[ $lit =~ ^[0-9]+$ ]] && [ "$lit" -gt 500 ]; then
        ae=$(image_diff "$T/prev.ppm" "$T/ref.ppm")
        [[ $ae =~ ^[0-9]+$ ]] && [ "$ae" -lt 200 ] && break
    fi
    cp "$T/ref.ppm" "$T/prev.ppm"
    prev=yes
    sleep 0.7
done
[ "$i" -lt 15 ] || fail "SeaBIOS's screen never settled"
run_probe 20 --uri "$uri" --password secret --screenshot "$T/probe.ppm" >"$T/shot.out" ||
    fail "probe --screenshot failed: $(cat "$T/shot.out")"
grep -q 'width=720 height=400' "$T/shot.out" || fail "probe saw no 720x400 screen: $(cat "$T/shot.out")"
ae=$(image_diff "$T/ref.ppm" "$T/probe.ppm")
note "probe vs spicy-screenshot: $ae pixels differ (the text cursor blinks)"
[[ $ae =~ ^[0-9]+$ ]] && [ "$ae" -lt 200 ] || fail "probe screenshot differs from spicy-screenshot: AE=$ae"

# 2. a key press through the inputs channel reaches the guest: any key ends
# SeaBIOS's 20 s wait (ESC opens the boot menu), so the screen changes
run_probe 20 --uri "$uri" --password secret --send-key 0x01 --send-pointer 10,10 \
    --screenshot "$T/after.ppm" >"$T/key.out" || fail "probe --send-key failed: $(cat "$T/key.out")"
ae=$(image_diff "$T/ref.ppm" "$T/after.ppm")
note "after ESC: $ae pixels changed"
[[ $ae =~ ^[0-9]+$ ]] && [ "$ae" -gt 500 ] || fail "ESC did not open the boot menu (AE=$ae)"

# 3. wrong password refused with permission-denied while a good client is served
run_probe 20 --uri "$uri" --password secret --count-updates 4 >"$T/good.out" &
good=$!
HELPER_PIDS+=("$good")
sleep 1.5
run_probe 15 --uri "$uri" --password wrong --expect-auth-fail >"$T/bad.out" ||
    fail "wrong password not refused with permission-denied: $(cat "$T/bad.out")"
run_probe 15 --uri "$uri" --expect-auth-fail >"$T/none.out" ||
    fail "missing password not refused: $(cat "$T/none.out")"
wait "$good" || fail "good client failed: $(cat "$T/good.out")"
grep -q '^disconnected=no' "$T/good.out" || fail "good client was disconnected"
second=$(sed -n 's/^changes_second_half=//p' "$T/good.out")
[ "${second:-0}" -gt 0 ] || fail "good client got no updates after the bad one: $(cat "$T/good.out")"

# 4. eight clients at once see the same pixels
run_probe 30 --uri "$uri" --password secret --clients 8 >"$T/clients.out" ||
    fail "8 clients differ: $(cat "$T/clients.out")"
[ "$(grep -c '^client[0-9] checksum=' "$T/clients.out")" -eq 8 ] || fail "not 8 checksums"

# 5. unix socket
sock=$T/qemu.sock
start_qemu "unix:$sock" disable-ticketing=on
sleep 2
timeout 20 spicy-screenshot --uri "spice+unix://$sock" -o "$T/uref.ppm" >"$T/uspicy.out" 2>&1 ||
    fail "spicy-screenshot over unix failed: $(cat "$T/uspicy.out")"
run_probe 20 --uri "spice+unix://$sock" --screenshot "$T/uprobe.ppm" >"$T/ushot.out" ||
    fail "probe over unix failed: $(cat "$T/ushot.out")"
ae=$(image_diff "$T/uref.ppm" "$T/uprobe.ppm")
[[ $ae =~ ^[0-9]+$ ]] && [ "$ae" -lt 200 ] || fail "unix: probe differs from spicy-screenshot: AE=$ae"
note "all probe checks passed against QEMU"
