#include "config.h"

/* --source pattern[:WxH][,fps=N][,stamp]: an animated, desktop-like test
 * scene.  `stamp` writes each frame's number and capture time into its
 * top-left corner (common/stamp.h; the one thing drawn from the clock) for
 * glass-to-glass measurements, bench/glass-to-glass.
 *
 * The scene is the synthetic desktop of common/scene.h (the one the bench
 * encodes too): a function of the frame number and the input state, so two
 * instances fed the same events show the same pixels for the same frame
 * number.  A reused pool buffer is redrawn where it is out of date
 * (server/sources/stale.h); the damage list is the union of the elements
 * that changed since the previously emitted frame. */

#include "server/sources/source.h"
#include "server/sources/stale.h"

#include <cairo.h>
#include <gio/gio.h>
#include <string.h>

#include "common/log.h"
#include "common/scene.h"
#include "common/stamp.h"
#include "server/sources/ticker.h"

#define DEFAULT_W 1280
#define DEFAULT_H 720
#define DEFAULT_FPS 30
#define MAX_FPS 240
#define MIN_DIM SC_SCENE_MIN_DIM
#define MAX_DIM SC_SCENE_MAX_DIM
#define POOL_FRAMES 6

struct pattern {
    struct sc_source base;
    uint32_t w, h, fps;
    bool stamp; /* write common/stamp.h stamps */
    struct sc_frame_pool *pool;
    struct sc_ticker ticker;
    uint64_t seq;          /* next frame number */
    struct sc_scene *scene;
    struct sc_stale stale; /* a reused pool frame is redrawn only there */
};

static void pattern_tick(void *data)
{
    struct pattern *p = data;
    uint64_t seq = p->seq++;
    int64_t now = g_get_monotonic_time();
    struct sc_frame *f = sc_frame_pool_get(p->pool);
    if (!f) {
        /* every buffer is still held downstream: skip this frame; the next
         * one's damage covers everything since the last emitted one */
        sc_debug("pattern: no free buffer, frame %" G_GUINT64_FORMAT " skipped", seq);
        return;
    }
    f->seq = seq;
    f->time_us = now;
    sc_scene_advance(p->scene, seq, f);
    if (p->stamp)
        sc_frame_add_damage(f, 0, 0, SC_STAMP_WIDTH, SC_STAMP_HEIGHT);
    struct sc_frame stale;
    sc_stale_region(&p->stale, f, f, p->w, p->h, &stale);
    if (stale.full_damage)
        sc_scene_draw(p->scene, f, NULL, 0);
    else
        sc_scene_draw(p->scene, f, stale.damage, stale.n_damage);
    if (p->stamp)
        sc_stamp_write(f->map + f->offset, f->width, f->height, f->stride,
                       &(struct sc_stamp){ (uint32_t)seq, now });
    sc_stale_emitted(&p->stale, f, f);
    sc_source_emit_frame(&p->base, f);
    sc_frame_unref(f);
}

/* ---- cursor ------------------------------------------------------------- */

static void emit_cursor(struct pattern *p)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 32, 32);
    cairo_t *cr = cairo_create(s);
    static const double pts[][2] = {
        { 0, 0 }, { 0, 19 }, { 4.5, 15 }, { 8, 23 }, { 11.5, 21.5 }, { 8, 14 }, { 14, 14 },
    };
    cairo_translate(cr, 1.5, 1.5);
    for (unsigned i = 0; i < G_N_ELEMENTS(pts); i++)
        cairo_line_to(cr, pts[i][0], pts[i][1]);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.2);
    cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    /* ARGB32 is premultiplied native-endian: bytes B,G,R,A here */
    g_assert(cairo_image_surface_get_stride(s) == 32 * 4);
    struct sc_cursor_shape shape = {
        .width = 32, .height = 32, .hot_x = 1, .hot_y = 1,
        .pixels = cairo_image_surface_get_data(s),
    };
    sc_source_emit_cursor(&p->base, &shape);
    cairo_surface_destroy(s);
}

/* ---- ops ------------------------------------------------------------------ */

static bool parse_args(const char *args, uint32_t *w, uint32_t *h, uint32_t *fps, bool *stamp,
                       GError **error)
{
    if (!args)
        return true;
    g_auto(GStrv) parts = g_strsplit(args, ",", -1);
    for (char **it = parts; *it; it++) {
        const char *a = *it;
        unsigned long long v1, v2;
        char *end;
        if (!*a)
            continue;
        if (strcmp(a, "stamp") == 0) {
            *stamp = true;
            continue;
        }
        if (g_str_has_prefix(a, "fps=")) {
            v1 = g_ascii_strtoull(a + 4, &end, 10);
            if (end == a + 4 || *end || v1 < 1 || v1 > MAX_FPS) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "pattern: bad fps '%s' (1..%d)", a + 4, MAX_FPS);
                return false;
            }
            *fps = (uint32_t)v1;
            continue;
        }
        v1 = g_ascii_strtoull(a, &end, 10);
        if (end != a && (*end == 'x' || *end == 'X')) {
            const char *b = end + 1;
            v2 = g_ascii_strtoull(b, &end, 10);
            if (end != b && !*end) {
                if (v1 < MIN_DIM || v2 < MIN_DIM || v1 > MAX_DIM || v2 > MAX_DIM) {
                    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                "pattern: size %s out of range (%dx%d..%dx%d)", a,
                                MIN_DIM, MIN_DIM, MAX_DIM, MAX_DIM);
                    return false;
                }
                *w = (uint32_t)v1;
                *h = (uint32_t)v2;
                continue;
            }
        }
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "pattern: bad argument '%s' (expected WxH, fps=N or stamp)", a);
        return false;
    }
    return true;
}

static struct sc_source *pattern_create(const char *args, GError **error)
{
    uint32_t w = DEFAULT_W, h = DEFAULT_H, fps = DEFAULT_FPS;
    bool stamp = false;
    if (!parse_args(args, &w, &h, &fps, &stamp, error))
        return NULL;
    if (stamp && (w < SC_STAMP_WIDTH || h < SC_STAMP_HEIGHT)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "pattern: a stamp needs %dx%d at least", SC_STAMP_WIDTH, SC_STAMP_HEIGHT);
        return NULL;
    }
    struct pattern *p = g_new0(struct pattern, 1);
    p->base.impl = &sc_source_pattern;
    p->base.width = p->w = w;
    p->base.height = p->h = h;
    p->fps = fps;
    p->stamp = stamp;
    p->pool = sc_frame_pool_new(w, h, POOL_FRAMES);
    p->scene = p->pool ? sc_scene_new(w, h, fps) : NULL;
    if (!p->scene) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "pattern: cannot allocate %ux%u buffers", w, h);
        sc_frame_pool_destroy(p->pool);
        g_free(p);
        return NULL;
    }
    return &p->base;
}

static void pattern_start(struct sc_source *source)
{
    struct pattern *p = (struct pattern *)source;
    if (sc_ticker_running(&p->ticker))
        return;
    sc_scene_restart(p->scene); /* first frame after (re)start: full damage */
    emit_cursor(p);
    sc_ticker_start(&p->ticker, p->fps, 1, pattern_tick, p);
}

static void pattern_stop(struct sc_source *source)
{
    struct pattern *p = (struct pattern *)source;
    sc_ticker_stop(&p->ticker);
}

static void pattern_key(struct sc_source *source, const uint8_t *scancode, unsigned len, bool down)
{
    sc_scene_key(((struct pattern *)source)->scene, scancode, len, down);
}

static void pattern_pointer(struct sc_source *source, int32_t x, int32_t y, uint32_t buttons)
{
    sc_scene_pointer(((struct pattern *)source)->scene, x, y, buttons);
}

/* The next frame is drawn whole at the new size: new buffers, layout and
 * background (on failure the old size stays). */
static bool pattern_resize(struct sc_source *source, uint32_t width, uint32_t height)
{
    struct pattern *p = (struct pattern *)source;
    uint32_t min_w = p->stamp ? MAX(MIN_DIM, SC_STAMP_WIDTH) : MIN_DIM;
    uint32_t min_h = p->stamp ? MAX(MIN_DIM, SC_STAMP_HEIGHT) : MIN_DIM;
    uint32_t w = CLAMP(width, min_w, MAX_DIM), h = CLAMP(height, min_h, MAX_DIM);

    if (w == p->w && h == p->h)
        return true;
    struct sc_frame_pool *pool = sc_frame_pool_new(w, h, POOL_FRAMES);
    if (!pool || !sc_scene_resize(p->scene, w, h)) {
        sc_warn("pattern: cannot allocate %ux%u buffers, staying %ux%u", w, h, p->w, p->h);
        sc_frame_pool_destroy(pool);
        return false;
    }
    sc_frame_pool_destroy(p->pool);
    p->pool = pool;
    p->base.width = p->w = w;
    p->base.height = p->h = h;
    sc_stale_forget_frames(&p->stale);
    sc_info("pattern: now %ux%u", w, h);
    return true;
}

static void pattern_destroy(struct sc_source *source)
{
    struct pattern *p = (struct pattern *)source;
    sc_ticker_stop(&p->ticker);
    sc_frame_pool_destroy(p->pool);
    sc_scene_free(p->scene);
    g_free(p);
}

const struct sc_source_ops sc_source_pattern = {
    .name = "pattern",
    .help = "pattern[:WxH][,fps=N][,stamp]  animated test desktop (default 1280x720, 30 fps; "
            "stamp: frame number and time in its corner)",
    .create = pattern_create,
    .start = pattern_start,
    .stop = pattern_stop,
    .key = pattern_key,
    .pointer = pattern_pointer,
    .resize = pattern_resize,
    .destroy = pattern_destroy,
};
