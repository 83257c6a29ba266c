# bench/: benchmarks, built by `make`, run by hand (never by make check: the
# machines here are shared and noisy).  bench-lossless is in server/core.mk.
noinst_PROGRAMS += bench/load-clients
bench_load_clients_SOURCES = bench/load-clients.c tests/interop/raw-client.h
bench_load_clients_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(OPENSSL_CFLAGS)
bench_load_clients_LDADD = common/libsccommon.la $(GLIB_LIBS) $(OPENSSL_LIBS)

# bench/fanout: bench/fanout.sh with the build directory filled in
noinst_SCRIPTS = bench/fanout
bench/fanout: bench/fanout.sh Makefile
	$(AM_V_GEN)sed -e 's|%TOP_BUILDDIR%|$(abs_top_builddir)|g' \
		-e 's|%TOP_SRCDIR%|$(abs_top_srcdir)|g' \
		$(srcdir)/bench/fanout.sh >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += bench/fanout bench/fanout.tmp
EXTRA_DIST += bench/fanout.sh bench/README.md bench/bench-server.sh bench/idle-clients.c \
	bench/latency-spice-gtk.sh bench/transport-throughput.sh
