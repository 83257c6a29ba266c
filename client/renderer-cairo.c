/* The CPU renderer: the canvas (and a mapped scanout) as cairo image
 * surfaces, scaled into a GtkDrawingArea.  Works wherever GTK does. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <glib.h>

#include "client/renderer.h"
#include "common/log.h"

struct cairo_renderer {
    struct sc_renderer base;
    cairo_surface_t *canvas;  /* our copy of the client's canvas */
    cairo_surface_t *scanout; /* wraps the mapping below, or NULL */
    struct sc_scanout_maps maps; /* the buffers' mappings */
    bool top_down;
};

static struct cairo_renderer *from_base(struct sc_renderer *r)
{
    g_assert(r->impl == &sc_renderer_cairo);
    return (struct cairo_renderer *)r;
}

static struct sc_renderer *cr_create(char *reason, size_t reason_size)
{
    struct cairo_renderer *cr = calloc(1, sizeof(*cr));

    (void)reason;
    (void)reason_size;
    if (!cr)
        return NULL;
    cr->base.impl = &sc_renderer_cairo;
    return &cr->base;
}

static void drop_scanout(struct cairo_renderer *cr)
{
    if (cr->scanout)
        cairo_surface_destroy(cr->scanout);
    cr->scanout = NULL; /* its mapping stays in cr->maps */
}

static void cr_surface(struct sc_renderer *r, uint32_t width, uint32_t height)
{
    struct cairo_renderer *cr = from_base(r);

    if (cr->canvas)
        cairo_surface_destroy(cr->canvas);
    cr->canvas = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)width, (int)height);
    r->width = width;
    r->height = height;
}

static void cr_update(struct sc_renderer *r, const uint8_t *canvas, uint32_t stride,
                      const cairo_rectangle_int_t *rects, int n_rects)
{
    struct cairo_renderer *cr = from_base(r);
    uint8_t *dst;
    int dst_stride;

    if (!cr->canvas)
        return;
    cairo_surface_flush(cr->canvas);
    dst = cairo_image_surface_get_data(cr->canvas);
    dst_stride = cairo_image_surface_get_stride(cr->canvas);
    for (int i = 0; i < n_rects; i++) {
        const cairo_rectangle_int_t *rc = &rects[i];
        for (int y = rc->y; y < rc->y + rc->height; y++)
            memcpy(dst + (size_t)y * dst_stride + (size_t)rc->x * 4,
                   canvas + (size_t)y * stride + (size_t)rc->x * 4, (size_t)rc->width * 4);
    }
    cairo_surface_mark_dirty(cr->canvas);
}

static bool cr_gl_scanout(struct sc_renderer *r, int fd, uint32_t width, uint32_t height,
                          uint32_t stride, uint32_t fourcc, bool top_down)
{
    struct cairo_renderer *cr = from_base(r);
    char reason[SC_RENDERER_REASON_SIZE];

    drop_scanout(cr);
    if (fd < 0) {
        r->width = cr->canvas ? (uint32_t)cairo_image_surface_get_width(cr->canvas) : 0;
        r->height = cr->canvas ? (uint32_t)cairo_image_surface_get_height(cr->canvas) : 0;
        return true;
    }
    if (sc_renderer_fourcc_bpp(fourcc) != 4 || stride < width * 4) {
        sc_warn("cairo renderer: scanout format %.4s stride %u not shown", (const char *)&fourcc,
                stride);
        return false;
    }
    const void *map = sc_scanout_maps_get(&cr->maps, fd, (size_t)stride * height, reason,
                                           sizeof(reason));
    if (!map) {
        sc_warn("cairo renderer: %s", reason);
        return false;
    }
    /* read only: the surface is only ever a source */
    cr->scanout = cairo_image_surface_create_for_data((unsigned char *)map, CAIRO_FORMAT_RGB24,
                                                      (int)width, (int)height, (int)stride);
    cr->top_down = top_down;
    r->width = width;
    r->height = height;
    return true;
}

static void cr_gl_draw(struct sc_renderer *r, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct cairo_renderer *cr = from_base(r);

    (void)x, (void)y, (void)w, (void)h;
    if (cr->scanout)
        cairo_surface_mark_dirty(cr->scanout); /* the mapping is the picture */
}

static void cr_draw(struct sc_renderer *r, cairo_t *c, const struct sc_viewport *vp)
{
    struct cairo_renderer *cr = from_base(r);
    cairo_surface_t *src = cr->scanout ? cr->scanout : cr->canvas;
    int sw, sh;

    cairo_set_source_rgb(c, 0, 0, 0);
    cairo_paint(c);
    if (!src || !vp->width || !vp->height)
        return;
    sw = cairo_image_surface_get_width(src);
    sh = cairo_image_surface_get_height(src);
    cairo_save(c);
    cairo_rectangle(c, vp->x, vp->y, vp->width, vp->height);
    cairo_clip(c);
    cairo_translate(c, vp->x, vp->y);
    cairo_scale(c, (double)vp->width / sw, (double)vp->height / sh);
    if (cr->scanout && !cr->top_down) {
        cairo_translate(c, 0, sh);
        cairo_scale(c, 1, -1);
    }
    cairo_set_source_surface(c, src, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(c), CAIRO_FILTER_GOOD);
    cairo_pattern_set_extend(cairo_get_source(c), CAIRO_EXTEND_PAD);
    cairo_paint(c);
    cairo_restore(c);
}

static void cr_destroy(struct sc_renderer *r)
{
    struct cairo_renderer *cr;

    if (!r)
        return;
    cr = from_base(r);
    drop_scanout(cr);
    sc_scanout_maps_clear(&cr->maps);
    if (cr->canvas)
        cairo_surface_destroy(cr->canvas);
    free(cr);
}

const struct sc_renderer_ops sc_renderer_cairo = {
    .name = "cairo",
    .create = cr_create,
    .surface = cr_surface,
    .update = cr_update,
    .video_frame = NULL, /* the client composes video into the canvas */
    .gl_scanout = cr_gl_scanout,
    .gl_draw = cr_gl_draw,
    .draw = cr_draw,
    .destroy = cr_destroy,
};
