/* The client engine's display channel: the primary surface as a BGRX canvas,
 * DRAW_COPY (raw bitmaps, LZ4) and DRAW_FILL, video streams through the codec
 * layer's decoders, and the GL scanout fd (PROTOCOL.md 5, 8.2). */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "client/client-priv.h"
#include "codecs/convert.h"
#include "common/log.h"

#define MAX_SURFACE_DIM 16384
#define REPORT_NO_DECODER 0xffffffffu

void sc_display_caps(struct sc_client *c, struct sc_caps *caps)
{
    uint32_t *w = caps->channel, *n = &caps->n_channel;

    sc_caps_set(w, n, SPICE_DISPLAY_CAP_SIZED_STREAM);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_MONITORS_CONFIG);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_STREAM_REPORT);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_LZ4_COMPRESSION);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_MULTI_CODEC);
    if (c->gl_scanout && c->is_unix) {
        sc_caps_set(w, n, SPICE_DISPLAY_CAP_GL_SCANOUT);
        /* we map sealed memfds as well as dma-bufs (client-local.c) */
        sc_caps_set(w, n, SC_DISPLAY_CAP_SHM_SCANOUT);
    }
    if (!c->video)
        return;
    for (unsigned i = 0; sc_decoders[i]; i++) {
        const struct sc_decoder_ops *ops = sc_decoders[i];
        char why[SC_CODEC_REASON_SIZE];
        unsigned cap;
        switch (ops->codec) {
        case SC_CODEC_MJPEG: cap = SPICE_DISPLAY_CAP_CODEC_MJPEG; break;
        case SC_CODEC_VP8: cap = SPICE_DISPLAY_CAP_CODEC_VP8; break;
        case SC_CODEC_H264: cap = SPICE_DISPLAY_CAP_CODEC_H264; break;
        case SC_CODEC_VP9: cap = SPICE_DISPLAY_CAP_CODEC_VP9; break;
        default: continue;
        }
        if (sc_decoder_probe(ops, why, sizeof(why)))
            sc_caps_set(w, n, cap);
        else
            sc_debug("client: decoder %s/%s unusable: %s", ops->name,
                     sc_codec_id_name(ops->codec), why);
    }
}

void sc_display_ready(struct sc_channel *ch)
{
    struct sc_display_init init = { 1, 0, 1, 0 };
    struct sc_writer w;
    size_t st;

    st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION);
    sc_preferred_compression_write(&w, SPICE_IMAGE_COMPRESSION_LZ4);
    sc_channel_msg_end(ch, &w, st);
    st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_DISPLAY_INIT);
    sc_display_init_write(&w, &init);
    sc_channel_msg_end(ch, &w, st);
}

static void stream_free(struct sc_client_stream *s)
{
    sc_decoder_destroy(s->dec);
    memset(s, 0, sizeof(*s));
}

void sc_display_finish(struct sc_channel *ch)
{
    for (unsigned i = 0; i < SC_CLIENT_MAX_STREAMS; i++)
        if (ch->streams[i].used)
            stream_free(&ch->streams[i]);
    g_free(ch->scratch);
    ch->scratch = NULL;
}

static uint8_t *scratch(struct sc_channel *ch, size_t size)
{
    if (ch->scratch_size < size) {
        g_free(ch->scratch);
        ch->scratch = g_try_malloc(size);
        ch->scratch_size = ch->scratch ? size : 0;
    }
    return ch->scratch;
}

/* ---- drawing helpers ------------------------------------------------------- */

static bool rect_intersect(struct sc_rect *a, const struct sc_rect *b)
{
    a->left = MAX(a->left, b->left);
    a->top = MAX(a->top, b->top);
    a->right = MIN(a->right, b->right);
    a->bottom = MIN(a->bottom, b->bottom);
    return a->left < a->right && a->top < a->bottom;
}

/* A non-empty rect whose width and height fit int32 (right - left could
 * overflow for a hostile one) */
static bool rect_sane(const struct sc_rect *r)
{
    int64_t w = (int64_t)r->right - r->left, h = (int64_t)r->bottom - r->top;
    return w > 0 && h > 0 && w <= INT32_MAX && h <= INT32_MAX;
}

static void invalidate(struct sc_client *c, const struct sc_rect *r)
{
    struct sc_rect d = *r, all = { 0, 0, (int32_t)c->width, (int32_t)c->height };

    if (c->cb.invalidate && rect_intersect(&d, &all))
        c->cb.invalidate(c->data, d.left, d.top, d.right - d.left, d.bottom - d.top);
}

/* Copies the image (BGRX, width x height, top-down unless flip) scaled
 * from src_area onto box in the canvas, inside each clip rect.  false:
 * src_area is not inside the image (nothing drawn). */
static bool blit(struct sc_client *c, const uint8_t *img, uint32_t iw, uint32_t ih, bool flip,
                 const struct sc_rect *src, const struct sc_rect *box, const struct sc_clip *clip)
{
    struct sc_rect all = { 0, 0, (int32_t)c->width, (int32_t)c->height };
    int64_t bw = (int64_t)box->right - box->left, bh = (int64_t)box->bottom - box->top;
    int64_t sw = (int64_t)src->right - src->left, sh = (int64_t)src->bottom - src->top;
    uint32_t n = clip->type == SPICE_CLIP_TYPE_RECTS ? clip->num_rects : 1;

    if (bw <= 0 || bh <= 0 || sw <= 0 || sh <= 0)
        return true; /* empty */
    /* src inside the image keeps sw, sh <= 16384: the products below fit */
    if (src->left < 0 || src->top < 0 || src->right > (int64_t)iw || src->bottom > (int64_t)ih)
        return false;
    for (uint32_t k = 0; k < n; k++) {
        struct sc_rect d = *box;
        if (clip->type == SPICE_CLIP_TYPE_RECTS && !rect_intersect(&d, &clip->rects[k]))
            continue;
        if (!rect_intersect(&d, &all))
            continue;
        /* box may reach the ends of int32: offsets into it are int64 */
        int64_t sx0 = (int64_t)src->left + ((int64_t)d.left - box->left);
        for (int32_t y = d.top; y < d.bottom; y++) {
            int64_t sy = src->top + ((int64_t)y - box->top) * sh / bh;
            uint8_t *dst = c->canvas + (size_t)y * c->stride;
            const uint8_t *row;
            sy = CLAMP(sy, 0, (int64_t)ih - 1);
            row = img + (size_t)(flip ? ih - 1 - sy : sy) * iw * 4;
            if (sw == bw && sx0 >= 0 && sx0 + (d.right - d.left) <= (int64_t)iw) {
                memcpy(dst + (size_t)d.left * 4, row + (size_t)sx0 * 4,
                       (size_t)(d.right - d.left) * 4);
                continue;
            }
            for (int32_t x = d.left; x < d.right; x++) {
                int64_t sx = src->left + ((int64_t)x - box->left) * sw / bw;
                sx = CLAMP(sx, 0, (int64_t)iw - 1);
                memcpy(dst + (size_t)x * 4, row + sx * 4, 4);
            }
        }
    }
    return true;
}

/* The image of a DRAW_COPY as top-down BGRX (width*4 per row) in scratch. */
static const uint8_t *image_pixels(struct sc_channel *ch, const struct sc_draw_copy *m)
{
    size_t row = (size_t)m->width * 4;
    uint8_t *out;

    if (m->width > MAX_SURFACE_DIM || m->height > MAX_SURFACE_DIM)
        return NULL;
    out = scratch(ch, row * m->height);
    if (!out)
        return NULL;
    if (m->image_type == SPICE_IMAGE_TYPE_LZ4)
        return sc_lz4_image_decode(m->data, m->data_size, m->width, m->height, out, row) ? out
                                                                                        : NULL;
    if (m->image_type != SPICE_IMAGE_TYPE_BITMAP)
        return NULL;
    for (uint32_t y = 0; y < m->height; y++) {
        uint32_t sy = (m->bitmap_flags & SPICE_BITMAP_FLAGS_TOP_DOWN) ? y : m->height - 1 - y;
        const uint8_t *s = m->data + (size_t)sy * m->stride;
        uint8_t *d = out + y * row;
        switch (m->bitmap_format) {
        case SPICE_BITMAP_FMT_32BIT:
        case SPICE_BITMAP_FMT_RGBA:
            memcpy(d, s, row);
            break;
        case SPICE_BITMAP_FMT_24BIT:
            for (uint32_t x = 0; x < m->width; x++) {
                d[x * 4] = s[x * 3];
                d[x * 4 + 1] = s[x * 3 + 1];
                d[x * 4 + 2] = s[x * 3 + 2];
                d[x * 4 + 3] = 0xff;
            }
            break;
        case SPICE_BITMAP_FMT_16BIT:
            for (uint32_t x = 0; x < m->width; x++) {
                uint16_t p = (uint16_t)(s[x * 2] | s[x * 2 + 1] << 8);
                uint8_t r = (p >> 10) & 31, g = (p >> 5) & 31, b = p & 31;
                d[x * 4] = (uint8_t)(b << 3 | b >> 2);
                d[x * 4 + 1] = (uint8_t)(g << 3 | g >> 2);
                d[x * 4 + 2] = (uint8_t)(r << 3 | r >> 2);
                d[x * 4 + 3] = 0xff;
            }
            break;
        default:
            return NULL;
        }
    }
    return out;
}

static bool draw_copy(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_draw_copy m;
    const uint8_t *img;

    if (!sc_draw_copy_parse(body, len, &m))
        return false;
    if (m.surface_id != 0 || !c->canvas)
        return true;
    img = image_pixels(ch, &m);
    if (!img) {
        sc_warn("client: DRAW_COPY image type %u format %u %ux%u not drawn", m.image_type,
                m.bitmap_format, m.width, m.height);
        return m.image_type != SPICE_IMAGE_TYPE_LZ4; /* a bad LZ4 payload is malformed */
    }
    if (!blit(c, img, m.width, m.height, false, &m.src_area, &m.box, &m.clip)) {
        sc_warn("client: DRAW_COPY src_area outside its %ux%u image, not drawn", m.width,
                m.height);
        return true;
    }
    invalidate(c, &m.box);
    return true;
}

static bool draw_fill(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_rect all = { 0, 0, (int32_t)c->width, (int32_t)c->height };
    struct sc_draw_fill m;
    uint8_t px[4];
    uint32_t n;

    if (!sc_draw_fill_parse(body, len, &m))
        return false;
    if (m.surface_id != 0 || !c->canvas || m.brush_type != SPICE_BRUSH_TYPE_SOLID)
        return true;
    px[0] = m.color & 0xff;
    px[1] = (m.color >> 8) & 0xff;
    px[2] = (m.color >> 16) & 0xff;
    px[3] = 0xff;
    n = m.clip.type == SPICE_CLIP_TYPE_RECTS ? m.clip.num_rects : 1;
    for (uint32_t k = 0; k < n; k++) {
        struct sc_rect d = m.box;
        if (m.clip.type == SPICE_CLIP_TYPE_RECTS && !rect_intersect(&d, &m.clip.rects[k]))
            continue;
        if (!rect_intersect(&d, &all))
            continue;
        /* one row pixel by pixel, the others copied from it */
        uint8_t *first = c->canvas + (size_t)d.top * c->stride + (size_t)d.left * 4;
        size_t row = (size_t)(d.right - d.left) * 4;
        for (size_t x = 0; x < row; x += 4)
            memcpy(first + x, px, 4);
        for (int32_t y = d.top + 1; y < d.bottom; y++)
            memcpy(first + (size_t)(y - d.top) * c->stride, first, row);
    }
    invalidate(c, &m.box);
    return true;
}

static bool surface_create(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_surface_create m;

    if (!sc_surface_create_parse(body, len, &m))
        return false;
    if (!(m.flags & SPICE_SURFACE_FLAGS_PRIMARY) && m.surface_id != 0)
        return true; /* off-screen surfaces: not drawn (QXL guests only) */
    if (!m.width || !m.height || m.width > MAX_SURFACE_DIM || m.height > MAX_SURFACE_DIM)
        return false;
    g_free(c->canvas);
    c->canvas = g_try_malloc0((size_t)m.width * m.height * 4);
    if (!c->canvas) {
        sc_client_fail(c, "no memory for a %ux%u surface", m.width, m.height);
        return true;
    }
    c->width = m.width;
    c->height = m.height;
    c->stride = m.width * 4;
    if (c->cb.surface)
        c->cb.surface(c->data, m.width, m.height);
    return true;
}

/* ---- video streams ------------------------------------------------------------ */

static const struct sc_decoder_ops *decoder_for_codec(uint8_t codec)
{
    char why[SC_CODEC_REASON_SIZE];

    for (unsigned i = 0; sc_decoders[i]; i++)
        if (sc_decoders[i]->codec == codec && sc_decoder_probe(sc_decoders[i], why, sizeof(why)))
            return sc_decoders[i];
    return NULL;
}

static struct sc_client_stream *stream_get(struct sc_channel *ch, uint32_t id)
{
    if (id >= SC_CLIENT_MAX_STREAMS || !ch->streams[id].used)
        return NULL;
    return &ch->streams[id];
}

static bool stream_create(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_stream_create m;
    struct sc_client_stream *s;
    const struct sc_decoder_ops *ops;
    char why[SC_CODEC_REASON_SIZE] = "no decoder for this codec";

    if (!sc_stream_create_parse(body, len, &m) || m.id >= SC_CLIENT_MAX_STREAMS)
        return false;
    if (!m.stream_width || !m.stream_height || m.stream_width > SC_CODEC_MAX_DIM ||
        m.stream_height > SC_CODEC_MAX_DIM || !rect_sane(&m.dest))
        return false;
    s = &ch->streams[m.id];
    if (s->used)
        stream_free(s);
    s->used = true;
    s->id = m.id;
    s->codec = m.codec_type;
    s->flags = m.flags;
    s->width = m.stream_width;
    s->height = m.stream_height;
    s->dest = m.dest;
    s->clip = m.clip;
    ops = decoder_for_codec(m.codec_type);
    if (ops) {
        struct sc_decoder_params p = { m.stream_width, m.stream_height, true };
        s->dec = sc_decoder_create(ops, &p, why, sizeof(why));
    }
    if (!s->dec)
        sc_warn("client: stream %u codec %u: %s", m.id, m.codec_type, why);
    return true;
}

static void stream_report(struct sc_channel *ch, struct sc_client_stream *s, uint32_t drops)
{
    struct sc_stream_report r = { s->id, s->report_unique, s->report_start_mm,
                                  ch->client->mm_time, s->frames, drops, 100, 0xffffffffu };
    struct sc_writer w;
    size_t st;

    if (!sc_caps_has_channel(&ch->scaps, SPICE_DISPLAY_CAP_STREAM_REPORT))
        return;
    st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_DISPLAY_STREAM_REPORT);
    sc_stream_report_write(&w, &r);
    sc_channel_msg_end(ch, &w, st);
    s->frames = 0;
    s->report_start_mm = ch->client->mm_time;
}

static void stream_show(struct sc_channel *ch, struct sc_client_stream *s,
                        const struct sc_decoded_frame *f)
{
    struct sc_client *c = ch->client;
    struct sc_rect src = { 0, 0, (int32_t)f->width, (int32_t)f->height };
    const struct sc_rect *d = &s->dest;
    uint8_t *px;

    if (c->cb.video_frame &&
        c->cb.video_frame(c->data, f, d->left, d->top, d->right - d->left, d->bottom - d->top))
        return;
    if (!c->canvas || f->kind != SC_DECODED_CPU)
        return;
    px = scratch(ch, (size_t)f->width * f->height * 4);
    if (!px || !sc_convert_decoded_to_bgrx(f, px, f->width * 4))
        return;
    blit(c, px, f->width, f->height, !(s->flags & SPICE_STREAM_FLAGS_TOP_DOWN), &src, d,
         &s->clip);
    invalidate(c, d);
}

static bool stream_data(struct sc_channel *ch, uint32_t id, uint32_t mm, const uint8_t *data,
                        size_t size)
{
    struct sc_client_stream *s = stream_get(ch, id);
    struct sc_decoded_frame f;
    int r;

    if (!s)
        return false;
    ch->client->mm_time = MAX(ch->client->mm_time, mm);
    if (!s->dec)
        return true;
    r = sc_decoder_decode(s->dec, data, size, &f);
    if (r < 0)
        sc_debug("client: stream %u: a bad frame (%d)", id, r);
    if (r == 1)
        stream_show(ch, s, &f);
    s->frames++;
    if (s->report_active && s->report_window && s->frames >= s->report_window)
        stream_report(ch, s, 0);
    return true;
}

static bool stream_message(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    struct sc_client_stream *s;
    uint32_t id;

    switch (type) {
    case SPICE_MSG_DISPLAY_STREAM_CREATE:
        return stream_create(ch, body, len);
    case SPICE_MSG_DISPLAY_STREAM_DATA: {
        struct sc_stream_data m;
        return sc_stream_data_parse(body, len, &m) &&
               stream_data(ch, m.id, m.multi_media_time, m.data, m.data_size);
    }
    case SPICE_MSG_DISPLAY_STREAM_DATA_SIZED: {
        struct sc_stream_data_sized m;
        if (!sc_stream_data_sized_parse(body, len, &m) || !(s = stream_get(ch, m.id)) ||
            !rect_sane(&m.dest))
            return false;
        s->dest = m.dest;
        return stream_data(ch, m.id, m.multi_media_time, m.data, m.data_size);
    }
    case SPICE_MSG_DISPLAY_STREAM_CLIP: {
        struct sc_clip clip;
        if (!sc_stream_clip_parse(body, len, &id, &clip) || !(s = stream_get(ch, id)))
            return false;
        s->clip = clip;
        return true;
    }
    case SPICE_MSG_DISPLAY_STREAM_DESTROY:
        if (!sc_stream_destroy_parse(body, len, &id))
            return false;
        if ((s = stream_get(ch, id)))
            stream_free(s);
        return true;
    case SPICE_MSG_DISPLAY_STREAM_DESTROY_ALL:
        for (unsigned i = 0; i < SC_CLIENT_MAX_STREAMS; i++)
            if (ch->streams[i].used)
                stream_free(&ch->streams[i]);
        return true;
    case SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT: {
        struct sc_stream_activate_report m;
        if (!sc_stream_activate_report_parse(body, len, &m) || !(s = stream_get(ch, m.stream_id)))
            return false;
        s->report_active = true;
        s->report_unique = m.unique_id;
        s->report_window = m.max_window_size ? m.max_window_size : 5;
        s->report_start_mm = ch->client->mm_time;
        s->frames = 0;
        if (!s->dec)
            stream_report(ch, s, REPORT_NO_DECODER);
        return true;
    }
    default:
        return true;
    }
}

/* ---- GL scanout ---------------------------------------------------------------- */

void sc_display_scanout_fd(struct sc_channel *ch, int fd)
{
    struct sc_client *c = ch->client;
    const struct sc_gl_scanout *m = &ch->pending_scanout;
    char why[128];

    if (fd < 0) {
        sc_warn("client: GL_SCANOUT_UNIX came without an fd");
        return;
    }
    /* a buffer that can shrink under our mapping would SIGBUS us */
    if (!sc_frame_fd_mappable(fd, (uint64_t)m->stride * m->height, why, sizeof(why))) {
        close(fd);
        sc_client_fail(c, "GL_SCANOUT_UNIX %ux%u stride %u refused: %s", m->width, m->height,
                       m->stride, why);
        return;
    }
    if (c->scanout_fd >= 0)
        close(c->scanout_fd);
    c->scanout_fd = fd;
    if (c->cb.gl_scanout)
        c->cb.gl_scanout(c->data, fd, m->width, m->height, m->stride, m->drm_fourcc_format,
                         m->flags & SPICE_GL_SCANOUT_FLAGS_Y0TOP);
}

static bool gl_message(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;

    if (type == SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX) {
        if (!sc_gl_scanout_unix_parse(body, len, &ch->pending_scanout))
            return false;
        if (!c->is_unix) {
            sc_client_fail(c, "GL_SCANOUT_UNIX on a socket that cannot pass fds");
            return true;
        }
        /* spice-gtk reads the '@' byte only for a nonzero format */
        ch->want_at = ch->pending_scanout.drm_fourcc_format != 0;
        return true;
    }
    struct sc_gl_draw m;
    if (!sc_gl_draw_parse(body, len, &m))
        return false;
    c->gl_draw_pending = true;
    if (c->cb.gl_draw && c->scanout_fd >= 0)
        c->cb.gl_draw(c->data, m.x, m.y, m.w, m.h);
    else
        sc_client_gl_draw_done(c);
    return true;
}

bool sc_display_handle(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_monitors_config mc;
    uint32_t id;

    switch (type) {
    case SPICE_MSG_DISPLAY_SURFACE_CREATE:
        return surface_create(ch, body, len);
    case SPICE_MSG_DISPLAY_SURFACE_DESTROY:
        if (!sc_surface_destroy_parse(body, len, &id))
            return false;
        return true; /* the canvas stays until the next SURFACE_CREATE */
    case SPICE_MSG_DISPLAY_DRAW_COPY:
        return draw_copy(ch, body, len);
    case SPICE_MSG_DISPLAY_DRAW_FILL:
        return draw_fill(ch, body, len);
    case SPICE_MSG_DISPLAY_MARK:
        if (c->cb.mark)
            c->cb.mark(c->data);
        return true;
    case SPICE_MSG_DISPLAY_MONITORS_CONFIG:
        return sc_monitors_config_parse(body, len, &mc);
    case SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX:
    case SPICE_MSG_DISPLAY_GL_DRAW:
        return gl_message(ch, type, body, len);
    case SPICE_MSG_DISPLAY_STREAM_CREATE:
    case SPICE_MSG_DISPLAY_STREAM_DATA:
    case SPICE_MSG_DISPLAY_STREAM_DATA_SIZED:
    case SPICE_MSG_DISPLAY_STREAM_CLIP:
    case SPICE_MSG_DISPLAY_STREAM_DESTROY:
    case SPICE_MSG_DISPLAY_STREAM_DESTROY_ALL:
    case SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT:
        return stream_message(ch, type, body, len);
    default:
        return true; /* RESET, INVAL_*, other DRAW_* (QXL guests): not drawn */
    }
}
