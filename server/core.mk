# server core: networking, sessions, channels, display.
server_libspicecast_server_la_SOURCES += \
	server/server.h server/server.c
