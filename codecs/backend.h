/* Private helpers shared by the codec backends (not part of the interface
 * in codec.h). */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codecs/codec.h"

/* snprintf into a reason buffer (NULL/0 allowed). */
void sc_codec_reason(char *reason, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Looks `key` up in an options string "k=v,k=v".  true and the value in
 * buf if present. */
bool sc_codec_option(const char *options, const char *key, char *buf, size_t size);
/* Fails (reason) if options holds a key not in the NULL-terminated list. */
bool sc_codec_options_check(const char *options, const char *const *known, char *reason,
                            size_t size);

/* Common checks on encoder params: size within 1..SC_CODEC_MAX_DIM (even
 * for YUV codecs), fps > 0. */
bool sc_codec_check_params(const struct sc_encoder_params *p, bool need_even, char *reason,
                           size_t size);


double sc_codec_now_ms(void);

/* Backend ops, defined in one file each. */
extern const struct sc_encoder_ops sc_openh264_encoder, sc_vaapi_h264_encoder,
    sc_gst_vp8_encoder, sc_gst_vp9_encoder, sc_gst_h264_encoder, sc_gst_h265_encoder, sc_gst_mjpeg_encoder,
    sc_vaapi_h265_encoder, sc_lossless_raw_encoder, sc_lossless_lz4_encoder;
extern const struct sc_decoder_ops sc_openh264_decoder, sc_vaapi_h264_decoder,
    sc_gst_vp8_decoder, sc_gst_vp9_decoder, sc_gst_h264_decoder, sc_gst_h265_decoder, sc_gst_mjpeg_decoder,
    sc_lossless_raw_decoder, sc_lossless_lz4_decoder;
