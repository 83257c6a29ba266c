/* Shared by fuzz-client-display.c and fuzz-client-link.c: the viewer's
 * client engine, driven through sc_channel_process() on bytes a server
 * would send, with callbacks that check what the engine reports, as the
 * renderers would use it.  The display channel's files (canvas, decode
 * worker, display channel, streams) are included here, so that their
 * allocations and decoders can be replaced (below); the rest is linked.
 * The decode worker runs inline (SC_DECODE_INLINE): each packet is decoded
 * and shown before its message returns, as a fuzzer needs it.
 *
 * Video: the streams get a model decoder per SPICE codec (below) instead of
 * the real ones, which have their own targets (fuzz-decoder-*): creating an
 * OpenH264 decoder costs ~30 ms and a GStreamer pipeline more (and can
 * stall, issue 13 item 6), which held this target at ~200 runs/s.  The
 * model turns each packet into what a real decoder may return: an error,
 * no frame yet, or a CPU frame in I420, NV12 or BGRX of the stream's size
 * or of another (a mid-stream resolution change), or a dma-buf frame; its
 * planes are exact-size heap blocks, so ASan sees any read past them.
 * Codec 0xff has no decoder: the engine's "no decoder" path. */
#pragma once
#include "config.h"

#include <errno.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "client/client-priv.h"
#include "codecs/backend.h"

/* The canvas and scratch buffers: allocations over 16 MiB fail here, as
 * they may on a loaded machine, so that the failure paths are fuzzed and a
 * SURFACE_CREATE of 16384x16384 does not page in 1 GiB per run (the limit
 * itself, MAX_SURFACE_DIM, is the engine's design, not a finding). */
#define FUZZ_ALLOC_LIMIT (16u << 20)
static gpointer fuzz_try_malloc(gsize n) { return n > FUZZ_ALLOC_LIMIT ? NULL : g_try_malloc(n); }
static gpointer fuzz_try_malloc0(gsize n) { return n > FUZZ_ALLOC_LIMIT ? NULL : g_try_malloc0(n); }

extern const struct sc_decoder_ops *const fuzz_client_decoders[];
#define sc_decoders fuzz_client_decoders
#undef g_try_malloc
#undef g_try_malloc0
#define g_try_malloc fuzz_try_malloc
#define g_try_malloc0 fuzz_try_malloc0
#define SC_DECODE_INLINE 1
#include "client/canvas.c"
#include "client/decode.c"
#include "client/channel-display.c"
#include "client/channel-display-stream.c"
#undef g_try_malloc
#undef g_try_malloc0
#undef sc_decoders

#include "client/renderer.h"
#include "tests/fuzz/fuzz-util.h"

/* ---- the model decoder ------------------------------------------------------ */

struct model_dec {
    struct sc_decoder base;
    uint8_t *planes; /* the last frame's, exact size */
};

static bool model_probe(char *reason, size_t size)
{
    (void)reason, (void)size;
    return true;
}

static struct sc_decoder *model_create(const struct sc_decoder_params *p, char *reason,
                                       size_t size)
{
    struct model_dec *m = g_new0(struct model_dec, 1);

    (void)p, (void)reason, (void)size;
    return &m->base;
}

/* Packet byte 0: bits 0-1 error / no frame / frame / frame; bits 2-3
 * I420, NV12, BGRX; bit 4: the size in bytes 1-2 (1..256 each) instead of
 * the stream's; bit 5: a dma-buf frame.  The pixels are the packet's. */
static int model_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                        struct sc_decoded_frame *out)
{
    struct model_dec *m = (struct model_dec *)dec;
    uint8_t b = size ? data[0] : 2;
    uint32_t w = dec->params.width, h = dec->params.height;
    size_t cw, ch, total;

    if ((b & 3) == 0)
        return -EINVAL;
    if ((b & 3) == 1)
        return 0;
    memset(out, 0, sizeof(*out));
    if (b & 32) {
        out->kind = SC_DECODED_DMABUF;
        out->fd = -1;
        out->width = w;
        out->height = h;
        return 1;
    }
    if ((b & 16) && size >= 3) {
        w = data[1] + 1u;
        h = data[2] + 1u;
    }
    out->format = (enum sc_pixfmt)(((b >> 2) & 3) % 3);
    out->width = w;
    out->height = h;
    cw = (w + 1) / 2;
    ch = (h + 1) / 2;
    switch (out->format) {
    case SC_PIXFMT_I420: total = (size_t)w * h + 2 * cw * ch; break;
    case SC_PIXFMT_NV12: total = (size_t)w * h + 2 * cw * ch; break;
    default: total = (size_t)w * h * 4; break;
    }
    g_free(m->planes);
    m->planes = g_malloc(total);
    for (size_t i = 0; i < total; i++)
        m->planes[i] = size ? data[i % size] : (uint8_t)i;
    out->plane[0] = m->planes;
    switch (out->format) {
    case SC_PIXFMT_I420:
        out->n_planes = 3;
        out->stride[0] = w;
        out->plane[1] = m->planes + (size_t)w * h;
        out->plane[2] = out->plane[1] + cw * ch;
        out->stride[1] = out->stride[2] = (uint32_t)cw;
        break;
    case SC_PIXFMT_NV12:
        out->n_planes = 2;
        out->stride[0] = w;
        out->plane[1] = m->planes + (size_t)w * h;
        out->stride[1] = (uint32_t)cw * 2;
        break;
    default:
        out->n_planes = 1;
        out->stride[0] = w * 4;
        break;
    }
    return 1;
}

static void model_destroy(struct sc_decoder *dec)
{
    struct model_dec *m = (struct model_dec *)dec;

    g_free(m->planes);
    g_free(m);
}

#define MODEL_DECODER(id)                                                                 \
    { .name = "fuzz-model", .codec = (id), .probe = model_probe, .create = model_create, \
      .decode = model_decode, .destroy = model_destroy }
static const struct sc_decoder_ops model_decoders[4] = {
    MODEL_DECODER(SC_CODEC_MJPEG), MODEL_DECODER(SC_CODEC_VP8), MODEL_DECODER(SC_CODEC_H264),
    MODEL_DECODER(SC_CODEC_VP9),
};

const struct sc_decoder_ops *const fuzz_client_decoders[] = {
    &model_decoders[0], &model_decoders[1], &model_decoders[2], &model_decoders[3],
    &sc_lossless_lz4_decoder, &sc_lossless_raw_decoder, NULL,
};

struct fuzz_client {
    struct sc_client *c;
    struct sc_channel *ch; /* the harness's channel (static storage) */
    int peer;    /* the "server" end of the channel's socketpair */
    int ch_fd;   /* the engine's end (sc_channel_shutdown() forgets it) */
    bool closed_seen;
    int low_fd; /* the lowest free fd before the run */
    int extra[16]; /* our ends of the channels the engine opened itself */
    unsigned n_extra;
};

/* The lowest free fd: a leaked fd keeps it higher after the run. */
static int fc_lowest_free_fd(void)
{
    int fd = dup(2);

    if (fd < 0)
        abort();
    close(fd);
    return fd;
}

/* The harness's channel lives in static storage (it was 260 KiB once, and
 * a fresh mmap per run cost most of the time), and fc_finish() takes it
 * out of the client before sc_client_free(). */
static struct sc_channel fc_storage;

/* ---- callbacks: check what the engine hands the renderer ------------------ */

static void fc_surface(void *data, uint32_t w, uint32_t h)
{
    struct fuzz_client *f = data;
    uint32_t cw, ch, stride;
    const uint8_t *px = sc_client_canvas(f->c, &cw, &ch, &stride);

    if (!px || cw != w || ch != h || stride < w * 4)
        abort();
    fuzz_touch(px + (size_t)(h - 1) * stride, (size_t)w * 4); /* the last row is there */
}

static void fc_invalidate(void *data, int32_t x, int32_t y, int32_t w, int32_t h)
{
    struct fuzz_client *f = data;
    uint32_t cw, ch, stride;

    if (!sc_client_canvas(f->c, &cw, &ch, &stride))
        abort(); /* invalidated before any surface */
    /* the renderers copy exactly this rectangle out of the canvas */
    if (x < 0 || y < 0 || w <= 0 || h <= 0 || (int64_t)x + w > cw || (int64_t)y + h > ch)
        abort();
}

static void fc_mark(void *data) { (void)data; }

/* What the CPU renderer does with a scanout (renderer-cairo.c): the format
 * and stride checks, then sc_renderer_map_scanout(); every row it would
 * show is read here. */
static void fc_gl_scanout(void *data, int fd, uint32_t w, uint32_t h, uint32_t stride,
                          uint32_t fourcc, bool top_down)
{
    char reason[256];
    size_t size = 0;
    uint8_t *map;

    (void)data, (void)top_down;
    if (fd < 0 || sc_renderer_fourcc_bpp(fourcc) != 4 || stride < w * 4 || !w || !h)
        return;
    map = sc_renderer_map_scanout(fd, stride, h, &size, reason, sizeof(reason));
    if (!map)
        return;
    if (size < (size_t)stride * h)
        abort();
    for (uint32_t y = 0; y < h; y++)
        fuzz_touch(map + (size_t)y * stride, (size_t)w * 4);
    munmap(map, size);
}

/* What viewer-headless does with a GL_SCANOUT2 (the window's EGL import
 * takes the same fds): map each plane's buffer and read it to the end the
 * engine checked (sc_frame_plane_end); fds repeat for planes in one buffer. */
static void fc_gl_scanout2(void *data, const struct sc_client_scanout *s)
{
    (void)data;
    if (s->n_planes == 0 || s->n_planes > 4 || !s->width || !s->height)
        abort();
    for (unsigned i = 0; i < s->n_planes; i++) {
        uint64_t end = sc_frame_plane_end(s->fourcc, s->modifier, i, s->offsets[i],
                                          s->strides[i], s->height);
        off_t size = lseek(s->fds[i], 0, SEEK_END);
        uint8_t *map;

        if (s->fds[i] < 0 || size < 0 || end > (uint64_t)size)
            abort(); /* the engine let through a plane past its buffer */
        if (end == 0 || end > (64u << 20))
            continue;
        map = mmap(NULL, (size_t)end, PROT_READ, MAP_SHARED, s->fds[i], 0);
        if (map == MAP_FAILED)
            abort(); /* sealed or a dma-buf, and long enough: it maps */
        fuzz_touch(map + s->offsets[i], (size_t)(end - s->offsets[i]));
        munmap(map, (size_t)end);
    }
}

static void fc_gl_draw(void *data, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct fuzz_client *f = data;

    (void)x, (void)y, (void)w, (void)h;
    sc_client_gl_draw_done(f->c);
}

static void fc_cursor(void *data, uint32_t w, uint32_t h, uint32_t hx, uint32_t hy,
                      const uint8_t *px)
{
    (void)data, (void)hx, (void)hy;
    fuzz_touch(px, (size_t)w * h * 4);
}

static void fc_closed(void *data, const GError *error)
{
    struct fuzz_client *f = data;

    (void)error;
    if (f->closed_seen)
        abort(); /* closed() comes once */
    f->closed_seen = true;
}

static const struct sc_client_callbacks fc_callbacks = {
    .surface = fc_surface,
    .invalidate = fc_invalidate,
    .mark = fc_mark,
    .gl_scanout = fc_gl_scanout,
    .gl_scanout2 = fc_gl_scanout2,
    .gl_draw = fc_gl_draw,
    .cursor = fc_cursor,
    .closed = fc_closed,
};

/* ---- the engine without a server ----------------------------------------- */

/* The channels the engine opens itself (CHANNELS_LIST, more heads) get a
 * connected socket of the client's family from the harness (options.open_fd),
 * whose other end it keeps and closes in fc_finish(): they wait for a link
 * reply that never comes.  They used to connect to the URI through
 * GSocketClient, whose proxy lookup (GSettings, dconf) and resolver threads
 * opened and closed fds in the background, during the next run's fd count:
 * a campaign found that as "an fd leaked" (tests/fuzz/crashes/
 * fuzz-client-link-fd-race-*, replayed 300 times). */
static int fc_listener = -1; /* 127.0.0.1, made before any fd is counted */

static void fc_make_listener(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

    if (fc_listener >= 0)
        return;
    fc_listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fc_listener < 0 || bind(fc_listener, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        listen(fc_listener, 16) < 0)
        abort();
}

static int fc_open_fd(void *data, uint8_t type, GError **error)
{
    struct fuzz_client *f = data;
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int sv[2];

    (void)type;
    if (f->n_extra == G_N_ELEMENTS(f->extra)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES, "fuzz: no more channels");
        return -1;
    }
    if (f->c->is_unix) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
            abort();
    } else {
        sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sv[0] < 0 || getsockname(fc_listener, (struct sockaddr *)&a, &len) < 0 ||
            connect(sv[0], (struct sockaddr *)&a, sizeof(a)) < 0 ||
            (sv[1] = accept4(fc_listener, NULL, NULL, SOCK_CLOEXEC)) < 0)
            abort();
    }
    f->extra[f->n_extra++] = sv[1];
    return sv[0];
}

/* A client whose URI leads nowhere (nothing connects: channels are made by
 * fc_channel), unix or TCP as the channel's socket would be. */
static void fc_init(struct fuzz_client *f, bool is_unix, bool gl, bool video)
{
    struct sc_client_options o = {
        .uri = is_unix ? "/nonexistent/spicecast-fuzz.sock" : "spice://127.0.0.1:1",
        .password = "secret", .gl_scanout = gl, .video = video,
        .open_fd = fc_open_fd, .open_fd_data = f,
    };

    memset(f, 0, sizeof(*f));
    f->peer = f->ch_fd = -1;
    g_main_context_default(); /* its wakeup fd is made once, on first use */
    fc_make_listener();
    f->low_fd = fc_lowest_free_fd();
    f->c = sc_client_new(&o, &fc_callbacks, f, NULL);
    if (!f->c)
        abort();
    f->c->is_unix = is_unix; /* (with open_fd the URI is not parsed) */
}

static const struct sc_channel_class *fc_class(uint8_t type)
{
    switch (type) {
    case SPICE_CHANNEL_MAIN: return &sc_client_main_class;
    case SPICE_CHANNEL_DISPLAY: return &sc_client_display_class;
    case SPICE_CHANNEL_INPUTS: return &sc_client_inputs_class;
    default: return &sc_client_cursor_class;
    }
}

/* A channel of `type` in `state`, as sc_channel_new() and on_connected()
 * make it, over a socketpair whose other end the harness keeps. */
static struct sc_channel *fc_channel(struct fuzz_client *f, uint8_t type, enum ch_state state)
{
    struct sc_client *c = f->c;
    struct sc_channel *ch = &fc_storage;
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    ch->client = c;
    ch->klass = fc_class(type);
    ch->type = type;
    ch->fd = sv[0];
    ch->state = state;
    ch->in = g_byte_array_new();
    ch->out = g_byte_array_new();
    if (ch->klass->init && !ch->klass->init(ch))
        abort();
    if (ch->klass->caps)
        ch->klass->caps(ch, &ch->caps);
    switch (type) {
    case SPICE_CHANNEL_MAIN: c->main = ch; break;
    case SPICE_CHANNEL_DISPLAY: c->heads[0].display = ch; break;
    case SPICE_CHANNEL_INPUTS: c->inputs = ch; break;
    default: c->heads[0].cursor = ch; break;
    }
    f->peer = sv[1];
    f->ch_fd = sv[0];
    f->ch = ch;
    return ch;
}

/* Reads and drops what the client sent. */
static void fc_drain(struct fuzz_client *f)
{
    uint8_t buf[65536];

    while (f->peer >= 0 && recv(f->peer, buf, sizeof(buf), MSG_DONTWAIT) > 0)
        ;
}

/* Bytes from the server, in the pieces given (sizes of 0 mean the rest). */
static void fc_feed(struct fuzz_client *f, struct sc_channel *ch, const uint8_t *p, size_t len)
{
    /* (the engine reads into a buffer that on_readable() has allocated:
     * never an empty one) */
    if (!len || f->c->closed || ch->state == CH_DEAD)
        return;
    g_byte_array_append(ch->in, p, (guint)len);
    sc_channel_process(ch);
    fc_drain(f);
}

/* Frees the client (its channels' sockets with it) and runs whatever it
 * left on the main context (cancelled connects of other channels). */
static void fc_finish(struct fuzz_client *f)
{
    struct sc_channel *ch = f->ch, **slot[4] = { &f->c->main, &f->c->heads[0].display,
                                                  &f->c->inputs, &f->c->heads[0].cursor };

    /* sc_channel_free() without its g_free(): the same steps, in its order */
    for (int i = 0; i < 4; i++)
        if (*slot[i] == ch)
            *slot[i] = NULL;
    f->c->closed = true; /* as sc_client_free(): no closed() from here */
    /* the socket is the harness's (the engine's belongs to its GSocketConnection) */
    sc_channel_shutdown(ch);
    close(f->ch_fd);
    if (ch->klass->destroy)
        ch->klass->destroy(ch);
    g_byte_array_unref(ch->in);
    g_byte_array_unref(ch->out);
    memset(ch, 0, sizeof(*ch));
    sc_client_free(f->c);
    for (int i = 0; i < 100 && g_main_context_iteration(NULL, FALSE); i++)
        ;
    if (f->peer >= 0)
        close(f->peer);
    f->peer = -1;
    while (f->n_extra)
        close(f->extra[--f->n_extra]);
    if (fc_lowest_free_fd() != f->low_fd) {
        fprintf(stderr, "fuzz-client: an fd leaked (lowest free fd %d, was %d):\n",
                fc_lowest_free_fd(), f->low_fd);
        for (int fd = f->low_fd; fd < f->low_fd + 64; fd++) {
            char path[64], target[256];
            ssize_t n;
            snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
            if ((n = readlink(path, target, sizeof(target) - 1)) > 0)
                fprintf(stderr, "  fd %d -> %.*s\n", fd, (int)n, target);
        }
        abort();
    }
}

/* A memfd of `size` bytes (sealed against shrinking if asked), pattern-filled. */
static int fc_memfd(size_t size, bool seal)
{
    int fd = memfd_create("fuzz-scanout", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        abort();
    if (seal)
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
    return fd;
}
