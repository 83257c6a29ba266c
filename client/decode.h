/* Decoding off the loop thread (STYLE.md 9, the work/done split, as
 * codecs/worker.c does for encoders): a worker owns the decoders of one
 * stream, touches them only on its pool thread, one packet at a time and in
 * order, and hands each result back on the loop's GMainContext.
 *
 * Bounded: at most max_pending packets queued or in flight.  A packet that
 * finds the queue full is dropped, and so is every packet after it up to
 * the next keyframe (a frame that refers to a dropped one would show
 * garbage); each counts as a drop.
 *
 * Fallback: the decoders are the registry's working ones for the codec, in
 * its order.  When one fails to start, or fails at run time (-ETIMEDOUT:
 * a GStreamer decoder stuck on a packet past its bound), it is dropped and
 * the next one takes over from the next keyframe.  When none is left, the
 * results say so (no_decoder). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "codecs/codec.h"
#include "codecs/packet.h"

struct sc_decode_worker;

struct sc_decode_result {
    /* status 1: frame holds the picture (CPU planes, valid during the
     * call); 0: no frame from this packet; -errno: a bad packet */
    int status;
    const struct sc_decoded_frame *frame;
    uint32_t mm_time;       /* the packet's, as submitted */
    int64_t recv_us;        /* as submitted (sc_stats_now_us) */
    int64_t decode_start_us; /* when the worker took it up (sc_stats_now_us) */
    int64_t decode_end_us;  /* when the decoder returned (sc_stats_now_us) */
    const char *decoder;    /* the backend that decoded it; NULL: none */
    bool no_decoder;        /* every decoder for the codec failed */
};

typedef void (*sc_decode_done_fn)(const struct sc_decode_result *r, void *data);

/* NULL (with the reason) when the registry has no working decoder for
 * codec.  max_pending >= 1. */
struct sc_decode_worker *sc_decode_worker_new(int codec, const struct sc_decoder_params *params,
                                              GMainContext *ctx, unsigned max_pending,
                                              sc_decode_done_fn done, void *data, char *why,
                                              size_t why_size);
/* Copies the packet.  false: dropped (queue full, or waiting for the next
 * keyframe, or no decoder left). */
bool sc_decode_worker_submit(struct sc_decode_worker *w, const uint8_t *data, size_t size,
                             uint32_t mm_time, int64_t recv_us);
/* Packets dropped so far (here and on the worker: skipped to a keyframe). */
uint32_t sc_decode_worker_drops(struct sc_decode_worker *w);
/* Workers being destroyed whose decoders are not gone yet: a decode in
 * flight finishes first, up to the decoders' own stall bound (a GStreamer
 * decoder's 1 s).  Their owner's teardown waits for them (a decoder may
 * not outlive its client); nothing else does. */
struct sc_decode_reaper;
struct sc_decode_reaper *sc_decode_reaper_new(void);
/* Waits until every worker destroyed with r has destroyed its decoder,
 * then frees r.  NULL is fine. */
void sc_decode_reaper_free(struct sc_decode_reaper *r);
/* At most this many workers destroyed with one reaper may still be ending
 * their decoders: a server that creates and destroys stalling streams in a
 * loop would otherwise pile up threads and pipelines. */
#define SC_DECODE_MAX_DYING 4
/* Returns at once (the loop thread never waits for a decode): results not
 * delivered yet are dropped, and the decoder is destroyed on the worker
 * once its queued packets (now skipped) and a decode in flight are
 * through; r (may be NULL: nobody waits) counts the worker until then.
 * With SC_DECODE_MAX_DYING already ending under r, it first waits for one
 * of them (a decode ends within the decoders' own bound).  NULL w is fine. */
void sc_decode_worker_destroy(struct sc_decode_worker *w, struct sc_decode_reaper *r);

