# server core: networking, sessions, channels, display, lossless encoding.
server_libspicecast_server_la_SOURCES += \
	server/server.h server/server.c server/server-private.h \
	server/net.h server/net.c server/net-transport.h server/net-stream.c server/tls.c \
	server/net-ws.c server/web.c \
	server/tls.h server/web.h \
	server/link.h server/link.c server/session.h server/session.c \
	server/channel.h server/channel.c \
	server/channel-main.c server/agent.h server/agent.c server/channel-display.c \
	server/channel-inputs.c server/channel-cursor.c \
	server/display.h server/display.c server/encode.h server/encode.c \
	server/link-limits.c server/link-limits.h

server_libspicecast_server_la_SOURCES += server/stream.h server/stream.c server/stream-data.h \
	server/stream-data.c
server_libspicecast_server_la_SOURCES += server/display-gl.h server/display-gl.c
server_libspicecast_server_la_SOURCES += server/spicecast.h server/sources/vmm-source.c

# the embedding library: the public API of spicecast.h, every other symbol
# hidden (-fvisibility=hidden in AM_CFLAGS, SC_EXPORT on the API)
lib_LTLIBRARIES = server/libspicecast.la
server_libspicecast_la_SOURCES =
server_libspicecast_la_LIBADD = $(SC_SERVER_LIBS)
# current:revision:age; 1: struct sc_vmm_buffer (planes) and struct
# sc_vmm_source_callbacks (head_pointer) grew, so a VMM built against 0 must
# be rebuilt (age 0: no backward compatibility)
server_libspicecast_la_LDFLAGS = -version-info 1:0:0 -no-undefined
pkginclude_HEADERS = server/spicecast.h
