#!/bin/bash
# GL scanout with the server's defaults: over a unix socket spicecast-server
# passes its buffer's fd (GL_SCANOUT_UNIX + the '@' byte) to our viewer,
# which advertises that it maps sealed memfds; viewer-headless --gl mmaps it
# after GL_DRAW and the pixels equal the image; the server's log says so.
# A client without the GL cap on the same server gets ordinary pixels.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_prog convert imagemagick
need_prog compare imagemagick
need_headless

make_test_image "$T/x.png" 642 481
start_server --source "image:$T/x.png" --listen "unix:$T/gl.sock" --disable-ticketing

headless 20 --gl --screenshot "$T/gl.ppm" "spice+unix://$T/gl.sock" ||
    fail "viewer-headless --gl failed (exit $?)"
grep -q '^scanout 642x481' "$T/headless.out" || fail "no scanout: $(cat "$T/headless.out")"
check_screenshot "$T/x.png" "$T/gl.ppm" 642x481 "the mmapped scanout buffer"
note "GL: scanout fd mmapped, exact pixels ($(grep '^scanout' "$T/headless.out"))"
grep -q "gets the buffer fd itself for dma-bufs and sealed memfds" "$T/server.err" ||
    fail "the server's log does not say the client gets the fd: $(grep 'display:' "$T/server.err")"

headless 20 --screenshot "$T/px.ppm" "$T/gl.sock" ||
    fail "a client without GL_SCANOUT failed (exit $?)"
check_screenshot "$T/x.png" "$T/px.ppm" 642x481 "the pixel screenshot"
server_alive
note "no GL cap: ordinary pixels"
stop_pid "$SERVER_PID"

# a moving source: every GL_DRAW is answered with GL_DRAW_DONE, so more come
start_server --source pattern:320x240 --listen "unix:$T/gl2.sock" --disable-ticketing
: >"$T/headless.out"
headless 20 --gl --wait-frames 10 --screenshot "$T/gl2.ppm" "$T/gl2.sock" ||
    fail "fewer than 11 GL_DRAWs from a moving source (exit $?)"
grep -q '^scanout 320x240' "$T/headless.out" || fail "no 320x240 scanout: $(cat "$T/headless.out")"
server_alive
note "GL: 11 GL_DRAW / GL_DRAW_DONE rounds"
