# client/engine.mk: the SPICE client engine (libscclient), its headless
# check program and its tests.  Programs link the engine plus the codec and
# common convenience libraries (SC_CLIENT_LIBS); convenience libraries never
# LIBADD each other (see server/local.mk).
noinst_LTLIBRARIES += client/libscclient.la
client_libscclient_la_SOURCES = \
	client/client.h client/client-priv.h client/client.c client/channel.c \
	client/channel-main.c client/channel-display.c client/channel-display-stream.c \
	client/channel-inputs.c client/channel-cursor.c client/canvas.c client/canvas.h \
	client/client-local.c client/spice-uri.c client/spice-uri.h \
	client/client-tls.c client/decode.c client/decode.h \
	client/live-stats.c client/live-stats.h client/scanout-maps.c client/scanout-maps.h
client_libscclient_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(VA_CFLAGS)
client_libscclient_la_LIBADD = $(GLIB_LIBS)
SC_CLIENT_LIBS = client/libscclient.la codecs/libsccodecs.la common/libsccommon.la
SC_UBSAN_FLAGS = -fsanitize=undefined -fno-sanitize-recover=undefined

noinst_PROGRAMS += client/viewer-headless
client_viewer_headless_SOURCES = client/viewer-headless.c
client_viewer_headless_CFLAGS = $(client_libscclient_la_CFLAGS)
client_viewer_headless_LDADD = $(SC_CLIENT_LIBS) $(GLIB_LIBS) -lm

client_tests = \
	tests/client/test-client-screenshot.sh \
	tests/client/test-client-qemu.sh \
	tests/client/test-client-video.sh \
	tests/client/test-client-gl.sh \
	tests/client/test-client-uri.sh \
	tests/client/test-client-tls.sh \
	tests/client/test-viewer-stats.sh
TESTS += $(client_tests)
EXTRA_DIST += $(client_tests) tests/client/lib-client.sh

# the scripted fake SPICE server the client tests share
check_LTLIBRARIES += tests/client/libfakeserver.la
tests_client_libfakeserver_la_SOURCES = tests/client/fake-server.c tests/client/fake-server.h
tests_client_libfakeserver_la_CFLAGS = $(client_libscclient_la_CFLAGS) $(OPENSSL_CFLAGS)

# The engine's own sources are built into this test with UBSan, errors
# fatal, in every build: signed overflow on hostile coordinates fails here
# (gcc and clang ship the UBSan runtime).
check_PROGRAMS += tests/client/test-client-proto
TESTS += tests/client/test-client-proto
tests_client_test_client_proto_SOURCES = tests/client/test-client-proto.c \
	$(client_libscclient_la_SOURCES)
tests_client_test_client_proto_CFLAGS = $(client_libscclient_la_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SC_UBSAN_FLAGS)
tests_client_test_client_proto_LDFLAGS = $(SC_UBSAN_FLAGS)
tests_client_test_client_proto_LDADD = tests/client/libfakeserver.la codecs/libsccodecs.la \
	common/libsccommon.la $(GLIB_LIBS) -lm

# the viewer's scanout mappings (the renderers', viewer-headless's)
check_PROGRAMS += tests/client/test-scanout-maps
TESTS += tests/client/test-scanout-maps
tests_client_test_scanout_maps_SOURCES = tests/client/test-scanout-maps.c
tests_client_test_scanout_maps_CFLAGS = $(client_libscclient_la_CFLAGS)
tests_client_test_scanout_maps_LDADD = $(SC_CLIENT_LIBS) $(GLIB_LIBS) -lm

# the viewer (viewer-headless, a child process) against a hostile fake server
check_PROGRAMS += tests/client/test-viewer-hostile
TESTS += tests/client/test-viewer-hostile
tests_client_test_viewer_hostile_SOURCES = tests/client/test-viewer-hostile.c \
	tests/client/hostile-gen.c tests/client/hostile-gen.h
tests_client_test_viewer_hostile_CFLAGS = $(client_libscclient_la_CFLAGS) $(OPENSSL_CFLAGS)
tests_client_test_viewer_hostile_LDADD = tests/client/libfakeserver.la $(SC_CLIENT_LIBS) \
	$(GLIB_LIBS) -lm

# the URI parser, spice-gtk's rules (GLib g_test)
check_PROGRAMS += tests/client/test-spice-uri
TESTS += tests/client/test-spice-uri
tests_client_test_spice_uri_SOURCES = tests/client/test-spice-uri.c
tests_client_test_spice_uri_CFLAGS = $(client_libscclient_la_CFLAGS)
tests_client_test_spice_uri_LDADD = $(SC_CLIENT_LIBS) $(GLIB_LIBS) -lm

# the decode worker with model decoders in place of the registry's
check_PROGRAMS += tests/client/test-decode-worker
TESTS += tests/client/test-decode-worker
tests_client_test_decode_worker_SOURCES = tests/client/test-decode-worker.c client/decode.c \
	client/decode.h
tests_client_test_decode_worker_CFLAGS = $(client_libscclient_la_CFLAGS) \
	-Dsc_decoders=test_decoders
tests_client_test_decode_worker_LDADD = codecs/libsccodecs.la common/libsccommon.la \
	$(GLIB_LIBS) -lm
