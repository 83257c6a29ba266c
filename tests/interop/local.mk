# tests/interop/local.mk: interop tests against the real peers (spice-gtk's
# spicy-screenshot and library, remote-viewer under Xvfb, QEMU 7.2 as the
# reference SPICE server) and the bad-input test.  The .sh scripts are the
# tests (exit-code driver, 77 = skipped); the C programs are helpers they run.
interop_tests = \
	tests/interop/test-screenshot-tcp.sh \
	tests/interop/test-screenshot-unix.sh \
	tests/interop/test-probe-updates.sh \
	tests/interop/test-probe-auth.sh \
	tests/interop/test-probe-clients.sh \
	tests/interop/test-probe-input.sh \
	tests/interop/test-remote-viewer.sh \
	tests/interop/test-auto-resize.sh \
	tests/interop/test-badinput.sh \
	tests/interop/test-probe-qemu.sh \
	tests/interop/test-badinput-qemu.sh \
	tests/interop/test-server-cli.sh \
	tests/interop/test-slow-clients.sh \
	tests/interop/test-stream-codecs.sh \
	tests/interop/test-stream-h265.sh \
	tests/interop/test-stream-lossless-refresh.sh \
	tests/interop/test-stream-choice.sh \
	tests/interop/test-stream-remote-viewer.sh \
	tests/interop/test-stream-stale-report.sh \
	tests/interop/test-stream-slow-viewers.sh \
	tests/interop/test-stream-stall.sh \
	tests/interop/test-stream-latency.sh \
	tests/interop/test-fd-exhaustion.sh \
	tests/interop/test-lib-cleanup.sh \
	tests/interop/test-tls.sh \
	tests/interop/test-browser.sh \
	tests/interop/test-web-limits.sh \
	tests/interop/test-multihead.sh \
	tests/interop/test-remote-viewer-heads.sh \
	tests/interop/test-remote-viewer-sparse.sh
TESTS += $(interop_tests)
EXTRA_DIST += $(interop_tests) tests/interop/lib.sh tests/interop/cdp-shot.py tests/interop/wsclient.py

check_PROGRAMS += tests/interop/test-badinput
tests_interop_test_badinput_SOURCES = tests/interop/test-badinput.c tests/interop/raw-client.h
tests_interop_test_badinput_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(OPENSSL_CFLAGS)
tests_interop_test_badinput_LDADD = common/libsccommon.la $(GLIB_LIBS) $(OPENSSL_LIBS)

check_PROGRAMS += tests/interop/delay-proxy
tests_interop_delay_proxy_SOURCES = tests/interop/delay-proxy.c
tests_interop_delay_proxy_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_interop_delay_proxy_LDADD = $(GLIB_LIBS)

if HAVE_SPICE_CLIENT
check_PROGRAMS += tests/interop/probe
tests_interop_probe_SOURCES = tests/interop/probe.c tests/interop/probe-video.c \
	tests/interop/probe-video.h
# GStreamer: the probe wraps spice-gtk's appsrc/appsink calls for frame times
tests_interop_probe_CFLAGS = $(AM_CFLAGS) $(SPICE_CLIENT_CFLAGS) $(GST_CFLAGS)
tests_interop_probe_LDADD = $(SPICE_CLIENT_LIBS) $(GST_LIBS)
tests_interop_probe_LDFLAGS = -rdynamic
else
EXTRA_DIST += tests/interop/probe.c tests/interop/probe-video.c tests/interop/probe-video.h
endif

# the pattern's frame a stamped screenshot shows, drawn again (multi-head)
check_PROGRAMS += tests/interop/pattern-frame
tests_interop_pattern_frame_SOURCES = tests/interop/pattern-frame.c
tests_interop_pattern_frame_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(VA_CFLAGS) $(CAIRO_CFLAGS)
tests_interop_pattern_frame_LDADD = $(SC_SERVER_LIBS) $(GLIB_LIBS) $(PIXBUF_LIBS) $(CAIRO_LIBS) $(YUV_LIBS)
