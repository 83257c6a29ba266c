/* A display client's lossless updates (server/encode.c): its own lossless
 * encoder (codecs/lossless.c: LZ4 where it pays, raw otherwise) on its own
 * encode worker (codecs/worker.c, as the video streams use), fed with the
 * client's damage; the DRAW_COPY bodies come back on the main context of
 * the thread that created it, each as its head and the encoder's packet
 * (handed over, not copied: sc_cc_send_body_parts queues it as is). */
#pragma once
#include <stdbool.h>

#include <glib.h>

#include "codecs/codec.h"
#include "common/frame.h"

struct sc_lossless;

/* One DRAW_COPY body: head (the message up to its image data) then
 * payload (the image data, the encoder's packet bytes). */
struct sc_lossless_update {
    GBytes *head, *payload;
};

/* The n updates of one submit, in order (valid during the call: take a
 * reference to keep one); none if encoding failed. */
typedef void (*sc_lossless_done_fn)(const struct sc_lossless_update *updates, size_t n,
                                    void *data);

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
/* The head of the DRAW_COPY (surface 0, the packet's rect) of one lossless
 * packet, whose data follows it: raw as a top-down BITMAP, lz4 as an LZ4
 * image.  NULL if it cannot be built. */
GBytes *sc_lossless_draw_copy_head(const struct sc_packet *packet);
