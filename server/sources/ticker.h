/* A frame clock for sources: calls back at a fixed rate (num/den frames per
 * second) from a GSource on the thread-default main context of the thread
 * that starts it.  Ticks are scheduled on absolute times (no drift); when
 * the loop falls behind by more than a tick, the schedule restarts from now
 * instead of firing a burst of late ticks. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

typedef void (*sc_ticker_fn)(void *data);

struct sc_ticker {
    GSource *gsource;
    gint64 base_us;   /* time of tick 0 */
    uint64_t n;       /* ticks fired since base */
    uint32_t num, den;
    sc_ticker_fn fn;
    void *data;
};

/* Starts (or restarts) ticking; the first tick fires on the next loop
 * iteration. */
void sc_ticker_start(struct sc_ticker *t, uint32_t num, uint32_t den, sc_ticker_fn fn, void *data);
void sc_ticker_stop(struct sc_ticker *t);
bool sc_ticker_running(const struct sc_ticker *t);
