#!/bin/bash
# The animated pattern at 1280x720 keeps updating a spice-gtk client at
# >= 20 display changes per second (issue 3), counted by the probe as
# changes of the primary surface's pixels.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe

port=$(free_port)
start_server --source pattern:1280x720 --listen "tcp:127.0.0.1:$port" --disable-ticketing
run_probe 30 --uri "spice://127.0.0.1:$port" --count-updates 4 --min-rate 20 >"$T/count.out"
rc=$?
cat "$T/count.out" >&2
server_alive
grep -q '^size=1280x720$' "$T/count.out" || fail "primary is not 1280x720"
[ $rc = 0 ] || fail "fewer than 20 updates/s at 1280x720 (or the client was dropped)"
note "rate: $(sed -n 's/^rate=//p' "$T/count.out") changes/s"
