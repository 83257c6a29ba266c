/* The viewer's pixel composition: the primary surface as a BGRX canvas
 * (top-down), and what is drawn into it: scaled, clipped blits of BGRX
 * images, solid fills, SPICE bitmaps of 16, 24 and 32 bits turned into
 * BGRX, and decoded video frames converted and blitted (the fallback for a
 * renderer that does not take frames itself).  No I/O, no protocol state:
 * the display channel calls it, and it reports what changed through the
 * damage callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codecs/codec.h"
#include "common/messages.h"
#include "common/stamp.h"

#define SC_CANVAS_MAX_DIM 16384

struct sc_canvas {
    uint8_t *pixels; /* NULL before the first surface */
    uint32_t width, height, stride;
    uint8_t *scratch; /* conversions' output, reused */
    size_t scratch_size;
    /* pixels changed in this rectangle (inside the canvas, non-empty) */
    void (*damage)(void *data, int32_t x, int32_t y, int32_t w, int32_t h);
    void *data;
};

/* A fresh black canvas of width x height (each 1..SC_CANVAS_MAX_DIM); false:
 * no memory (the old one is gone then too). */
bool sc_canvas_resize(struct sc_canvas *cv, uint32_t width, uint32_t height);
/* Frees the pixels and the scratch buffer. */
void sc_canvas_clear(struct sc_canvas *cv);
/* A buffer of at least size bytes owned by the canvas, or NULL. */
uint8_t *sc_canvas_scratch(struct sc_canvas *cv, size_t size);

/* A non-empty rect whose width and height fit int32 */
bool sc_rect_sane(const struct sc_rect *r);
/* Reports r (clipped to the canvas) through damage(). */
void sc_canvas_damage(struct sc_canvas *cv, const struct sc_rect *r);

/* Copies the image (BGRX, iw x ih, top-down unless flip) scaled from src
 * onto box, inside each clip rect.  false: src is not inside the image
 * (nothing drawn).  Reports no damage (the caller knows the box). */
bool sc_canvas_blit(struct sc_canvas *cv, const uint8_t *img, uint32_t iw, uint32_t ih, bool flip,
                    const struct sc_rect *src, const struct sc_rect *box,
                    const struct sc_clip *clip);
/* Fills box with color (0xRRGGBB) inside each clip rect; damage reported. */
void sc_canvas_fill(struct sc_canvas *cv, uint32_t color, const struct sc_rect *box,
                    const struct sc_clip *clip);
/* A DRAW_COPY BITMAP (32BIT, RGBA, 24BIT, 16BIT; either row order) as
 * top-down BGRX, width*4 per row, in the scratch buffer; NULL: another
 * format, too large, or no memory. */
const uint8_t *sc_canvas_bitmap(struct sc_canvas *cv, const struct sc_draw_copy *m);
/* The frame stamp (common/stamp.h) at the top-left of a decoded CPU frame
 * (bottom-up unless top_down) / of the canvas; false: none there. */
bool sc_canvas_frame_stamp(const struct sc_decoded_frame *f, bool top_down, struct sc_stamp *out);
bool sc_canvas_stamp(const struct sc_canvas *cv, struct sc_stamp *out);
/* The convert-and-blit fallback: a CPU frame converted to BGRX (scratch)
 * and blitted onto dest within clip, bottom-up unless top_down; damage
 * reported.  false: not a CPU frame, or no memory. */
bool sc_canvas_blit_decoded(struct sc_canvas *cv, const struct sc_decoded_frame *f, bool top_down,
                            const struct sc_rect *dest, const struct sc_clip *clip);
