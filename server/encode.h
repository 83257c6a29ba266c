/* A display client's lossless updates (server/encode.c): its own lossless
 * encoder (codecs/lossless.c: LZ4 where it pays, raw otherwise) on its own
 * encode worker (codecs/worker.c, as the video streams use), fed with the
 * client's damage; the DRAW_COPY bodies come back on the main context of
 * the thread that created it. */
#pragma once
#include <stdbool.h>

#include <glib.h>

#include "codecs/codec.h"
#include "common/frame.h"

struct sc_lossless;

/* bodies: the GBytes DRAW_COPY bodies of one submit, in order (the callee
 * owns the array); empty if encoding failed. */
typedef void (*sc_lossless_done_fn)(GPtrArray *bodies, void *data);

/* The worker starts with the first submit. */
struct sc_lossless *sc_lossless_new(sc_lossless_done_fn done, void *data);
/* Encodes the n boxes of frame (lz4: lossless:lz4, else lossless:raw; a
 * change of form makes a new encoder, once nothing is in flight) and takes
 * a frame reference until done; the boxes are copied.  done runs once for
 * each true; false (nothing queued): the worker's queue is full, the form
 * changes while a submit is in flight, or no encoder could be made. */
bool sc_lossless_submit(struct sc_lossless *l, struct sc_frame *frame, const struct sc_box *boxes,
                        unsigned n, bool lz4);
/* Waits for the submit in flight and drops its result.  NULL is fine. */
void sc_lossless_free(struct sc_lossless *l);
/* The DRAW_COPY body (surface 0, the packet's rect) of one lossless packet:
 * raw as a top-down BITMAP, lz4 as an LZ4 image.  NULL if it cannot be
 * built. */
GBytes *sc_lossless_draw_copy(const struct sc_packet *packet);
