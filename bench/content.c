/* Built-in content classes, Y4M input, and PSNR/SSIM.  "desktop" is the
 * synthetic desktop the pattern source serves (common/scene.h); the others
 * are kinds of content a desktop scene is not: a page of text scrolling by
 * whole frames (text-scroll) and natural-looking video (video, or a Y4M
 * recording).  text-scroll and video are drawn with cairo / libyuv once and
 * moved per frame with memcpy / libyuv, so producing a frame costs far less
 * than encoding it. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <libyuv.h>

#include "codecs/codec.h"
#include "bench/content.h"
#include "codecs/y4m.h"
#include "common/scene.h"

enum content_kind { TEXT_SCROLL, DESKTOP, VIDEO, Y4M };

struct sc_content {
    enum content_kind kind;
    uint32_t width, height;
    uint64_t n;
    cairo_surface_t *page;   /* text-scroll: tall page */
    struct sc_scene *scene;  /* desktop */
    uint8_t *texture;        /* video: 2w x 2h BGRX */
    struct sc_y4m *y4m;
};

#define SCROLL_PX 3
#define DESKTOP_FPS 30 /* the scene's motion per frame: as served at 30 fps */

static void set_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && size)
        vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

/* ---- text-scroll ------------------------------------------------------- */

static const char *const words[] = {
    "the", "display", "server", "encodes", "frames", "with", "openh264", "and", "sends",
    "them", "to", "every", "client", "stream", "bitrate", "keyframe", "latency", "of",
    "a", "dma-buf", "scanout", "surface", "SPICE", "protocol", "viewer", "renders",
    "channel", "message", "0x3f2a", "int", "return", "struct", "while", "(void)",
};

static void draw_text_lines(cairo_t *cr, double x, double y0, double w, double h, double size,
                            unsigned seed)
{
    cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    char line[512];
    for (double y = y0 + size; y < y0 + h; y += size * 1.35) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        int indent = (int)((seed >> 16) % 4) * 4;
        len += (size_t)snprintf(line, sizeof(line), "%*s", indent, "");
        while (len < sizeof(line) - 20 && len * size * 0.6 < w - 2 * size) {
            seed = seed * 1103515245u + 12345u;
            len += (size_t)snprintf(line + len, sizeof(line) - len, "%s ",
                                    words[(seed >> 16) % (sizeof(words) / sizeof(*words))]);
            if ((seed >> 8) % 9 == 0)
                break;
        }
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, line);
    }
}

static bool text_scroll_init(struct sc_content *c)
{
    int ph = (int)c->height * 3;
    c->page = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)c->width, ph);
    if (cairo_surface_status(c->page) != CAIRO_STATUS_SUCCESS)
        return false;
    cairo_t *cr = cairo_create(c->page);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.12);
    draw_text_lines(cr, 24, 0, c->width - 48.0, ph, 15, 7);
    cairo_destroy(cr);
    cairo_surface_flush(c->page);
    return true;
}

static void text_scroll_frame(struct sc_content *c, struct sc_frame *f)
{
    const uint8_t *page = cairo_image_surface_get_data(c->page);
    int ps = cairo_image_surface_get_stride(c->page);
    uint32_t ph = c->height * 3;
    uint32_t top = (uint32_t)((c->n * SCROLL_PX) % ph);
    for (uint32_t y = 0; y < c->height; y++)
        memcpy(f->map + (size_t)y * f->stride, page + (size_t)((top + y) % ph) * ps,
               (size_t)c->width * 4);
}

/* ---- desktop: the pattern source's scene ---------------------------------- */

static bool desktop_init(struct sc_content *c, char *err, size_t es)
{
    if (c->width < SC_SCENE_MIN_DIM || c->height < SC_SCENE_MIN_DIM) {
        set_err(err, es, "desktop: unsupported size %ux%u (%dx%d at least)", c->width,
                c->height, SC_SCENE_MIN_DIM, SC_SCENE_MIN_DIM);
        return false;
    }
    c->scene = sc_scene_new(c->width, c->height, DESKTOP_FPS);
    return c->scene != NULL;
}

/* Each frame drawn whole (the caller may hand a different buffer each
 * time), its damage what changed since the previous one, as the server
 * sends it. */
static void desktop_frame(struct sc_content *c, struct sc_frame *f)
{
    f->full_damage = false;
    f->n_damage = 0;
    sc_scene_advance(c->scene, c->n, f);
    sc_scene_draw(c->scene, f, NULL, 0);
}

/* ---- video --------------------------------------------------------------- */

static bool video_init(struct sc_content *c)
{
    uint32_t tw = c->width * 2, th = c->height * 2;
    c->texture = malloc((size_t)tw * th * 4);
    uint32_t *acc = calloc((size_t)tw * th, 3 * sizeof(uint32_t));
    uint8_t *up = malloc((size_t)tw * th * 4);
    if (!c->texture || !acc || !up)
        goto err;
    unsigned seed = 12345;
    /* octaves of bilinear-upscaled random colour grids: soft "natural" detail */
    for (uint32_t grid = 6, weight = 8; grid <= tw / 4; grid *= 4, weight /= 2) {
        uint32_t gw = grid, gh = grid * th / tw + 2;
        uint8_t *g = malloc((size_t)gw * gh * 4);
        if (!g)
            goto err;
        for (size_t i = 0; i < (size_t)gw * gh * 4; i++) {
            seed = seed * 1103515245u + 12345u;
            g[i] = (uint8_t)(seed >> 16);
        }
        ARGBScale(g, (int)gw * 4, (int)gw, (int)gh, up, (int)tw * 4, (int)tw, (int)th,
                  kFilterBilinear);
        free(g);
        for (size_t i = 0; i < (size_t)tw * th; i++)
            for (int k = 0; k < 3; k++)
                acc[i * 3 + k] += up[i * 4 + k] * (weight ? weight : 1);
    }
    uint32_t max = 1;
    for (size_t i = 0; i < (size_t)tw * th * 3; i++)
        max = acc[i] > max ? acc[i] : max;
    for (size_t i = 0; i < (size_t)tw * th; i++) {
        for (int k = 0; k < 3; k++)
            c->texture[i * 4 + k] = (uint8_t)(acc[i * 3 + k] * 255u / max);
        c->texture[i * 4 + 3] = 0xff;
    }
    free(acc);
    free(up);
    return true;
err:
    free(acc);
    free(up);
    return false;
}

static void video_frame(struct sc_content *c, struct sc_frame *f)
{
    double t = c->n / 30.0;
    double zoom = 1.15 + 0.12 * sin(t * 0.7);       /* slow zoom */
    uint32_t cw = (uint32_t)(c->width * 2 / zoom / 1.3), ch = (uint32_t)(c->height * 2 / zoom / 1.3);
    uint32_t tw = c->width * 2, th = c->height * 2;
    uint32_t x = (uint32_t)((tw - cw) * (0.5 + 0.45 * sin(t * 0.5)));
    uint32_t y = (uint32_t)((th - ch) * (0.5 + 0.45 * cos(t * 0.37)));
    ARGBScale(c->texture + ((size_t)y * tw + x) * 4, (int)tw * 4, (int)cw, (int)ch, f->map,
              (int)f->stride, (int)c->width, (int)c->height, kFilterBilinear);
}

/* ---- y4m ------------------------------------------------------------------- */

static bool y4m_open(struct sc_content *c, const char *path, char *err, size_t es)
{
    GError *error = NULL;

    c->y4m = sc_y4m_open(path, &error);
    if (!c->y4m) {
        set_err(err, es, "%s", error->message);
        g_error_free(error);
        return false;
    }
    const struct sc_y4m_info *info = sc_y4m_info(c->y4m);
    if (info->width > SC_CODEC_MAX_DIM || info->height > SC_CODEC_MAX_DIM) {
        set_err(err, es, "%s: unsupported size %ux%u (up to %d)", path, info->width,
                info->height, SC_CODEC_MAX_DIM);
        return false;
    }
    c->width = info->width;
    c->height = info->height;
    return true;
}

static int y4m_frame(struct sc_content *c, struct sc_frame *f, char *err, size_t es)
{
    GError *error = NULL;

    if (c->n >= sc_y4m_info(c->y4m)->frames)
        return 0; /* clean end */
    if (!sc_y4m_read(c->y4m, (unsigned)c->n, f->map, f->stride, &error)) {
        set_err(err, es, "%s", error->message);
        g_error_free(error);
        return -1;
    }
    return 1;
}

/* ---- public -------------------------------------------------------------- */

struct sc_content *sc_content_create(const char *spec, uint32_t width, uint32_t height,
                                     char *err, size_t es)
{
    struct sc_content *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->width = width;
    c->height = height;
    set_err(err, es, "%s", "");
    bool ok;
    if (strncmp(spec, "y4m:", 4) == 0) {
        c->kind = Y4M;
        ok = y4m_open(c, spec + 4, err, es);
    } else {
        if (width < 16 || height < 16 || width > SC_CODEC_MAX_DIM || height > SC_CODEC_MAX_DIM) {
            set_err(err, es, "unsupported size %ux%u (16..%d)", width, height, SC_CODEC_MAX_DIM);
            goto err;
        }
        if (strcmp(spec, "text-scroll") == 0) {
            c->kind = TEXT_SCROLL;
            ok = text_scroll_init(c);
        } else if (strcmp(spec, "desktop") == 0) {
            c->kind = DESKTOP;
            ok = desktop_init(c, err, es);
        } else if (strcmp(spec, "video") == 0) {
            c->kind = VIDEO;
            ok = video_init(c);
        } else {
            set_err(err, es, "unknown content '%s' (text-scroll, desktop, video, y4m:PATH)",
                    spec);
            goto err;
        }
        if (!ok && !(err && es && err[0]))
            set_err(err, es, "cannot render content '%s' at %ux%u", spec, width, height);
    }
    if (ok)
        return c;
err:
    sc_content_destroy(c);
    return NULL;
}

void sc_content_size(const struct sc_content *c, uint32_t *width, uint32_t *height)
{
    *width = c->width;
    *height = c->height;
}

int sc_content_next(struct sc_content *c, struct sc_frame *f, char *err, size_t es)
{
    if (f->width != c->width || f->height != c->height || !f->map) {
        set_err(err, es, "frame size mismatch");
        return -1;
    }
    int r = 1;
    sc_frame_set_full_damage(f); /* desktop narrows it down */
    switch (c->kind) {
    case TEXT_SCROLL: text_scroll_frame(c, f); break;
    case DESKTOP: desktop_frame(c, f); break;
    case VIDEO: video_frame(c, f); break;
    case Y4M: r = y4m_frame(c, f, err, es); break;
    }
    if (r == 1)
        f->seq = c->n++;
    return r;
}

void sc_content_destroy(struct sc_content *c)
{
    if (!c)
        return;
    if (c->page)
        cairo_surface_destroy(c->page);
    sc_scene_free(c->scene);
    sc_y4m_free(c->y4m);
    free(c->texture);
    free(c);
}

/* ---- metrics --------------------------------------------------------------- */

double sc_psnr_y(const uint8_t *a, uint32_t sa, const uint8_t *b, uint32_t sb, uint32_t w,
                 uint32_t h)
{
    uint64_t sse = ComputeSumSquareErrorPlane(a, (int)sa, b, (int)sb, (int)w, (int)h);
    if (sse == 0)
        return 100.0;
    double mse = (double)sse / ((double)w * h);
    double p = 10.0 * log10(255.0 * 255.0 / mse);
    return p > 100.0 ? 100.0 : p;
}

double sc_ssim_y(const uint8_t *a, uint32_t sa, const uint8_t *b, uint32_t sb, uint32_t w,
                 uint32_t h)
{
    if (w < 8 || h < 8)
        return 1.0;
    return CalcFrameSsim(a, (int)sa, b, (int)sb, (int)w, (int)h);
}
