/* libFuzzer target: the openh264:h264 decoder (see fuzz-decoder-common.c). */
#include "config.h"

extern const char *const sc_fuzz_backend, *const sc_fuzz_codec;
const char *const sc_fuzz_backend = "openh264";
const char *const sc_fuzz_codec = "h264";
