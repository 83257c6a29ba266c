/* Per-stage latency statistics (issue 9): each side (the server, a viewer,
 * a probe) records one sample per frame and stage, in microseconds, and
 * logs the 50th/95th/99th percentiles once a second (the samples of that
 * second) and once at the end (every sample), one line per stage:
 *
 *   stats: <side> <stage> n=N p50=X.Xms p95=X.Xms p99=X.Xms
 *
 * the final summary with " total" after the numbers; below 1 ms with
 * three decimals (X.XXXms: µs resolution for the local path's stages).  Stages are kept in
 * the order they were first recorded.  SPICECAST_STATS=1 turns it on:
 * sc_stats_new_from_env() returns NULL otherwise, and every function takes
 * NULL as "off" at the cost of one branch.  Thread-safe (a mutex per
 * accumulator: the encode worker and the main loop record into the same
 * one).  Memory is bounded: past SC_STATS_MAX_SAMPLES per stage the total
 * keeps a uniform random sample (reservoir), the figures stay unbiased. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_STATS_MAX_SAMPLES (1u << 18) /* per stage, for the summary */
#define SC_STATS_LINE_SIZE 160

struct sc_stats;

struct sc_stats_summary {
    uint64_t n;            /* samples recorded */
    int64_t p50, p95, p99; /* microseconds (nearest rank) */
};

/* Receives each line (without a newline); the default logs it with
 * sc_info().  Called without the accumulator's lock (it may record into
 * it), on the thread whose record or summary produced the lines. */
typedef void (*sc_stats_sink_fn)(const char *line, void *data);

/* SPICECAST_STATS is set and not "0". */
bool sc_stats_enabled(void);
/* side: "server", "viewer", "probe" ... (copied) */
struct sc_stats *sc_stats_new(const char *side);
/* sc_stats_new(side) if sc_stats_enabled(), else NULL. */
struct sc_stats *sc_stats_new_from_env(const char *side);
/* Where lines go (NULL fn: back to the log); interval_us: how often the
 * per-second lines come (0: never; default 1 s). */
void sc_stats_set_sink(struct sc_stats *s, sc_stats_sink_fn fn, void *data);
void sc_stats_set_interval(struct sc_stats *s, int64_t interval_us);
/* Records one sample of `stage` (a short name without spaces, copied on
 * first use); logs the interval's lines when one has passed. */
void sc_stats_record(struct sc_stats *s, const char *stage, int64_t us);
/* Records now - since_us (both CLOCK_MONOTONIC µs, sc_stats_now_us());
 * nothing when since_us is 0 (a frame that carries no time). */
void sc_stats_record_since(struct sc_stats *s, const char *stage, int64_t since_us);
/* The percentiles of every sample of `stage` so far; false if none. */
bool sc_stats_get(struct sc_stats *s, const char *stage, struct sc_stats_summary *out);
/* Forgets every sample so far (a warm-up's): the summary covers what is
 * recorded from now on; the stages keep their order.  NULL is fine. */
void sc_stats_restart(struct sc_stats *s);
/* Writes the final summary (every stage with samples). */
void sc_stats_summary(struct sc_stats *s);
/* Writes the summary if anything was recorded, then frees; NULL is fine. */
void sc_stats_free(struct sc_stats *s);
/* CLOCK_MONOTONIC in microseconds (the clock of every stage and stamp). */
int64_t sc_stats_now_us(void);
/* Formats one line as above into buf (SC_STATS_LINE_SIZE). */
void sc_stats_format(char *buf, size_t size, const char *side, const char *stage,
                     const struct sc_stats_summary *sum, bool total);
