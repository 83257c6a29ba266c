#!/bin/bash
# Eight spice-gtk sessions at once all see the same primary pixels, and
# those are exactly the served image's; also exact when the client asks for
# no compression (raw bitmaps) or for LZ4 (PREFERRED_COMPRESSION 1 and 7).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_prog convert imagemagick
need_prog compare imagemagick

make_test_image "$T/x.png" 642 481
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --disable-ticketing
run_probe 40 --uri "spice://127.0.0.1:$port" --clients 8 --screenshot "$T/c0.ppm" >"$T/clients.out"
rc=$?
cat "$T/clients.out" >&2
server_alive
[ $rc = 0 ] || fail "8 clients did not all get the same pixels"
[ "$(grep -c '^client[0-9] checksum=' "$T/clients.out")" -eq 8 ] || fail "not 8 checksums"
ae=$(image_diff "$T/x.png" "$T/c0.ppm")
[ "$ae" = 0 ] || fail "the clients' pixels differ from the image in $ae pixels"
for c in 1 7; do
    run_probe 20 --uri "spice://127.0.0.1:$port" --compression $c --screenshot "$T/comp$c.ppm" \
        >"$T/comp$c.out" || fail "probe --compression $c failed: $(cat "$T/comp$c.out")"
    ae=$(image_diff "$T/x.png" "$T/comp$c.ppm")
    [ "$ae" = 0 ] || fail "with preferred compression $c, $ae pixels differ from the image"
done
server_alive
note "8 clients, identical, exact image; exact with compression off and LZ4"
