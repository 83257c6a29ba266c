# tests/: unit tests, protocol tests, interop tests against real peers, fuzz.
include tests/unit/local.mk
include tests/fuzz/local.mk
include tests/interop/local.mk
include tests/sources/local.mk
include tests/server/local.mk

# The whole suite again under ASan+UBSan, in its own build (slow: CI only
# needs it once; SPICECAST_SKIP_SANITIZERS=1 skips it while developing).
TESTS += tests/test-sanitizers.sh tests/test-call-graph.sh
EXTRA_DIST += tests/test-sanitizers.sh tests/test-call-graph.sh

# make soak: long churn against one server (tests/soak/soak.sh; SOAK_MINUTES,
# SOAK_CLIENTS, SOAK_SOURCE, SOAK_SANITIZERS=0 to use this build).  Not part
# of make check.
EXTRA_DIST += tests/soak/soak.sh
.PHONY: soak
soak: all $(check_PROGRAMS)
	top_builddir=$(abs_top_builddir) top_srcdir=$(abs_top_srcdir) \
		$(SHELL) $(top_srcdir)/tests/soak/soak.sh

# Every process the tests start carries SPICECAST_TEST_RUN=<this run's id>
# (and more, see tests/interop/lib.sh) in its environment; a nested run (the
# sanitizer pass's) appends its own id.  tests/test-leftovers.sh runs after
# every other test and fails if one of them left a process running.
SPICECAST_RUN_ID := $(shell od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
AM_TESTS_ENVIRONMENT += \
	SPICECAST_TEST_RUN=$${SPICECAST_TEST_RUN:+$$SPICECAST_TEST_RUN/}run-$(SPICECAST_RUN_ID); \
	export SPICECAST_TEST_RUN;
TESTS += tests/test-leftovers.sh
EXTRA_DIST += tests/test-leftovers.sh
tests/test-leftovers.log: $(filter-out tests/test-leftovers.log,$(TEST_LOGS))
