#include "config.h"

/* --source pattern[:WxH][,fps=N][,stamp][,heads=N]: an animated,
 * desktop-like test scene.  `stamp` writes each frame's number and capture
 * time into its top-left corner (common/stamp.h; the one thing drawn from
 * the clock) for glass-to-glass measurements, bench/glass-to-glass.
 * `heads=N` makes N heads, each a scene of its own (its number written
 * large on it, its own colours, its own pointer and size) drawn for the
 * same frame numbers on one clock; keys show on every head.  `first=N`
 * numbers the first frame N (the frame a screenshot shows, drawn again:
 * tests/interop/pattern-frame).
 *
 * Everything drawn is a function of the frame number and the input state
 * (no wall clock, no randomness), so two instances fed the same events show
 * the same pixels for the same frame number.  Each frame is drawn whole (pool
 * buffers are reused, so every frame must be complete) over a pre-rendered
 * static background; the damage list is the union of the elements that
 * changed since the previously emitted frame. */

#include "server/sources/source.h"
#include "server/sources/stale.h"

#include <cairo.h>
#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/stamp.h"
#include "server/sources/ticker.h"

#define DEFAULT_W 1280
#define DEFAULT_H 720
#define DEFAULT_FPS 30
#define MAX_FPS 240
#define MIN_DIM 64
#define MAX_DIM 8192
#define POOL_FRAMES 6
#define TERM_LINES_PER_SEC 2
#define MOVE_SECS 4 /* the window moves this long, then rests */
#define REST_SECS 2

struct rect { int x, y, w, h; };

/* What the last emitted frame showed, for damage. */
struct scene {
    struct rect win;     /* moving window incl. shadow */
    uint64_t win_phase;  /* motion time: content changes with it */
    uint64_t term_line;  /* first terminal line shown */
    uint64_t clock_seq;  /* frame number shown in the taskbar */
    unsigned input_gen;  /* input state shown */
    struct rect marker;  /* pointer marker */
};

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
    bool emitted;          /* a frame went out since start */
    struct scene last;
    struct sc_stale stale; /* a reused pool frame is redrawn only there */
    /* layout */
    int font_px, line_h, bar_h;
    struct rect term, term_text, info, clock;
    uint8_t *bg; /* static background, frame stride */
    uint32_t stride;
    /* input */
    unsigned input_gen;
    uint8_t key[2];
    unsigned key_len;
    bool key_down;
    bool have_key, have_pointer;
    int32_t px, py;
    uint32_t buttons;
    /* the pointer marker, drawn once per look (ring: no button, disc:
     * button held) and composited as an image, so a damage box edge that
     * cuts it leaves the same pixels as one that does not (a path is
     * clipped before rasterisation: its edge pixels would depend on the
     * frame's damage) */
    cairo_surface_t *marker_img[2];
};

/* ---- geometry --------------------------------------------------------- */

static struct rect rect_union(struct rect a, struct rect b)
{
    int x0 = MIN(a.x, b.x), y0 = MIN(a.y, b.y);
    int x1 = MAX(a.x + a.w, b.x + b.w), y1 = MAX(a.y + a.h, b.y + b.h);
    return (struct rect){ x0, y0, x1 - x0, y1 - y0 };
}

static bool rect_eq(struct rect a, struct rect b)
{
    return a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
}

static void damage(struct sc_frame *f, struct rect r)
{
    sc_frame_add_damage(f, r.x, r.y, r.w, r.h);
}

static void layout(struct pattern *p)
{
    int w = (int)p->w, h = (int)p->h;
    p->font_px = MAX(9, h / 48);
    p->line_h = p->font_px + p->font_px / 3;
    p->bar_h = p->line_h + 12;
    int m = MAX(8, w / 40);
    int title = p->line_h + 6;
    p->term = (struct rect){ m, m, w * 45 / 100, (h - p->bar_h) * 70 / 100 };
    p->term_text = (struct rect){ p->term.x + 2, p->term.y + title,
                                  p->term.w - 4, p->term.h - title - 2 };
    p->info = (struct rect){ w - m - w * 30 / 100, m, w * 30 / 100, 3 * p->line_h + 16 };
    int cw = p->font_px * 12;
    p->clock = (struct rect){ w - cw - 6, h - p->bar_h + 3, cw, p->bar_h - 6 };
}

/* The moving window: moves MOVE_SECS, rests REST_SECS, along a Lissajous
 * path; motion time only advances while moving, so the path is continuous. */
static uint64_t window_phase(const struct pattern *p, uint64_t seq)
{
    uint64_t move = (uint64_t)MOVE_SECS * p->fps, period = move + (uint64_t)REST_SECS * p->fps;
    return seq / period * move + MIN(seq % period, move);
}

static struct rect window_rect(const struct pattern *p, uint64_t phase)
{
    int ww = (int)p->w * 32 / 100, wh = (int)p->h * 36 / 100;
    int range_x = (int)p->w - ww - 8, range_y = (int)p->h - p->bar_h - wh - 8;
    double t = (double)phase / p->fps;
    int x = (int)lround(range_x * (0.5 + 0.5 * sin(t * 0.9)));
    int y = (int)lround(range_y * (0.5 + 0.5 * sin(t * 1.3 + 1.0)));
    /* +6: the drop shadow */
    return (struct rect){ x, y, ww + 6, wh + 6 };
}

#define MARKER_R 9 /* marker_rect() is 2 * MARKER_R + 3 wide, centred on the pointer */

static struct rect marker_rect(const struct pattern *p)
{
    if (!p->have_pointer)
        return (struct rect){ 0, 0, 0, 0 };
    return (struct rect){ p->px - MARKER_R - 1, p->py - MARKER_R - 1, 2 * MARKER_R + 3,
                          2 * MARKER_R + 3 };
}

/* ---- text helpers ------------------------------------------------------- */

static const char *const scancode_names[0x59] = {
    [0x01] = "Esc", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "=", "BackSpace",
    "Tab", "q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "[", "]", "Return",
    "Ctrl", "a", "s", "d", "f", "g", "h", "j", "k", "l", ";", "'", "`",
    "Shift", "\\", "z", "x", "c", "v", "b", "n", "m", ",", ".", "/", "RShift",
    "KP*", "Alt", "space", "CapsLock", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8",
    "F9", "F10", "NumLock", "ScrollLock",
    [0x57] = "F11", "F12",
};

static const char *key_name(const uint8_t *sc, unsigned len)
{
    if (len == 1 && sc[0] < G_N_ELEMENTS(scancode_names) && scancode_names[sc[0]])
        return scancode_names[sc[0]];
    if (len == 2 && sc[0] == 0xe0) {
        switch (sc[1]) {
        case 0x48: return "Up";
        case 0x50: return "Down";
        case 0x4b: return "Left";
        case 0x4d: return "Right";
        case 0x1d: return "RCtrl";
        case 0x38: return "AltGr";
        case 0x1c: return "KP Enter";
        case 0x47: return "Home";
        case 0x4f: return "End";
        case 0x49: return "PgUp";
        case 0x51: return "PgDn";
        case 0x52: return "Insert";
        case 0x53: return "Delete";
        case 0x5b: return "Super";
        }
    }
    return "?";
}

/* Deterministic pseudo-log text for terminal line i. */
static void term_line(uint64_t i, char *buf, size_t size)
{
    static const char *const what[] = {
        "display: frame encoded", "stream: bitrate adjusted", "inputs: key event",
        "main: mouse mode client", "cursor: shape updated", "display: lossless update",
        "link: client connected", "stream: keyframe sent",
    };
    uint32_t hsh = (uint32_t)(i * 2654435761u) ^ (uint32_t)(i >> 7);
    snprintf(buf, size, "[%6" G_GUINT64_FORMAT ".%03u] %s (%u.%u ms, %ux%u)",
             i / TERM_LINES_PER_SEC, (unsigned)(i % TERM_LINES_PER_SEC) * 500,
             what[hsh % G_N_ELEMENTS(what)], hsh % 17, (hsh >> 5) % 10,
             640 + (hsh >> 9) % 4 * 320, 480 + (hsh >> 11) % 4 * 180);
}

static void set_font(cairo_t *cr, const struct pattern *p, bool mono, bool bold, double scale)
{
    cairo_select_font_face(cr, mono ? "DejaVu Sans Mono" : "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, p->font_px * scale);
}

static void text_at(cairo_t *cr, double x, double y, const char *s)
{
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

static void fill_rect(cairo_t *cr, struct rect r, double red, double green, double blue)
{
    cairo_set_source_rgb(cr, red, green, blue);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_fill(cr);
}

static void draw_title_bar(cairo_t *cr, const struct pattern *p, struct rect r, const char *title,
                           double red, double green, double blue)
{
    int th = p->line_h + 6;
    fill_rect(cr, (struct rect){ r.x, r.y, r.w, th }, red, green, blue);
    cairo_set_source_rgb(cr, 1, 1, 1);
    set_font(cr, p, false, true, 0.9);
    text_at(cr, r.x + 8, r.y + th - 6 - p->line_h / 6, title);
    for (int i = 0; i < 3; i++) {
        cairo_set_source_rgb(cr, i == 0 ? 0.9 : 0.8, i == 1 ? 0.75 : 0.4, 0.3);
        cairo_arc(cr, r.x + r.w - 12 - i * (th - 4), r.y + th / 2.0, th / 2.0 - 5, 0, 2 * G_PI);
        cairo_fill(cr);
    }
}

/* ---- static background -------------------------------------------------- */

/* "head N", large, below the terminal (only with heads=N, N > 1). */
static void draw_head_label(struct pattern *p, cairo_t *cr)
{
    char label[32];

    snprintf(label, sizeof(label), "head %u", p->head);
    cairo_set_source_rgb(cr, 1, 1, 1);
    set_font(cr, p, false, true, 3.0);
    text_at(cr, p->term.x, p->term.y + p->term.h + 4 * p->font_px, label);
}

static void draw_background(struct pattern *p, cairo_t *cr)
{
    int w = (int)p->w, h = (int)p->h;
    /* heads after the first: the desktop's hue turned by 1/N each */
    double t = p->n_heads > 1 ? (double)p->head / p->n_heads : 0;
    double r0 = 0.10 + 0.30 * t, b0 = 0.42 - 0.30 * t, r1 = 0.20 + 0.45 * t, b1 = 0.48 - 0.35 * t;
    cairo_pattern_t *grad = cairo_pattern_create_linear(0, 0, w * 0.3, h);
    cairo_pattern_add_color_stop_rgb(grad, 0, r0, 0.28, b0);
    cairo_pattern_add_color_stop_rgb(grad, 1, r1, 0.50, b1);
    cairo_set_source(cr, grad);
    cairo_paint(cr);
    cairo_pattern_destroy(grad);
    if (p->n_heads > 1)
        draw_head_label(p, cr);

    /* desktop icons down the right edge below the info box */
    static const char *const icons[] = { "Home", "Trash", "Videos", "spicecast" };
    int isz = MAX(24, h / 14);
    for (unsigned i = 0; i < G_N_ELEMENTS(icons); i++) {
        int x = w - isz * 2, y = p->info.y + p->info.h + 20 + (int)i * (isz + p->line_h + 14);
        if (y + isz + p->line_h > h - p->bar_h)
            break;
        cairo_set_source_rgb(cr, 0.85, 0.75 - 0.1 * i, 0.35 + 0.15 * i);
        cairo_rectangle(cr, x, y, isz, isz);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        set_font(cr, p, false, false, 0.8);
        text_at(cr, x - 4, y + isz + p->line_h, icons[i]);
    }

    /* taskbar */
    fill_rect(cr, (struct rect){ 0, h - p->bar_h, w, p->bar_h }, 0.13, 0.13, 0.16);
    fill_rect(cr, (struct rect){ 4, h - p->bar_h + 3, p->font_px * 6, p->bar_h - 6 }, 0.25, 0.45, 0.75);
    cairo_set_source_rgb(cr, 1, 1, 1);
    set_font(cr, p, false, true, 1.0);
    text_at(cr, 12, h - p->bar_h / 2 + p->font_px / 3, "Start");
    static const char *const tasks[] = { "Terminal", "Statistics" };
    for (unsigned i = 0; i < G_N_ELEMENTS(tasks); i++) {
        int x = p->font_px * 7 + (int)i * p->font_px * 9;
        fill_rect(cr, (struct rect){ x, h - p->bar_h + 3, p->font_px * 8, p->bar_h - 6 }, 0.22, 0.22, 0.27);
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        set_font(cr, p, false, false, 0.9);
        text_at(cr, x + 6, h - p->bar_h / 2 + p->font_px / 3, tasks[i]);
    }

    /* terminal window chrome (its text is drawn per frame) */
    fill_rect(cr, p->term, 0.05, 0.05, 0.06);
    draw_title_bar(cr, p, p->term, "Terminal - spicecast.log", 0.30, 0.30, 0.36);
    /* info box frame */
    fill_rect(cr, p->info, 0.95, 0.95, 0.90);
}

static bool make_background(struct pattern *p)
{
    p->bg = g_try_malloc((size_t)p->stride * p->h);
    if (!p->bg)
        return false;
    cairo_surface_t *s = cairo_image_surface_create_for_data(p->bg, CAIRO_FORMAT_RGB24,
                                                             (int)p->w, (int)p->h, (int)p->stride);
    cairo_t *cr = cairo_create(s);
    draw_background(p, cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_surface_destroy(s);
    return true;
}

/* ---- per-frame drawing -------------------------------------------------- */

static void draw_terminal(struct pattern *p, cairo_t *cr, uint64_t first)
{
    char line[160];
    struct rect r = p->term_text;
    cairo_save(cr);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_clip(cr);
    set_font(cr, p, true, false, 0.85);
    int rows = r.h / p->line_h;
    for (int i = 0; i < rows; i++) {
        term_line(first + (uint64_t)i, line, sizeof(line));
        bool warn = (first + (uint64_t)i) % 7 == 3;
        cairo_set_source_rgb(cr, warn ? 0.95 : 0.6, warn ? 0.8 : 0.9, warn ? 0.3 : 0.6);
        text_at(cr, r.x + 6, r.y + (i + 1) * p->line_h - p->line_h / 4, line);
    }
    cairo_restore(cr);
}

static void draw_window(struct pattern *p, cairo_t *cr, struct rect r, uint64_t phase)
{
    struct rect win = { r.x, r.y, r.w - 6, r.h - 6 };
    cairo_save(cr);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_clip(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.35);
    cairo_rectangle(cr, win.x + 6, win.y + 6, win.w, win.h);
    cairo_fill(cr);
    fill_rect(cr, win, 0.96, 0.96, 0.97);
    draw_title_bar(cr, p, win, "Statistics", 0.25, 0.45, 0.75);

    /* an animated bar chart */
    int top = win.y + p->line_h + 6 + 10, bottom = win.y + win.h - 10;
    int n = 12, bw = (win.w - 20) / n;
    double t = (double)phase / p->fps;
    for (int i = 0; i < n; i++) {
        double v = 0.55 + 0.4 * sin(t * 2.0 + i * 0.7) * cos(t * 0.7 + i * 0.3);
        int bh = (int)((bottom - top) * v);
        cairo_set_source_rgb(cr, 0.2 + 0.05 * i, 0.5, 0.9 - 0.05 * i);
        cairo_rectangle(cr, win.x + 10 + i * bw + 2, bottom - bh, bw - 4, bh);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

static void draw_info(struct pattern *p, cairo_t *cr)
{
    char buf[128];
    struct rect r = p->info;
    cairo_save(cr);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    set_font(cr, p, true, false, 0.9);
    if (p->have_pointer)
        snprintf(buf, sizeof(buf), "pointer %d,%d buttons %u", p->px, p->py, p->buttons);
    else
        snprintf(buf, sizeof(buf), "pointer -");
    text_at(cr, r.x + 8, r.y + 8 + p->line_h, buf);
    if (p->have_key) {
        if (p->key_len == 2)
            snprintf(buf, sizeof(buf), "key %02x %02x %s %s", p->key[0], p->key[1],
                     key_name(p->key, p->key_len), p->key_down ? "down" : "up");
        else
            snprintf(buf, sizeof(buf), "key %02x %s %s", p->key[0],
                     key_name(p->key, p->key_len), p->key_down ? "down" : "up");
    } else {
        snprintf(buf, sizeof(buf), "key -");
    }
    text_at(cr, r.x + 8, r.y + 8 + 2 * p->line_h, buf);
    cairo_restore(cr);
}

static void draw_clock(struct pattern *p, cairo_t *cr, uint64_t seq)
{
    char buf[64];
    uint64_t secs = 9 * 3600 + 41 * 60 + seq / p->fps;
    snprintf(buf, sizeof(buf), "%02u:%02u:%02u  #%" G_GUINT64_FORMAT,
             (unsigned)(secs / 3600 % 24), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60), seq);
    cairo_save(cr);
    cairo_rectangle(cr, p->clock.x, p->clock.y, p->clock.w, p->clock.h);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    set_font(cr, p, true, false, 0.9);
    text_at(cr, p->clock.x + 4, p->clock.y + p->clock.h / 2 + p->font_px / 3, buf);
    cairo_restore(cr);
}

static cairo_surface_t *marker_image(bool filled)
{
    int size = 2 * MARKER_R + 3;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size, size);
    cairo_t *cr = cairo_create(img);
    cairo_set_line_width(cr, 2);
    cairo_set_source_rgb(cr, 1.0, 0.3, 0.2);
    /* the pointer's pixel is (MARKER_R + 1, MARKER_R + 1); +0.5: its centre */
    cairo_arc(cr, MARKER_R + 1.5, MARKER_R + 1.5, MARKER_R - 1, 0, 2 * G_PI);
    if (filled)
        cairo_fill(cr);
    else
        cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_surface_flush(img);
    return img;
}

static void draw_marker(cairo_t *cr, struct pattern *p)
{
    if (!p->have_pointer)
        return;
    bool filled = p->buttons != 0;
    if (!p->marker_img[filled])
        p->marker_img[filled] = marker_image(filled);
    struct rect m = marker_rect(p);
    cairo_set_source_surface(cr, p->marker_img[filled], m.x, m.y);
    cairo_paint(cr);
}

/* Draws the scene into f where stale says (its damage boxes, or all). */
static void draw_frame(struct pattern *p, struct sc_frame *f, const struct scene *s,
                       const struct sc_frame *stale)
{
    bool all = stale->full_damage;
    struct sc_box whole = { 0, 0, (int32_t)p->w, (int32_t)p->h };
    const struct sc_box *boxes = all ? &whole : stale->damage;
    uint32_t n = all ? 1 : stale->n_damage;
    for (uint32_t i = 0; i < n; i++) {
        const struct sc_box *b = &boxes[i];
        for (int32_t y = b->y; y < b->y + b->h; y++) {
            size_t off = (size_t)y * f->stride + (size_t)b->x * 4;
            memcpy(f->map + off, p->bg + off, (size_t)b->w * 4);
        }
    }
    cairo_surface_t *surf = cairo_image_surface_create_for_data(f->map, CAIRO_FORMAT_RGB24,
                                                                (int)p->w, (int)p->h, (int)f->stride);
    cairo_t *cr = cairo_create(surf);
    for (uint32_t i = 0; i < n; i++)
        cairo_rectangle(cr, boxes[i].x, boxes[i].y, boxes[i].w, boxes[i].h);
    cairo_clip(cr);
    draw_terminal(p, cr, s->term_line);
    draw_info(p, cr);
    draw_clock(p, cr, s->clock_seq);
    draw_window(p, cr, s->win, s->win_phase);
    draw_marker(cr, p);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    cairo_surface_destroy(surf);
}

static void scene_at(const struct pattern *p, uint64_t seq, struct scene *s)
{
    s->win_phase = window_phase(p, seq);
    s->win = window_rect(p, s->win_phase);
    s->term_line = seq * TERM_LINES_PER_SEC / p->fps;
    s->clock_seq = seq;
    s->input_gen = p->input_gen;
    s->marker = marker_rect(p);
}

static void scene_damage(const struct pattern *p, struct sc_frame *f, const struct scene *old,
                         const struct scene *s)
{
    if (!rect_eq(old->win, s->win) || old->win_phase != s->win_phase)
        damage(f, rect_union(old->win, s->win));
    if (old->term_line != s->term_line)
        damage(f, p->term_text);
    if (old->clock_seq != s->clock_seq)
        damage(f, p->clock);
    if (old->input_gen != s->input_gen)
        damage(f, p->info);
    if (!rect_eq(old->marker, s->marker) || old->input_gen != s->input_gen) {
        if (old->marker.w)
            damage(f, old->marker);
        if (s->marker.w)
            damage(f, s->marker);
    }
}

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
    struct scene s;
    scene_at(p, seq, &s);
    f->seq = seq;
    f->time_us = now;
    if (!p->emitted)
        sc_frame_set_full_damage(f);
    else
        scene_damage(p, f, &p->last, &s);
    if (p->stamp)
        damage(f, (struct rect){ 0, 0, SC_STAMP_WIDTH, SC_STAMP_HEIGHT });
    struct sc_frame stale;
    sc_stale_region(&p->stale, f, f, p->w, p->h, &stale);
    draw_frame(p, f, &s, &stale);
    if (p->stamp)
        sc_stamp_write(f->map + f->offset, f->width, f->height, f->stride,
                       &(struct sc_stamp){ (uint32_t)seq, now });
    sc_stale_emitted(&p->stale, f, f);
    p->last = s;
    p->emitted = true;
    sc_source_emit_head_frame(source, p->head, f);
    sc_frame_unref(f);
}

static void pattern_destroy(struct sc_source *source);

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
    g_free(p->bg);
    for (unsigned i = 0; i < G_N_ELEMENTS(p->marker_img); i++)
        if (p->marker_img[i])
            cairo_surface_destroy(p->marker_img[i]);
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
    p->stride = (pa->w * 4 + 63) & ~63u;
    layout(p);
    p->pool = sc_frame_pool_new(pa->w, pa->h, POOL_FRAMES);
    if (!p->pool || !make_background(p)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "pattern: cannot allocate %ux%u buffers",
                    pa->w, pa->h);
        head_free(p);
        return NULL;
    }
    return p;
}

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
        p->heads[i]->emitted = false; /* first frame after (re)start: full damage */
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
    if (len == 0)
        return;
    for (unsigned i = 0; i < p0->n_heads; i++) {
        struct pattern *p = p0->heads[i];
        p->key_len = MIN(len, 2u);
        memcpy(p->key, scancode, p->key_len);
        p->key_down = down;
        p->have_key = true;
        p->input_gen++;
    }
}

static void pattern_pointer(struct sc_source *source, unsigned head, int32_t x, int32_t y,
                            uint32_t buttons)
{
    struct pattern *p = ((struct pattern *)source)->heads[head];
    x = CLAMP(x, 0, (int32_t)p->w - 1);
    y = CLAMP(y, 0, (int32_t)p->h - 1);
    if (p->have_pointer && x == p->px && y == p->py && buttons == p->buttons)
        return;
    p->px = x;
    p->py = y;
    p->buttons = buttons;
    p->have_pointer = true;
    p->input_gen++;
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
    uint32_t old_w = p->w, old_h = p->h, old_stride = p->stride;
    struct sc_frame_pool *old_pool = p->pool;
    uint8_t *old_bg = p->bg;

    if (w == p->w && h == p->h)
        return true;
    p->w = w;
    p->h = h;
    p->stride = (w * 4 + 63) & ~63u;
    layout(p);
    p->pool = sc_frame_pool_new(w, h, POOL_FRAMES);
    if (!p->pool || !make_background(p)) {
        sc_warn("pattern: cannot allocate %ux%u buffers, staying %ux%u", w, h, old_w, old_h);
        sc_frame_pool_destroy(p->pool);
        p->w = old_w;
        p->h = old_h;
        p->stride = old_stride;
        p->pool = old_pool;
        p->bg = old_bg;
        layout(p);
        return false;
    }
    sc_frame_pool_destroy(old_pool);
    g_free(old_bg);
    p->base.width = w;
    p->base.height = h;
    p->px = MIN(p->px, (int32_t)w - 1);
    p->py = MIN(p->py, (int32_t)h - 1);
    p->emitted = false; /* full damage */
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
