/* The VMM source: scanout buffers handed in by an embedding VMM.
 *
 * Each sc_vmm_source_scanout() wraps the VMM's buffer in a frame (the fd
 * dup'ed, mapped read-only when it can be for the CPU paths) without
 * copying it.  The frame's last reference going away, wherever that
 * happens, schedules the VMM's release(cookie) on the source's main
 * context: the VMM may then write the buffer again. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "common/log.h"
#include "server/server.h"

#define MAX_DIM 16384

struct sc_vmm_source {
    struct sc_source base;
    struct sc_vmm_source_callbacks cb;
    void *data;
    GMainContext *context;
    int *alive; /* shared with frames in flight: 0 once destroyed */
    uint64_t seq;
    struct sc_frame *current[SC_MAX_HEADS]; /* each head's latest */
    bool warned_unsealed;
    bool warned_no_view; /* a frame of several planes without a CPU view */
};

struct vmm_frame {
    struct sc_frame frame;
    struct sc_vmm_source *source;
    int *alive;
    uint64_t cookie;
};

struct release_call {
    struct sc_vmm_source *source;
    int *alive;
    uint64_t cookie;
};

static gboolean release_idle(gpointer data)
{
    struct release_call *rc = data;

    if (*rc->alive && rc->source->cb.release)
        rc->source->cb.release(rc->source->data, rc->cookie);
    if (g_atomic_int_dec_and_test(&rc->alive[1]))
        g_free(rc->alive);
    g_free(rc);
    return G_SOURCE_REMOVE;
}

/* Any thread: the frame's last reference went away. */
static void frame_release(struct sc_frame *frame, void *data)
{
    struct vmm_frame *vf = (struct vmm_frame *)frame;
    struct release_call *rc = g_new0(struct release_call, 1);
    GSource *idle = g_idle_source_new();

    (void)data;
    rc->source = vf->source;
    rc->alive = vf->alive;
    rc->cookie = vf->cookie;
    g_source_set_callback(idle, release_idle, rc, NULL);
    g_source_attach(idle, vf->source->context);
    g_source_unref(idle);
    sc_frame_destroy(frame); /* unmaps and closes our dup */
}

/* A buffer laid out as GL_SCANOUT_UNIX carries it (one linear plane). */
static bool is_plain(const struct sc_vmm_buffer *b)
{
    struct sc_frame_buffer fb = {
        .kind = b->dmabuf ? SC_FRAME_DMABUF : SC_FRAME_SHM, .offset = b->offset,
        .modifier = b->modifier, .n_planes = b->n_planes,
    };

    return sc_frame_buffer_is_simple(&fb);
}

static uint64_t fd_size(int fd)
{
    off_t end = lseek(fd, 0, SEEK_END);

    return end > 0 ? (uint64_t)end : 0; /* 0: unknown */
}

/* Planes, offsets and strides within their buffers (where their sizes are
 * known: memfds, dma-bufs). */
static bool check_planes(const struct sc_vmm_buffer *b, const struct sc_frame_buffer *fb,
                         char *why, size_t why_size)
{
    uint64_t sizes[SC_FRAME_MAX_PLANES] = { fd_size(b->fd) };

    if (b->n_planes > SC_FRAME_MAX_PLANES) {
        g_snprintf(why, why_size, "%u planes (at most %d)", b->n_planes, SC_FRAME_MAX_PLANES);
        return false;
    }
    for (uint32_t i = 1; i < b->n_planes; i++)
        sizes[i] = b->planes[i - 1].fd >= 0 ? fd_size(b->planes[i - 1].fd) : 0;
    return sc_frame_planes_fit(fb, sizes, why, why_size);
}

static bool check_buffer(const struct sc_vmm_buffer *b, GError **error)
{
    const char *why = NULL;

    if (b->fd < 0)
        why = "no fd";
    else if (!b->width || !b->height || b->width > MAX_DIM || b->height > MAX_DIM)
        why = "size out of range";
    else if (!is_plain(b) ? b->drm_fourcc == 0
                          : b->drm_fourcc != DRM_FORMAT_XRGB8888 &&
                                b->drm_fourcc != DRM_FORMAT_ARGB8888)
        why = "format other than XRGB8888/ARGB8888 in one linear plane";
    else if (b->stride > MAX_DIM * 16 || (is_plain(b) && b->stride < b->width * 4))
        why = "stride smaller than a row";
    if (why)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "scanout buffer: %s", why);
    return !why;
}

static struct sc_frame *wrap_buffer(struct sc_vmm_source *s, const struct sc_vmm_buffer *b,
                                    uint64_t cookie, GError **error)
{
    struct sc_frame_buffer fb = {
        b->dmabuf ? SC_FRAME_DMABUF : SC_FRAME_SHM, b->width, b->height, b->stride, b->offset,
        /* alpha is not shown */
        is_plain(b) ? DRM_FORMAT_XRGB8888 : b->drm_fourcc, b->modifier, b->top_down, 0, { { 0 } },
    };
    struct sc_frame_plane lent[SC_FRAME_MAX_PLANES - 1]; /* the VMM's fds */
    struct vmm_frame *vf;
    char why[160];
    int fd;

    fb.n_planes = b->n_planes;
    for (uint32_t i = 1; i < b->n_planes && i < SC_FRAME_MAX_PLANES; i++)
        fb.planes[i - 1] = (struct sc_frame_plane){ b->planes[i - 1].fd, b->planes[i - 1].offset,
                                                    b->planes[i - 1].stride };
    if (!check_planes(b, &fb, why, sizeof(why))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "scanout buffer: %s", why);
        return NULL;
    }
    memcpy(lent, fb.planes, sizeof(lent));
    fd = fcntl(b->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0 || !sc_frame_planes_dup(fb.planes, lent, fb.n_planes)) {
        int err = errno;

        if (fd >= 0)
            close(fd);
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "scanout buffer: %s",
                    g_strerror(err));
        return NULL;
    }
    vf = g_new0(struct vmm_frame, 1);
    /* the VMM embeds us: a one-plane buffer is trusted not to shrink under
     * us; NV12's planes are mapped only if sealed (or dma-bufs) */
    if (!sc_frame_wrap(&vf->frame, fd, &fb, false, why, sizeof(why)) && fb.n_planes > 1 &&
        !s->warned_no_view) {
        /* NV12 in sealed or dma-buf planes has one (converted to BGRx);
         * a tiled or other multi-plane buffer goes only as its fds */
        sc_info("vmm source: a %u-plane %.4s scanout is not mappable (%s): remote clients "
                "get no picture of it, local clients that take GL_SCANOUT2 get its fds",
                fb.n_planes, (const char *)&fb.drm_fourcc, why);
        s->warned_no_view = true;
    } else if (!vf->frame.map) {
        sc_debug("vmm source: buffer not mappable (%s): only local clients can show it", why);
    }
    if (fb.kind == SC_FRAME_SHM && !vf->frame.sealed && !s->warned_unsealed) {
        sc_info("vmm source: the shared-memory buffer is not sealed against shrinking "
                "(F_SEAL_SHRINK): local clients get pixels, not its fd");
        s->warned_unsealed = true;
    }
    vf->frame.seq = ++s->seq;
    vf->frame.release = frame_release;
    vf->source = s;
    vf->alive = s->alive;
    g_atomic_int_inc(&s->alive[1]);
    vf->cookie = cookie;
    return &vf->frame;
}

bool sc_vmm_source_set_heads(struct sc_vmm_source *s, unsigned n_heads, GError **error)
{
    if (n_heads < 1 || n_heads > SC_MAX_HEADS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "%u heads: a VMM source has 1 to %d", n_heads, SC_MAX_HEADS);
        return false;
    }
    s->base.n_heads = n_heads;
    return true;
}

bool sc_vmm_source_scanout(struct sc_vmm_source *s, const struct sc_vmm_buffer *buffer,
                           const struct sc_vmm_damage *damage, unsigned n_damage,
                           uint64_t cookie, GError **error)
{
    return sc_vmm_source_scanout_head(s, 0, buffer, damage, n_damage, cookie, error);
}

bool sc_vmm_source_scanout_head(struct sc_vmm_source *s, unsigned head,
                                const struct sc_vmm_buffer *buffer,
                                const struct sc_vmm_damage *damage, unsigned n_damage,
                                uint64_t cookie, GError **error)
{
    struct sc_frame *f, **current;
    bool same_size;

    if (head >= sc_source_n_heads(&s->base)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "scanout for head %u: the source has %u (sc_vmm_source_set_heads)", head,
                    sc_source_n_heads(&s->base));
        return false;
    }
    if (!check_buffer(buffer, error))
        return false;
    f = wrap_buffer(s, buffer, cookie, error);
    if (!f)
        return false;
    current = &s->current[head];
    same_size = *current && (*current)->width == f->width && (*current)->height == f->height;
    if (!same_size || !damage || n_damage == 0) {
        sc_frame_set_full_damage(f);
    } else {
        for (unsigned i = 0; i < n_damage; i++)
            sc_frame_add_damage(f, damage[i].x, damage[i].y, damage[i].w, damage[i].h);
    }
    sc_frame_unref(*current);
    *current = sc_frame_ref(f);
    sc_source_emit_head_frame(&s->base, head, f);
    sc_frame_unref(f);
    return true;
}

void sc_vmm_source_cursor(struct sc_vmm_source *s, uint32_t width, uint32_t height,
                          uint32_t hot_x, uint32_t hot_y, const uint8_t *pixels)
{
    struct sc_cursor_shape shape = { width, height, hot_x, hot_y, pixels };

    if (!pixels || !width || !height || width > 512 || height > 512)
        return;
    sc_source_emit_cursor(&s->base, &shape);
}

static void vmm_key(struct sc_source *base, const uint8_t *scancode, unsigned len, bool down)
{
    struct sc_vmm_source *s = (struct sc_vmm_source *)base;

    if (s->cb.key)
        s->cb.key(s->data, scancode, len, down);
}

static void vmm_pointer(struct sc_source *base, unsigned head, int32_t x, int32_t y,
                        uint32_t buttons)
{
    struct sc_vmm_source *s = (struct sc_vmm_source *)base;

    if (s->cb.head_pointer)
        s->cb.head_pointer(s->data, head, x, y, buttons);
    else if (s->cb.pointer && head == 0)
        s->cb.pointer(s->data, x, y, buttons);
}

static void vmm_start(struct sc_source *base)
{
    struct sc_vmm_source *s = (struct sc_vmm_source *)base;

    /* a display attached later still gets the current frames */
    for (unsigned i = 0; i < SC_MAX_HEADS; i++) {
        if (s->current[i])
            sc_source_emit_head_frame(base, i, s->current[i]);
    }
}

static void vmm_destroy(struct sc_source *base)
{
    sc_vmm_source_destroy((struct sc_vmm_source *)base);
}

static const struct sc_source_ops vmm_source_ops = {
    .name = "vmm",
    .help = "frames handed in by an embedding VMM (spicecast.h)",
    .start = vmm_start,
    .key = vmm_key,
    .pointer = vmm_pointer,
    .destroy = vmm_destroy,
};

struct sc_vmm_source *sc_vmm_source_new(const struct sc_vmm_source_callbacks *cb, void *data)
{
    struct sc_vmm_source *s = g_new0(struct sc_vmm_source, 1);

    s->base.impl = &vmm_source_ops;
    if (cb)
        s->cb = *cb;
    s->data = data;
    s->context = g_main_context_ref_thread_default();
    /* alive[0]: the source exists; alive[1]: references to this array */
    s->alive = g_new0(int, 2);
    s->alive[0] = 1;
    s->alive[1] = 1;
    return s;
}

void sc_server_set_vmm_source(struct sc_server *server, struct sc_vmm_source *source)
{
    sc_server_set_source(server, source ? &source->base : NULL);
}

void sc_vmm_source_destroy(struct sc_vmm_source *s)
{
    if (!s)
        return;
    /* from here on releases are dropped: once the server is freed too,
     * every buffer is the VMM's again */
    s->alive[0] = 0;
    for (unsigned i = 0; i < SC_MAX_HEADS; i++) {
        sc_frame_unref(s->current[i]);
        s->current[i] = NULL;
    }
    if (g_atomic_int_dec_and_test(&s->alive[1]))
        g_free(s->alive);
    g_main_context_unref(s->context);
    g_free(s);
}
