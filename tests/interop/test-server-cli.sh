#!/bin/bash
# The daemon's listening rules, checked from outside: a second server on a
# live unix socket or a busy TCP port fails (and the first one keeps
# serving a real client); a regular file at the socket path is never
# deleted; without a password a non-loopback address is refused unless
# --insecure, with a message saying why; a password file's trailing newline
# is not part of the password.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_server
need_prog spicy-screenshot spice-client-gtk

sock=$T/live.sock
start_server --source pattern:320x200 --listen "unix:$sock" --disable-ticketing
first=$SERVER_PID
timeout 10 "$SERVER_BIN" --source pattern:320x200 --listen "unix:$sock" --disable-ticketing \
    >"$T/second.out" 2>"$T/second.err"
rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "a second server on a live unix socket did not fail (exit $rc)"
timeout 20 spicy-screenshot --uri "spice+unix://$sock" -o "$T/a.ppm" >/dev/null 2>&1 ||
    fail "the first server lost its socket to the second"
stop_pid "$first"

port=$(free_port)
start_server --source pattern:320x200 --listen "tcp:127.0.0.1:$port" --disable-ticketing
timeout 10 "$SERVER_BIN" --source pattern:320x200 --listen "tcp:127.0.0.1:$port" --disable-ticketing \
    >"$T/second.out" 2>"$T/second.err"
rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "a second server on a busy TCP port did not fail (exit $rc)"
timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -o "$T/b.ppm" >/dev/null 2>&1 ||
    fail "the first TCP server stopped serving"
stop_pid "$SERVER_PID"

# a regular file where the socket should go must survive
echo "precious" >"$T/file"
timeout 5 "$SERVER_BIN" --source pattern:320x200 --listen "unix:$T/file" --disable-ticketing \
    >"$T/file.out" 2>"$T/file.err"
rc=$?
[ "$(cat "$T/file" 2>/dev/null)" = precious ] ||
    fail "--listen unix:PATH deleted the regular file at PATH (server exit $rc)"
[ $rc != 0 ] && [ $rc != 124 ] || fail "--listen unix:PATH on a regular file did not fail (exit $rc)"

# no password on a non-loopback address: refused with a reason
port=$(free_port)
timeout 3 "$SERVER_BIN" --source pattern:320x200 --listen "tcp:0.0.0.0:$port" --disable-ticketing \
    >"$T/open.out" 2>"$T/open.err"
rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "listening on 0.0.0.0 without a password was not refused"
grep -q -- --insecure "$T/open.err" "$T/open.out" || fail "the refusal does not mention --insecure"

# password file with a trailing newline
printf 'nl-secret\n' >"$T/pw"
start_server --source pattern:320x200 --listen "tcp:127.0.0.1:$port" --password-file "$T/pw"
timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -w nl-secret -o "$T/c.ppm" >/dev/null 2>&1 ||
    fail "the password from a file ending in a newline was refused"
note "listening rules hold"
