# tests/unit/: GLib g_test programs (TAP) for common/: wire messages, LZ4
# images, ticket auth, fd passing.
unit_test_cflags = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS)
unit_test_ldadd = common/libsccommon.la $(GLIB_LIBS)
unit_tests = \
	tests/unit/test-messages \
	tests/unit/test-display \
	tests/unit/test-ticket \
	tests/unit/test-fdpass
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_test_messages_SOURCES = tests/unit/test-messages.c tests/unit/test-util.h
tests_unit_test_messages_CFLAGS = $(unit_test_cflags)
tests_unit_test_messages_LDADD = $(unit_test_ldadd)
tests_unit_test_display_SOURCES = tests/unit/test-display.c tests/unit/test-util.h
tests_unit_test_display_CFLAGS = $(unit_test_cflags)
tests_unit_test_display_LDADD = $(unit_test_ldadd)
tests_unit_test_ticket_SOURCES = tests/unit/test-ticket.c
tests_unit_test_ticket_CFLAGS = $(unit_test_cflags)
tests_unit_test_ticket_LDADD = $(unit_test_ldadd)
tests_unit_test_fdpass_SOURCES = tests/unit/test-fdpass.c
tests_unit_test_fdpass_CFLAGS = $(unit_test_cflags)
tests_unit_test_fdpass_LDADD = $(unit_test_ldadd)
# common/stats (per-stage percentiles) and common/stamp (frame stamps)
check_PROGRAMS += tests/unit/test-stats
TESTS += tests/unit/test-stats
tests_unit_test_stats_SOURCES = tests/unit/test-stats.c
tests_unit_test_stats_CFLAGS = $(unit_test_cflags)
tests_unit_test_stats_LDADD = $(unit_test_ldadd)
