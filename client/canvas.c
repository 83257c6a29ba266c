/* The viewer's canvas: blits, fills, bitmap conversion and the
 * convert-and-blit fallback for video frames (client/canvas.h).
 * Coordinates come from the network: every product and offset that could
 * leave int32 is computed in int64 (issue 13 item 5). */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "client/canvas.h"
#include "codecs/convert.h"

bool sc_canvas_resize(struct sc_canvas *cv, uint32_t width, uint32_t height)
{
    g_free(cv->pixels);
    cv->pixels = NULL;
    cv->width = cv->height = cv->stride = 0;
    if (!width || !height || width > SC_CANVAS_MAX_DIM || height > SC_CANVAS_MAX_DIM)
        return false;
    cv->pixels = g_try_malloc0((size_t)width * height * 4);
    if (!cv->pixels)
        return false;
    cv->width = width;
    cv->height = height;
    cv->stride = width * 4;
    return true;
}

void sc_canvas_clear(struct sc_canvas *cv)
{
    g_free(cv->pixels);
    g_free(cv->scratch);
    cv->pixels = cv->scratch = NULL;
    cv->scratch_size = 0;
    cv->width = cv->height = cv->stride = 0;
}

uint8_t *sc_canvas_scratch(struct sc_canvas *cv, size_t size)
{
    if (cv->scratch_size < size) {
        g_free(cv->scratch);
        cv->scratch = g_try_malloc(size);
        cv->scratch_size = cv->scratch ? size : 0;
    }
    return cv->scratch;
}

static bool rect_intersect(struct sc_rect *a, const struct sc_rect *b)
{
    a->left = MAX(a->left, b->left);
    a->top = MAX(a->top, b->top);
    a->right = MIN(a->right, b->right);
    a->bottom = MIN(a->bottom, b->bottom);
    return a->left < a->right && a->top < a->bottom;
}

/* right - left could overflow int32 for a hostile rect */
bool sc_rect_sane(const struct sc_rect *r)
{
    int64_t w = (int64_t)r->right - r->left, h = (int64_t)r->bottom - r->top;
    return w > 0 && h > 0 && w <= INT32_MAX && h <= INT32_MAX;
}

void sc_canvas_damage(struct sc_canvas *cv, const struct sc_rect *r)
{
    struct sc_rect d = *r, all = { 0, 0, (int32_t)cv->width, (int32_t)cv->height };

    if (cv->damage && rect_intersect(&d, &all))
        cv->damage(cv->data, d.left, d.top, d.right - d.left, d.bottom - d.top);
}

/* The part of box inside clip rect k and the canvas; false: empty. */
static bool clip_part(const struct sc_canvas *cv, const struct sc_rect *box,
                      const struct sc_clip *clip, uint32_t k, struct sc_rect *d)
{
    struct sc_rect all = { 0, 0, (int32_t)cv->width, (int32_t)cv->height };

    *d = *box;
    if (clip->type == SPICE_CLIP_TYPE_RECTS && !rect_intersect(d, &clip->rects[k]))
        return false;
    return rect_intersect(d, &all);
}

static uint32_t clip_count(const struct sc_clip *clip)
{
    return clip->type == SPICE_CLIP_TYPE_RECTS ? clip->num_rects : 1;
}

struct blit_src {
    const uint8_t *img;
    uint32_t iw, ih;
    bool flip;
    const struct sc_rect *src, *box;
    int64_t sw, sh, bw, bh;
};

/* Row y of the canvas (inside d) from the image */
static void blit_row(struct sc_canvas *cv, const struct blit_src *b, const struct sc_rect *d,
                     int32_t y)
{
    /* box may reach the ends of int32: offsets into it are int64 */
    int64_t sx0 = (int64_t)b->src->left + ((int64_t)d->left - b->box->left);
    int64_t sy = b->src->top + ((int64_t)y - b->box->top) * b->sh / b->bh;
    uint8_t *dst = cv->pixels + (size_t)y * cv->stride;
    const uint8_t *row;

    sy = CLAMP(sy, 0, (int64_t)b->ih - 1);
    row = b->img + (size_t)(b->flip ? b->ih - 1 - sy : sy) * b->iw * 4;
    if (b->sw == b->bw && sx0 >= 0 && sx0 + (d->right - d->left) <= (int64_t)b->iw) {
        memcpy(dst + (size_t)d->left * 4, row + (size_t)sx0 * 4, (size_t)(d->right - d->left) * 4);
        return;
    }
    for (int32_t x = d->left; x < d->right; x++) {
        int64_t sx = b->src->left + ((int64_t)x - b->box->left) * b->sw / b->bw;
        sx = CLAMP(sx, 0, (int64_t)b->iw - 1);
        memcpy(dst + (size_t)x * 4, row + sx * 4, 4);
    }
}

bool sc_canvas_blit(struct sc_canvas *cv, const uint8_t *img, uint32_t iw, uint32_t ih, bool flip,
                    const struct sc_rect *src, const struct sc_rect *box,
                    const struct sc_clip *clip)
{
    struct blit_src b = { img, iw, ih, flip, src, box,
                          (int64_t)src->right - src->left, (int64_t)src->bottom - src->top,
                          (int64_t)box->right - box->left, (int64_t)box->bottom - box->top };
    struct sc_rect d;

    if (b.bw <= 0 || b.bh <= 0 || b.sw <= 0 || b.sh <= 0 || !cv->pixels)
        return true; /* empty */
    /* src inside the image keeps sw, sh <= 16384: the products fit */
    if (src->left < 0 || src->top < 0 || src->right > (int64_t)iw || src->bottom > (int64_t)ih)
        return false;
    for (uint32_t k = 0; k < clip_count(clip); k++) {
        if (!clip_part(cv, box, clip, k, &d))
            continue;
        for (int32_t y = d.top; y < d.bottom; y++)
            blit_row(cv, &b, &d, y);
    }
    return true;
}

void sc_canvas_fill(struct sc_canvas *cv, uint32_t color, const struct sc_rect *box,
                    const struct sc_clip *clip)
{
    uint8_t px[4] = { color & 0xff, (color >> 8) & 0xff, (color >> 16) & 0xff, 0xff };
    struct sc_rect d;

    if (!cv->pixels)
        return;
    for (uint32_t k = 0; k < clip_count(clip); k++) {
        if (!clip_part(cv, box, clip, k, &d))
            continue;
        /* one row pixel by pixel, the others copied from it */
        uint8_t *first = cv->pixels + (size_t)d.top * cv->stride + (size_t)d.left * 4;
        size_t row = (size_t)(d.right - d.left) * 4;
        for (size_t x = 0; x < row; x += 4)
            memcpy(first + x, px, 4);
        for (int32_t y = d.top + 1; y < d.bottom; y++)
            memcpy(first + (size_t)(y - d.top) * cv->stride, first, row);
    }
    sc_canvas_damage(cv, box);
}

static void row_24(uint8_t *d, const uint8_t *s, uint32_t width)
{
    for (uint32_t x = 0; x < width; x++) {
        d[x * 4] = s[x * 3];
        d[x * 4 + 1] = s[x * 3 + 1];
        d[x * 4 + 2] = s[x * 3 + 2];
        d[x * 4 + 3] = 0xff;
    }
}

static void row_16(uint8_t *d, const uint8_t *s, uint32_t width)
{
    for (uint32_t x = 0; x < width; x++) {
        uint16_t p = (uint16_t)(s[x * 2] | s[x * 2 + 1] << 8);
        uint8_t r = (p >> 10) & 31, g = (p >> 5) & 31, b = p & 31;
        d[x * 4] = (uint8_t)(b << 3 | b >> 2);
        d[x * 4 + 1] = (uint8_t)(g << 3 | g >> 2);
        d[x * 4 + 2] = (uint8_t)(r << 3 | r >> 2);
        d[x * 4 + 3] = 0xff;
    }
}

const uint8_t *sc_canvas_bitmap(struct sc_canvas *cv, const struct sc_draw_copy *m)
{
    size_t row = (size_t)m->width * 4;
    uint8_t fmt = m->bitmap_format;
    uint8_t *out;

    if (m->width > SC_CANVAS_MAX_DIM || m->height > SC_CANVAS_MAX_DIM ||
        m->image_type != SPICE_IMAGE_TYPE_BITMAP ||
        (fmt != SPICE_BITMAP_FMT_32BIT && fmt != SPICE_BITMAP_FMT_RGBA &&
         fmt != SPICE_BITMAP_FMT_24BIT && fmt != SPICE_BITMAP_FMT_16BIT))
        return NULL;
    out = sc_canvas_scratch(cv, row * m->height);
    if (!out)
        return NULL;
    for (uint32_t y = 0; y < m->height; y++) {
        uint32_t sy = (m->bitmap_flags & SPICE_BITMAP_FLAGS_TOP_DOWN) ? y : m->height - 1 - y;
        const uint8_t *s = m->data + (size_t)sy * m->stride;
        uint8_t *d = out + y * row;
        if (fmt == SPICE_BITMAP_FMT_24BIT)
            row_24(d, s, m->width);
        else if (fmt == SPICE_BITMAP_FMT_16BIT)
            row_16(d, s, m->width);
        else
            memcpy(d, s, row);
    }
    return out;
}

bool sc_canvas_blit_decoded(struct sc_canvas *cv, const struct sc_decoded_frame *f, bool top_down,
                            const struct sc_rect *dest, const struct sc_clip *clip)
{
    struct sc_rect src = { 0, 0, (int32_t)f->width, (int32_t)f->height };
    uint8_t *px;

    if (!cv->pixels || f->kind != SC_DECODED_CPU)
        return false;
    px = sc_canvas_scratch(cv, (size_t)f->width * f->height * 4);
    if (!px || !sc_convert_decoded_to_bgrx(f, px, f->width * 4))
        return false;
    sc_canvas_blit(cv, px, f->width, f->height, !top_down, &src, dest, clip);
    sc_canvas_damage(cv, dest);
    return true;
}

bool sc_canvas_frame_stamp(const struct sc_decoded_frame *f, bool top_down, struct sc_stamp *out)
{
    const uint8_t *p = f->plane[0];
    ptrdiff_t stride = (ptrdiff_t)f->stride[0];

    if (f->kind != SC_DECODED_CPU || !p || !f->height)
        return false;
    if (!top_down) {
        p += (size_t)(f->height - 1) * f->stride[0];
        stride = -stride;
    }
    if (f->format == SC_PIXFMT_BGRX)
        return sc_stamp_read(p, f->width, f->height, stride, out);
    return sc_stamp_read_y(p, f->width, f->height, stride, out);
}

bool sc_canvas_stamp(const struct sc_canvas *cv, struct sc_stamp *out)
{
    return cv->pixels && sc_stamp_read(cv->pixels, cv->width, cv->height, cv->stride, out);
}
