/* The local path: a client on the unix socket that advertised GL_SCANOUT
 * gets the scanout buffer's fd itself (GL_SCANOUT_UNIX + one '@' byte with
 * SCM_RIGHTS; GL_SCANOUT2_UNIX with the planes' fds for a client that took
 * it and a frame of several planes, at an offset or with a modifier), then
 * a GL_DRAW per frame, answered by GL_DRAW_DONE
 * (PROTOCOL.md §5.12).  No pixel is read or copied here.  The frame shown
 * is referenced until the client has answered its GL_DRAW: the source does
 * not reuse a buffer the client may still be reading. */
#include "config.h"

#include "server/channel.h"
#include "server/display-gl.h"
#include "common/log.h"
#include "server/server-private.h"
#include "common/stats.h"

bool sc_gl_client_wanted(struct sc_channel_client *cc)
{
    return cc->server->gl_scanout != SC_GL_SCANOUT_OFF && sc_conn_is_unix(cc->conn) &&
           sc_caps_has_channel(&cc->link.caps, SPICE_DISPLAY_CAP_GL_SCANOUT);
}

void sc_gl_init(struct sc_channel_client *cc, struct sc_gl_state *gl)
{
    gl->planes = sc_caps_has_channel(&cc->link.caps, SPICE_DISPLAY_CAP_GL_SCANOUT2);
}

bool sc_gl_layout_ok(const struct sc_gl_state *gl, const struct sc_frame *frame)
{
    return gl->planes || sc_frame_is_simple(frame);
}

/* GL_SCANOUT2_UNIX, begun in cc->w: the planes' fds (one, if they all
 * share the first's buffer) into fds; their count. */
static unsigned build_scanout2(struct sc_channel_client *cc, struct sc_frame *f, uint32_t flags,
                               int *fds)
{
    struct sc_gl_scanout2 m = {
        .width = f->width, .height = f->height, .fourcc = f->drm_fourcc, .flags = flags,
        .modifier = f->modifier, .num_planes = f->n_planes > 1 ? f->n_planes : 1,
    };
    bool shared = true;
    size_t start;

    m.offset[0] = f->offset;
    m.stride[0] = f->stride;
    fds[0] = f->fd;
    for (unsigned i = 1; i < m.num_planes; i++) {
        m.offset[i] = f->planes[i - 1].offset;
        m.stride[i] = f->planes[i - 1].stride;
        fds[i] = f->planes[i - 1].fd >= 0 ? f->planes[i - 1].fd : f->fd;
        shared = shared && f->planes[i - 1].fd < 0;
    }
    m.num_dmabuf = shared ? 1 : m.num_planes;
    start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX);
    sc_gl_scanout2_unix_write(&cc->w, &m);
    sc_cc_finish(cc, start);
    return m.num_dmabuf;
}

/* GL_SCANOUT_UNIX, begun in cc->w: one plane at offset 0, its fd. */
static unsigned build_scanout1(struct sc_channel_client *cc, struct sc_frame *f, uint32_t flags,
                               int *fds)
{
    struct sc_gl_scanout m = {
        .width = f->width,
        .height = f->height,
        .stride = f->stride,
        .drm_fourcc_format = f->drm_fourcc,
        .flags = flags,
    };
    size_t start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX);

    sc_gl_scanout_unix_write(&cc->w, &m);
    sc_cc_finish(cc, start);
    fds[0] = f->fd;
    return 1;
}

/* A new buffer's scanout message, its '@' byte and (at a new size) a
 * MONITORS_CONFIG, begun in cc->w; *at: where the '@' is.  The fds to pass
 * into fds (the frame's own: lent, it outlives the send); their count, 0
 * if this client cannot take this frame. */
static unsigned build_scanout(struct sc_channel_client *cc, struct sc_gl_state *gl,
                              struct sc_frame *f, int *fds, size_t *at)
{
    /* Y0TOP marks bottom-up (GL-rendered) buffers; ours are top-down */
    uint32_t flags = f->top_down ? 0 : SPICE_GL_SCANOUT_FLAGS_Y0TOP;
    unsigned nfds;
    size_t start;

    if (f->fd < 0 || f->drm_fourcc == 0 || (!sc_frame_is_simple(f) && !gl->planes))
        return 0;
    nfds = sc_frame_is_simple(f) ? build_scanout1(cc, f, flags, fds)
                                 : build_scanout2(cc, f, flags, fds);
    *at = cc->w.size;
    sc_write_u8(&cc->w, '@');
    if (!gl->monitors_sent || gl->w != f->width || gl->h != f->height) {
        struct sc_monitors_config mc = {
            .count = 1, .max_allowed = 1,
            .heads = { { .id = 0, .surface_id = 0, .width = f->width, .height = f->height } },
        };
        start = sc_cc_begin_next(cc, SPICE_MSG_DISPLAY_MONITORS_CONFIG);
        sc_monitors_config_write(&cc->w, &mc);
        sc_cc_finish(cc, start);
        gl->monitors_sent = true;
        gl->w = f->width;
        gl->h = f->height;
    }
    return nfds;
}

/* Sends what cc->w holds, the fds riding on the '@' byte at `at` (a new
 * buffer; nfds 0: only a GL_DRAW).  A client with
 * SC_DISPLAY_CAP_SCANOUT_FD_FIFO reads every byte with a control buffer:
 * it all goes in one sendmsg(), the fds on the scanout message's first
 * byte.  Others (spice-gtk) read the message without one, and the kernel
 * would drop fds that came with it: the message goes in a sendmsg() of
 * its own, then the '@' byte with the fds and the rest. */
static bool send_built(struct sc_channel_client *cc, const int *fds, unsigned nfds, size_t at)
{
    if (nfds && !sc_caps_has_channel(&cc->link.caps, SC_DISPLAY_CAP_SCANOUT_FD_FIFO)) {
        if (!sc_cc_send_range(cc, 0, at, NULL, 0))
            return false;
        return sc_cc_send_range(cc, at, cc->w.size, fds, nfds);
    }
    return sc_cc_send_range(cc, 0, cc->w.size, fds, nfds);
}

void sc_gl_push(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *latest)
{
    struct sc_frame *f = gl->next ? gl->next : (gl->shown ? NULL : latest);
    struct sc_gl_draw draw;
    int fds[SC_GL_MAX_PLANES];
    unsigned nfds = 0;
    size_t start, at = 0;

    if (!f || gl->pending || !sc_cc_can_send(cc))
        return;
    /* one buffer, one or two sendmsg() calls (send_built), no copy: a new
     * buffer (or the first) has its scanout message and fds first */
    if (gl->shown != f && !(nfds = build_scanout(cc, gl, f, fds, &at))) {
        sc_warn("display: %s: cannot pass this frame's buffer, closing",
                sc_conn_peer(cc->conn));
        sc_cc_close(cc);
        return;
    }
    draw = (struct sc_gl_draw){ 0, 0, f->width, f->height };
    start = nfds ? sc_cc_begin_next(cc, SPICE_MSG_DISPLAY_GL_DRAW)
                 : sc_cc_begin(cc, SPICE_MSG_DISPLAY_GL_DRAW);
    sc_gl_draw_write(&cc->w, &draw);
    sc_cc_finish(cc, start);
    if (!send_built(cc, fds, nfds, at)) {
        sc_warn("display: %s: cannot send this frame's GL_DRAW, closing", sc_conn_peer(cc->conn));
        sc_cc_close(cc);
        return;
    }
    /* from the frame reaching this client to its GL_DRAW's last byte out */
    if (gl->next)
        sc_conn_note_written(cc->conn, cc->server->stats, "gl_draw", gl->next_us);
    gl->pending = true;
    if (gl->shown != f) {
        sc_frame_unref(gl->shown);
        gl->shown = sc_frame_ref(f);
    }
    if (gl->next) {
        sc_frame_unref(gl->next);
        gl->next = NULL;
    }
}

void sc_gl_frame(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *frame)
{
    /* only the latest frame matters: the client redraws the whole buffer */
    sc_frame_unref(gl->next);
    gl->next = sc_frame_ref(frame);
    gl->next_us = cc->server->stats ? g_get_monotonic_time() : 0;
    sc_gl_push(cc, gl, frame);
}

bool sc_gl_draw_done(struct sc_channel_client *cc, struct sc_gl_state *gl)
{
    if (!gl->pending) {
        /* as spice-server: an unsolicited DONE is a protocol error */
        sc_warn("display: %s: GL_DRAW_DONE without a GL_DRAW", sc_conn_peer(cc->conn));
        return false;
    }
    gl->pending = false;
    sc_gl_push(cc, gl, NULL);
    return true;
}

void sc_gl_finish(struct sc_gl_state *gl)
{
    sc_frame_unref(gl->shown);
    sc_frame_unref(gl->next);
    gl->shown = gl->next = NULL;
}
