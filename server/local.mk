# server/: the display server library (linked by the daemon and the tests)
# and the spicecast-server daemon.
noinst_LTLIBRARIES += server/libspicecast-server.la
server_libspicecast_server_la_SOURCES = \
	server/sources/source.h server/sources/source.c server/sources/ticker.h \
	server/sources/heads.h server/sources/heads.c \
	server/sources/pattern.c server/sources/image.c server/sources/y4m.c \
	server/sources/qemu-dbus.c server/sources/qemu-dbus.h server/sources/qemu-screen.c \
	server/sources/qemu-pixels.c server/sources/qemu-pixels.h \
	server/sources/qemu-planes.c server/sources/qemu-planes.h \
	server/sources/stale.c server/sources/stale.h \
	server/sources/notice.c server/sources/notice.h
include server/core.mk
server_libspicecast_server_la_CFLAGS = $(AM_CFLAGS) \
	$(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(PIXBUF_CFLAGS) $(CAIRO_CFLAGS) $(LZ4_CFLAGS) $(VA_CFLAGS) \
	$(OPENSSL_CFLAGS) $(SOUP_CFLAGS)
# convenience libraries never LIBADD each other (the shared library takes
# each once, whole): programs link them all through SC_SERVER_LIBS
SC_SERVER_LIBS = server/libspicecast-server.la codecs/libsccodecs.la common/libsccommon.la
server_libspicecast_server_la_LIBADD = \
	$(GLIB_LIBS) $(PIXBUF_LIBS) $(CAIRO_LIBS) $(LZ4_LIBS) $(YUV_LIBS) $(SOUP_LIBS) -lm

bin_PROGRAMS += server/spicecast-server
server_spicecast_server_SOURCES = server/spicecast-server.c
server_spicecast_server_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
# (CAIRO_LIBS: fontconfig, for FcFini at exit)
server_spicecast_server_LDADD = $(SC_SERVER_LIBS) $(CAIRO_LIBS)
