#!/bin/bash
# spicy-screenshot (spice-gtk 0.42) of `spicecast-server --source image:X.png`
# over TCP gives exactly X's pixels.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog spicy-screenshot spice-client-gtk
need_prog convert imagemagick
need_prog compare imagemagick

make_test_image "$T/x.png" 642 481
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --disable-ticketing
grep -q "^listening on tcp:127.0.0.1:$port" "$T/server.out" ||
    fail "server did not print 'listening on tcp:127.0.0.1:$port': $(cat "$T/server.out")"

timeout 20 spicy-screenshot -h 127.0.0.1 -p "$port" -o "$T/shot.ppm" >"$T/spicy.out" 2>&1 ||
    fail "spicy-screenshot failed (exit $?)"
server_alive
size=$(identify -format '%wx%h' "$T/shot.ppm" 2>/dev/null)
[ "$size" = 642x481 ] || fail "screenshot is '$size', not 642x481"
ae=$(image_diff "$T/x.png" "$T/shot.ppm")
[ "$ae" = 0 ] || {
    compare "$T/x.png" "$T/shot.ppm" "$T/diff.png" 2>/dev/null
    fail "screenshot differs from the image in $ae pixels"
}
note "spicy-screenshot over TCP: exact pixels (642x481)"
