#!/bin/bash
# URIs as spice-gtk parses them reach the right server with the right
# password (the engine, viewer-headless, against our server): tls-port=
# before port= (once this connected to 5900), password= in the URI (once
# ignored), spice://[::1]:PORT, ';' separators; a wrong password= is
# refused; a URI without a port, or with only a TLS port, is an error
# that says so.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_prog convert imagemagick
need_prog compare imagemagick
need_headless

make_test_image "$T/x.png" 320 200
echo "s3cret-pw" >"$T/pw"
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --password-file "$T/pw"

headless 20 --screenshot "$T/a.ppm" "spice://127.0.0.1?tls-port=1&port=$port&password=s3cret-pw" ||
    fail "tls-port= before port=, password= in the URI: exit $? ($(tail -n 2 "$T/headless.err"))"
check_screenshot "$T/x.png" "$T/a.ppm" 320x200 "spice://HOST?tls-port=..&port=..&password=.."
headless 20 --screenshot "$T/b.ppm" "spice://127.0.0.1/?password=s3cret-pw;port=$port" ||
    fail "password= first, ';' separator: exit $?"
check_screenshot "$T/x.png" "$T/b.ppm" 320x200 "spice://HOST/?password=..;port=.."
note "parameters in any order, password= used"

if headless 20 --screenshot "$T/bad.ppm" "spice://127.0.0.1?port=$port&password=wrong"; then
    fail "a wrong password= was accepted"
fi
grep -q "refused" "$T/headless.err" || fail "wrong password=: no refusal: $(tail -n 3 "$T/headless.err")"
note "wrong password= refused"
stop_pid "$SERVER_PID"

# IPv6 loopback, where this machine has it
port6=$(free_port)
if SERVER_TIMEOUT=60 start_bg server6 60 "$SERVER_BIN" --source "image:$T/x.png" \
        --listen "tcp:[::1]:$port6" --disable-ticketing &&
    wait_for 10 "$BG_PID" grep -q "^listening on" "$T/server6.out" 2>/dev/null; then
    headless 20 --screenshot "$T/v6.ppm" "spice://[::1]:$port6" ||
        fail "spice://[::1]:PORT: exit $? ($(tail -n 2 "$T/headless.err"))"
    check_screenshot "$T/x.png" "$T/v6.ppm" 320x200 "spice://[::1]:PORT"
    note "IPv6 [::1] works"
else
    note "no IPv6 loopback here: [::1] not tried ($(tail -n 1 "$T/server6.err" 2>/dev/null))"
fi

: >"$T/headless.err"
if headless 10 --screenshot "$T/n.ppm" "spice://127.0.0.1"; then fail "a URI without a port was accepted"; fi
grep -q "missing port or tls-port" "$T/headless.err" || fail "no port: $(cat "$T/headless.err")"
if headless 10 --screenshot "$T/n.ppm" "spice://127.0.0.1?tls-port=$port"; then fail "a TLS-only URI connected in the clear"; fi
grep -q "TLS" "$T/headless.err" || fail "TLS only: $(cat "$T/headless.err")"
note "no port, TLS only: refused with a message"
exit 0
