/* The client engine's display channel: the primary surface (the canvas,
 * client/canvas.h), DRAW_COPY (raw bitmaps, LZ4 through the codec layer's
 * lossless decoder) and DRAW_FILL, the GL scanout fd, and its video
 * streams (channel-display-stream.c).  PROTOCOL.md 5, 8.2. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "client/client-priv.h"
#include "common/frame.h"
#include "common/log.h"

static struct sc_client_display_channel *channel_state(struct sc_channel *ch)
{
    return ch->priv;
}

/* the SPICE display cap of a video codec, or 0 */
static unsigned codec_cap(int codec)
{
    switch (codec) {
    case SC_CODEC_MJPEG: return SPICE_DISPLAY_CAP_CODEC_MJPEG;
    case SC_CODEC_VP8: return SPICE_DISPLAY_CAP_CODEC_VP8;
    case SC_CODEC_H264: return SPICE_DISPLAY_CAP_CODEC_H264;
    case SC_CODEC_VP9: return SPICE_DISPLAY_CAP_CODEC_VP9;
    case SC_CODEC_H265: return SPICE_DISPLAY_CAP_CODEC_H265;
    default: return 0;
    }
}

static void display_caps(struct sc_channel *ch, struct sc_caps *caps)
{
    struct sc_client *c = ch->client;
    uint32_t *w = caps->channel, *n = &caps->n_channel;

    sc_caps_set(w, n, SPICE_DISPLAY_CAP_SIZED_STREAM);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_MONITORS_CONFIG);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_STREAM_REPORT);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_LZ4_COMPRESSION);
    sc_caps_set(w, n, SPICE_DISPLAY_CAP_MULTI_CODEC);
    /* decode.c skips to the next keyframe after a drop: reports ask for one */
    sc_caps_set(w, n, SC_DISPLAY_CAP_KEYFRAME_ON_DROP);
    /* our server's stages of each streamed frame, for --stats and the overlay */
    sc_caps_set(w, n, SC_DISPLAY_CAP_FRAME_TIMES);
    if (c->gl_scanout && c->is_unix) {
        sc_caps_set(w, n, SPICE_DISPLAY_CAP_GL_SCANOUT);
        /* we map sealed memfds as well as dma-bufs (client-local.c) */
        sc_caps_set(w, n, SC_DISPLAY_CAP_SHM_SCANOUT);
        /* planes, offsets, modifiers: for an application that takes them */
        if (sc_channel_head(ch)->cb.gl_scanout2)
            sc_caps_set(w, n, SPICE_DISPLAY_CAP_GL_SCANOUT2);
        /* channel.c reads with a control buffer every time and queues the
         * fds (PROTOCOL.md 5.12, rule B): the scanout's fd may come with its
         * message's first byte, all in one sendmsg with the GL_DRAW.
         * SPICECAST_FD_FIFO=0 leaves it out (to measure against two calls) */
        if (g_strcmp0(g_getenv("SPICECAST_FD_FIFO"), "0") != 0)
            sc_caps_set(w, n, SC_DISPLAY_CAP_SCANOUT_FD_FIFO);
    }
    for (unsigned i = 0; c->video && sc_decoders[i]; i++) {
        const struct sc_decoder_ops *ops = sc_decoders[i];
        char why[SC_CODEC_REASON_SIZE];
        unsigned cap = codec_cap(ops->codec);
        if (!cap)
            continue;
        if (sc_decoder_probe(ops, why, sizeof(why)))
            sc_caps_set(w, n, cap);
        else
            sc_debug("client: decoder %s/%s unusable: %s", ops->name,
                     sc_codec_id_name(ops->codec), why);
    }
}

static void close_scanout(struct sc_client_display_channel *p)
{
    if (p->scanout_fd >= 0)
        close(p->scanout_fd);
    p->scanout_fd = -1;
    for (unsigned i = 0; i < p->n_scanout_fds; i++)
        close(p->scanout_fds[i]);
    p->n_scanout_fds = 0;
}

static bool display_init(struct sc_channel *ch)
{
    struct sc_client_display_channel *p = g_try_new0(struct sc_client_display_channel, 1);

    if (!p)
        return false;
    p->scanout_fd = -1;
    ch->priv = p;
    p->streams = sc_client_streams_new(ch);
    return true;
}

static void display_ready(struct sc_channel *ch)
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

static void display_destroy(struct sc_channel *ch)
{
    struct sc_client_display_channel *p = channel_state(ch);

    if (!p)
        return;
    sc_client_streams_free(p->streams);
    sc_decoder_destroy(p->lz4);
    close_scanout(p);
    g_free(p);
    ch->priv = NULL;
}

/* ---- drawing ------------------------------------------------------------------ */

/* the registry's first working decoder for codec */
static const struct sc_decoder_ops *first_decoder(int codec)
{
    char why[SC_CODEC_REASON_SIZE];

    for (unsigned i = 0; sc_decoders[i]; i++)
        if (sc_decoders[i]->codec == codec && sc_decoder_probe(sc_decoders[i], why, sizeof(why)))
            return sc_decoders[i];
    return NULL;
}

/* An LZ4 image as top-down BGRX, through the codec layer's decoder (one
 * kept for the last image size); NULL: bad payload or no memory. */
static const uint8_t *lz4_pixels(struct sc_channel *ch, const struct sc_draw_copy *m)
{
    struct sc_client_display_channel *p = channel_state(ch);
    struct sc_decoder_params params = { m->width, m->height, true };
    const struct sc_decoder_ops *ops = first_decoder(SC_CODEC_LZ4);
    char why[SC_CODEC_REASON_SIZE];
    struct sc_decoded_frame f;

    if (!m->width || !m->height || m->width > SC_CANVAS_MAX_DIM ||
        m->height > SC_CANVAS_MAX_DIM || !ops)
        return NULL;
    if (p->lz4 && (p->lz4->params.width != m->width || p->lz4->params.height != m->height)) {
        sc_decoder_destroy(p->lz4);
        p->lz4 = NULL;
    }
    if (!p->lz4 && !(p->lz4 = sc_decoder_create(ops, &params, why, sizeof(why))))
        return NULL;
    if (sc_decoder_decode(p->lz4, m->data, m->data_size, &f) != 1 || f.format != SC_PIXFMT_BGRX)
        return NULL;
    return f.plane[0];
}

/* Stats of a lossless update that covers the frame stamp: capture ->
 * present (the canvas holds it now; the renderer was told) */
/* A lossless update's frame stamp: a box that touches the stamp's corner
 * gives it once per stamp (the server sends a frame as damage boxes and the
 * stamp may come in several: its CRC refuses a half-updated one, its index
 * a second reading); false for other boxes */
static bool new_stamp(struct sc_channel *ch, const struct sc_rect *box, struct sc_stamp *stamp)
{
    struct sc_client_display_channel *p = channel_state(ch);

    if (box->left >= SC_STAMP_WIDTH || box->top >= SC_STAMP_HEIGHT ||
        !sc_canvas_stamp(&sc_channel_head(ch)->canvas, stamp) ||
        (p->stamp_seen && stamp->index == p->stamp_index))
        return false;
    p->stamp_seen = true;
    p->stamp_index = stamp->index;
    return true;
}

/* capture -> present of a lossless update, for --stats and the overlay.
 * The overlay counts frames too: the boxes of a frame come back to back,
 * so a DRAW_COPY more than LIVE_FRAME_GAP_US after the previous one starts
 * one (client/live-stats.h) */
#define LIVE_FRAME_GAP_US 2000
static void copy_stats(struct sc_channel *ch, const struct sc_rect *box)
{
    struct sc_client *c = ch->client;
    struct sc_client_display_channel *p = channel_state(ch);
    int64_t now = sc_stats_now_us();
    struct sc_stamp stamp;

    if (c->live && now - p->live_last_copy_us > LIVE_FRAME_GAP_US)
        sc_live_frame(c->live, "lossless");
    p->live_last_copy_us = now;
    if (!new_stamp(ch, box, &stamp))
        return;
    sc_stats_record(c->stats, "capture-present", now - stamp.time_us);
    if (c->live)
        sc_live_sample(c->live, SC_CLIENT_LIVE_CAPTURE_PRESENT, now - stamp.time_us);
}

static bool draw_copy(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_canvas *cv = &sc_channel_head(ch)->canvas;
    struct sc_draw_copy m;
    const uint8_t *img;

    if (!sc_draw_copy_parse(body, len, &m))
        return false;
    if (m.surface_id != 0 || !cv->pixels)
        return true;
    /* raw bitmaps are blitted from the message (a decoder would only copy
     * them once more); 16 and 24 bits are converted by the canvas */
    img = m.image_type == SPICE_IMAGE_TYPE_LZ4 ? lz4_pixels(ch, &m) : sc_canvas_bitmap(cv, &m);
    if (!img) {
        sc_warn("client: DRAW_COPY image type %u format %u %ux%u not drawn", m.image_type,
                m.bitmap_format, m.width, m.height);
        return m.image_type != SPICE_IMAGE_TYPE_LZ4; /* a bad LZ4 payload is malformed */
    }
    if (!sc_canvas_blit(cv, img, m.width, m.height, false, &m.src_area, &m.box, &m.clip)) {
        sc_warn("client: DRAW_COPY src_area outside its %ux%u image, not drawn", m.width,
                m.height);
        return true;
    }
    sc_canvas_damage(cv, &m.box);
    if (ch->client->stats || ch->client->live)
        copy_stats(ch, &m.box);
    return true;
}

static bool draw_fill(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_canvas *cv = &sc_channel_head(ch)->canvas;
    struct sc_draw_fill m;

    if (!sc_draw_fill_parse(body, len, &m))
        return false;
    if (m.surface_id == 0 && cv->pixels && m.brush_type == SPICE_BRUSH_TYPE_SOLID)
        sc_canvas_fill(cv, m.color, &m.box, &m.clip);
    return true;
}

static bool surface_create(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client_head *h = sc_channel_head(ch);
    struct sc_surface_create m;

    if (!sc_surface_create_parse(body, len, &m))
        return false;
    if (!(m.flags & SPICE_SURFACE_FLAGS_PRIMARY) && m.surface_id != 0)
        return true; /* off-screen surfaces: not drawn (QXL guests only) */
    if (!m.width || !m.height || m.width > SC_CANVAS_MAX_DIM || m.height > SC_CANVAS_MAX_DIM)
        return false;
    if (!sc_canvas_resize(&h->canvas, m.width, m.height)) {
        sc_channel_fail(ch, "no memory for a %ux%u surface", m.width, m.height);
        return true;
    }
    if (h->cb.surface)
        h->cb.surface(h->data, m.width, m.height);
    return true;
}

static bool surface_destroy(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    uint32_t id;

    (void)ch;
    return sc_surface_destroy_parse(body, len, &id); /* the canvas stays until the next */
}

static bool mark(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client_head *h = sc_channel_head(ch);

    (void)body, (void)len;
    if (h->cb.mark)
        h->cb.mark(h->data);
    return true;
}

static bool monitors_config(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_monitors_config mc;

    (void)ch;
    return sc_monitors_config_parse(body, len, &mc);
}

/* ---- GL scanout ---------------------------------------------------------------- */

/* The '@' byte of GL_SCANOUT_UNIX arrived with fd (-1: none). */
static void scanout1_fd(struct sc_channel *ch, int fd)
{
    struct sc_client_head *h = sc_channel_head(ch);
    struct sc_client_display_channel *p = channel_state(ch);
    const struct sc_gl_scanout *m = &p->pending_scanout;
    char why[128];

    if (fd < 0) {
        sc_warn("client: GL_SCANOUT_UNIX came without an fd");
        return;
    }
    /* a buffer that can shrink under our mapping would SIGBUS us */
    if (!sc_frame_fd_mappable(fd, (uint64_t)m->stride * m->height, why, sizeof(why))) {
        close(fd);
        sc_channel_fail(ch, "GL_SCANOUT_UNIX %ux%u stride %u refused: %s", m->width, m->height,
                        m->stride, why);
        return;
    }
    close_scanout(p);
    p->scanout_fd = fd;
    if (h->cb.gl_scanout)
        h->cb.gl_scanout(h->data, fd, m->width, m->height, m->stride, m->drm_fourcc_format,
                         !(m->flags & SPICE_GL_SCANOUT_FLAGS_Y0TOP));
}

/* The bytes of fds[k] that plane layout m reaches (sc_frame_plane_end, as
 * the server checks them). */
static uint64_t scanout2_need(const struct sc_gl_scanout2 *m, unsigned k)
{
    uint64_t need = 0;

    for (unsigned i = 0; i < m->num_planes; i++) {
        unsigned fi = i < m->num_dmabuf ? i : 0;
        uint64_t end = sc_frame_plane_end(m->fourcc, m->modifier, i, m->offset[i], m->stride[i],
                                          m->height);

        if (fi == k && end > need)
            need = end;
    }
    return need;
}

G_STATIC_ASSERT(SC_CLIENT_MAX_PLANES == SC_GL_MAX_PLANES);

/* The '@' byte of GL_SCANOUT2_UNIX arrived with n fds: num_dmabuf are due,
 * each mappable (sealed memfd or dma-buf) and long enough for its planes. */
static void scanout2_fds(struct sc_channel *ch, const int *fds, unsigned n)
{
    struct sc_client_head *h = sc_channel_head(ch);
    struct sc_client_display_channel *p = channel_state(ch);
    const struct sc_gl_scanout2 *m = &p->pending_scanout2;
    struct sc_client_scanout s = {
        .width = m->width, .height = m->height, .fourcc = m->fourcc, .modifier = m->modifier,
        .top_down = !(m->flags & SPICE_GL_SCANOUT_FLAGS_Y0TOP), .n_planes = m->num_planes,
    };
    char why[128] = "";

    for (unsigned k = 0; k < n && !*why; k++)
        if (!sc_frame_fd_mappable(fds[k], scanout2_need(m, k), why, sizeof(why)))
            break;
    if (n != m->num_dmabuf || *why) {
        for (unsigned k = 0; k < n; k++)
            close(fds[k]);
        sc_channel_fail(ch, "GL_SCANOUT2_UNIX %ux%u, %u planes refused: %s", m->width,
                        m->height, m->num_planes, *why ? why : "fds missing");
        return;
    }
    close_scanout(p);
    p->scanout_fd = fds[0];
    for (unsigned k = 1; k < n; k++)
        p->scanout_fds[p->n_scanout_fds++] = fds[k];
    for (unsigned i = 0; i < m->num_planes; i++) {
        s.fds[i] = fds[i < m->num_dmabuf ? i : 0];
        s.offsets[i] = m->offset[i];
        s.strides[i] = m->stride[i];
    }
    if (h->cb.gl_scanout2)
        h->cb.gl_scanout2(h->data, &s);
}

static void scanout_fd(struct sc_channel *ch, const int *fds, unsigned n)
{
    struct sc_client_display_channel *p = channel_state(ch);

    if (p->pending_is2) {
        scanout2_fds(ch, fds, n);
        return;
    }
    for (unsigned k = 1; k < n; k++)
        close(fds[k]);
    scanout1_fd(ch, n ? fds[0] : -1);
}

static bool gl_scanout(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client_display_channel *p = channel_state(ch);

    if (!sc_gl_scanout_unix_parse(body, len, &p->pending_scanout))
        return false;
    p->pending_is2 = false;
    if (!ch->client->is_unix) {
        sc_channel_fail(ch, "GL_SCANOUT_UNIX on a socket that cannot pass fds");
        return true;
    }
    /* spice-gtk reads the '@' byte only for a nonzero format */
    if (p->pending_scanout.drm_fourcc_format != 0)
        sc_channel_expect_fd(ch);
    return true;
}

/* GL_SCANOUT2_UNIX: sent only when we advertised SPICE_DISPLAY_CAP_GL_SCANOUT2 */
static bool gl_scanout2(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client_display_channel *p = channel_state(ch);

    if (!sc_gl_scanout2_unix_parse(body, len, &p->pending_scanout2))
        return false;
    p->pending_is2 = true;
    if (p->pending_scanout2.width > SC_CANVAS_MAX_DIM ||
        p->pending_scanout2.height > SC_CANVAS_MAX_DIM) { /* row sizes must not wrap */
        sc_channel_fail(ch, "GL_SCANOUT2_UNIX %ux%u is larger than %ux%u",
                        p->pending_scanout2.width, p->pending_scanout2.height, SC_CANVAS_MAX_DIM,
                        SC_CANVAS_MAX_DIM);
        return true;
    }
    if (!ch->client->is_unix || !sc_channel_head(ch)->cb.gl_scanout2) {
        sc_channel_fail(ch, "GL_SCANOUT2_UNIX %s", ch->client->is_unix
                        ? "that we did not ask for" : "on a socket that cannot pass fds");
        return true;
    }
    sc_channel_expect_fds(ch, p->pending_scanout2.num_dmabuf);
    return true;
}

void sc_client_display_channel_gl_draw_done(struct sc_channel *ch)
{
    struct sc_client_display_channel *p = channel_state(ch);

    if (!p || !p->gl_draw_pending)
        return;
    p->gl_draw_pending = false;
    if (sc_channel_ready(ch))
        sc_channel_send_empty(ch, SPICE_MSGC_DISPLAY_GL_DRAW_DONE);
}

static bool gl_draw(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_client_display_channel *p = channel_state(ch);
    struct sc_gl_draw m;

    if (!sc_gl_draw_parse(body, len, &m))
        return false;
    p->gl_draw_pending = true;
    if (c->live)
        sc_live_frame(c->live, "local fd");
    if (sc_channel_head(ch)->cb.gl_draw && p->scanout_fd >= 0)
        sc_channel_head(ch)->cb.gl_draw(sc_channel_head(ch)->data, m.x, m.y, m.w, m.h);
    else
        sc_client_display_channel_gl_draw_done(ch);
    return true;
}

/* ---- the server's stages ------------------------------------------------------ */

static void server_sample(struct sc_client *c, const char *stage,
                          enum sc_client_live_stage live_stage, int32_t us)
{
    if (us < 0)
        return; /* the server did not know it */
    sc_stats_record(c->stats, stage, us);
    if (c->live)
        sc_live_sample(c->live, live_stage, us);
}

/* SC_MSG_DISPLAY_FRAME_TIMES (our server, SC_DISPLAY_CAP_FRAME_TIMES): where
 * a streamed frame was in the server, µs from its capture; a frame's
 * "written" comes with it or with the next one (common/messages.h) */
static bool frame_times(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    static const char *const names[SC_FRAME_STAGES] = {
        [SC_FRAME_SOURCE] = "server-source", [SC_FRAME_DISPLAY] = "server-display",
        [SC_FRAME_ENCODE_START] = "server-encode_start",
        [SC_FRAME_ENCODE_END] = "server-encode_end", [SC_FRAME_QUEUED] = "server-queued",
    };
    struct sc_client *c = ch->client;
    struct sc_frame_times m;

    if (!sc_frame_times_parse(body, len, &m))
        return false;
    if (!c->stats && !c->live)
        return true;
    for (int i = 0; i < SC_FRAME_STAGES; i++)
        server_sample(c, names[i], (enum sc_client_live_stage)(SC_CLIENT_LIVE_SERVER_SOURCE + i),
                      m.us[i]);
    server_sample(c, "server-written", SC_CLIENT_LIVE_SERVER_WRITTEN, m.written_us);
    return true;
}

/* RESET, INVAL_*, other DRAW_* (QXL guests): not drawn */
static const struct sc_client_handler display_handlers[] = {
    { SPICE_MSG_DISPLAY_SURFACE_CREATE, surface_create },
    { SPICE_MSG_DISPLAY_SURFACE_DESTROY, surface_destroy },
    { SPICE_MSG_DISPLAY_DRAW_COPY, draw_copy },
    { SPICE_MSG_DISPLAY_DRAW_FILL, draw_fill },
    { SPICE_MSG_DISPLAY_MARK, mark },
    { SPICE_MSG_DISPLAY_MONITORS_CONFIG, monitors_config },
    { SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, gl_scanout },
    { SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX, gl_scanout2 },
    { SPICE_MSG_DISPLAY_GL_DRAW, gl_draw },
    { SPICE_MSG_DISPLAY_STREAM_CREATE, sc_client_stream_msg_create },
    { SPICE_MSG_DISPLAY_STREAM_DATA, sc_client_stream_msg_data },
    { SPICE_MSG_DISPLAY_STREAM_DATA_SIZED, sc_client_stream_msg_data_sized },
    { SPICE_MSG_DISPLAY_STREAM_CLIP, sc_client_stream_msg_clip },
    { SPICE_MSG_DISPLAY_STREAM_DESTROY, sc_client_stream_msg_destroy },
    { SPICE_MSG_DISPLAY_STREAM_DESTROY_ALL, sc_client_stream_msg_destroy_all },
    { SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT, sc_client_stream_msg_activate_report },
    { SC_MSG_DISPLAY_FRAME_TIMES, frame_times },
    { 0, NULL },
};

const struct sc_channel_class sc_client_display_class = {
    .name = "display",
    .type = SPICE_CHANNEL_DISPLAY,
    .handlers = display_handlers,
    .caps = display_caps,
    .init = display_init,
    .ready = display_ready,
    .fd = scanout_fd,
    .destroy = display_destroy,
};
