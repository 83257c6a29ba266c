# server core: networking, sessions, channels, display, lossless encoding.
server_libspicecast_server_la_SOURCES += \
	server/server.h server/server.c server/server-private.h \
	server/net.h server/net.c \
	server/link.c server/channel.c \
	server/channel-main.c server/channel-display.c \
	server/channel-inputs.c server/channel-cursor.c \
	server/display.c server/encode.c

# benchmark of the lossless update path (not a test: make bench)
noinst_PROGRAMS += bench/bench-lossless
bench_bench_lossless_SOURCES = bench/bench-lossless.c
bench_bench_lossless_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
bench_bench_lossless_LDADD = server/libspicecast-server.la
server_libspicecast_server_la_SOURCES += server/stream.c
server_libspicecast_server_la_SOURCES += server/display-gl.c
