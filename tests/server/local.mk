# tests/server/: the server core driven over socketpair() by a scripted
# client (harness.c), and the daemon's command line.
check_LTLIBRARIES += tests/server/libharness.la
tests_server_libharness_la_SOURCES = tests/server/harness.c tests/server/harness.h
tests_server_libharness_la_CFLAGS = $(server_libspicecast_server_la_CFLAGS)

check_PROGRAMS += tests/server/test-protocol tests/server/test-stream tests/server/test-gl
TESTS += tests/server/test-protocol tests/server/test-stream tests/server/test-gl
check_PROGRAMS += tests/server/test-heads
TESTS += tests/server/test-heads
tests_server_test_heads_SOURCES = tests/server/test-heads.c
tests_server_test_heads_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_heads_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)
tests_server_test_protocol_SOURCES = tests/server/test-protocol.c
tests_server_test_protocol_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_protocol_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)
check_PROGRAMS += tests/server/test-lossless
TESTS += tests/server/test-lossless
tests_server_test_lossless_SOURCES = tests/server/test-lossless.c
tests_server_test_lossless_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_lossless_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)
tests_server_test_stream_SOURCES = tests/server/test-stream.c
tests_server_test_stream_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_stream_LDADD = tests/server/libharness.la bench/libsccontent.la $(SC_SERVER_LIBS)

# SC_MSG_DISPLAY_FRAME_TIMES: the server's stages to our viewer, never to spice-gtk
check_PROGRAMS += tests/server/test-frame-times
TESTS += tests/server/test-frame-times
tests_server_test_frame_times_SOURCES = tests/server/test-frame-times.c
tests_server_test_frame_times_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_frame_times_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)

check_PROGRAMS += tests/server/test-tls tests/server/test-ws
TESTS += tests/server/test-tls tests/server/test-ws
tests_server_test_ws_SOURCES = tests/server/test-ws.c
tests_server_test_ws_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_ws_LDADD = $(SC_SERVER_LIBS)
tests_server_test_tls_SOURCES = tests/server/test-tls.c
tests_server_test_tls_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_tls_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)

# sc_conn_note_written(): a stage recorded when its bytes have left
check_PROGRAMS += tests/server/test-net
TESTS += tests/server/test-net
tests_server_test_net_SOURCES = tests/server/test-net.c
tests_server_test_net_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_net_LDADD = $(SC_SERVER_LIBS)

tests_server_test_gl_SOURCES = tests/server/test-gl.c
tests_server_test_gl_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_gl_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)

# GL_SCANOUT2_UNIX: planes, offsets, modifiers to clients that take it only
check_PROGRAMS += tests/server/test-gl-planes
TESTS += tests/server/test-gl-planes
tests_server_test_gl_planes_SOURCES = tests/server/test-gl-planes.c
tests_server_test_gl_planes_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_gl_planes_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)

# the daemon's command line, with real clients (spicy-screenshot)
TESTS += tests/server/test-cli.sh tests/server/test-unix-perms.sh tests/server/test-auth.sh
EXTRA_DIST += tests/server/test-cli.sh tests/server/test-unix-perms.sh tests/server/test-auth.sh
# LeakSanitizer at the server's exit (runs in the sanitizer pass only)
TESTS += tests/server/test-exit-leaks.sh
EXTRA_DIST += tests/server/test-exit-leaks.sh tests/soak/lsan.supp

# a VMM linking the public library through spicecast.h alone
check_PROGRAMS += tests/server/test-embed
TESTS += tests/server/test-embed
tests_server_test_embed_SOURCES = tests/server/test-embed.c tests/server/embed-util.h
tests_server_test_embed_CPPFLAGS = -I$(top_srcdir)/server -I$(top_srcdir) -I$(top_builddir)
tests_server_test_embed_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(VA_CFLAGS)
tests_server_test_embed_LDADD = server/libspicecast.la $(GLIB_LIBS)

# the same with two planes to our viewer (GL_SCANOUT2_UNIX) and to one
# without the cap
check_PROGRAMS += tests/server/test-embed-planes
TESTS += tests/server/test-embed-planes
tests_server_test_embed_planes_SOURCES = tests/server/test-embed-planes.c tests/server/embed-util.h
tests_server_test_embed_planes_CPPFLAGS = -I$(top_srcdir) -I$(top_builddir)
tests_server_test_embed_planes_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(VA_CFLAGS)
tests_server_test_embed_planes_LDADD = server/libspicecast.la $(GLIB_LIBS)

# the built-in agent (server/agent.c): monitors config, malformed messages
check_PROGRAMS += tests/server/test-agent
TESTS += tests/server/test-agent
tests_server_test_agent_SOURCES = tests/server/test-agent.c
tests_server_test_agent_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_agent_LDADD = tests/server/libharness.la $(SC_SERVER_LIBS)
