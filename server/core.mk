# server core: networking, sessions, channels, display, lossless encoding.
server_libspicecast_server_la_SOURCES += \
	server/server.h server/server.c server/server-private.h \
	server/net.h server/net.c \
	server/link.c server/channel.c \
	server/channel-main.c server/channel-display.c \
	server/channel-inputs.c server/channel-cursor.c \
	server/display.c server/encode.c
