#!/bin/bash
# Tickets: with --password-file the right password links; a wrong one, and
# none, are refused with permission-denied (SPICE_CHANNEL_ERROR_AUTH) while a
# client that linked first keeps getting updates.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe

printf %s 'sesame-42' >"$T/pw"
chmod 600 "$T/pw"
port=$(free_port)
uri=spice://127.0.0.1:$port
start_server --source pattern:640x360 --listen "tcp:127.0.0.1:$port" --password-file "$T/pw"

run_probe 25 --uri "$uri" --password sesame-42 --count-updates 5 >"$T/good.out" &
good=$!
HELPER_PIDS+=("$good")
sleep 1.5
run_probe 15 --uri "$uri" --password wrong-password --expect-auth-fail >"$T/bad.out"
rc=$?
cat "$T/bad.out" >&2
[ $rc = 0 ] || fail "a wrong password was not refused with permission-denied"
run_probe 15 --uri "$uri" --expect-auth-fail >"$T/none.out"
rc=$?
cat "$T/none.out" >&2
[ $rc = 0 ] || fail "no password was not refused with permission-denied"
server_alive

wait "$good"
rc=$?
cat "$T/good.out" >&2
[ $rc = 0 ] || fail "the client with the right password failed"
grep -q '^disconnected=no' "$T/good.out" || fail "the good client was disconnected"
second=$(sed -n 's/^changes_second_half=//p' "$T/good.out")
[ "${second:-0}" -gt 0 ] || fail "the good client got no updates after the bad ones"
# and a fresh client with the right password still links
run_probe 15 --uri "$uri" --password sesame-42 --screenshot "$T/after.ppm" >"$T/after.out" ||
    fail "right password refused after the bad attempts: $(cat "$T/after.out")"
note "right password links, wrong/missing refused, good client kept updating"
