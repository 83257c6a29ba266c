#include "config.h"

/* --source pattern[:WxH][,fps=N][,stamp][,heads=N][,first=N]: an animated,
 * desktop-like test scene.  `stamp` writes each frame's number and capture
 * time into its top-left corner (common/stamp.h; the one thing drawn from
 * the clock) for glass-to-glass measurements, bench/glass-to-glass.
 * `heads=N` makes N heads, each a scene of its own (its number written
 * large on it, its own colours, its own pointer and size) drawn for the
 * same frame numbers on one clock; keys show on every head.  `first=N`
 * numbers the first frame N (the frame a screenshot shows, drawn again:
 * tests/interop/pattern-frame).
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

/* One head's scene; head 0's also is the source (its base, ticker, seq and
 * the other heads). */
struct pattern {
    struct sc_source base;
    unsigned head, n_heads;
    struct pattern *heads[SC_MAX_HEADS]; /* head 0's: every head, itself first */
    uint32_t w, h, fps;
    bool stamp; /* write common/stamp.h stamps */
    struct sc_frame_pool *pool;
    struct sc_ticker ticker;
    uint64_t seq;          /* next frame number */
    struct sc_scene *scene;
    struct sc_stale stale; /* a reused pool frame is redrawn only there */
};

/* Head p's frame seq, through the source (head 0's base). */
static void head_tick(struct pattern *p, struct sc_source *source, uint64_t seq, int64_t now)
{
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
    sc_source_emit_head_frame(source, p->head, f);
    sc_frame_unref(f);
}

static void pattern_tick(void *data)
{
    struct pattern *p = data;
    uint64_t seq = p->seq++;
    int64_t now = g_get_monotonic_time();

    for (unsigned i = 0; i < p->n_heads; i++)
        head_tick(p->heads[i], &p->base, seq, now);
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

struct pattern_args {
    uint32_t w, h, fps;
    bool stamp;
    unsigned heads;
    uint32_t first; /* the first frame's number */
};

/* "NAME=N" with N in [min, max] into *v; false (error set) if bad. */
static bool parse_uint(const char *a, const char *name, unsigned min, unsigned max, uint32_t *v,
                       GError **error)
{
    const char *s = a + strlen(name) + 1;
    char *end;
    unsigned long long n = g_ascii_strtoull(s, &end, 10);

    if (end == s || *end || n < min || n > max) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "pattern: bad %s '%s' (%u..%u)", name, s, min, max);
        return false;
    }
    *v = (uint32_t)n;
    return true;
}

static bool parse_size(const char *a, struct pattern_args *pa, GError **error)
{
    char *end;
    unsigned long long v1 = g_ascii_strtoull(a, &end, 10), v2;
    const char *b = end + 1;

    if (end == a || (*end != 'x' && *end != 'X'))
        return false;
    v2 = g_ascii_strtoull(b, &end, 10);
    if (end == b || *end)
        return false;
    if (v1 < MIN_DIM || v2 < MIN_DIM || v1 > MAX_DIM || v2 > MAX_DIM) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "pattern: size %s out of range (%dx%d..%dx%d)", a, MIN_DIM, MIN_DIM,
                    MAX_DIM, MAX_DIM);
        return false;
    }
    pa->w = (uint32_t)v1;
    pa->h = (uint32_t)v2;
    return true;
}

static bool parse_args(const char *args, struct pattern_args *pa, GError **error)
{
    if (!args)
        return true;
    g_auto(GStrv) parts = g_strsplit(args, ",", -1);
    for (char **it = parts; *it; it++) {
        const char *a = *it;
        bool ok;

        if (!*a)
            continue;
        if (strcmp(a, "stamp") == 0)
            ok = pa->stamp = true;
        else if (g_str_has_prefix(a, "fps="))
            ok = parse_uint(a, "fps", 1, MAX_FPS, &pa->fps, error);
        else if (g_str_has_prefix(a, "heads="))
            ok = parse_uint(a, "heads", 1, SC_MAX_HEADS, &pa->heads, error);
        else if (g_str_has_prefix(a, "first="))
            ok = parse_uint(a, "first", 0, UINT32_MAX, &pa->first, error);
        else
            ok = parse_size(a, pa, error);
        if (ok)
            continue;
        if (error && !*error)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "pattern: bad argument '%s' (expected WxH, fps=N, stamp or heads=N)", a);
        return false;
    }
    return true;
}

static void head_free(struct pattern *p)
{
    if (!p)
        return;
    sc_ticker_stop(&p->ticker);
    sc_frame_pool_destroy(p->pool);
    sc_scene_free(p->scene);
    g_free(p);
}

static struct pattern *head_new(const struct pattern_args *pa, unsigned head, GError **error)
{
    struct pattern *p = g_new0(struct pattern, 1);
    p->base.impl = &sc_source_pattern;
    p->base.n_heads = pa->heads;
    p->head = head;
    p->n_heads = pa->heads;
    p->base.width = p->w = pa->w;
    p->base.height = p->h = pa->h;
    p->fps = pa->fps;
    p->stamp = pa->stamp;
    p->pool = sc_frame_pool_new(pa->w, pa->h, POOL_FRAMES);
    p->scene = p->pool ? sc_scene_new(pa->w, pa->h, pa->fps) : NULL;
    if (!p->scene || (pa->heads > 1 && !sc_scene_set_head(p->scene, head, pa->heads))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "pattern: cannot allocate %ux%u buffers",
                    pa->w, pa->h);
        head_free(p);
        return NULL;
    }
    return p;
}

static void pattern_destroy(struct sc_source *source);

static struct sc_source *pattern_create(const char *args, GError **error)
{
    struct pattern_args pa = { DEFAULT_W, DEFAULT_H, DEFAULT_FPS, false, 1, 0 };
    struct pattern *p;

    if (!parse_args(args, &pa, error))
        return NULL;
    if (pa.stamp && (pa.w < SC_STAMP_WIDTH || pa.h < SC_STAMP_HEIGHT)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "pattern: a stamp needs %dx%d at least", SC_STAMP_WIDTH, SC_STAMP_HEIGHT);
        return NULL;
    }
    if (!(p = head_new(&pa, 0, error)))
        return NULL;
    p->heads[0] = p;
    p->seq = pa.first;
    for (unsigned i = 1; i < pa.heads; i++) {
        if (!(p->heads[i] = head_new(&pa, i, error))) {
            pattern_destroy(&p->base);
            return NULL;
        }
    }
    return &p->base;
}

static void pattern_start(struct sc_source *source)
{
    struct pattern *p = (struct pattern *)source;
    if (sc_ticker_running(&p->ticker))
        return;
    for (unsigned i = 0; i < p->n_heads; i++)
        sc_scene_restart(p->heads[i]->scene); /* first frame after (re)start: full damage */
    emit_cursor(p);
    sc_ticker_start(&p->ticker, p->fps, 1, pattern_tick, p);
}

static void pattern_stop(struct sc_source *source)
{
    struct pattern *p = (struct pattern *)source;
    sc_ticker_stop(&p->ticker);
}

/* Every head shows the key (the keyboard is the source's). */
static void pattern_key(struct sc_source *source, const uint8_t *scancode, unsigned len, bool down)
{
    struct pattern *p0 = (struct pattern *)source;

    for (unsigned i = 0; i < p0->n_heads; i++)
        sc_scene_key(p0->heads[i]->scene, scancode, len, down);
}

static void pattern_pointer(struct sc_source *source, unsigned head, int32_t x, int32_t y,
                            uint32_t buttons)
{
    sc_scene_pointer(((struct pattern *)source)->heads[head]->scene, x, y, buttons);
}

/* The head's next frame is drawn whole at the new size: new buffers, layout
 * and background (on failure the old size stays). */
static bool pattern_resize(struct sc_source *source, unsigned head, uint32_t width,
                           uint32_t height)
{
    struct pattern *p = ((struct pattern *)source)->heads[head];
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
    if (p->n_heads > 1)
        sc_info("pattern: head %u now %ux%u", head, w, h);
    else
        sc_info("pattern: now %ux%u", w, h);
    return true;
}

static void pattern_destroy(struct sc_source *source)
{
    struct pattern *p = (struct pattern *)source;

    for (unsigned i = 1; i < p->n_heads; i++)
        head_free(p->heads[i]);
    head_free(p);
}

const struct sc_source_ops sc_source_pattern = {
    .name = "pattern",
    .help = "pattern[:WxH][,fps=N][,stamp][,heads=N]  animated test desktop (default 1280x720, "
            "30 fps; stamp: frame number and time in its corner; heads: N screens)",
    .create = pattern_create,
    .start = pattern_start,
    .stop = pattern_stop,
    .key = pattern_key,
    .pointer = pattern_pointer,
    .resize = pattern_resize,
    .destroy = pattern_destroy,
};
