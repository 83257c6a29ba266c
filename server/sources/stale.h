#pragma once
/* Which part of a reused pool frame is out of date, for sources that
 * refill pool frames: the damage of the frames emitted since that frame
 * last went out, plus its own.  Everything when the frame is new to us or
 * older than the history. */

#include <stdbool.h>
#include <stdint.h>

#include "common/frame.h"

#define SC_STALE_HISTORY 16 /* emitted frames remembered */
#define SC_STALE_FRAMES 8   /* pool frames tracked; more are redrawn whole */

struct sc_stale_rec {
    bool full;
    uint32_t n_damage;
    struct sc_box damage[SC_FRAME_MAX_DAMAGE];
};

struct sc_stale {
    uint64_t n_emitted;
    struct {
        const struct sc_frame *frame;
        uint64_t n; /* n_emitted when it went out */
    } held[SC_STALE_FRAMES];
    struct sc_stale_rec hist[SC_STALE_HISTORY];
};

/* Forgets every frame (a new pool: its frames may reuse old addresses). */
void sc_stale_forget_frames(struct sc_stale *st);
/* Sets out (a damage-only frame of width x height) to what pool frame f
 * lacks, given the damage it is about to carry. */
void sc_stale_region(const struct sc_stale *st, const struct sc_frame *f,
                     const struct sc_frame *damage, uint32_t width, uint32_t height,
                     struct sc_frame *out);
/* Records an emitted frame's damage; f (NULL when it is no pool frame) now
 * holds it. */
void sc_stale_emitted(struct sc_stale *st, const struct sc_frame *f, const struct sc_frame *damage);
