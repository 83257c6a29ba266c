/* Encoding off the main loop (STYLE.md 9, the work/done split): a worker
 * owns one encoder; frames submitted on the loop thread are encoded on a
 * pool thread, one at a time and in order, and the packets come back on the
 * loop's GMainContext.  The queue is bounded: when it is full, submit()
 * refuses the frame and the caller coalesces or drops it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "codecs/codec.h"

struct sc_encode_worker;

/* On the context's thread: the packets of one frame (valid during the
 * call; each carries its bytes: g_bytes_ref() keeps one without a copy),
 * or status < 0 if encoding failed.  The frame reference taken by
 * submit() is dropped after the call. */
typedef void (*sc_encode_done_fn)(struct sc_frame *frame, const struct sc_packet *packets,
                                  size_t n_packets, int status, void *data);

/* Takes ownership of enc.  max_pending >= 1: frames queued or in flight
 * whose results have not been delivered yet. */
struct sc_encode_worker *sc_encode_worker_new(struct sc_encoder *enc, GMainContext *ctx,
                                              unsigned max_pending, sc_encode_done_fn done,
                                              void *data);
/* Takes a reference on frame.  false when max_pending results are
 * outstanding (nothing is queued then). */
bool sc_encode_worker_submit(struct sc_encode_worker *w, struct sc_frame *frame);
/* The same, encoding only the damage boxes where the backend can
 * (sc_encoder_encode_damage); the boxes are copied, n_damage >= 1.  The
 * packets that come back carry their rect. */
bool sc_encode_worker_submit_damage(struct sc_encode_worker *w, struct sc_frame *frame,
                                    const struct sc_box *damage, unsigned n_damage);
/* Applied on the worker before its next frame. */
void sc_encode_worker_set_bitrate(struct sc_encode_worker *w, uint32_t bitrate);
void sc_encode_worker_force_keyframe(struct sc_encode_worker *w);
/* Records "encode_start" and "encode_end" (µs since each frame's time_us)
 * into stats from the worker thread; NULL: none.  Set before the first
 * submit(); stats must outlive the worker. */
struct sc_stats;
void sc_encode_worker_set_stats(struct sc_encode_worker *w, struct sc_stats *stats);
/* When the frame being delivered (call it from the done callback) was
 * submitted, and its encoding started and ended: CLOCK_MONOTONIC µs
 * (sc_stats_now_us()), measured whether stats are set or not. */
struct sc_encode_times {
    int64_t submit_us, start_us, end_us;
};
struct sc_encode_times sc_encode_worker_times(const struct sc_encode_worker *w);
/* The encoder's stats as of the last delivered frame (loop thread). */
struct sc_encoder_stats sc_encode_worker_stats(struct sc_encode_worker *w);
/* Waits for the frames already queued, drops their results, destroys the
 * encoder.  NULL is fine. */
void sc_encode_worker_destroy(struct sc_encode_worker *w);
