/* viewer-headless: the client engine without a window, for tests.
 *   viewer-headless --screenshot OUT.ppm [--wait-frames N] [--wait-video N]
 *                   [--password P] [--gl [--no-planes]] [--video] [--check-peer-uid] [--timeout S] [--stats]
 *                   [--stats-from S] [--ca-file F] [--host-subject S] [--heads N] URI
 * Connects, waits for MARK (+N invalidates, +N decoded video frames), writes
 * the canvas as a PPM, exits 0.  With --gl it waits for a GL_DRAW and writes
 * the mmapped scanout buffer instead (GL_SCANOUT2: linear XRGB-like formats
 * at an offset, and NV12 in two planes, converted).  Exit 1 on any error or
 * timeout.
 * --heads N: the server must offer N heads (display channels); each is
 * shown, and once every one has its MARK, head H > 0 is written to OUT with
 * ".headH" before its extension (shot.ppm: shot.head1.ppm).  With --gl,
 * once every head has its GL_DRAW, each head's scanout buffer is written
 * so (head H > 0 has an app of its own, struct app's gl_heads).
 * --gl --stats (bench/glass-to-glass's local row): at each GL_DRAW of head
 * 0 the frame stamp (common/stamp.h) is read from the mapped scanout
 * buffer before GL_DRAW_DONE is answered, capture -> present recorded as
 * "stats: viewer capture-present" (a line a second and a final summary). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client.h"
#include "client/scanout-maps.h"
#include "codecs/convert.h"
#include "common/stamp.h"
#include "common/stats.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)


struct app;

/* Head H > 0 (--heads) */
struct head {
    struct app *a;
    unsigned index;
    bool marked;
};

struct app {
    struct app *root;             /* head H > 0's GL app: the app of head 0 */
    unsigned index;               /* the head its GL scanout comes from */
    struct app *gl_heads[SC_CLIENT_MAX_HEADS]; /* root, --gl --heads N: head H's GL app */
    GMainLoop *loop;
    int want_heads, offered; /* --heads; display channels offered */
    struct head heads[SC_CLIENT_MAX_HEADS];
    struct sc_client *client;
    const char *out;
    int wait_frames, wait_video, gl;
    bool marked, done;
    int invalidates, videos, gl_draws;
    int live_lines, live_wait; /* --live-stats: lines printed / to wait for */
    int rc;
    int fd;
    bool no_planes; /* --no-planes: no gl_scanout2 callback */
    uint32_t w, h, stride, fourcc;
    bool top_down;
    /* GL_SCANOUT2: planes (n_planes 0: the scanout is fd/stride above) */
    unsigned n_planes;
    int pfd[SC_CLIENT_MAX_PLANES];
    uint32_t poff[SC_CLIENT_MAX_PLANES], pstride[SC_CLIENT_MAX_PLANES];
    uint64_t modifier;
    /* --gl --stats: the scanout buffers mapped for their stamps, each
     * once (a source's pool hands the same few in turn, each in a scanout
     * of its own: a new mapping a frame costs its page faults, ~0.5 ms
     * here, and its munmap) */
    struct sc_stats *gl_stats;
    struct sc_scanout_maps gl_maps;
    bool have_index;
    uint32_t last_index;
};

static bool write_ppm(const char *path, const uint8_t *px, uint32_t w, uint32_t h, uint32_t stride,
                      bool rgbx, bool flip)
{
    FILE *f = fopen(path, "wb");
    uint8_t *row = malloc((size_t)w * 3);
    bool ok = f && row;

    if (ok)
        fprintf(f, "P6\n%u %u\n255\n", w, h);
    for (uint32_t y = 0; ok && y < h; y++) {
        const uint8_t *s = px + (size_t)(flip ? h - 1 - y : y) * stride;
        for (uint32_t x = 0; x < w; x++) {
            row[x * 3] = s[x * 4 + (rgbx ? 0 : 2)];
            row[x * 3 + 1] = s[x * 4 + 1];
            row[x * 3 + 2] = s[x * 4 + (rgbx ? 2 : 0)];
        }
        ok = fwrite(row, 3, w, f) == w;
    }
    free(row);
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "viewer-headless: cannot write %s\n", path);
    return ok;
}

/* Done, rc 0 or 1; the loop ends on a failure, or once every head's GL
 * app is done too. */
static void finish(struct app *a, int rc)
{
    struct app *r = a->root ? a->root : a;

    if (a->done)
        return;
    a->done = true;
    a->rc = rc;
    if (rc == 0) {
        for (unsigned i = 0; i < G_N_ELEMENTS(r->gl_heads); i++)
            if (!r->done || (r->gl_heads[i] && !r->gl_heads[i]->done))
                return;
    }
    r->rc = MAX(r->rc, rc);
    r->done = true;
    g_main_loop_quit(r->loop);
}

/* The buffer is the server's again: to this app's head. */
static void gl_draw_done(struct app *a)
{
    sc_client_head_gl_draw_done(a->client, a->index);
}

/* OUT for head H: ".headH" before the extension */
static char *head_path(const char *out, unsigned head)
{
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');

    if (head == 0)
        return g_strdup(out);
    if (!dot || (slash && dot < slash))
        return g_strdup_printf("%s.head%u", out, head);
    return g_strdup_printf("%.*s.head%u%s", (int)(dot - out), out, head, dot);
}

/* The other heads, written once each has its MARK. */
static bool heads_done(struct app *a, bool write)
{
    for (int i = 1; i < a->want_heads; i++) {
        uint32_t w, h, stride;
        const uint8_t *px = sc_client_head_canvas(a->client, (unsigned)i, &w, &h, &stride);
        g_autofree char *path = NULL;

        if (!a->heads[i].marked || !px)
            return false;
        if (!write)
            continue;
        path = head_path(a->out, (unsigned)i);
        printf("head %d canvas %ux%u\n", i, w, h);
        if (!write_ppm(path, px, w, h, stride, false, false))
            return false;
    }
    return true;
}

static void check_done(struct app *a)
{
    uint32_t w, h, stride;
    const uint8_t *px;

    if (a->gl || a->done || !a->marked || a->invalidates < a->wait_frames ||
        a->videos < a->wait_video || a->live_lines < a->live_wait || !heads_done(a, false))
        return;
    px = sc_client_canvas(a->client, &w, &h, &stride);
    if (!px) {
        fprintf(stderr, "viewer-headless: MARK without a surface\n");
        finish(a, 1);
        return;
    }
    printf("canvas %ux%u invalidates %d video-frames %d\n", w, h, a->invalidates, a->videos);
    finish(a, write_ppm(a->out, px, w, h, stride, false, false) && heads_done(a, true) ? 0 : 1);
}

static void on_head_mark(void *p)
{
    struct head *h = p;

    h->marked = true;
    check_done(h->a);
}

static void on_gl_scanout(void *p, int fd, uint32_t w, uint32_t h, uint32_t stride,
                          uint32_t fourcc, bool top_down);
static void on_gl_scanout2(void *p, const struct sc_client_scanout *s);
static void on_gl_draw(void *p, uint32_t x, uint32_t y, uint32_t w, uint32_t h);

/* A head the server offers: shown when --heads asks for it (with --gl, its
 * scanouts go to its own GL app). */
static void on_head(void *p, unsigned head)
{
    static const struct sc_client_callbacks head_cb = { .mark = on_head_mark };
    static const struct sc_client_callbacks gl_cb = {
        .gl_scanout = on_gl_scanout, .gl_scanout2 = on_gl_scanout2, .gl_draw = on_gl_draw,
    };
    static const struct sc_client_callbacks gl_cb1 = {
        .gl_scanout = on_gl_scanout, .gl_draw = on_gl_draw,
    };
    struct app *a = p, *g;

    a->offered++;
    printf("head %u offered\n", head);
    if ((int)head >= a->want_heads)
        return;
    if (!(g = a->gl_heads[head])) {
        sc_client_show_head(a->client, head, &head_cb, &a->heads[head]);
        return;
    }
    g->client = a->client;
    sc_client_show_head(a->client, head, g->no_planes ? &gl_cb1 : &gl_cb, g);
}

static void on_mark(void *p)
{
    struct app *a = p;
    a->marked = true;
    check_done(a);
}

static void on_invalidate(void *p, int32_t x G_GNUC_UNUSED, int32_t y G_GNUC_UNUSED,
                          int32_t w G_GNUC_UNUSED, int32_t h G_GNUC_UNUSED)
{
    struct app *a = p;
    if (a->marked)
        a->invalidates++;
    check_done(a);
}

static bool on_video(void *p, const struct sc_decoded_frame *f G_GNUC_UNUSED,
                     int32_t x G_GNUC_UNUSED, int32_t y G_GNUC_UNUSED, int32_t w G_GNUC_UNUSED,
                     int32_t h G_GNUC_UNUSED)
{
    struct app *a = p;
    a->videos++;
    /* after this returns false the client composes it and invalidates, which
     * checks whether we are done */
    return false;
}

/* The current scanout buffer (one plane) mapped, at least size bytes */
static const uint8_t *gl_mapped(struct app *a, size_t size)
{
    char why[128];

    return sc_scanout_maps_get(&a->gl_maps, a->fd, size, why, sizeof(why));
}

/* --gl --stats: a new frame's stamp, read where the server drew it (one
 * plane, 4 bytes a pixel; others are not stamped frames) */
static void gl_stamp(struct app *a)
{
    struct sc_stamp st;
    size_t size = (size_t)a->stride * a->h;
    ptrdiff_t stride = a->top_down ? (ptrdiff_t)a->stride : -(ptrdiff_t)a->stride;
    const uint8_t *map;

    if (!a->gl_stats || a->n_planes || a->fd < 0 || a->stride < (size_t)a->w * 4 || !size ||
        !(map = gl_mapped(a, size)))
        return;
    if (!sc_stamp_read(a->top_down ? map : map + size - a->stride, a->w, a->h, stride, &st) ||
        (a->have_index && st.index == a->last_index))
        return;
    sc_stats_record(a->gl_stats, "capture-present", sc_stats_now_us() - st.time_us);
    a->have_index = true;
    a->last_index = st.index;
}

static void drop_planes(struct app *a)
{
    for (unsigned i = 0; i < a->n_planes; i++)
        close(a->pfd[i]);
    a->n_planes = 0;
}

static void on_gl_scanout(void *p, int fd, uint32_t w, uint32_t h, uint32_t stride,
                          uint32_t fourcc, bool top_down)
{
    struct app *a = p;
    if (a->fd >= 0)
        close(a->fd);
    drop_planes(a);
    a->fd = dup(fd);
    a->w = w;
    a->h = h;
    a->stride = stride;
    a->fourcc = fourcc;
    a->top_down = top_down;
}

static void on_gl_scanout2(void *p, const struct sc_client_scanout *s)
{
    struct app *a = p;

    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    drop_planes(a);
    for (unsigned i = 0; i < s->n_planes; i++) {
        a->pfd[i] = dup(s->fds[i]);
        a->poff[i] = s->offsets[i];
        a->pstride[i] = s->strides[i];
    }
    a->n_planes = s->n_planes;
    a->w = s->width;
    a->h = s->height;
    a->fourcc = s->fourcc;
    a->modifier = s->modifier;
    a->top_down = s->top_down;
    if (a->index)
        printf("head %u ", a->index);
    printf("scanout2 %ux%u planes %u fourcc 0x%08x modifier 0x%" G_GINT64_MODIFIER "x\n",
           s->width, s->height, s->n_planes, s->fourcc, s->modifier);
}

/* Maps the whole buffer of fd (its size from lseek); NULL + message. */
static uint8_t *map_fd(int fd, size_t *size)
{
    off_t end = lseek(fd, 0, SEEK_END);
    void *m;

    if (end <= 0) {
        fprintf(stderr, "viewer-headless: scanout fd of unknown size\n");
        return NULL;
    }
    *size = (size_t)end;
    m = mmap(NULL, *size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        perror("viewer-headless: mmap of a scanout plane");
        return NULL;
    }
    return m;
}

/* A GL_SCANOUT2 buffer to BGRX (linear only: a modifier's tiling is the
 * GPU's business); NULL + message.  The client checked that each plane's
 * offset + stride * height fits its buffer. */
static uint8_t *planes_to_bgrx(struct app *a, uint32_t *stride, bool *rgbx)
{
    uint8_t *maps[SC_CLIENT_MAX_PLANES] = { NULL }, *out = NULL;
    size_t sizes[SC_CLIENT_MAX_PLANES] = { 0 };
    bool nv12 = a->fourcc == FOURCC('N', 'V', '1', '2');

    *rgbx = a->fourcc == FOURCC('X', 'B', '2', '4') || a->fourcc == FOURCC('A', 'B', '2', '4');
    if (a->modifier != 0 /* LINEAR */ && a->modifier != 0x00ffffffffffffffULL /* INVALID */) {
        fprintf(stderr, "viewer-headless: modifier 0x%" G_GINT64_MODIFIER "x: tiled, not "
                "mappable here (the window imports it through EGL)\n", a->modifier);
        return NULL;
    }
    if (!(nv12 && a->n_planes == 2) && !(a->n_planes == 1 && (*rgbx ||
          a->fourcc == FOURCC('X', 'R', '2', '4') || a->fourcc == FOURCC('A', 'R', '2', '4')))) {
        fprintf(stderr, "viewer-headless: %u planes of format 0x%08x not mappable here\n",
                a->n_planes, a->fourcc);
        return NULL;
    }
    /* rows as long as the picture: the engine checked offset + stride *
     * rows against each buffer, not that a row holds the width */
    if (a->pstride[0] < (nv12 ? a->w : a->w * 4) || (nv12 && a->pstride[1] < a->w + (a->w & 1))) {
        fprintf(stderr, "viewer-headless: plane strides %u, %u too short for %u pixels\n",
                a->pstride[0], a->pstride[1], a->w);
        return NULL;
    }
    for (unsigned i = 0; i < a->n_planes; i++)
        if (!(maps[i] = map_fd(a->pfd[i], &sizes[i])))
            goto out;
    *stride = a->w * 4;
    out = g_malloc((size_t)*stride * a->h);
    if (nv12)
        sc_convert_nv12_to_bgrx(maps[0] + a->poff[0], a->pstride[0], maps[1] + a->poff[1],
                                a->pstride[1], a->w, a->h, out, *stride);
    else
        for (uint32_t y = 0; y < a->h; y++)
            memcpy(out + (size_t)y * *stride, maps[0] + a->poff[0] + (size_t)y * a->pstride[0],
                   *stride);
out:
    for (unsigned i = 0; i < a->n_planes; i++)
        if (maps[i])
            munmap(maps[i], sizes[i]);
    return out;
}

static void draw_planes(struct app *a)
{
    uint32_t stride;
    bool rgbx;
    uint8_t *px = planes_to_bgrx(a, &stride, &rgbx);

    if (!px) {
        finish(a, 1);
        return;
    }
    if (a->index)
        printf("head %u ", a->index);
    printf("scanout %ux%u planes %u fourcc 0x%08x top_down %d\n", a->w, a->h, a->n_planes,
           a->fourcc, a->top_down);
    finish(a, write_ppm(a->out, px, a->w, a->h, stride, rgbx, !a->top_down) ? 0 : 1);
    g_free(px);
    gl_draw_done(a);
}

static void on_gl_draw(void *p, uint32_t x G_GNUC_UNUSED, uint32_t y G_GNUC_UNUSED,
                       uint32_t w G_GNUC_UNUSED, uint32_t h G_GNUC_UNUSED)
{
    struct app *a = p;
    size_t size = (size_t)a->stride * a->h;
    bool rgbx = a->fourcc == FOURCC('X', 'B', '2', '4') || a->fourcc == FOURCC('A', 'B', '2', '4');
    void *map;

    /* the buffer is the server's again after GL_DRAW_DONE: answer the last
     * draw only once its pixels are written out */
    if (a->gl && !a->done)
        gl_stamp(a);
    if (!a->gl || a->done || ++a->gl_draws < 1 + a->wait_frames) {
        gl_draw_done(a);
        return;
    }
    if (a->n_planes) {
        draw_planes(a);
        return;
    }
    if (a->fourcc != FOURCC('X', 'R', '2', '4') && a->fourcc != FOURCC('A', 'R', '2', '4') && !rgbx) {
        fprintf(stderr, "viewer-headless: scanout format 0x%08x not mappable here\n", a->fourcc);
        finish(a, 1);
        return;
    }
    if (a->stride < (size_t)a->w * 4) { /* the renderers refuse it too */
        fprintf(stderr, "viewer-headless: scanout stride %u < width %u * 4\n", a->stride, a->w);
        finish(a, 1);
        return;
    }
    /* the client refused a scanout buffer that could shrink or is too
     * short for stride * height (sc_frame_fd_mappable) */
    map = mmap(NULL, size, PROT_READ, MAP_SHARED, a->fd, 0);
    if (map == MAP_FAILED) {
        perror("viewer-headless: mmap of the scanout fd");
        finish(a, 1);
        return;
    }
    if (a->index)
        printf("head %u ", a->index);
    printf("scanout %ux%u stride %u fourcc 0x%08x top_down %d\n", a->w, a->h, a->stride,
           a->fourcc, a->top_down);
    /* a bottom-up buffer is flipped as it is written */
    finish(a, write_ppm(a->out, map, a->w, a->h, a->stride, rgbx, !a->top_down) ? 0 : 1);
    munmap(map, size);
    gl_draw_done(a);
}

static void on_closed(void *p, const GError *error)
{
    struct app *a = p;
    fprintf(stderr, "viewer-headless: connection closed%s%s\n", error ? ": " : "",
            error ? error->message : "");
    finish(a, 1);
}

static gboolean on_timeout(gpointer p)
{
    struct app *a = p;
    fprintf(stderr, "viewer-headless: timed out (marked %d, invalidates %d, video frames %d, "
            "gl draws %d, other heads offered %d)\n", a->marked, a->invalidates, a->videos,
            a->gl_draws, a->offered);
    finish(a, 1);
    return G_SOURCE_REMOVE;
}

/* --live-stats: the overlay's figures (sc_client_live_stats), a line a second */
static gboolean on_live_tick(gpointer p)
{
    struct app *a = p;
    struct sc_client_live_stats s;
    const int64_t *p50 = s.p50_us, *p95 = s.p95_us;

    if (!sc_client_live_stats(a->client, &s))
        return G_SOURCE_CONTINUE;
    /* the server's stages, p50 from capture: source, to the encoder, encode
     * start and end, queued, written (-1: none; our server sends them) */
    char server[128] = "";
    for (int i = SC_CLIENT_LIVE_SERVER_SOURCE; i <= SC_CLIENT_LIVE_SERVER_WRITTEN; i++)
        g_snprintf(server + strlen(server), sizeof(server) - strlen(server), "%s%" G_GINT64_FORMAT,
                   i > SC_CLIENT_LIVE_SERVER_SOURCE ? "/" : "", p50[i]);
    fprintf(stderr, "live: frames=%u fps=%.1f codec=%s kbit_s=%.0f decode=%" G_GINT64_FORMAT
            "/%" G_GINT64_FORMAT " recv-decoded=%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
            " decoded-present=%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
            " capture-present=%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " server-p50=%s\n",
            s.frames, s.fps, *s.codec ? s.codec : "-", s.kbit_s, p50[0], p95[0], p50[1], p95[1],
            p50[2], p95[2], p50[3], p95[3], server);
    a->live_lines++;
    check_done(a);
    return G_SOURCE_CONTINUE;
}

/* --stats-from S: the summaries leave the first S seconds out */
static gboolean on_stats_restart(gpointer p)
{
    struct app *a = p;

    sc_client_restart_stats(a->client);
    sc_stats_restart(a->gl_stats);
    return G_SOURCE_REMOVE;
}

static int list_decoders(void)
{
    for (unsigned i = 0; sc_decoders[i]; i++) {
        char why[SC_CODEC_REASON_SIZE] = "";
        bool ok = sc_decoder_probe(sc_decoders[i], why, sizeof(why));
        printf("%s:%s %s%s%s\n", sc_decoders[i]->name, sc_codec_id_name(sc_decoders[i]->codec),
               ok ? "ok" : "unusable", ok ? "" : ": ", ok ? "" : why);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct app a = { .fd = -1, .rc = 1 };
    struct sc_client_options o = { 0 };
    struct sc_client_callbacks cb = {
        .invalidate = on_invalidate, .mark = on_mark, .gl_scanout = on_gl_scanout,
        .gl_scanout2 = on_gl_scanout2, .gl_draw = on_gl_draw, .closed = on_closed,
        .head = on_head,
    };
    gboolean gl = FALSE, video = FALSE, list = FALSE, peer_uid = FALSE, stats = FALSE;
    gboolean live = FALSE, no_planes = FALSE;
    int timeout = 30, stats_from = 0;
    char *out = NULL, *password = NULL, *ca_file = NULL, *subject = NULL;
    GOptionEntry entries[] = {
        { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &out, "write the picture here (PPM)", "OUT" },
        { "wait-frames", 0, 0, G_OPTION_ARG_INT, &a.wait_frames,
          "after MARK, wait for N more updates (GL: draws)", "N" },
        { "wait-video", 0, 0, G_OPTION_ARG_INT, &a.wait_video, "wait for N decoded video frames", "N" },
        { "password", 0, 0, G_OPTION_ARG_STRING, &password, "the SPICE password", "P" },
        { "gl", 0, 0, G_OPTION_ARG_NONE, &gl, "advertise GL_SCANOUT, write the scanout buffer", NULL },
        { "no-planes", 0, 0, G_OPTION_ARG_NONE, &no_planes,
          "do not advertise GL_SCANOUT2 (as spice-gtk 0.42: one plane only)", NULL },
        { "video", 0, 0, G_OPTION_ARG_NONE, &video, "advertise the video codecs we decode", NULL },
        { "check-peer-uid", 0, 0, G_OPTION_ARG_NONE, &peer_uid,
          "as viewer --attach: refuse a unix socket server not run by us or root", NULL },
        { "list-decoders", 0, 0, G_OPTION_ARG_NONE, &list, "print the video decoders that work here", NULL },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "give up after S seconds (30)", "S" },
        { "heads", 0, 0, G_OPTION_ARG_INT, &a.want_heads,
          "show N heads, write each (OUT.headH.ppm for H > 0)", "N" },
        { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "TLS: the CA to trust", "F" },
        { "host-subject", 0, 0, G_OPTION_ARG_STRING, &subject, "TLS: the server's subject", "S" },
        { "stats", 0, 0, G_OPTION_ARG_NONE, &stats,
          "per-frame latency p50/p95/p99 per stage, a line a second and a summary "
          "(as SPICECAST_STATS=1)", NULL },
        { "stats-from", 0, 0, G_OPTION_ARG_INT, &stats_from,
          "--stats: the summary leaves out the first S seconds (a warm-up)", "S" },
        { "live-stats", 0, 0, G_OPTION_ARG_NONE, &live,
          "the stats overlay's figures (sc_client_live_stats), a line a second; "
          "ends after two", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("URI");
    GError *err = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (g_option_context_parse(ctx, &argc, &argv, &err) && list)
        return list_decoders();
    if (err || argc != 2 || !out) {
        fprintf(stderr, "viewer-headless: %s\n", err ? err->message : "need --screenshot OUT and a URI");
        return 2;
    }
    g_option_context_free(ctx);
    if (stats)
        g_setenv("SPICECAST_STATS", "1", TRUE); /* the engine's switch (common/stats.h) */
    if (stats && gl)
        a.gl_stats = sc_stats_new("viewer");
    a.out = out;
    a.gl = gl;
    if (no_planes)
        cb.gl_scanout2 = NULL;
    a.no_planes = no_planes;
    a.want_heads = CLAMP(a.want_heads, 1, SC_CLIENT_MAX_HEADS);
    for (int i = 0; i < SC_CLIENT_MAX_HEADS; i++)
        a.heads[i] = (struct head){ &a, (unsigned)i, false };
    for (int i = 1; gl && i < a.want_heads; i++) {
        struct app *g = g_new0(struct app, 1);

        *g = (struct app){ .root = &a, .index = (unsigned)i, .fd = -1, .gl = 1,
                           .wait_frames = a.wait_frames, .no_planes = no_planes,
                           .out = head_path(out, (unsigned)i) };
        a.gl_heads[i] = g;
    }
    if (video || a.wait_video > 0)
        cb.video_frame = on_video;
    o.uri = argv[1];
    o.password = password;
    o.gl_scanout = gl;
    o.video = video || a.wait_video > 0;
    o.peer_uid_check = peer_uid;
    o.ca_file = ca_file;
    o.host_subject = subject;
    a.loop = g_main_loop_new(NULL, FALSE);
    a.client = sc_client_new(&o, &cb, &a, &err);
    if (!a.client) {
        fprintf(stderr, "viewer-headless: %s\n", err->message);
        return 2;
    }
    g_timeout_add_seconds((guint)MAX(timeout, 1), on_timeout, &a);
    if (stats && stats_from > 0)
        g_timeout_add_seconds((guint)stats_from, on_stats_restart, &a);
    sc_client_set_live_stats(a.client, live);
    a.live_wait = live ? 2 : 0;
    if (live)
        g_timeout_add(1000, on_live_tick, &a);
    sc_client_connect(a.client);
    g_main_loop_run(a.loop);
    sc_client_free(a.client);
    g_main_loop_unref(a.loop);
    sc_stats_free(a.gl_stats); /* its summary */
    sc_scanout_maps_clear(&a.gl_maps);
    if (a.fd >= 0)
        close(a.fd);
    drop_planes(&a);
    for (int i = 1; i < SC_CLIENT_MAX_HEADS; i++) {
        struct app *g = a.gl_heads[i];

        if (!g)
            continue;
        if (g->fd >= 0)
            close(g->fd);
        sc_scanout_maps_clear(&g->gl_maps);
        drop_planes(g);
        g_free((char *)g->out);
        g_free(g);
    }
    g_free(out);
    g_free(password);
    return a.rc;
}
