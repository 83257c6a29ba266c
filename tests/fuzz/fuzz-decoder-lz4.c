/* libFuzzer target: the lossless:lz4 decoder (see fuzz-decoder-common.c). */
#include "config.h"

extern const char *const sc_fuzz_backend, *const sc_fuzz_codec;
const char *const sc_fuzz_backend = "lossless";
const char *const sc_fuzz_codec = "lz4";
