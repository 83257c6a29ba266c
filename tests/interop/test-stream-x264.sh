#!/bin/bash
# test-stream-codecs.sh for the gstreamer:h264 (x264enc) backend alone.
# Listed in XFAIL_TESTS: the server's x264enc pipeline runs with threads=0
# (frame threads, 2 frames held on 2 cores) while the encoder waits for one
# packet per frame (5 s, then 2 s timeouts), so the first STREAM_DATA comes
# ~10 s after video mode starts and the display is frozen until then.
STREAM_BACKENDS=gstreamer:h264
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/test-stream-codecs.sh"
