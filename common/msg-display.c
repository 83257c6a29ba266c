/* Display channel messages (PROTOCOL.md 5): surfaces, monitors, DRAW_COPY,
 * DRAW_FILL, video streams and GL scanout. */
#include "config.h"
#include "common/messages.h"

#include <string.h>

/* ---- rect and clip ------------------------------------------------------ */

void sc_rect_write(struct sc_writer *w, const struct sc_rect *r)
{
    sc_write_i32(w, r->top);
    sc_write_i32(w, r->left);
    sc_write_i32(w, r->bottom);
    sc_write_i32(w, r->right);
}

struct sc_rect sc_rect_read(struct sc_reader *r)
{
    struct sc_rect rc;

    rc.top = sc_read_i32(r);
    rc.left = sc_read_i32(r);
    rc.bottom = sc_read_i32(r);
    rc.right = sc_read_i32(r);
    return rc;
}

void sc_clip_write(struct sc_writer *w, const struct sc_clip *c)
{
    uint32_t n;

    if (c->type != SPICE_CLIP_TYPE_RECTS) {
        sc_write_u8(w, SPICE_CLIP_TYPE_NONE);
        return;
    }
    n = c->num_rects > SC_MAX_CLIP_RECTS ? SC_MAX_CLIP_RECTS : c->num_rects;
    sc_write_u8(w, SPICE_CLIP_TYPE_RECTS);
    sc_write_u32(w, n);
    for (uint32_t i = 0; i < n; i++)
        sc_rect_write(w, &c->rects[i]);
}

bool sc_clip_read(struct sc_reader *r, struct sc_clip *c)
{
    uint32_t n;

    c->type = sc_read_u8(r);
    c->num_rects = 0;
    if (!sc_reader_ok(r))
        return false;
    if (c->type == SPICE_CLIP_TYPE_NONE)
        return true;
    if (c->type != SPICE_CLIP_TYPE_RECTS)
        return false;
    n = sc_read_u32(r);
    if (!sc_reader_ok(r) || sc_reader_remaining(r) / 16 < n)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct sc_rect rc = sc_rect_read(r);
        if (i < SC_MAX_CLIP_RECTS)
            c->rects[i] = rc;
    }
    c->num_rects = n > SC_MAX_CLIP_RECTS ? SC_MAX_CLIP_RECTS : n;
    return sc_reader_ok(r);
}

static void display_base_write(struct sc_writer *w, uint32_t surface_id,
                               const struct sc_rect *box, const struct sc_clip *clip)
{
    sc_write_u32(w, surface_id);
    sc_rect_write(w, box);
    sc_clip_write(w, clip);
}

static bool display_base_read(struct sc_reader *r, uint32_t *surface_id, struct sc_rect *box,
                              struct sc_clip *clip)
{
    *surface_id = sc_read_u32(r);
    *box = sc_rect_read(r);
    return sc_clip_read(r, clip);
}

/* ---- init, surfaces, monitors ----------------------------------------- */

void sc_display_init_write(struct sc_writer *w, const struct sc_display_init *m)
{
    sc_write_u8(w, m->pixmap_cache_id);
    sc_write_u64(w, (uint64_t)m->pixmap_cache_size);
    sc_write_u8(w, m->glz_dictionary_id);
    sc_write_i32(w, m->glz_dictionary_window_size);
}

bool sc_display_init_parse(const uint8_t *body, size_t len, struct sc_display_init *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->pixmap_cache_id = sc_read_u8(&r);
    m->pixmap_cache_size = (int64_t)sc_read_u64(&r);
    m->glz_dictionary_id = sc_read_u8(&r);
    m->glz_dictionary_window_size = sc_read_i32(&r);
    return sc_reader_ok(&r);
}

void sc_surface_create_write(struct sc_writer *w, const struct sc_surface_create *m)
{
    sc_write_u32(w, m->surface_id);
    sc_write_u32(w, m->width);
    sc_write_u32(w, m->height);
    sc_write_u32(w, m->format);
    sc_write_u32(w, m->flags);
}

bool sc_surface_create_parse(const uint8_t *body, size_t len, struct sc_surface_create *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->surface_id = sc_read_u32(&r);
    m->width = sc_read_u32(&r);
    m->height = sc_read_u32(&r);
    m->format = sc_read_u32(&r);
    m->flags = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

static bool u32_parse(const uint8_t *body, size_t len, uint32_t *v)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *v = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_surface_destroy_write(struct sc_writer *w, uint32_t surface_id)
{
    sc_write_u32(w, surface_id);
}

bool sc_surface_destroy_parse(const uint8_t *body, size_t len, uint32_t *surface_id)
{
    return u32_parse(body, len, surface_id);
}

void sc_monitors_config_write(struct sc_writer *w, const struct sc_monitors_config *m)
{
    uint16_t n = m->count > SC_MAX_MONITORS ? SC_MAX_MONITORS : m->count;

    sc_write_u16(w, n);
    sc_write_u16(w, m->max_allowed);
    for (uint16_t i = 0; i < n; i++) {
        const struct sc_head *h = &m->heads[i];
        sc_write_u32(w, h->id);
        sc_write_u32(w, h->surface_id);
        sc_write_u32(w, h->width);
        sc_write_u32(w, h->height);
        sc_write_u32(w, h->x);
        sc_write_u32(w, h->y);
        sc_write_u32(w, h->flags);
    }
}

/* All `count` heads must be in the body; the first SC_MAX_MONITORS are kept
 * and `count` becomes the kept number. */
bool sc_monitors_config_parse(const uint8_t *body, size_t len, struct sc_monitors_config *m)
{
    struct sc_reader r;
    uint16_t count;

    sc_reader_init(&r, body, len);
    count = sc_read_u16(&r);
    m->max_allowed = sc_read_u16(&r);
    m->count = 0;
    if (!sc_reader_ok(&r) || sc_reader_remaining(&r) / 28 < count)
        return false;
    for (uint16_t i = 0; i < count; i++) {
        struct sc_head h;
        h.id = sc_read_u32(&r);
        h.surface_id = sc_read_u32(&r);
        h.width = sc_read_u32(&r);
        h.height = sc_read_u32(&r);
        h.x = sc_read_u32(&r);
        h.y = sc_read_u32(&r);
        h.flags = sc_read_u32(&r);
        if (i < SC_MAX_MONITORS)
            m->heads[m->count++] = h;
    }
    return sc_reader_ok(&r);
}

void sc_preferred_compression_write(struct sc_writer *w, uint8_t compression)
{
    sc_write_u8(w, compression);
}

bool sc_preferred_compression_parse(const uint8_t *body, size_t len, uint8_t *compression)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *compression = sc_read_u8(&r);
    return sc_reader_ok(&r);
}

/* ---- images ------------------------------------------------------------ */

uint64_t sc_bitmap_row_bytes(uint8_t format, uint32_t width)
{
    uint64_t w = width;

    switch (format) {
    case SPICE_BITMAP_FMT_1BIT_LE:
    case SPICE_BITMAP_FMT_1BIT_BE:
        return (w + 7) / 8;
    case SPICE_BITMAP_FMT_4BIT_LE:
    case SPICE_BITMAP_FMT_4BIT_BE:
        return (w + 1) / 2;
    case SPICE_BITMAP_FMT_8BIT:
    case SPICE_BITMAP_FMT_8BIT_A:
        return w;
    case SPICE_BITMAP_FMT_16BIT:
        return w * 2;
    case SPICE_BITMAP_FMT_24BIT:
        return w * 3;
    case SPICE_BITMAP_FMT_32BIT:
    case SPICE_BITMAP_FMT_RGBA:
        return w * 4;
    default:
        return 0;
    }
}

/* with_data false: everything but the image data, which must then follow
 * as is (LZ4, or a BITMAP at stride = row): false if it cannot. */
static bool image_write(struct sc_writer *w, const struct sc_draw_copy *m, bool with_data)
{
    sc_write_u64(w, m->image_id);
    sc_write_u8(w, m->image_type);
    sc_write_u8(w, 0); /* image flags: no caching */
    sc_write_u32(w, m->width);
    sc_write_u32(w, m->height);
    if (m->image_type != SPICE_IMAGE_TYPE_BITMAP) {
        /* LZ4, JPEG: data_size + payload */
        sc_write_u32(w, m->data_size);
        if (with_data)
            sc_write_bytes(w, m->data, m->data_size);
        return true;
    }
    uint64_t row = sc_bitmap_row_bytes(m->bitmap_format, m->width);
    uint64_t stride = m->stride ? m->stride : row;
    bool repack = stride > row;
    if (!row || row > UINT32_MAX || stride * m->height > SIZE_MAX / 2) {
        w->error = true;
        return false;
    }
    if (!with_data && repack)
        return false;
    sc_write_u8(w, m->bitmap_format);
    /* no palette is ever written: only TOP_DOWN is meaningful */
    sc_write_u8(w, m->bitmap_flags & SPICE_BITMAP_FLAGS_TOP_DOWN);
    sc_write_u32(w, m->width);
    sc_write_u32(w, m->height);
    sc_write_u32(w, (uint32_t)(repack ? row : stride));
    sc_write_u32(w, 0); /* palette */
    if (!with_data)
        return true;
    if (!repack) {
        sc_write_bytes(w, m->data, stride * m->height);
        return true;
    }
    uint8_t *dst = sc_writer_append(w, row * m->height);
    if (!dst)
        return false;
    for (uint32_t y = 0; y < m->height; y++)
        memcpy(dst + y * row, m->data + y * stride, row);
    return true;
}

static bool draw_copy_write(struct sc_writer *w, const struct sc_draw_copy *m, bool with_data)
{
    size_t body = w->size;
    size_t ptr_at;

    display_base_write(w, m->surface_id, &m->box, &m->clip);
    ptr_at = w->size;
    sc_write_u32(w, 0); /* src_bitmap, patched below */
    sc_rect_write(w, &m->src_area);
    sc_write_u16(w, m->rop_descriptor);
    sc_write_u8(w, m->scale_mode);
    sc_write_u8(w, 0); /* mask: flags, pos, bitmap = none */
    sc_write_i32(w, 0);
    sc_write_i32(w, 0);
    sc_write_u32(w, 0);
    if (w->error)
        return false;
    sc_writer_patch_u32(w, ptr_at, (uint32_t)(w->size - body));
    return image_write(w, m, with_data) && !w->error;
}

void sc_draw_copy_write(struct sc_writer *w, const struct sc_draw_copy *m)
{
    draw_copy_write(w, m, true);
}

bool sc_draw_copy_write_head(struct sc_writer *w, const struct sc_draw_copy *m)
{
    return draw_copy_write(w, m, false);
}

static bool bitmap_read(struct sc_reader *r, struct sc_draw_copy *m)
{
    uint32_t x, y, palette = 0;
    uint64_t row, need;

    m->bitmap_format = sc_read_u8(r);
    m->bitmap_flags = sc_read_u8(r);
    x = sc_read_u32(r);
    y = sc_read_u32(r);
    m->stride = sc_read_u32(r);
    if (m->bitmap_flags & SPICE_BITMAP_FLAGS_PAL_FROM_CACHE)
        sc_read_u64(r); /* palette id */
    else
        palette = sc_read_u32(r);
    if (!sc_reader_ok(r) || x != m->width || y != m->height)
        return false;
    if (!(m->bitmap_flags & SPICE_BITMAP_FLAGS_PAL_FROM_CACHE) && palette >= r->size)
        return false;
    row = sc_bitmap_row_bytes(m->bitmap_format, x);
    if (!row || m->stride < row)
        return false;
    need = (uint64_t)m->stride * y;
    if (need > sc_reader_remaining(r))
        return false;
    m->data_size = (uint32_t)need;
    m->data = sc_read_ptr(r, need);
    return m->data != NULL || need == 0;
}

static bool image_read(struct sc_reader *r, struct sc_draw_copy *m)
{
    m->image_id = sc_read_u64(r);
    m->image_type = sc_read_u8(r);
    sc_read_u8(r); /* image flags: caching is not supported, ignored */
    m->width = sc_read_u32(r);
    m->height = sc_read_u32(r);
    if (!sc_reader_ok(r) || m->width == 0 || m->height == 0)
        return false;
    switch (m->image_type) {
    case SPICE_IMAGE_TYPE_BITMAP:
        return bitmap_read(r, m);
    case SPICE_IMAGE_TYPE_LZ4:
    case SPICE_IMAGE_TYPE_JPEG:
        m->data_size = sc_read_u32(r);
        m->data = sc_read_ptr(r, m->data_size);
        return sc_reader_ok(r);
    default:
        return false;
    }
}

bool sc_draw_copy_parse(const uint8_t *body, size_t len, struct sc_draw_copy *m)
{
    struct sc_reader r;
    uint32_t src_ptr, mask_ptr;

    memset(m, 0, sizeof(*m));
    sc_reader_init(&r, body, len);
    if (!display_base_read(&r, &m->surface_id, &m->box, &m->clip))
        return false;
    src_ptr = sc_read_u32(&r);
    m->src_area = sc_rect_read(&r);
    m->rop_descriptor = sc_read_u16(&r);
    m->scale_mode = sc_read_u8(&r);
    sc_read_u8(&r);  /* mask flags */
    sc_read_i32(&r); /* mask pos */
    sc_read_i32(&r);
    mask_ptr = sc_read_u32(&r);
    if (!sc_reader_ok(&r) || src_ptr == 0 || mask_ptr >= len)
        return false;
    if (!sc_reader_seek(&r, src_ptr))
        return false;
    return image_read(&r, m);
}

/* ---- DRAW_FILL ----------------------------------------------------------- */

void sc_draw_fill_write(struct sc_writer *w, const struct sc_draw_fill *m)
{
    display_base_write(w, m->surface_id, &m->box, &m->clip);
    if (m->brush_type == SPICE_BRUSH_TYPE_SOLID) {
        sc_write_u8(w, SPICE_BRUSH_TYPE_SOLID);
        sc_write_u32(w, m->color);
    } else {
        sc_write_u8(w, SPICE_BRUSH_TYPE_NONE);
    }
    sc_write_u16(w, m->rop_descriptor);
    sc_write_u8(w, 0); /* mask */
    sc_write_i32(w, 0);
    sc_write_i32(w, 0);
    sc_write_u32(w, 0);
}

bool sc_draw_fill_parse(const uint8_t *body, size_t len, struct sc_draw_fill *m)
{
    struct sc_reader r;
    uint32_t mask_ptr;

    memset(m, 0, sizeof(*m));
    sc_reader_init(&r, body, len);
    if (!display_base_read(&r, &m->surface_id, &m->box, &m->clip))
        return false;
    m->brush_type = sc_read_u8(&r);
    if (m->brush_type == SPICE_BRUSH_TYPE_SOLID)
        m->color = sc_read_u32(&r);
    else if (m->brush_type != SPICE_BRUSH_TYPE_NONE)
        return false;
    m->rop_descriptor = sc_read_u16(&r);
    sc_read_u8(&r);
    sc_read_i32(&r);
    sc_read_i32(&r);
    mask_ptr = sc_read_u32(&r);
    return sc_reader_ok(&r) && mask_ptr == 0;
}

/* ---- streams ------------------------------------------------------------- */

void sc_stream_create_write(struct sc_writer *w, const struct sc_stream_create *m)
{
    sc_write_u32(w, m->surface_id);
    sc_write_u32(w, m->id);
    sc_write_u8(w, m->flags);
    sc_write_u8(w, m->codec_type);
    sc_write_u64(w, m->stamp);
    sc_write_u32(w, m->stream_width);
    sc_write_u32(w, m->stream_height);
    sc_write_u32(w, m->src_width);
    sc_write_u32(w, m->src_height);
    sc_rect_write(w, &m->dest);
    sc_clip_write(w, &m->clip);
}

bool sc_stream_create_parse(const uint8_t *body, size_t len, struct sc_stream_create *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->surface_id = sc_read_u32(&r);
    m->id = sc_read_u32(&r);
    m->flags = sc_read_u8(&r);
    m->codec_type = sc_read_u8(&r);
    m->stamp = sc_read_u64(&r);
    m->stream_width = sc_read_u32(&r);
    m->stream_height = sc_read_u32(&r);
    m->src_width = sc_read_u32(&r);
    m->src_height = sc_read_u32(&r);
    m->dest = sc_rect_read(&r);
    return sc_clip_read(&r, &m->clip);
}

void sc_stream_data_write(struct sc_writer *w, const struct sc_stream_data *m)
{
    sc_write_u32(w, m->id);
    sc_write_u32(w, m->multi_media_time);
    sc_write_u32(w, m->data_size);
    sc_write_bytes(w, m->data, m->data_size);
}

bool sc_stream_data_parse(const uint8_t *body, size_t len, struct sc_stream_data *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->id = sc_read_u32(&r);
    m->multi_media_time = sc_read_u32(&r);
    m->data_size = sc_read_u32(&r);
    m->data = sc_read_ptr(&r, m->data_size);
    return sc_reader_ok(&r);
}

void sc_stream_data_sized_write(struct sc_writer *w, const struct sc_stream_data_sized *m)
{
    sc_write_u32(w, m->id);
    sc_write_u32(w, m->multi_media_time);
    sc_write_u32(w, m->width);
    sc_write_u32(w, m->height);
    sc_rect_write(w, &m->dest);
    sc_write_u32(w, m->data_size);
    sc_write_bytes(w, m->data, m->data_size);
}

bool sc_stream_data_sized_parse(const uint8_t *body, size_t len, struct sc_stream_data_sized *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->id = sc_read_u32(&r);
    m->multi_media_time = sc_read_u32(&r);
    m->width = sc_read_u32(&r);
    m->height = sc_read_u32(&r);
    m->dest = sc_rect_read(&r);
    m->data_size = sc_read_u32(&r);
    m->data = sc_read_ptr(&r, m->data_size);
    return sc_reader_ok(&r);
}

void sc_stream_clip_write(struct sc_writer *w, uint32_t id, const struct sc_clip *clip)
{
    sc_write_u32(w, id);
    sc_clip_write(w, clip);
}

bool sc_stream_clip_parse(const uint8_t *body, size_t len, uint32_t *id, struct sc_clip *clip)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *id = sc_read_u32(&r);
    return sc_clip_read(&r, clip);
}

void sc_stream_destroy_write(struct sc_writer *w, uint32_t id)
{
    sc_write_u32(w, id);
}

bool sc_stream_destroy_parse(const uint8_t *body, size_t len, uint32_t *id)
{
    return u32_parse(body, len, id);
}

void sc_stream_activate_report_write(struct sc_writer *w, const struct sc_stream_activate_report *m)
{
    sc_write_u32(w, m->stream_id);
    sc_write_u32(w, m->unique_id);
    sc_write_u32(w, m->max_window_size);
    sc_write_u32(w, m->timeout_ms);
}

bool sc_stream_activate_report_parse(const uint8_t *body, size_t len,
                                     struct sc_stream_activate_report *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->stream_id = sc_read_u32(&r);
    m->unique_id = sc_read_u32(&r);
    m->max_window_size = sc_read_u32(&r);
    m->timeout_ms = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_stream_report_write(struct sc_writer *w, const struct sc_stream_report *m)
{
    sc_write_u32(w, m->stream_id);
    sc_write_u32(w, m->unique_id);
    sc_write_u32(w, m->start_frame_mm_time);
    sc_write_u32(w, m->end_frame_mm_time);
    sc_write_u32(w, m->num_frames);
    sc_write_u32(w, m->num_drops);
    sc_write_i32(w, m->last_frame_delay);
    sc_write_u32(w, m->audio_delay);
}

bool sc_stream_report_parse(const uint8_t *body, size_t len, struct sc_stream_report *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->stream_id = sc_read_u32(&r);
    m->unique_id = sc_read_u32(&r);
    m->start_frame_mm_time = sc_read_u32(&r);
    m->end_frame_mm_time = sc_read_u32(&r);
    m->num_frames = sc_read_u32(&r);
    m->num_drops = sc_read_u32(&r);
    m->last_frame_delay = sc_read_i32(&r);
    m->audio_delay = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_preferred_video_codecs_write(struct sc_writer *w, const struct sc_preferred_video_codecs *m)
{
    uint8_t n = m->num > SC_MAX_VIDEO_CODECS ? SC_MAX_VIDEO_CODECS : m->num;

    sc_write_u8(w, n);
    sc_write_bytes(w, m->codecs, n);
}

bool sc_preferred_video_codecs_parse(const uint8_t *body, size_t len,
                                     struct sc_preferred_video_codecs *m)
{
    struct sc_reader r;
    const uint8_t *p;
    uint8_t n;

    sc_reader_init(&r, body, len);
    n = sc_read_u8(&r);
    p = sc_read_ptr(&r, n);
    m->num = 0;
    if (!sc_reader_ok(&r))
        return false;
    m->num = n > SC_MAX_VIDEO_CODECS ? SC_MAX_VIDEO_CODECS : n;
    memcpy(m->codecs, p, m->num);
    return true;
}

/* ---- GL ------------------------------------------------------------------ */

void sc_gl_scanout_unix_write(struct sc_writer *w, const struct sc_gl_scanout *m)
{
    sc_write_u32(w, m->width);
    sc_write_u32(w, m->height);
    sc_write_u32(w, m->stride);
    sc_write_u32(w, m->drm_fourcc_format);
    sc_write_u32(w, m->flags);
}

bool sc_gl_scanout_unix_parse(const uint8_t *body, size_t len, struct sc_gl_scanout *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->width = sc_read_u32(&r);
    m->height = sc_read_u32(&r);
    m->stride = sc_read_u32(&r);
    m->drm_fourcc_format = sc_read_u32(&r);
    m->flags = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_gl_scanout2_unix_write(struct sc_writer *w, const struct sc_gl_scanout2 *m)
{
    sc_write_u32(w, m->width);
    sc_write_u32(w, m->height);
    for (int i = 0; i < SC_GL_MAX_PLANES; i++)
        sc_write_u32(w, m->offset[i]);
    for (int i = 0; i < SC_GL_MAX_PLANES; i++)
        sc_write_u32(w, m->stride[i]);
    sc_write_u32(w, m->fourcc);
    sc_write_u32(w, m->flags);
    sc_write_u64(w, m->modifier);
    sc_write_u16(w, m->num_planes);
    sc_write_u16(w, m->num_dmabuf);
}

bool sc_gl_scanout2_unix_parse(const uint8_t *body, size_t len, struct sc_gl_scanout2 *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->width = sc_read_u32(&r);
    m->height = sc_read_u32(&r);
    for (int i = 0; i < SC_GL_MAX_PLANES; i++)
        m->offset[i] = sc_read_u32(&r);
    for (int i = 0; i < SC_GL_MAX_PLANES; i++)
        m->stride[i] = sc_read_u32(&r);
    m->fourcc = sc_read_u32(&r);
    m->flags = sc_read_u32(&r);
    m->modifier = sc_read_u64(&r);
    m->num_planes = sc_read_u16(&r);
    m->num_dmabuf = sc_read_u16(&r);
    if (!sc_reader_ok(&r) || m->num_planes == 0 || m->num_planes > SC_GL_MAX_PLANES ||
        (m->num_dmabuf != 1 && m->num_dmabuf != m->num_planes) || m->width == 0 ||
        m->height == 0 || m->fourcc == 0)
        return false;
    for (unsigned i = 0; i < m->num_planes; i++)
        if (m->stride[i] == 0)
            return false;
    return true;
}

void sc_gl_draw_write(struct sc_writer *w, const struct sc_gl_draw *m)
{
    sc_write_u32(w, m->x);
    sc_write_u32(w, m->y);
    sc_write_u32(w, m->w);
    sc_write_u32(w, m->h);
}

bool sc_gl_draw_parse(const uint8_t *body, size_t len, struct sc_gl_draw *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->x = sc_read_u32(&r);
    m->y = sc_read_u32(&r);
    m->w = sc_read_u32(&r);
    m->h = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_frame_times_write(struct sc_writer *w, const struct sc_frame_times *m)
{
    sc_write_u32(w, m->stream_id);
    sc_write_u32(w, m->frame);
    for (int i = 0; i < SC_FRAME_STAGES; i++)
        sc_write_i32(w, m->us[i]);
    sc_write_u32(w, m->written_frame);
    sc_write_i32(w, m->written_us);
}

bool sc_frame_times_parse(const uint8_t *body, size_t len, struct sc_frame_times *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->stream_id = sc_read_u32(&r);
    m->frame = sc_read_u32(&r);
    for (int i = 0; i < SC_FRAME_STAGES; i++)
        m->us[i] = sc_read_i32(&r);
    m->written_frame = sc_read_u32(&r);
    m->written_us = sc_read_i32(&r);
    return sc_reader_ok(&r); /* bytes after these: later stages, skipped */
}
