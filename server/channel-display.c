/* Display channel: primary surface, lossless DRAW_COPY updates (LZ4 or
 * raw), MARK, coalesced damage for slow clients (PROTOCOL.md §5, §8.1).
 * Each display client is the router of the frames it gets from the
 * display: the buffer itself to a local GL client (display-gl.c), video
 * while the display is in video mode (stream.c), otherwise lossless. */
#include "config.h"

#include <string.h>

#include <cairo.h>

#include "server/channel.h"
#include "server/display-gl.h"
#include "server/display.h"
#include "server/encode.h"
#include "common/log.h"
#include "server/server-private.h"
#include "server/stream.h"

#define MAX_RECTS_PER_UPDATE 32

struct dcc {
    struct sc_display *display; /* the head of the channel's id */
    bool inited;
    bool lz4_cap;
    uint8_t compression; /* SPICE_IMAGE_COMPRESSION_* the client prefers */
    bool surface;
    uint32_t surf_w, surf_h;
    bool marked;
    cairo_region_t *dirty;
    struct sc_lossless *lossless; /* this client's lossless encoder and worker */
    bool inflight;                /* a lossless update is being encoded */
    struct sc_display_listener listener; /* added at DISPLAY_INIT */
    struct sc_stream_client *stream;
    bool gl;        /* a local client that can take the buffer fd */
    bool maps_shm;  /* ... and maps sealed memfds too (SC_DISPLAY_CAP_SHM_SCANOUT) */
    bool gl_active; /* the last frame went as GL_SCANOUT, not pixels */
    struct sc_gl_state gl_state;
};

static struct dcc *dcc_of(struct sc_channel_client *cc) { return cc->priv; }

/* LZ4 where it pays (codecs/lossless.c falls back to raw where not). */
static bool use_lz4(const struct dcc *dcc)
{
    return dcc->lz4_cap && dcc->compression != SPICE_IMAGE_COMPRESSION_OFF;
}

static void send_surface(struct sc_channel_client *cc, uint32_t w, uint32_t h)
{
    struct dcc *dcc = dcc_of(cc);
    struct sc_surface_create sc = {
        .surface_id = 0, .width = w, .height = h,
        .format = SPICE_SURFACE_FMT_32_xRGB, .flags = SPICE_SURFACE_FLAGS_PRIMARY,
    };
    struct sc_monitors_config mc = {
        .count = 1, .max_allowed = 1,
        .heads = { { .id = 0, .surface_id = 0, .width = w, .height = h } },
    };
    size_t start;

    /* a stream must not outlive its surface */
    sc_stream_client_stop(dcc->stream, true);
    if (dcc->surface) {
        start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_SURFACE_DESTROY);
        sc_surface_destroy_write(&cc->w, 0);
        sc_cc_end(cc, start);
    }
    start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_SURFACE_CREATE);
    sc_surface_create_write(&cc->w, &sc);
    sc_cc_end(cc, start);
    start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_MONITORS_CONFIG);
    sc_monitors_config_write(&cc->w, &mc);
    sc_cc_end(cc, start);
    dcc->surface = true;
    dcc->surf_w = w;
    dcc->surf_h = h;
    dcc->marked = false;
    cairo_region_destroy(dcc->dirty);
    dcc->dirty = cairo_region_create_rectangle(&(cairo_rectangle_int_t){ 0, 0, (int)w, (int)h });
}

static void dcc_push(struct sc_channel_client *cc);

/* The DRAW_COPY bodies of one update (never called once the client is
 * gone: sc_lossless_free drops them). */
static void encode_done(const struct sc_lossless_update *u, size_t n, void *data)
{
    struct sc_channel_client *cc = data;
    struct dcc *dcc = dcc_of(cc);

    dcc->inflight = false;
    for (size_t i = 0; i < n; i++)
        sc_cc_send_body_parts(cc, SPICE_MSG_DISPLAY_DRAW_COPY, u[i].head, u[i].payload);
    if (!dcc->marked) {
        sc_cc_send_empty(cc, SPICE_MSG_DISPLAY_MARK);
        dcc->marked = true;
    }
    dcc_push(cc);
}

/* Which frames go to a local GL client as the buffer fd itself: dma-bufs
 * always (spice-gtk imports them through EGL); a memfd sealed against
 * shrinking to a client that maps such buffers (SC_DISPLAY_CAP_SHM_SCANOUT:
 * our viewer), or to any GL client with gl-scanout "on"; anything else as
 * pixels.  spice-gtk advertises GL_SCANOUT on unix sockets but cannot
 * import a memfd, so it never gets one by default. */
static bool frame_goes_gl(struct sc_channel_client *cc, const struct sc_frame *frame)
{
    struct dcc *dcc = dcc_of(cc);

    if (!dcc->gl || !frame || frame->fd < 0 || !sc_gl_layout_ok(&dcc->gl_state, frame))
        return false;
    if (frame->kind == SC_FRAME_DMABUF)
        return true;
    return frame->sealed && (dcc->maps_shm || cc->server->gl_scanout == SC_GL_SCANOUT_ON);
}

/* Sends what is dirty, from the latest frame, if the client can take it. */
static void dcc_push(struct sc_channel_client *cc)
{
    struct dcc *dcc = dcc_of(cc);
    struct sc_frame *frame = sc_display_get_frame(dcc->display);
    cairo_rectangle_int_t r;
    struct sc_box boxes[MAX_RECTS_PER_UPDATE];
    int n;

    if (dcc->inited && frame_goes_gl(cc, frame)) {
        dcc->gl_active = true;
        sc_gl_push(cc, &dcc->gl_state, frame);
        return;
    }
    if (!dcc->inited || dcc->inflight || !frame || !sc_cc_can_send(cc))
        return;
    /* leaving GL (or the first frame): a surface, all of it dirty */
    if (dcc->gl_active || !dcc->surface || dcc->surf_w != frame->width ||
        dcc->surf_h != frame->height) {
        dcc->gl_active = false;
        send_surface(cc, frame->width, frame->height);
    }
    if (cairo_region_is_empty(dcc->dirty))
        return;
    n = cairo_region_num_rectangles(dcc->dirty);
    if (n > MAX_RECTS_PER_UPDATE) {
        cairo_region_get_extents(dcc->dirty, &r);
        boxes[0] = (struct sc_box){ r.x, r.y, r.width, r.height };
        n = 1;
    } else {
        for (int i = 0; i < n; i++) {
            cairo_region_get_rectangle(dcc->dirty, i, &r);
            boxes[i] = (struct sc_box){ r.x, r.y, r.width, r.height };
        }
    }
    if (!sc_lossless_submit(dcc->lossless, frame, boxes, (unsigned)n, use_lz4(dcc)))
        return; /* no encoder: the damage stays for the next try */
    cairo_region_destroy(dcc->dirty);
    dcc->dirty = cairo_region_create();
    dcc->inflight = true;
}

static bool surface_matches(const struct dcc *dcc, const struct sc_frame *frame)
{
    return dcc->inited && dcc->surface && dcc->marked && dcc->surf_w == frame->width &&
           dcc->surf_h == frame->height;
}

/* The stream ended: the whole surface again, losslessly. */
static void refresh(void *data)
{
    struct sc_channel_client *cc = data;
    struct dcc *dcc = dcc_of(cc);

    cairo_region_union_rectangle(dcc->dirty, &(cairo_rectangle_int_t){ 0, 0, (int)dcc->surf_w,
                                                                       (int)dcc->surf_h });
    dcc_push(cc);
}

/* The display's listener: a new current frame, routed. */
static void on_frame(struct sc_frame *frame, void *data)
{
    struct sc_channel_client *cc = data;
    struct dcc *dcc = dcc_of(cc);

    if (frame_goes_gl(cc, frame)) {
        dcc->gl_active = true;
        sc_gl_frame(cc, &dcc->gl_state, frame);
        return;
    }
    if (sc_streams_video(sc_display_streams(dcc->display)) && surface_matches(dcc, frame) &&
        sc_streams_take(dcc->stream, frame))
        return;
    cairo_rectangle_int_t full = { 0, 0, (int)frame->width, (int)frame->height };

    if (frame->full_damage || frame->width != dcc->surf_w ||
        frame->height != dcc->surf_h) {
        cairo_region_union_rectangle(dcc->dirty, &full);
    } else {
        for (uint32_t i = 0; i < frame->n_damage; i++) {
            const struct sc_box *b = &frame->damage[i];
            cairo_region_union_rectangle(dcc->dirty,
                                         &(cairo_rectangle_int_t){ b->x, b->y, b->w, b->h });
        }
        cairo_region_intersect_rectangle(dcc->dirty, &full);
    }
    dcc_push(cc);
}

static bool handle_init(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct dcc *dcc = dcc_of(cc);
    struct sc_display_init init;

    if (!sc_display_init_parse(body, len, &init))
        return false;
    if (dcc->inited)
        return true;
    dcc->inited = true;
    sc_display_add_listener(dcc->display, &dcc->listener);
    dcc_push(cc);
    return true;
}

static bool handle_preferred_compression(struct sc_channel_client *cc, const uint8_t *body,
                                         size_t len)
{
    uint8_t c;

    if (!sc_preferred_compression_parse(body, len, &c))
        return false;
    dcc_of(cc)->compression = c;
    sc_debug("display: client prefers compression %u", c);
    return true;
}

static bool handle_gl_draw_done(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct dcc *dcc = dcc_of(cc);

    (void)body;
    if (len != 0 || !dcc->gl)
        return false;
    return sc_gl_draw_done(cc, &dcc->gl_state);
}

static bool handle_stream_report(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct sc_stream_report r;

    if (!sc_stream_report_parse(body, len, &r))
        return false;
    sc_stream_client_report(dcc_of(cc)->stream, &r);
    return true;
}

static bool handle_preferred_video_codecs(struct sc_channel_client *cc, const uint8_t *body,
                                          size_t len)
{
    struct sc_preferred_video_codecs m;

    if (!sc_preferred_video_codecs_parse(body, len, &m))
        return false;
    sc_stream_client_prefer(dcc_of(cc)->stream, m.codecs, m.num);
    return true;
}

/* One line per display client saying what it gets, true to the rules of
 * frame_goes_gl(). */
static void log_route(struct sc_channel_client *cc)
{
    struct dcc *dcc = dcc_of(cc);
    const char *what;

    if (!dcc->gl)
        what = sc_conn_is_unix(cc->conn) && cc->server->gl_scanout == SC_GL_SCANOUT_OFF
                   ? "pixels (gl-scanout off)"
                   : "pixels (lossless, or video when the screen moves)";
    else if (dcc->maps_shm || cc->server->gl_scanout == SC_GL_SCANOUT_ON)
        what = "the buffer fd itself for dma-bufs and sealed memfds (zero-copy)";
    else
        what = "the buffer fd itself for dma-bufs; shared-memory frames as pixels "
               "(it imports only dma-bufs)";
    const char *planes = !dcc->gl ? ""
                         : dcc->gl_state.planes ? "; frames of several planes or with a modifier too "
                                                  "(GL_SCANOUT2_UNIX)"
                                                : "; frames of several planes or with a modifier not as fds";
    if (cc->link.channel_id)
        sc_info("display %u: %s gets %s%s", cc->link.channel_id, sc_conn_peer(cc->conn), what, planes);
    else
        sc_info("display: %s gets %s%s", sc_conn_peer(cc->conn), what, planes);
}

static bool display_start(struct sc_channel_client *cc)
{
    /* link.c lets only ids of existing displays through */
    struct sc_display *display = sc_server_display(cc->server, cc->link.channel_id);
    struct dcc *dcc;

    if (!display)
        return false;
    dcc = g_new0(struct dcc, 1);
    cc->priv = dcc;
    dcc->display = display;
    dcc->lz4_cap = sc_caps_has_channel(&cc->link.caps, SPICE_DISPLAY_CAP_LZ4_COMPRESSION);
    dcc->compression = SPICE_IMAGE_COMPRESSION_AUTO_LZ;
    dcc->dirty = cairo_region_create();
    dcc->lossless = sc_lossless_new(encode_done, cc);
    dcc->listener = (struct sc_display_listener){ .frame = on_frame, .data = cc };
    dcc->stream = sc_stream_client_new(sc_display_streams(dcc->display), cc, refresh, cc);
    dcc->gl = sc_gl_client_wanted(cc);
    dcc->maps_shm = dcc->gl && sc_caps_has_channel(&cc->link.caps, SC_DISPLAY_CAP_SHM_SCANOUT);
    sc_gl_init(cc, &dcc->gl_state);
    log_route(cc);
    return true;
}

static void display_ready(struct sc_channel_client *cc)
{
    dcc_push(cc);
}

static void display_destroy(struct sc_channel_client *cc)
{
    struct dcc *dcc = dcc_of(cc);

    if (!dcc)
        return;
    sc_stream_client_free(dcc->stream);
    if (dcc->inited)
        sc_display_remove_listener(dcc->display, &dcc->listener);
    sc_lossless_free(dcc->lossless);
    cairo_region_destroy(dcc->dirty);
    sc_gl_finish(&dcc->gl_state);
    g_free(dcc);
    cc->priv = NULL;
}

static const struct sc_channel_handler display_handlers[] = {
    { SPICE_MSGC_DISPLAY_INIT, handle_init, SC_MSG_SMALL },
    { SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION, handle_preferred_compression, SC_MSG_SMALL },
    { SPICE_MSGC_DISPLAY_GL_DRAW_DONE, handle_gl_draw_done, SC_MSG_SMALL },
    { SPICE_MSGC_DISPLAY_STREAM_REPORT, handle_stream_report, SC_MSG_SMALL },
    { SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE, handle_preferred_video_codecs, 1 + 255 },
    { 0, NULL, 0 },
};

const struct sc_channel_class sc_display_channel_class = {
    .name = "display",
    .type = SPICE_CHANNEL_DISPLAY,
    .handlers = display_handlers,
    .start = display_start,
    .ready = display_ready,
    .destroy = display_destroy,
};
