# client/viewer.mk: the GTK3 viewer program, its desktop file, man page and
# window tests (Xvfb).
if HAVE_GTK
bin_PROGRAMS += client/viewer
client_viewer_SOURCES = \
	client/viewer.c \
	client/window.c client/window.h \
	client/keymap.c client/keymap.h \
	client/renderer.c client/renderer.h \
	client/renderer-gl.c client/renderer-cairo.c
client_viewer_CFLAGS = $(AM_CFLAGS) $(GTK_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(VA_CFLAGS)
client_viewer_LDADD = client/libscclient.la codecs/libsccodecs.la common/libsccommon.la \
	$(GTK_LIBS) $(GLIB_LIBS) -lm

desktopdir = $(datadir)/applications
desktop_DATA = data/spicecast-viewer.desktop
dist_man_MANS += data/viewer.1

viewer_tests = tests/client/test-viewer-window.sh
TESTS += $(viewer_tests)
endif
EXTRA_DIST += data/spicecast-viewer.desktop tests/client/test-viewer-window.sh
