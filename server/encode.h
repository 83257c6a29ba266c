/* Lossless encoding off the main loop (server/encode.c). */
#pragma once
#include <stdbool.h>

#include <cairo.h>
#include <glib.h>

#include "frame.h"

struct sc_encode_job;
/* bodies: GBytes DRAW_COPY bodies; lz4_poor: LZ4 did not pay off (the
 * content is noise-like: the caller may send raw for a while) */
typedef void (*sc_lossless_done_fn)(GPtrArray *bodies, bool lz4_poor, void *data);
/* Encodes the given rectangles of frame as DRAW_COPY bodies (LZ4 if lz4,
 * raw bitmap otherwise) on a worker thread; done runs on the main context.
 * The job holds a frame reference until it is done. */
void sc_encode_submit(struct sc_frame *frame, const cairo_rectangle_int_t *rects, int n_rects,
                      bool lz4, sc_lossless_done_fn done, void *data);
/* Synchronous version (tests, benchmarks). */
GPtrArray *sc_encode_rects(struct sc_frame *frame, const cairo_rectangle_int_t *rects,
                           int n_rects, bool lz4, bool *lz4_poor);
