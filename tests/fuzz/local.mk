# tests/fuzz/: libFuzzer targets for every wire parser, run for a bounded time
# by tests/fuzz/run-fuzzers.sh during `make check`.
#
# How to add a target (codecs/local.mk does the same for fuzz-decoder-*):
# automake compiles with $(CC) and libtool, so fuzz targets are built with an
# explicit rule that calls $(CLANG) directly on the .c files they need:
#
#   tests/fuzz/fuzz-foo: tests/fuzz/fuzz-foo.c <the common/*.c it needs> config.h
#   	$(fuzz_link) <extra libs>
#   fuzz_targets += tests/fuzz/fuzz-foo
#
# (a wire-parser target only joins fuzz_wire_targets below: it is built from
# its own .c file and $(fuzz_wire_deps), with tests/fuzz/fuzz-util.h's
# fuzz_selector() as its entry point unless it reads the whole input.)
#
# fuzz_link compiles and links every .c prerequisite ($^, VPATH-resolved) with
# FUZZ_CFLAGS; name only .c files and headers/config.h as prerequisites.  Put
# seed inputs in tests/fuzz/corpus/fuzz-foo/ (run-fuzzers.sh runs every
# tests/fuzz/fuzz-* program it finds built, over a copy of its corpus).
# `make fuzz-corpus` regenerates the seeds of the wire targets below.
#
# Targets that drive a whole engine (client, server, sources) link objects
# built once in tests/fuzz/obj/ instead: see "targets that link the engines"
# below; their seeds come from tests/fuzz/gen-corpus-engines.c.

EXTRA_DIST += tests/fuzz/run-fuzzers.sh tests/fuzz/fuzz-campaign.sh tests/fuzz/fuzz-lib.sh tests/fuzz/fuzz-util.h \
	tests/fuzz/gen-corpus.c tests/fuzz/crashes \
	tests/fuzz/corpus
TESTS += tests/fuzz/run-fuzzers.sh
fuzz_targets =

FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -std=gnu11 \
	-I$(top_srcdir) -I$(top_builddir) \
	$(SPICE_PROTOCOL_CFLAGS) $(LZ4_CFLAGS)
fuzz_link = $(AM_V_CCLD)$(MKDIR_P) $(@D) && $(CLANG) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# the message parsers and writers, without libtool or GLib
fuzz_wire_srcs = common/wire.c common/msg-link.c common/msg-base.c common/msg-main.c \
	common/msg-display.c common/msg-inputs.c common/msg-cursor.c common/lz4-image.c
fuzz_wire_deps = $(fuzz_wire_srcs) common/messages.h common/wire.h tests/fuzz/fuzz-util.h config.h

fuzz_wire_targets = tests/fuzz/fuzz-link tests/fuzz/fuzz-base tests/fuzz/fuzz-main \
	tests/fuzz/fuzz-display tests/fuzz/fuzz-inputs tests/fuzz/fuzz-cursor
if HAVE_FUZZ
fuzz_targets += $(fuzz_wire_targets)

# each is its own .c file and the wire code
$(fuzz_wire_targets): tests/fuzz/%: tests/fuzz/%.c $(fuzz_wire_deps)
	$(fuzz_link) $(LZ4_LIBS)
endif

# ---- targets that link the engines ----------------------------------------
# Each source is compiled once into tests/fuzz/obj/ (coverage without
# libFuzzer's main, ASan+UBSan), shared by the targets that need it, with
# tests/fuzz/fuzz-log.c standing in for common/log.c (silent).  Targets
# that reach static functions #include the .c file under test instead of
# linking its object (fuzz_obj_link compiles the first prerequisite, the
# harness, and links the objects; other .c prerequisites are dependencies).
FUZZ_OBJ_CFLAGS = $(filter-out -fsanitize=%,$(FUZZ_CFLAGS)) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	$(GLIB_CFLAGS) $(CAIRO_CFLAGS) $(PIXBUF_CFLAGS) $(GST_CFLAGS) $(VA_CFLAGS) \
	$(OPENH264_CFLAGS) $(OPENSSL_CFLAGS) $(SOUP_CFLAGS) -MMD -MP
tests/fuzz/obj/%.o: %.c config.h
	$(AM_V_CC)$(MKDIR_P) $(@D) && $(CLANG) $(FUZZ_OBJ_CFLAGS) -c -o $@ $<
-include $(wildcard tests/fuzz/*.d tests/fuzz/obj/*/*.d tests/fuzz/obj/*/*/*.d tests/fuzz/obj/*/*/*/*.d)
fuzz_objs = $(patsubst %.c,tests/fuzz/obj/%.o,$(filter %.c,$(1)))
fuzz_obj_link = $(AM_V_CCLD)$(MKDIR_P) $(@D) && $(CLANG) $(FUZZ_OBJ_CFLAGS) -fsanitize=fuzzer \
	-o $@ $< $(filter %.o,$^)
fuzz_common_objs = $(call fuzz_objs,$(filter-out common/log.c,$(common_libsccommon_la_SOURCES)) \
	tests/fuzz/fuzz-log.c)
fuzz_codec_objs = $(call fuzz_objs,$(codecs_libsccodecs_la_SOURCES))
fuzz_server_objs = $(call fuzz_objs,$(server_libspicecast_server_la_SOURCES))
fuzz_engine_libs = $(GLIB_LIBS) $(OPENSSL_LIBS) $(LZ4_LIBS) $(YUV_LIBS) $(GST_LIBS) $(VA_LIBS) \
	$(OPENH264_LIBS) -lstdc++ -lm
EXTRA_DIST += tests/fuzz/fuzz-log.c tests/fuzz/gen-corpus-engines.c
clean-local: fuzz-clean-obj
.PHONY: fuzz-clean-obj
fuzz-clean-obj:
	rm -rf tests/fuzz/obj

if HAVE_FUZZ
# ticket decryption (common/ticket.c)
tests/fuzz/fuzz-ticket: tests/fuzz/fuzz-ticket.c $(call fuzz_objs,common/ticket.c tests/fuzz/fuzz-log.c)
	$(fuzz_obj_link) $(OPENSSL_LIBS)
fuzz_targets += tests/fuzz/fuzz-ticket
# fd passing (common/fdpass.c), over socketpairs
tests/fuzz/fuzz-fdpass: tests/fuzz/fuzz-fdpass.c $(call fuzz_objs,common/fdpass.c)
	$(fuzz_obj_link)
fuzz_targets += tests/fuzz/fuzz-fdpass
endif
EXTRA_DIST += tests/fuzz/fuzz-ticket.c tests/fuzz/fuzz-fdpass.c

# Seeds: valid messages from the writers (tests/fuzz/gen-corpus.c).
tests/fuzz/gen-corpus: tests/fuzz/gen-corpus.c $(fuzz_wire_deps)
	$(AM_V_CCLD)$(MKDIR_P) $(@D) && $(CC) -std=gnu11 -I$(top_srcdir) -I$(top_builddir) \
		$(SPICE_PROTOCOL_CFLAGS) $(LZ4_CFLAGS) -o $@ $(filter %.c,$^) $(LZ4_LIBS)
# ... and whole streams for the engine targets (gen-corpus-engines.c)
tests/fuzz/gen-corpus-engines: tests/fuzz/gen-corpus-engines.c common/ticket.c common/log.c \
		$(fuzz_wire_deps)
	$(AM_V_CCLD)$(MKDIR_P) $(@D) && $(CC) -std=gnu11 -I$(top_srcdir) -I$(top_builddir) \
		$(SPICE_PROTOCOL_CFLAGS) $(LZ4_CFLAGS) $(OPENSSL_CFLAGS) $(GLIB_CFLAGS) -o $@ \
		$(filter %.c,$^) $(LZ4_LIBS) $(OPENSSL_LIBS) $(GLIB_LIBS)
fuzz-corpus: tests/fuzz/gen-corpus tests/fuzz/gen-corpus-engines
	tests/fuzz/gen-corpus $(top_srcdir)/tests/fuzz/corpus
	tests/fuzz/gen-corpus-engines $(top_srcdir)/tests/fuzz/corpus

# the viewer's engine: the display channel's files are #included by the
# harnesses (tests/fuzz/fuzz-client.h), the rest linked
fuzz_client_included = client/canvas.c client/decode.c client/channel-display.c \
	client/channel-display-stream.c
fuzz_client_deps = tests/fuzz/fuzz-client.h tests/fuzz/fuzz-util.h $(fuzz_client_included) \
	$(call fuzz_objs,client/renderer.c $(filter-out \
	$(fuzz_client_included),$(client_libscclient_la_SOURCES))) \
	$(fuzz_common_objs) $(fuzz_codec_objs)
EXTRA_DIST += tests/fuzz/fuzz-client.h tests/fuzz/fuzz-client-display.c
if HAVE_FUZZ
tests/fuzz/fuzz-client-display: tests/fuzz/fuzz-client-display.c $(fuzz_client_deps)
	$(fuzz_obj_link) $(fuzz_engine_libs) $(CAIRO_LIBS)
fuzz_targets += tests/fuzz/fuzz-client-display
endif
EXTRA_DIST += tests/fuzz/fuzz-client-link.c
if HAVE_FUZZ
tests/fuzz/fuzz-client-link: tests/fuzz/fuzz-client-link.c $(fuzz_client_deps)
	$(fuzz_obj_link) $(fuzz_engine_libs) $(CAIRO_LIBS) -Wl,--wrap=sc_ticket_encrypt
fuzz_targets += tests/fuzz/fuzz-client-link
endif

# the server: link.c, channel.c and the channels linked whole, over socketpairs
fuzz_server_deps = tests/fuzz/fuzz-server.h tests/fuzz/fuzz-util.h $(fuzz_server_objs) \
	$(fuzz_common_objs) $(fuzz_codec_objs)
fuzz_server_libs = $(fuzz_engine_libs) $(CAIRO_LIBS) $(PIXBUF_LIBS) $(SOUP_LIBS)
EXTRA_DIST += tests/fuzz/fuzz-server.h tests/fuzz/fuzz-server-link.c tests/fuzz/fuzz-server-channel.c
if HAVE_FUZZ
tests/fuzz/fuzz-server-link: tests/fuzz/fuzz-server-link.c $(fuzz_server_deps)
	$(fuzz_obj_link) $(fuzz_server_libs) -Wl,--wrap=sc_ticket_decrypt
tests/fuzz/fuzz-server-channel: tests/fuzz/fuzz-server-channel.c $(fuzz_server_deps)
	$(fuzz_obj_link) $(fuzz_server_libs) -Wl,--wrap=sc_ticket_decrypt
fuzz_targets += tests/fuzz/fuzz-server-link tests/fuzz/fuzz-server-channel
endif

# the sources' readers, each #included by its harness; the other sources and
# source.c (listeners, ticker) linked; the VMM source (it is the embedding
# API's) is not; qemu-screen.c reads an NV12 scanout through the codecs'
# sc_codec_frame_pixels
fuzz_sources_objs = $(call fuzz_objs,$(filter-out %/vmm-source.c,$(filter server/sources/%,$(server_libspicecast_server_la_SOURCES))) \
	codecs/y4m.c)
EXTRA_DIST += tests/fuzz/fuzz-y4m.c
if HAVE_FUZZ
tests/fuzz/fuzz-y4m: tests/fuzz/fuzz-y4m.c codecs/y4m.c $(fuzz_common_objs)
	$(fuzz_obj_link) $(fuzz_server_libs)
fuzz_targets += tests/fuzz/fuzz-y4m
endif
EXTRA_DIST += tests/fuzz/fuzz-qemu-dbus.c
if HAVE_FUZZ
tests/fuzz/fuzz-qemu-dbus: tests/fuzz/fuzz-qemu-dbus.c server/sources/qemu-screen.c \
		$(filter-out %/qemu-screen.o,$(fuzz_sources_objs)) $(fuzz_common_objs) \
		$(fuzz_codec_objs)
	$(fuzz_obj_link) $(fuzz_server_libs)
fuzz_targets += tests/fuzz/fuzz-qemu-dbus
endif

# fuzz-decoder-gst-mjpeg (rule in codecs/local.mk, harness
# tests/fuzz/fuzz-decoder-common.c) keeps one decoder across inputs, frames
# each packet as a JPEG, and cuts gst-dec.c's wait for a packet to 20 ms
# (tests/fuzz/fuzz-decoder-gst-lsan.c).  Measured here (2 shared cores,
# ASan+UBSan, its seeds, 60 s): 646 runs before (10.8/s: a pipeline per input
# and 10 s per stalled packet), 3,939 after (64/s); most of what is left is
# gst-dec.c resetting its pipeline after each packet it cannot decode.
# (A pattern-specific variable: automake would take "target: VAR += ..." for
# a second definition of the rule.)
tests/fuzz/fuzz-decoder-gst-mjpe%: FUZZ_CFLAGS += -DSC_FUZZ_KEEP_DECODER=1 \
	-DSC_FUZZ_JPEG_FRAMING=1 -DSC_FUZZ_STALL_MS=20 -Wl,--wrap=g_cond_wait_until

# ---- after every target above: `make fuzz` builds them all ----------------
# built before the bounded run; `make fuzz` builds them alone
tests/fuzz/run-fuzzers.log: $(fuzz_targets)
.PHONY: fuzz fuzz-corpus fuzz-campaign
fuzz: $(fuzz_targets) $(codecs_fuzz_run)

# The long run, never in `make check` (tests/fuzz/fuzz-campaign.sh: every
# target >= 10 M executions, decoders >= 1 M, corpus merged back into
# tests/fuzz/corpus, findings kept in tests/fuzz/crashes).  Knobs:
# CAMPAIGN_RUNS, CAMPAIGN_DECODER_RUNS, CAMPAIGN_MAX_SECONDS, CAMPAIGN_JOBS,
# CAMPAIGN_TARGETS, CAMPAIGN_NO_MERGE.
fuzz-campaign: fuzz
	top_builddir=$(abs_top_builddir) top_srcdir=$(abs_top_srcdir) \
		$(SHELL) $(top_srcdir)/tests/fuzz/fuzz-campaign.sh
CLEANFILES += $(fuzz_targets) tests/fuzz/gen-corpus tests/fuzz/gen-corpus-engines tests/fuzz/*.d

# the server's built-in agent (server/agent.c): AGENT_DATA chunks
EXTRA_DIST += tests/fuzz/fuzz-agent.c
if HAVE_FUZZ
tests/fuzz/fuzz-agent: tests/fuzz/fuzz-agent.c $(call fuzz_objs,server/agent.c) $(fuzz_common_objs)
	$(fuzz_obj_link) $(fuzz_engine_libs) $(CAIRO_LIBS)
fuzz_targets += tests/fuzz/fuzz-agent
endif
