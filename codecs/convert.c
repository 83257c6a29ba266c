/* Colour conversion with libyuv.  libyuv's "ARGB" is little-endian
 * 0xAARRGGBB, i.e. bytes B,G,R,A in memory: DRM XRGB8888 exactly. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libyuv.h>

#include "codecs/convert.h"

#define ALIGN64(x) (((x) + 63u) & ~63u)

size_t sc_i420_size(uint32_t width, uint32_t height)
{
    size_t cw = (width + 1) / 2, ch = (height + 1) / 2;
    return (size_t)width * height + 2 * cw * ch;
}

bool sc_yuv_init(struct sc_yuv *yuv, enum sc_pixfmt format, uint32_t width, uint32_t height)
{
    memset(yuv, 0, sizeof(*yuv));
    if (width == 0 || height == 0 || width > SC_CODEC_MAX_DIM || height > SC_CODEC_MAX_DIM)
        return false;
    if (format != SC_PIXFMT_I420 && format != SC_PIXFMT_NV12)
        return false;
    uint32_t cw = (width + 1) / 2, ch = (height + 1) / 2;
    yuv->format = format;
    yuv->width = width;
    yuv->height = height;
    yuv->stride[0] = ALIGN64(width);
    if (format == SC_PIXFMT_I420) {
        yuv->stride[1] = yuv->stride[2] = ALIGN64(cw);
    } else {
        yuv->stride[1] = ALIGN64(cw * 2);
    }
    size_t ysize = (size_t)yuv->stride[0] * height;
    size_t csize = (size_t)yuv->stride[1] * ch;
    yuv->size = ysize + csize * (format == SC_PIXFMT_I420 ? 2 : 1);
    if (posix_memalign((void **)&yuv->buf, 64, yuv->size) != 0)
        return false;
    yuv->plane[0] = yuv->buf;
    yuv->plane[1] = yuv->buf + ysize;
    if (format == SC_PIXFMT_I420) {
        yuv->plane[2] = yuv->plane[1] + csize;
        yuv->stride[2] = yuv->stride[1];
    }
    return true;
}

void sc_yuv_finish(struct sc_yuv *yuv)
{
    free(yuv->buf);
    memset(yuv, 0, sizeof(*yuv));
}

bool sc_convert_bgrx_to_i420(const uint8_t *src, uint32_t src_stride, uint32_t width,
                             uint32_t height, uint8_t *y, uint32_t sy, uint8_t *u, uint32_t su,
                             uint8_t *v, uint32_t sv)
{
    return ARGBToI420(src, (int)src_stride, y, (int)sy, u, (int)su, v, (int)sv, (int)width,
                      (int)height) == 0;
}

bool sc_convert_bgrx_to_nv12(const uint8_t *src, uint32_t src_stride, uint32_t width,
                             uint32_t height, uint8_t *y, uint32_t sy, uint8_t *uv, uint32_t suv)
{
    return ARGBToNV12(src, (int)src_stride, y, (int)sy, uv, (int)suv, (int)width,
                      (int)height) == 0;
}

bool sc_convert_bgrx_to_i420_damage(const struct sc_frame *f, const uint8_t *px,
                                    uint32_t px_stride, struct sc_yuv *dst)
{
    if (f->full_damage || dst->format != SC_PIXFMT_I420 || dst->width != f->width
        || dst->height != f->height)
        return false;
    for (uint32_t i = 0; i < f->n_damage; i++) {
        const struct sc_box *b = &f->damage[i];
        if (b->w <= 0 || b->h <= 0 || b->x < 0 || b->y < 0)
            continue;
        uint32_t x0 = (uint32_t)b->x & ~1u, y0 = (uint32_t)b->y & ~1u;
        uint32_t x1 = ((uint32_t)b->x + (uint32_t)b->w + 1) & ~1u;
        uint32_t y1 = ((uint32_t)b->y + (uint32_t)b->h + 1) & ~1u;
        x1 = x1 > f->width ? f->width : x1;
        y1 = y1 > f->height ? f->height : y1;
        if (x0 >= x1 || y0 >= y1)
            continue;
        ARGBToI420(px + (size_t)y0 * px_stride + (size_t)x0 * 4, (int)px_stride,
                   dst->plane[0] + (size_t)y0 * dst->stride[0] + x0, (int)dst->stride[0],
                   dst->plane[1] + (size_t)(y0 / 2) * dst->stride[1] + x0 / 2,
                   (int)dst->stride[1],
                   dst->plane[2] + (size_t)(y0 / 2) * dst->stride[2] + x0 / 2,
                   (int)dst->stride[2], (int)(x1 - x0), (int)(y1 - y0));
    }
    return true;
}

bool sc_convert_i420_to_bgrx(const uint8_t *y, uint32_t sy, const uint8_t *u, uint32_t su,
                             const uint8_t *v, uint32_t sv, uint32_t width, uint32_t height,
                             uint8_t *dst, uint32_t dst_stride)
{
    return I420ToARGB(y, (int)sy, u, (int)su, v, (int)sv, dst, (int)dst_stride, (int)width,
                      (int)height) == 0;
}

bool sc_convert_nv12_to_bgrx(const uint8_t *y, uint32_t sy, const uint8_t *uv, uint32_t suv,
                             uint32_t width, uint32_t height, uint8_t *dst, uint32_t dst_stride)
{
    return NV12ToARGB(y, (int)sy, uv, (int)suv, dst, (int)dst_stride, (int)width,
                      (int)height) == 0;
}

bool sc_convert_bgrx_to_y(const uint8_t *src, uint32_t src_stride, uint32_t width,
                          uint32_t height, uint8_t *y, uint32_t sy)
{
    /* ARGBToI400 is the luma of ARGBToI420 (BT.601 limited range) */
    return ARGBToI400(src, (int)src_stride, y, (int)sy, (int)width, (int)height) == 0;
}

bool sc_convert_decoded_to_bgrx(const struct sc_decoded_frame *f, uint8_t *dst,
                                uint32_t dst_stride)
{
    if (f->kind != SC_DECODED_CPU)
        return false;
    switch (f->format) {
    case SC_PIXFMT_I420:
        return sc_convert_i420_to_bgrx(f->plane[0], f->stride[0], f->plane[1], f->stride[1],
                                       f->plane[2], f->stride[2], f->width, f->height, dst,
                                       dst_stride);
    case SC_PIXFMT_NV12:
        return sc_convert_nv12_to_bgrx(f->plane[0], f->stride[0], f->plane[1], f->stride[1],
                                       f->width, f->height, dst, dst_stride);
    case SC_PIXFMT_BGRX:
        return ARGBCopy(f->plane[0], (int)f->stride[0], dst, (int)dst_stride, (int)f->width,
                        (int)f->height) == 0;
    }
    return false;
}

bool sc_convert_decoded_to_y(const struct sc_decoded_frame *f, uint8_t *y, uint32_t sy)
{
    if (f->kind != SC_DECODED_CPU)
        return false;
    if (f->format == SC_PIXFMT_BGRX)
        return sc_convert_bgrx_to_y(f->plane[0], f->stride[0], f->width, f->height, y, sy);
    CopyPlane(f->plane[0], (int)f->stride[0], y, (int)sy, (int)f->width, (int)f->height);
    return true;
}
