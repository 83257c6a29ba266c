#!/bin/bash
# spicy-screenshot (spice-gtk 0.42) of `spicecast-server --source image:X.png`
# over TCP gives exactly X's pixels, on 127.0.0.1 and (where the loopback
# has it) on ::1, both --listen options given to one server.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog spicy-screenshot spice-client-gtk
need_prog convert imagemagick
need_prog compare imagemagick

make_test_image "$T/x.png" 642 481
port=$(free_port)
hosts=(127.0.0.1)
listen=(--listen "tcp:127.0.0.1:$port")
if grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 2>/dev/null; then
    hosts+=(::1)
    listen+=(--listen "tcp:[::1]:$port")
else
    note "no ::1 on the loopback here: IPv4 only"
fi
start_server --source "image:$T/x.png" "${listen[@]}" --disable-ticketing
expect_listening "tcp:127.0.0.1:$port"

for h in "${hosts[@]}"; do
    shot=$T/shot-${h//:/_}.ppm
    timeout 20 spicy-screenshot -h "$h" -p "$port" -o "$shot" >"$T/spicy.out" 2>&1 ||
        fail "spicy-screenshot -h $h failed (exit $?)"
    server_alive
    check_screenshot "$T/x.png" "$shot" 642x481 "screenshot over $h"
    note "spicy-screenshot over TCP $h: exact pixels (642x481)"
done
