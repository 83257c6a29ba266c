# common/: SPICE wire protocol, auth, framing, fd passing, frame descriptors.
noinst_LTLIBRARIES += common/libsccommon.la
common_libsccommon_la_SOURCES = \
	common/log.c common/log.h \
	common/wire.c common/wire.h \
	common/messages.h \
	common/msg-link.c common/msg-base.c common/msg-main.c \
	common/msg-display.c common/msg-inputs.c common/msg-cursor.c \
	common/lz4-image.c \
	common/ticket.c common/ticket.h \
	common/fdpass.c common/fdpass.h \
	common/frame.c common/frame.h \
	common/stats.c common/stats.h \
	common/stamp.c common/stamp.h \
	common/scene.c common/scene.h
common_libsccommon_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(CAIRO_CFLAGS) \
	$(OPENSSL_CFLAGS) $(LZ4_CFLAGS) $(VA_CFLAGS)
common_libsccommon_la_LIBADD = $(GLIB_LIBS) $(OPENSSL_LIBS) $(LZ4_LIBS) $(CAIRO_LIBS) -lm
