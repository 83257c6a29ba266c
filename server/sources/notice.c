#include "config.h"

#include "server/sources/notice.h"

#include <string.h>

#include <cairo.h>
#include <glib.h>

#include "common/log.h"

/* Each byte of a row a quarter as bright: the picture stays recognisable
 * under the panel. */
static void dim_rows(uint8_t *dst, uint32_t dst_stride, const uint8_t *src, uint32_t src_stride,
                     uint32_t width, uint32_t height)
{
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *s = src + (size_t)y * src_stride;
        uint8_t *d = dst + (size_t)y * dst_stride;
        for (uint32_t x = 0; x < width * 4; x++)
            d[x] = s[x] >> 2;
    }
}

static void draw_panel(cairo_t *cr, uint32_t width, uint32_t height, const char *title,
                       const char *detail)
{
    double size = CLAMP(height / 24.0, 10.0, 28.0);
    cairo_text_extents_t te, de;
    double pw, ph, px, py;

    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, title, &te);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size * 0.6);
    cairo_text_extents(cr, detail, &de);
    pw = MIN(MAX(te.x_advance, de.x_advance) + size * 2, width);
    ph = MIN(size * 3.2, height);
    px = (width - pw) / 2;
    py = (height - ph) / 2;
    cairo_set_source_rgb(cr, 0.55, 0.12, 0.10);
    cairo_rectangle(cr, px, py, pw, ph);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_move_to(cr, (width - de.x_advance) / 2, py + size * 2.6);
    cairo_show_text(cr, detail);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, (width - te.x_advance) / 2, py + size * 1.4);
    cairo_show_text(cr, title);
}

struct sc_frame *sc_notice_frame_new(uint32_t width, uint32_t height, const uint8_t *under,
                                     uint32_t under_stride, const char *title,
                                     const char *detail)
{
    struct sc_frame *f = sc_frame_new_memfd(width, height);
    cairo_surface_t *surf;
    cairo_t *cr;

    if (!f || !f->map) {
        sc_warn("notice: no %ux%u frame for '%s'", width, height, title);
        sc_frame_unref(f);
        return NULL;
    }
    if (under)
        dim_rows(f->map + f->offset, f->stride, under, under_stride, width, height);
    else
        for (uint32_t y = 0; y < height; y++)
            memset(f->map + f->offset + (size_t)y * f->stride, 0x20, (size_t)width * 4);
    surf = cairo_image_surface_create_for_data(f->map + f->offset, CAIRO_FORMAT_RGB24,
                                               (int)width, (int)height, (int)f->stride);
    cr = cairo_create(surf);
    draw_panel(cr, width, height, title, detail);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    cairo_surface_destroy(surf);
    sc_frame_set_full_damage(f);
    return f;
}
