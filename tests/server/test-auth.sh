#!/bin/bash
# Passwords from the command line's point of view (issue 11 item 2):
# - SPICECAST_PASSWORD in the environment works like --password-file, and
#   is neither in the server's argv nor in its environment afterwards
#   (wiped), nor in its logs;
# - --password-expires: spicy-screenshot gets in before, is refused after
#   (the server says the password expired), and a client connected before
#   stays connected;
# - bad combinations are refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog spicy-screenshot spice-client-gtk
need_prog convert imagemagick
need_prog compare imagemagick
need_server
make_test_image "$T/x.png" 160 120
secret=Sw0rdfish-$$-$RANDOM

shot() { # OUT PASSWORD
    timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -w "$2" -o "$1" >"$T/spicy.out" 2>&1
}

# 1. from the environment
port=$(free_port)
SPICECAST_PASSWORD=$secret start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port"
SPID=$(cat /proc/"$SERVER_PID"/task/*/children | tr -s ' ' '\n' | head -n1)
shot "$T/ok.ppm" "$secret" || fail "the password from SPICECAST_PASSWORD was refused"
check_screenshot "$T/x.png" "$T/ok.ppm" 160x120 "screenshot with the password"
shot "$T/bad.ppm" "not-$secret" && fail "a wrong password was accepted"
for f in cmdline environ; do
    tr '\0' '\n' </proc/"$SPID"/$f | grep -q "$secret" && fail "the password is in /proc/PID/$f"
done
grep -q "$secret" "$T/server.out" "$T/server.err" && fail "the password is in the server's log"
note "SPICECAST_PASSWORD: right one in, wrong one out; not in argv, environ or logs"
stop_pid "$SERVER_PID"

# 2. --password-expires
echo "$secret" >"$T/pw"
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --password-file "$T/pw" \
    --password-expires 4
if [ -x "$PROBE_BIN" ]; then # a client that stays connected across the expiry
    start_bg held 30 "$PROBE_BIN" --uri "spice://127.0.0.1:$port" --password "$secret" \
        --count-updates 0.5 --hold 8
    HELD=$BG_PID
fi
shot "$T/before.ppm" "$secret" || fail "refused before the password expired"
sleep 4.5
shot "$T/after.ppm" "$secret" && fail "the expired password was accepted"
grep -q "the password has expired" "$T/server.err" || fail "no log line about the expiry"
if [ -n "${HELD:-}" ]; then
    wait_for 20 "" grep -q holding "$T/held.out" || fail "the early client did not connect"
    alive "$HELD" || fail "the client connected before the expiry was dropped"
    note "a client connected before the expiry stays"
fi
server_alive
note "--password-expires 4: in before, refused after"
stop_pid "$SERVER_PID"

# 3. bad combinations
SPICECAST_PASSWORD=x "$SERVER_BIN" --password-file "$T/pw" --listen "tcp:127.0.0.1:$(free_port)" \
    >"$T/both.out" 2>&1 && fail "SPICECAST_PASSWORD with --password-file was accepted"
grep -q conflict "$T/both.out" || fail "no clear error for two passwords: $(cat "$T/both.out")"
"$SERVER_BIN" --password-expires 5 --listen "tcp:127.0.0.1:$(free_port)" >"$T/exp.out" 2>&1 &&
    fail "--password-expires without a password was accepted"
note "conflicting options refused"
