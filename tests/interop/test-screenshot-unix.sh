#!/bin/bash
# spicy-screenshot of `spicecast-server --source image:X.png` over the unix
# socket (--uri spice+unix://PATH) gives exactly X's pixels.  Also: the
# socket is created mode 0600, and SIGTERM stops the server cleanly and
# removes it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog spicy-screenshot spice-client-gtk
need_prog convert imagemagick
need_prog compare imagemagick

make_test_image "$T/x.png" 642 481
sock=$T/sc.sock
start_server --source "image:$T/x.png" --listen "unix:$sock" --disable-ticketing
expect_listening "unix:$sock"
[ -S "$sock" ] || fail "no socket at $sock"
mode=$(stat -c %a "$sock")
[ "$mode" = 600 ] || fail "socket mode is $mode, not 600"

timeout 20 spicy-screenshot --uri "spice+unix://$sock" -o "$T/shot.ppm" >"$T/spicy.out" 2>&1 ||
    fail "spicy-screenshot over unix failed (exit $?)"
server_alive
check_screenshot "$T/x.png" "$T/shot.ppm" 642x481 "screenshot"

kill -TERM "$SERVER_PID"
for i in $(seq 50); do alive "$SERVER_PID" || break; sleep 0.1; done
alive "$SERVER_PID" && fail "server still running 5 s after SIGTERM"
wait "$SERVER_PID"
rc=$?
[ $rc = 0 ] || fail "server exited with status $rc after SIGTERM"
[ -e "$sock" ] && fail "socket $sock left behind after SIGTERM"
note "spicy-screenshot over unix: exact pixels; clean shutdown"
