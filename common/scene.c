#include "config.h"

/* The synthetic desktop (common/scene.h): layout, a pre-rendered static
 * background, and the elements drawn per frame over it. */

#include "common/scene.h"

#include <cairo.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define TERM_LINES_PER_SEC 2
#define MOVE_SECS 4 /* the window moves this long, then rests */
#define REST_SECS 2

struct rect { int x, y, w, h; };

/* What a frame shows, for damage. */
struct scene {
    struct rect win;     /* moving window incl. shadow */
    uint64_t win_phase;  /* motion time: content changes with it */
    uint64_t term_line;  /* first terminal line shown */
    uint64_t clock_seq;  /* frame number shown in the taskbar */
    unsigned input_gen;  /* input state shown */
    struct rect marker;  /* pointer marker */
};

struct sc_scene {
    uint32_t w, h, fps;
    unsigned head, n_heads; /* which screen of how many (sc_scene_set_head) */
    struct scene now;  /* the state advanced to */
    bool advanced;     /* `now` is valid: damage is relative to it */
    /* layout */
    int font_px, line_h, bar_h;
    struct rect term, term_text, info, clock;
    uint8_t *bg; /* static background */
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

static void layout(struct sc_scene *p)
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
static uint64_t window_phase(const struct sc_scene *p, uint64_t seq)
{
    uint64_t move = (uint64_t)MOVE_SECS * p->fps, period = move + (uint64_t)REST_SECS * p->fps;
    return seq / period * move + MIN(seq % period, move);
}

static struct rect window_rect(const struct sc_scene *p, uint64_t phase)
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

static struct rect marker_rect(const struct sc_scene *p)
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

static void set_font(cairo_t *cr, const struct sc_scene *p, bool mono, bool bold, double scale)
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

static void draw_title_bar(cairo_t *cr, const struct sc_scene *p, struct rect r, const char *title,
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

/* "head N", large, below the terminal (only with several heads). */
static void draw_head_label(struct sc_scene *p, cairo_t *cr)
{
    char label[32];

    snprintf(label, sizeof(label), "head %u", p->head);
    cairo_set_source_rgb(cr, 1, 1, 1);
    set_font(cr, p, false, true, 3.0);
    text_at(cr, p->term.x, p->term.y + p->term.h + 4 * p->font_px, label);
}

static void draw_background(struct sc_scene *p, cairo_t *cr)
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

static bool make_background(struct sc_scene *p)
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

static void draw_terminal(struct sc_scene *p, cairo_t *cr, uint64_t first)
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

static void draw_window(struct sc_scene *p, cairo_t *cr, struct rect r, uint64_t phase)
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

static void draw_info(struct sc_scene *p, cairo_t *cr)
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

static void draw_clock(struct sc_scene *p, cairo_t *cr, uint64_t seq)
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

static void draw_marker(cairo_t *cr, struct sc_scene *p)
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

static void scene_at(const struct sc_scene *p, uint64_t seq, struct scene *s)
{
    s->win_phase = window_phase(p, seq);
    s->win = window_rect(p, s->win_phase);
    s->term_line = seq * TERM_LINES_PER_SEC / p->fps;
    s->clock_seq = seq;
    s->input_gen = p->input_gen;
    s->marker = marker_rect(p);
}

static void scene_damage(const struct sc_scene *p, struct sc_frame *f, const struct scene *old,
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


/* ---- public -------------------------------------------------------------- */

struct sc_scene *sc_scene_new(uint32_t width, uint32_t height, uint32_t fps)
{
    struct sc_scene *p = g_new0(struct sc_scene, 1);
    p->fps = fps ? fps : 30;
    if (!sc_scene_resize(p, width, height)) {
        g_free(p);
        return NULL;
    }
    return p;
}

void sc_scene_free(struct sc_scene *p)
{
    if (!p)
        return;
    g_free(p->bg);
    for (unsigned i = 0; i < G_N_ELEMENTS(p->marker_img); i++)
        if (p->marker_img[i])
            cairo_surface_destroy(p->marker_img[i]);
    g_free(p);
}

bool sc_scene_resize(struct sc_scene *p, uint32_t width, uint32_t height)
{
    struct sc_scene old = *p;

    if (p->bg && width == p->w && height == p->h)
        return true;
    p->w = width;
    p->h = height;
    p->stride = width * 4;
    layout(p);
    if (!make_background(p)) {
        *p = old;
        return false;
    }
    g_free(old.bg);
    p->px = MIN(p->px, (int32_t)width - 1);
    p->py = MIN(p->py, (int32_t)height - 1);
    p->advanced = false;
    return true;
}

bool sc_scene_set_head(struct sc_scene *p, unsigned head, unsigned n_heads)
{
    unsigned old_head = p->head, old_n = p->n_heads;
    uint8_t *old_bg = p->bg;

    p->head = head;
    p->n_heads = n_heads;
    if (!make_background(p)) {
        p->head = old_head;
        p->n_heads = old_n;
        p->bg = old_bg;
        return false;
    }
    g_free(old_bg);
    p->advanced = false;
    return true;
}

void sc_scene_key(struct sc_scene *p, const uint8_t *scancode, unsigned len, bool down)
{
    if (len == 0)
        return;
    p->key_len = MIN(len, 2u);
    memcpy(p->key, scancode, p->key_len);
    p->key_down = down;
    p->have_key = true;
    p->input_gen++;
}

void sc_scene_pointer(struct sc_scene *p, int32_t x, int32_t y, uint32_t buttons)
{
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

void sc_scene_advance(struct sc_scene *p, uint64_t seq, struct sc_frame *f)
{
    struct scene s;
    scene_at(p, seq, &s);
    if (!p->advanced)
        sc_frame_set_full_damage(f);
    else
        scene_damage(p, f, &p->now, &s);
    p->now = s;
    p->advanced = true;
}

void sc_scene_restart(struct sc_scene *p)
{
    p->advanced = false;
}

void sc_scene_draw(struct sc_scene *p, struct sc_frame *f, const struct sc_box *boxes,
                   uint32_t n)
{
    struct sc_box whole = { 0, 0, (int32_t)p->w, (int32_t)p->h };
    if (!boxes) {
        boxes = &whole;
        n = 1;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct sc_box *b = &boxes[i];
        for (int32_t y = b->y; y < b->y + b->h; y++)
            memcpy(f->map + (size_t)y * f->stride + (size_t)b->x * 4,
                   p->bg + (size_t)y * p->stride + (size_t)b->x * 4, (size_t)b->w * 4);
    }
    cairo_surface_t *surf = cairo_image_surface_create_for_data(f->map, CAIRO_FORMAT_RGB24,
                                                                (int)p->w, (int)p->h, (int)f->stride);
    cairo_t *cr = cairo_create(surf);
    for (uint32_t i = 0; i < n; i++)
        cairo_rectangle(cr, boxes[i].x, boxes[i].y, boxes[i].w, boxes[i].h);
    cairo_clip(cr);
    draw_terminal(p, cr, p->now.term_line);
    draw_info(p, cr);
    draw_clock(p, cr, p->now.clock_seq);
    draw_window(p, cr, p->now.win, p->now.win_phase);
    draw_marker(cr, p);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    cairo_surface_destroy(surf);
}
