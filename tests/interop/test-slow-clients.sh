#!/bin/bash
# Clients are independent: with 4 clients that linked the display and then
# never read (their socket buffers fill, the server must coalesce or drop
# their updates), a spice-gtk client still gets >= 20 updates/s of the
# 1280x720 pattern, and a new client still links and draws.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
[ -x "$BADINPUT_BIN" ] || fail "$BADINPUT_BIN not built"

port=$(free_port)
start_server --source pattern:1280x720 --listen "tcp:127.0.0.1:$port" --disable-ticketing
start_bg stall 60 "$BADINPUT_BIN" --tcp "127.0.0.1:$port" --stall 4 40
stall=$BG_PID
for i in $(seq 100); do
    grep -q '^stalled=4' "$T/stall.out" 2>/dev/null && break
    alive "$stall" || break
    sleep 0.1
done
grep -q '^stalled=4' "$T/stall.out" || fail "the non-reading clients did not link"
sleep 2  # let their socket buffers fill
run_probe 30 --uri "spice://127.0.0.1:$port" --count-updates 4 --min-rate 20 >"$T/count.out"
rc=$?
cat "$T/count.out" >&2
server_alive
[ $rc = 0 ] || fail "a reading client got fewer than 20 updates/s next to 4 stalled ones"
run_probe 20 --uri "spice://127.0.0.1:$port" --screenshot "$T/new.ppm" >"$T/new.out" ||
    fail "a new client could not link and draw next to the stalled ones: $(cat "$T/new.out")"
note "4 stalled clients; a reading one still gets $(sed -n 's/^rate=//p' "$T/count.out") updates/s"
