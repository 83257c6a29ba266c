# tests/sources/: GLib g_test programs (TAP) for frame buffers (common/frame.c)
# and the scanout sources (server/sources/): pattern, image, y4m, qemu-dbus.
sources_test_cflags = $(AM_CFLAGS) $(GLIB_CFLAGS) $(VA_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) \
	$(PIXBUF_CFLAGS) $(CAIRO_CFLAGS)
sources_test_ldadd = $(SC_SERVER_LIBS) $(GLIB_LIBS) $(PIXBUF_LIBS) $(CAIRO_LIBS) $(YUV_LIBS)
sources_tests = \
	tests/sources/test-frame \
	tests/sources/test-pattern \
	tests/sources/test-image \
	tests/sources/test-y4m \
	tests/sources/test-qemu-dbus-fake
check_PROGRAMS += $(sources_tests)
TESTS += $(sources_tests)

tests_sources_test_frame_SOURCES = tests/sources/test-frame.c
tests_sources_test_frame_CFLAGS = $(sources_test_cflags)
tests_sources_test_frame_LDADD = common/libsccommon.la $(GLIB_LIBS)
tests_sources_test_pattern_SOURCES = tests/sources/test-pattern.c tests/sources/sources-util.h
tests_sources_test_pattern_CFLAGS = $(sources_test_cflags)
tests_sources_test_pattern_LDADD = bench/libsccontent.la $(sources_test_ldadd)
tests_sources_test_image_SOURCES = tests/sources/test-image.c tests/sources/sources-util.h
tests_sources_test_image_CFLAGS = $(sources_test_cflags)
tests_sources_test_image_LDADD = $(sources_test_ldadd)
tests_sources_test_y4m_SOURCES = tests/sources/test-y4m.c tests/sources/sources-util.h
tests_sources_test_y4m_CFLAGS = $(sources_test_cflags)
tests_sources_test_y4m_LDADD = $(sources_test_ldadd)

# A real QEMU 7.2 (-display dbus) as the scanout source (--source qemu-dbus),
# checked against QEMU's own SPICE server; skipped (77) without QEMU,
# dbus-run-session or spice-gtk.
sources_sh_tests = tests/sources/test-qemu-dbus.sh tests/sources/test-qemu-dbus-heads.sh
TESTS += $(sources_sh_tests)
EXTRA_DIST += $(sources_sh_tests)

tests_sources_test_qemu_dbus_fake_SOURCES = tests/sources/test-qemu-dbus-fake.c \
	tests/sources/fake-qemu.c tests/sources/fake-qemu.h \
	tests/sources/sources-util.h
tests_sources_test_qemu_dbus_fake_CFLAGS = $(sources_test_cflags)
tests_sources_test_qemu_dbus_fake_LDADD = $(sources_test_ldadd)
