#!/bin/bash
# The client engine against our server: `spicecast-server --source image:X`
# over TCP and over a unix socket gives exactly X's pixels; with a password
# file the right password works and a wrong one is refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_prog convert imagemagick
need_prog compare imagemagick
need_headless

make_test_image "$T/x.png" 642 481
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" \
    --listen "unix:$T/s.sock" --disable-ticketing

headless 20 --screenshot "$T/tcp.ppm" "spice://127.0.0.1:$port" ||
    fail "viewer-headless over TCP failed (exit $?)"
check_screenshot "$T/x.png" "$T/tcp.ppm" 642x481 "client screenshot over TCP"
note "TCP: exact pixels"

headless 20 --screenshot "$T/unix.ppm" "spice+unix://$T/s.sock" ||
    fail "viewer-headless over spice+unix:// failed (exit $?)"
check_screenshot "$T/x.png" "$T/unix.ppm" 642x481 "client screenshot over unix"
headless 20 --screenshot "$T/path.ppm" "$T/s.sock" ||
    fail "viewer-headless with a plain socket path failed (exit $?)"
check_screenshot "$T/x.png" "$T/path.ppm" 642x481 "client screenshot over a socket path"
note "unix: exact pixels"
server_alive
stop_pid "$SERVER_PID"

# password
echo "s3cret-pw" >"$T/pw"
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --password-file "$T/pw"
headless 20 --password s3cret-pw --screenshot "$T/pw.ppm" "spice://127.0.0.1:$port" ||
    fail "the right password was refused (exit $?)"
check_screenshot "$T/x.png" "$T/pw.ppm" 642x481 "client screenshot with a password"
if headless 20 --password wrong --screenshot "$T/bad.ppm" "spice://127.0.0.1:$port"; then
    fail "a wrong password was accepted"
fi
grep -q "link refused\|refused" "$T/headless.err" || fail "no refusal message: $(tail -3 "$T/headless.err")"
if headless 20 --screenshot "$T/none.ppm" "spice://127.0.0.1:$port"; then
    fail "no password was accepted"
fi
server_alive
note "password: right accepted, wrong and empty refused"
