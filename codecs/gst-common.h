/* Shared by the GStreamer encoder and decoder backends and by
 * spicecast-bench's --bare mode. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "codecs/codec.h"

#if HAVE_GSTREAMER
#include <gst/gst.h>

/* gst_init once; false with a reason if GStreamer cannot start. */
bool sc_gst_init(char *reason, size_t size);
/* true if every element factory in the NULL-terminated list exists. */
bool sc_gst_have_elements(const char *const *names, char *reason, size_t size);
/* The element chain encoding I420 to `codec` with `p`'s settings, as a
 * gst_parse_launch fragment whose encoder element is named "enc", ending in
 * a capsfilter for the packet form (Annex-B AU, raw VP8/VP9, JPEG). */
bool sc_gst_encoder_desc(int codec, const struct sc_encoder_params *p, char *buf, size_t size,
                         char *reason, size_t rsize);
/* The same for the GStreamer element equivalent to our openh264 backend
 * (openh264enc) with p's settings; for --bare. */
bool sc_gst_openh264_desc(const struct sc_encoder_params *p, char *buf, size_t size);
/* An encoder on the pipeline appsrc (I420) ! desc ! appsink, desc as
 * sc_gst_encoder_desc() makes it (an element named "enc"; the packet form
 * of the codec it is used for); params already checked.  NULL and why on
 * failure.  Its ops use the sc_gst_enc_* functions below. */
struct sc_encoder *sc_gst_encoder_create_desc(const char *desc,
                                              const struct sc_encoder_params *p, char *reason,
                                              size_t rsize);
int sc_gst_enc_encode(struct sc_encoder *enc, const struct sc_frame *frame,
                      const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb, void *data);
/* "bitrate" in kbit/s for H.264 and H.265 encoders, ... */
int sc_gst_enc_set_bitrate(struct sc_encoder *enc, uint32_t bitrate);
void sc_gst_enc_force_keyframe(struct sc_encoder *enc);
void sc_gst_enc_destroy(struct sc_encoder *enc);
/* Pops an ERROR (or, if warnings, a WARNING) message off the bus: true and
 * the text if there was one. */
bool sc_gst_bus_error(GstElement *pipeline, bool warnings, char *buf, size_t size);
#endif
