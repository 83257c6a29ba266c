# tests/server/: the server core driven over socketpair() by a scripted client.
check_PROGRAMS += tests/server/test-protocol
TESTS += tests/server/test-protocol
tests_server_test_protocol_SOURCES = tests/server/test-protocol.c
tests_server_test_protocol_CFLAGS = $(server_libspicecast_server_la_CFLAGS)
tests_server_test_protocol_LDADD = server/libspicecast-server.la

# the daemon's command line, with real clients (spicy-screenshot)
TESTS += tests/server/test-cli.sh
EXTRA_DIST += tests/server/test-cli.sh
