# bench/: benchmarks, built by `make`, run by hand (never by make check: the
# machines here are shared and noisy).  bench-lossless is in server/core.mk.
noinst_PROGRAMS += bench/load-clients
bench_load_clients_SOURCES = bench/load-clients.c tests/interop/raw-client.h
bench_load_clients_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(OPENSSL_CFLAGS)
bench_load_clients_LDADD = common/libsccommon.la $(GLIB_LIBS) $(OPENSSL_LIBS)
EXTRA_DIST += bench/README.md bench/bench-server.sh bench/idle-clients.c
