# client/viewer.mk: the GTK3 viewer program, its desktop file, man page and
# window tests (Xvfb).
if HAVE_GTK
bin_PROGRAMS += client/viewer
client_viewer_SOURCES = \
	client/viewer.c \
	client/window.c client/window.h client/window-priv.h client/window-ui.c client/window-stats.c \
	client/vv-file.c client/vv-file.h client/hotkeys.c client/hotkeys.h \
	client/keymap.c client/keymap.h \
	client/renderer.c client/renderer.h \
	client/renderer-gl.c client/renderer-cairo.c client/renderer-dmabuf.c \
	client/libvirt.c client/libvirt.h
client_viewer_CFLAGS = $(AM_CFLAGS) $(GTK_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(VA_CFLAGS) \
	$(LIBVIRT_CFLAGS)
client_viewer_LDADD = client/libscclient.la codecs/libsccodecs.la common/libsccommon.la \
	$(GTK_LIBS) $(GLIB_LIBS) $(LIBVIRT_LIBS) -lm

desktopdir = $(datadir)/applications
desktop_DATA = data/spicecast-viewer.desktop
dist_man_MANS += data/viewer.1

viewer_tests = tests/client/test-viewer-window.sh tests/client/test-viewer-cli.sh \
	tests/client/test-viewer-ui.sh tests/client/test-viewer-i18n.sh \
	tests/client/test-viewer-libvirt.sh tests/client/test-viewer-vv-tls.sh \
	tests/client/test-viewer-overlay.sh tests/client/test-viewer-heads.sh \
	tests/client/test-viewer-nv12.sh
TESTS += $(viewer_tests)
# an embedding VMM scanning out NV12 in two memfds (test-viewer-nv12.sh)
check_PROGRAMS += tests/client/nv12-vmm
tests_client_nv12_vmm_SOURCES = tests/client/nv12-vmm.c
tests_client_nv12_vmm_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(VA_CFLAGS)
tests_client_nv12_vmm_LDADD = server/libspicecast.la $(GLIB_LIBS)
endif
EXTRA_DIST += data/spicecast-viewer.desktop tests/client/test-viewer-window.sh \
	tests/client/test-viewer-cli.sh tests/client/test-viewer-ui.sh tests/client/test-viewer-i18n.sh \
	tests/client/test-viewer-libvirt.sh tests/client/test-viewer-vv-tls.sh \
	tests/client/test-viewer-overlay.sh tests/client/test-viewer-heads.sh tests/client/wm-close.py \
	tests/client/test-viewer-nv12.sh tests/client/nv12-vmm.c

# the EGL attribute list of a scanout of planes (what no GPU here imports)
if HAVE_GTK
check_PROGRAMS += tests/client/test-dmabuf-attrs
TESTS += tests/client/test-dmabuf-attrs
tests_client_test_dmabuf_attrs_SOURCES = tests/client/test-dmabuf-attrs.c client/renderer-dmabuf.c
tests_client_test_dmabuf_attrs_CFLAGS = $(AM_CFLAGS) $(GTK_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(VA_CFLAGS)
tests_client_test_dmabuf_attrs_LDADD = $(GTK_LIBS) $(GLIB_LIBS)
endif

# .vv files and hotkey strings: GLib only, built with or without GTK
check_PROGRAMS += tests/client/test-vv-file
TESTS += tests/client/test-vv-file
tests_client_test_vv_file_SOURCES = tests/client/test-vv-file.c \
	client/vv-file.c client/vv-file.h client/hotkeys.c client/hotkeys.h
tests_client_test_vv_file_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_client_test_vv_file_LDADD = common/libsccommon.la $(GLIB_LIBS)

# a domain XML's SPICE <graphics> -> where to connect (viewer -c URI DOMAIN)
check_PROGRAMS += tests/client/test-libvirt-xml
TESTS += tests/client/test-libvirt-xml
tests_client_test_libvirt_xml_SOURCES = tests/client/test-libvirt-xml.c \
	client/libvirt.c client/libvirt.h
tests_client_test_libvirt_xml_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(LIBVIRT_CFLAGS)
tests_client_test_libvirt_xml_LDADD = $(GLIB_LIBS) $(LIBVIRT_LIBS)
