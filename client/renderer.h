/* The viewer's renderer: one ops table behind the window's widget, one file
 * per backend (renderer-gl.c: GL through libepoxy inside a GtkGLArea;
 * renderer-cairo.c: CPU fallback in a GtkDrawingArea).  The window picks
 * one at run time (probe) and never tests for a backend elsewhere.
 *
 * Every call except create()/destroy() on the GL backend comes with the
 * GL context current (the window calls it from GtkGLArea::render or after
 * gtk_gl_area_make_current()).  The canvas is the client's BGRX primary
 * surface; the renderer keeps its own copy (texture, image surface) and is
 * told which rectangles changed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "client/scanout-maps.h"
#include "codecs/codec.h"

#define SC_RENDERER_REASON_SIZE 256

/* Where the surface goes in the widget, in device pixels (origin top-left). */
struct sc_viewport {
    int widget_width, widget_height; /* the whole drawable */
    int x, y, width, height;         /* the scaled surface, aspect ratio kept */
};

/* Fits a surface of sw x sh into a widget of ww x wh, centred. */
void sc_viewport_fit(struct sc_viewport *vp, int ww, int wh, uint32_t sw, uint32_t sh);

struct sc_renderer_ops;
struct sc_client_scanout;

/* Base struct: every backend embeds it first. */
struct sc_renderer {
    const struct sc_renderer_ops *impl;
    uint32_t width, height; /* the surface, 0 before surface() */
};

struct sc_renderer_ops {
    const char *name; /* "gl", "cairo" */
    /* NULL on failure with the reason (GL: the context is current). */
    struct sc_renderer *(*create)(char *reason, size_t reason_size);
    /* The surface was (re)created: width x height, contents undefined. */
    void (*surface)(struct sc_renderer *r, uint32_t width, uint32_t height);
    /* Canvas pixels (BGRX, top-down) changed in these rectangles. */
    void (*update)(struct sc_renderer *r, const uint8_t *canvas, uint32_t stride,
                   const cairo_rectangle_int_t *rects, int n_rects);
    /* A decoded video frame for dest (x, y, w, h): true if the renderer
     * took it (it draws it over the canvas until update() touches that
     * rectangle); NULL op or false: the client composes it. */
    bool (*video_frame)(struct sc_renderer *r, const struct sc_decoded_frame *frame, int32_t x,
                        int32_t y, int32_t w, int32_t h);
    /* The scanout buffer (fd borrowed: dup it to keep it); -1 ends it.
     * top_down: row 0 in memory is the top row (SPICE's Y0TOP flag clear).
     * Returns false if it cannot be shown (format, mapping). */
    bool (*gl_scanout)(struct sc_renderer *r, int fd, uint32_t width, uint32_t height,
                       uint32_t stride, uint32_t fourcc, bool top_down);
    /* A GL_SCANOUT2 scanout (planes, offsets, a modifier; fds borrowed):
     * false if it cannot be shown (NULL op: never). */
    bool (*gl_scanout_planes)(struct sc_renderer *r, const struct sc_client_scanout *s);
    /* The scanout changed in (x, y, w, h): refresh the copy (import: nothing). */
    void (*gl_draw)(struct sc_renderer *r, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
    /* Draw into the widget: cr for cairo, NULL for GL (default framebuffer
     * bound by GtkGLArea). */
    void (*draw)(struct sc_renderer *r, cairo_t *cr, const struct sc_viewport *vp);
    void (*destroy)(struct sc_renderer *r); /* GL: the context is current */
};

extern const struct sc_renderer_ops sc_renderer_gl;
extern const struct sc_renderer_ops sc_renderer_cairo;

/* A DRM fourcc our renderers show, and its bytes per pixel (0: no). */
unsigned sc_renderer_fourcc_bpp(uint32_t fourcc);

/* The eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT) attributes of a scanout of
 * planes: size, fourcc, per plane fd, offset, pitch and, with_modifier (the
 * display has EGL_EXT_image_dma_buf_import_modifiers), the modifier unless
 * it is DRM_FORMAT_MOD_INVALID (implicit); EGL_NONE last.  The count
 * written, 0 if max is too small or the plane count is not 1..4
 * (renderer-dmabuf.c). */
unsigned sc_renderer_dmabuf_attrs(const struct sc_client_scanout *s, bool with_modifier,
                                  int32_t *attrs, unsigned max);

/* Maps a scanout fd read-only for the CPU fallbacks; NULL + reason. */
void *sc_renderer_map_scanout(int fd, uint32_t stride, uint32_t height, size_t *size,
                              char *reason, size_t reason_size);

