# bench/: benchmarks, built by `make`, run by hand (never by make check: the
# machines here are shared and noisy).  The server's lossless path is measured
# by spicecast-bench's lossless rows (bench/bench.c).

# content classes, Y4M input and metrics, shared by the bench and the tests
noinst_LTLIBRARIES += bench/libsccontent.la
bench_libsccontent_la_SOURCES = bench/content.c bench/content.h
bench_libsccontent_la_CFLAGS = $(AM_CFLAGS) $(CAIRO_CFLAGS) $(VA_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) \
	$(GLIB_CFLAGS)
bench_libsccontent_la_LIBADD = $(CAIRO_LIBS) $(YUV_LIBS) -lm

# spicecast-bench, the codec benchmark (installed, man page in data/)
bin_PROGRAMS += bench/spicecast-bench
bench_spicecast_bench_SOURCES = bench/bench.c bench/bench.h bench/bench-report.c \
	bench/bench-bare.c
bench_spicecast_bench_CFLAGS = $(codecs_libsccodecs_la_CFLAGS) $(CAIRO_CFLAGS)
bench_spicecast_bench_LDADD = bench/libsccontent.la codecs/libsccodecs.la common/libsccommon.la $(GST_LIBS) \
	$(CAIRO_LIBS) -lm
dist_man_MANS += data/spicecast-bench.1

noinst_PROGRAMS += bench/load-clients
bench_load_clients_SOURCES = bench/load-clients.c tests/interop/raw-client.h
bench_load_clients_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) $(OPENSSL_CFLAGS)
bench_load_clients_LDADD = common/libsccommon.la $(GLIB_LIBS) $(OPENSSL_LIBS)

# bench/fdpass-floor: one sendmsg with an fd to a reader asleep in poll(),
# the floor under the server's gl_draw stage
noinst_PROGRAMS += bench/fdpass-floor
bench_fdpass_floor_SOURCES = bench/fdpass-floor.c
bench_fdpass_floor_LDADD = common/libsccommon.la

# bench/fanout, bench/glass-to-glass: the scripts with the build directory
# filled in
noinst_SCRIPTS = bench/fanout bench/glass-to-glass
bench/fanout bench/glass-to-glass: bench/%: bench/%.sh Makefile
	$(AM_V_GEN)sed -e 's|%TOP_BUILDDIR%|$(abs_top_builddir)|g' \
		-e 's|%TOP_SRCDIR%|$(abs_top_srcdir)|g' \
		$(srcdir)/bench/$*.sh >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += bench/fanout bench/fanout.tmp bench/glass-to-glass bench/glass-to-glass.tmp

# bench/g2g-probe: glass-to-glass through spice-gtk (bench/glass-to-glass)
if HAVE_SPICE_CLIENT
noinst_PROGRAMS += bench/g2g-probe
bench_g2g_probe_SOURCES = bench/g2g-probe.c
bench_g2g_probe_CFLAGS = $(AM_CFLAGS) $(SPICE_CLIENT_CFLAGS) $(GLIB_CFLAGS)
bench_g2g_probe_LDADD = common/libsccommon.la $(SPICE_CLIENT_LIBS) $(GLIB_LIBS)
endif
EXTRA_DIST += bench/fanout.sh bench/README.md bench/bench-server.sh bench/idle-clients.c \
	bench/latency-spice-gtk.sh bench/glass-to-glass.sh bench/rate-psnr.sh \
	bench/transport-throughput.sh
