# tests/sources/local.mk
