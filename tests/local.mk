# tests/: unit tests, protocol tests, interop tests against real peers, fuzz.
include tests/unit/local.mk
include tests/fuzz/local.mk
include tests/interop/local.mk
include tests/sources/local.mk
include tests/server/local.mk

# The whole suite again under ASan+UBSan, in its own build (slow: CI only
# needs it once; SPICECAST_SKIP_SANITIZERS=1 skips it while developing).
TESTS += tests/test-sanitizers.sh
EXTRA_DIST += tests/test-sanitizers.sh
