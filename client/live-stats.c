/* The overlay's live figures: see live-stats.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "client/live-stats.h"
#include "common/stats.h"

#define SECOND_US 1000000

struct sc_live {
    int64_t start_us;                /* the current second began */
    uint32_t frames;
    uint64_t bytes;
    const char *codec;               /* the last frame's path */
    int64_t samples[SC_CLIENT_LIVE_STAGES][SC_LIVE_MAX_SAMPLES];
    unsigned n[SC_CLIENT_LIVE_STAGES];
    struct sc_client_live_stats last;
};

struct sc_live *sc_live_new(void)
{
    struct sc_live *l = g_try_new0(struct sc_live, 1);

    if (l)
        l->start_us = sc_stats_now_us();
    return l;
}

void sc_live_free(struct sc_live *l)
{
    g_free(l);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* nearest rank of the sorted samples; -1 without any */
static void percentiles(int64_t *v, unsigned n, int64_t *p50, int64_t *p95)
{
    if (!n) {
        *p50 = *p95 = -1;
        return;
    }
    qsort(v, n, sizeof(*v), cmp_i64);
    *p50 = v[(n * 50 + 99) / 100 - 1];
    *p95 = v[(n * 95 + 99) / 100 - 1];
}

static void roll(struct sc_live *l, int64_t now)
{
    struct sc_client_live_stats *o = &l->last;
    double secs = (double)(now - l->start_us) / SECOND_US;

    memset(o, 0, sizeof(*o));
    o->valid = true;
    o->frames = l->frames;
    o->fps = l->frames / secs;
    o->kbit_s = (double)l->bytes * 8 / 1000 / secs;
    g_strlcpy(o->codec, l->frames && l->codec ? l->codec : "", sizeof(o->codec));
    for (int s = 0; s < SC_CLIENT_LIVE_STAGES; s++) {
        percentiles(l->samples[s], l->n[s], &o->p50_us[s], &o->p95_us[s]);
        l->n[s] = 0;
    }
    l->frames = 0;
    l->bytes = 0;
    l->start_us = now;
}

static void maybe_roll(struct sc_live *l)
{
    int64_t now = sc_stats_now_us();

    if (now - l->start_us >= SECOND_US)
        roll(l, now);
}

void sc_live_frame(struct sc_live *l, const char *codec)
{
    maybe_roll(l);
    l->frames++;
    l->codec = codec;
}

void sc_live_bytes(struct sc_live *l, uint64_t n)
{
    maybe_roll(l);
    l->bytes += n;
}

void sc_live_sample(struct sc_live *l, enum sc_client_live_stage stage, int64_t us)
{
    maybe_roll(l);
    if (stage < SC_CLIENT_LIVE_STAGES && l->n[stage] < SC_LIVE_MAX_SAMPLES)
        l->samples[stage][l->n[stage]++] = us;
}

bool sc_live_get(struct sc_live *l, struct sc_client_live_stats *out)
{
    maybe_roll(l);
    *out = l->last;
    return l->last.valid;
}
