/* Colour conversion between the frames' BGRX (DRM XRGB8888) pixels and the
 * planar YUV 4:2:0 forms encoders take and decoders give, with libyuv
 * (BT.601 limited range, what H.264/VP8/VP9 decoders assume by default). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codecs/codec.h"

/* A YUV 4:2:0 picture in one allocation: I420 (y, u, v) or NV12 (y, uv in u). */
struct sc_yuv {
    enum sc_pixfmt format; /* SC_PIXFMT_I420 or SC_PIXFMT_NV12 */
    uint32_t width, height;
    uint8_t *plane[3];
    uint32_t stride[3];
    uint8_t *buf;
    size_t size;
};

/* Allocates (64-byte aligned rows) a picture; false on bad size / ENOMEM. */
bool sc_yuv_init(struct sc_yuv *yuv, enum sc_pixfmt format, uint32_t width, uint32_t height);
void sc_yuv_finish(struct sc_yuv *yuv);
/* Byte size of an I420 picture packed without padding. */
size_t sc_i420_size(uint32_t width, uint32_t height);

bool sc_convert_bgrx_to_i420(const uint8_t *src, uint32_t src_stride, uint32_t width,
                             uint32_t height, uint8_t *y, uint32_t sy, uint8_t *u, uint32_t su,
                             uint8_t *v, uint32_t sv);
bool sc_convert_bgrx_to_nv12(const uint8_t *src, uint32_t src_stride, uint32_t width,
                             uint32_t height, uint8_t *y, uint32_t sy, uint8_t *uv, uint32_t suv);
bool sc_convert_i420_to_bgrx(const uint8_t *y, uint32_t sy, const uint8_t *u, uint32_t su,
                             const uint8_t *v, uint32_t sv, uint32_t width, uint32_t height,
                             uint8_t *dst, uint32_t dst_stride);
bool sc_convert_nv12_to_bgrx(const uint8_t *y, uint32_t sy, const uint8_t *uv, uint32_t suv,
                             uint32_t width, uint32_t height, uint8_t *dst, uint32_t dst_stride);
/* Luma only (the same Y as bgrx_to_i420), for quality metrics. */
bool sc_convert_bgrx_to_y(const uint8_t *src, uint32_t src_stride, uint32_t width,
                          uint32_t height, uint8_t *y, uint32_t sy);

/* Converts only frame's damage boxes (grown to even coordinates for 4:2:0)
 * into dst, an I420 picture that holds the conversion of the previous frame
 * of the same source.  false (nothing done) when the frame says everything
 * changed: convert it whole then. */
bool sc_convert_bgrx_to_i420_damage(const struct sc_frame *frame, const uint8_t *pixels,
                                    uint32_t stride, struct sc_yuv *dst);

/* Converts a picture to BGRX in the sc_yuv-sized formats; any decoded CPU
 * frame (I420, NV12, BGRX) to BGRX. */
bool sc_convert_decoded_to_bgrx(const struct sc_decoded_frame *f, uint8_t *dst,
                                uint32_t dst_stride);
/* Any decoded CPU frame to its luma plane (copy for YUV, computed for BGRX). */
bool sc_convert_decoded_to_y(const struct sc_decoded_frame *f, uint8_t *y, uint32_t sy);
