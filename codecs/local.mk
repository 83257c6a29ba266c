# codecs/: one encoder and one decoder interface (codec.h), the registry,
# one file per backend, libyuv colour conversion (the benchmark is in bench/).
noinst_LTLIBRARIES += codecs/libsccodecs.la
codecs_libsccodecs_la_SOURCES = \
	codecs/codec.h codecs/backend.h codecs/registry.c \
	codecs/convert.c codecs/convert.h \
	codecs/lossless.c \
	codecs/worker.c codecs/worker.h \
	codecs/y4m.c codecs/y4m.h \
	codecs/packet.c codecs/packet.h
codecs_libsccodecs_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SPICE_PROTOCOL_CFLAGS) \
	$(LZ4_CFLAGS) $(VA_CFLAGS) $(GST_CFLAGS) $(OPENH264_CFLAGS)
codecs_libsccodecs_la_LIBADD = $(GLIB_LIBS) $(LZ4_LIBS) $(YUV_LIBS)
if HAVE_OPENH264
codecs_libsccodecs_la_SOURCES += codecs/openh264.c
codecs_libsccodecs_la_LIBADD += $(OPENH264_LIBS)
endif
if HAVE_GSTREAMER
codecs_libsccodecs_la_SOURCES += codecs/gst-common.h codecs/gst-enc.c codecs/gst-dec.c
codecs_libsccodecs_la_LIBADD += $(GST_LIBS)
endif
if HAVE_VAAPI
codecs_libsccodecs_la_SOURCES += codecs/vaapi.c codecs/vaapi.h codecs/vaapi-h264.c \
	codecs/vaapi-enc.c codecs/vaapi-dec.c
codecs_libsccodecs_la_LIBADD += $(VA_LIBS)
if HAVE_GSTREAMER
# vaapi:h265: probed through libva, encoded by GStreamer's VA plugin
codecs_libsccodecs_la_SOURCES += codecs/vaapi-hevc.c
endif
endif


# tests: round trips per backend (GLib g_test, TAP) and the bench's CLI
check_PROGRAMS += tests/codecs/test-codecs
tests_codecs_test_codecs_SOURCES = tests/codecs/test-codecs.c
tests_codecs_test_codecs_CFLAGS = $(codecs_libsccodecs_la_CFLAGS)
tests_codecs_test_codecs_LDADD = bench/libsccontent.la codecs/libsccodecs.la common/libsccommon.la $(GLIB_LIBS) -lm
TESTS += tests/codecs/test-codecs
check_PROGRAMS += tests/codecs/test-worker
tests_codecs_test_worker_SOURCES = tests/codecs/test-worker.c
tests_codecs_test_worker_CFLAGS = $(codecs_libsccodecs_la_CFLAGS)
tests_codecs_test_worker_LDADD = bench/libsccontent.la codecs/libsccodecs.la common/libsccommon.la $(GLIB_LIBS) -lm
TESTS += tests/codecs/test-worker

# NV12 frames (sc_frame_wrap's CPU view, converted) through every encoder
check_PROGRAMS += tests/codecs/test-frame-nv12
tests_codecs_test_frame_nv12_SOURCES = tests/codecs/test-frame-nv12.c
tests_codecs_test_frame_nv12_CFLAGS = $(codecs_libsccodecs_la_CFLAGS)
tests_codecs_test_frame_nv12_LDADD = bench/libsccontent.la codecs/libsccodecs.la common/libsccommon.la \
	$(GLIB_LIBS) -lm
TESTS += tests/codecs/test-frame-nv12

check_PROGRAMS += tests/codecs/test-lossless
tests_codecs_test_lossless_SOURCES = tests/codecs/test-lossless.c
tests_codecs_test_lossless_CFLAGS = $(codecs_libsccodecs_la_CFLAGS)
tests_codecs_test_lossless_LDADD = codecs/libsccodecs.la common/libsccommon.la $(GLIB_LIBS) -lm
TESTS += tests/codecs/test-lossless
# hostile packets do not hold a decoder's caller (bounded decode calls)
check_PROGRAMS += tests/codecs/test-dec-stall
tests_codecs_test_dec_stall_SOURCES = tests/codecs/test-dec-stall.c
tests_codecs_test_dec_stall_CFLAGS = $(codecs_libsccodecs_la_CFLAGS)
tests_codecs_test_dec_stall_LDADD = bench/libsccontent.la codecs/libsccodecs.la common/libsccommon.la \
	$(GLIB_LIBS) -lm
TESTS += tests/codecs/test-dec-stall
# frame stamps (common/stamp) survive every encoder/decoder pair
check_PROGRAMS += tests/codecs/test-stamp
tests_codecs_test_stamp_SOURCES = tests/codecs/test-stamp.c
tests_codecs_test_stamp_CFLAGS = $(codecs_libsccodecs_la_CFLAGS)
tests_codecs_test_stamp_LDADD = bench/libsccontent.la codecs/libsccodecs.la common/libsccommon.la \
	$(GLIB_LIBS) -lm
TESTS += tests/codecs/test-stamp

if HAVE_VAAPI
# the H.264 header writer/parser behind vaapi:h264, checked without a GPU
check_PROGRAMS += tests/codecs/test-h264-headers
# vaapi-h264.c is built in again with UBSan, errors fatal (signed overflow
# on hostile headers fails here in every build); SC_UBSAN_FLAGS: client/engine.mk
tests_codecs_test_h264_headers_SOURCES = tests/codecs/test-h264-headers.c codecs/vaapi-h264.c
tests_codecs_test_h264_headers_CFLAGS = $(codecs_libsccodecs_la_CFLAGS) $(SC_UBSAN_FLAGS)
tests_codecs_test_h264_headers_LDFLAGS = $(SC_UBSAN_FLAGS)
tests_codecs_test_h264_headers_LDADD = bench/libsccontent.la codecs/libsccodecs.la common/libsccommon.la \
	$(GLIB_LIBS) -lm
TESTS += tests/codecs/test-h264-headers
endif

# libFuzzer targets, one per decoder entry point (tests/fuzz/fuzz-decoder-*),
# built with $(CLANG) by the rule tests/fuzz/local.mk describes and run for a
# bounded time by tests/fuzz/run-fuzzers.sh; seeds in
# tests/fuzz/corpus/fuzz-decoder-*/ (real packets of each encoder, 64x64).
fuzz_codec_srcs = codecs/registry.c codecs/convert.c codecs/lossless.c common/log.c \
	common/wire.c common/lz4-image.c
fuzz_codec_flags = $(GLIB_CFLAGS) $(VA_CFLAGS) $(GLIB_LIBS) $(LZ4_LIBS) $(YUV_LIBS) -lstdc++
codecs_fuzz_targets = tests/fuzz/fuzz-decoder-raw tests/fuzz/fuzz-decoder-lz4
if HAVE_OPENH264
fuzz_codec_srcs += codecs/openh264.c
fuzz_codec_flags += $(OPENH264_CFLAGS) $(OPENH264_LIBS)
codecs_fuzz_targets += tests/fuzz/fuzz-decoder-openh264
endif
if HAVE_GSTREAMER
fuzz_codec_srcs += codecs/gst-enc.c codecs/gst-dec.c
fuzz_codec_flags += $(GST_CFLAGS) $(GST_LIBS)
codecs_fuzz_targets += tests/fuzz/fuzz-decoder-gst-h264 tests/fuzz/fuzz-decoder-gst-vp8 \
	tests/fuzz/fuzz-decoder-gst-vp9 tests/fuzz/fuzz-decoder-gst-mjpeg \
	tests/fuzz/fuzz-decoder-gst-h265
endif
if HAVE_VAAPI
fuzz_codec_srcs += codecs/vaapi.c codecs/vaapi-h264.c codecs/vaapi-enc.c codecs/vaapi-dec.c
fuzz_codec_flags += $(VA_LIBS)
if HAVE_GSTREAMER
fuzz_codec_srcs += codecs/vaapi-hevc.c
endif
codecs_fuzz_targets += tests/fuzz/fuzz-decoder-vaapi-h264
endif
fuzz_codec_deps = $(fuzz_codec_srcs) tests/fuzz/fuzz-decoder-common.c config.h
# one driver, tests/fuzz/fuzz-decoder-common.c, compiled for each entry point:
# $(call fuzz_decoder_link,BACKEND,CODEC)
fuzz_decoder_link = $(fuzz_link) $(fuzz_codec_flags) \
	-DSC_FUZZ_BACKEND='"$(1)"' -DSC_FUZZ_CODEC='"$(2)"'

if HAVE_FUZZ
tests/fuzz/fuzz-decoder-raw: $(fuzz_codec_deps)
	$(call fuzz_decoder_link,lossless,raw)
tests/fuzz/fuzz-decoder-lz4: $(fuzz_codec_deps)
	$(call fuzz_decoder_link,lossless,lz4)
tests/fuzz/fuzz-decoder-openh264: $(fuzz_codec_deps)
	$(call fuzz_decoder_link,openh264,h264)
# GStreamer's process-lifetime allocations: tests/fuzz/fuzz-decoder-gst-lsan.c
tests/fuzz/fuzz-decoder-gst-h264: tests/fuzz/fuzz-decoder-gst-lsan.c $(fuzz_codec_deps)
	$(call fuzz_decoder_link,gstreamer,h264)
tests/fuzz/fuzz-decoder-gst-h265: tests/fuzz/fuzz-decoder-gst-lsan.c $(fuzz_codec_deps)
	$(call fuzz_decoder_link,gstreamer,h265)
tests/fuzz/fuzz-decoder-gst-vp8: tests/fuzz/fuzz-decoder-gst-lsan.c $(fuzz_codec_deps)
	$(call fuzz_decoder_link,gstreamer,vp8)
tests/fuzz/fuzz-decoder-gst-vp9: tests/fuzz/fuzz-decoder-gst-lsan.c $(fuzz_codec_deps)
	$(call fuzz_decoder_link,gstreamer,vp9)
tests/fuzz/fuzz-decoder-gst-mjpeg: tests/fuzz/fuzz-decoder-gst-lsan.c $(fuzz_codec_deps)
	$(call fuzz_decoder_link,gstreamer,mjpeg)
# the header parsers always; the whole decoder where a VA driver exists
tests/fuzz/fuzz-decoder-vaapi-h264: tests/fuzz/fuzz-decoder-vaapi-h264.c $(fuzz_codec_srcs) \
		config.h
	$(fuzz_link) $(fuzz_codec_flags)
codecs_fuzz_run = $(codecs_fuzz_targets)
endif
# built before the bounded run (tests/fuzz/run-fuzzers.sh) and by `make fuzz`
check_SCRIPTS = $(codecs_fuzz_run)
CLEANFILES += $(codecs_fuzz_run)
EXTRA_DIST += tests/fuzz/fuzz-decoder-common.c tests/fuzz/fuzz-decoder-gst-lsan.c \
	tests/fuzz/fuzz-decoder-vaapi-h264.c
TESTS += tests/codecs/test-bench.sh
EXTRA_DIST += tests/codecs/test-bench.sh
