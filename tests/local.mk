# tests/: unit tests, protocol tests, interop tests against real peers, fuzz.
include tests/unit/local.mk
include tests/fuzz/local.mk
include tests/interop/local.mk
include tests/sources/local.mk
