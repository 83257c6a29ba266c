/* vaapi:h264 — TEMPORARY: probe only while the encoder/decoder are written. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <va/va.h>
#include <va/va_drm.h>

#include "codecs/backend.h"

static bool va_probe(char *reason, size_t size)
{
    sc_codec_reason(reason, size, "not implemented yet");
    return false;
}
static struct sc_encoder *va_create(const struct sc_encoder_params *p, char *r, size_t s)
{ (void)p; sc_codec_reason(r, s, "no"); return NULL; }
static struct sc_decoder *va_dec_create(const struct sc_decoder_params *p, char *r, size_t s)
{ (void)p; sc_codec_reason(r, s, "no"); return NULL; }
const struct sc_encoder_ops sc_vaapi_h264_encoder = { .name = "vaapi", .codec = SC_CODEC_H264, .probe = va_probe, .create = va_create };
const struct sc_decoder_ops sc_vaapi_h264_decoder = { .name = "vaapi", .codec = SC_CODEC_H264, .probe = va_probe, .create = va_dec_create };
