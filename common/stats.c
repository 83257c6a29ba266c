/* Per-stage latency statistics: see stats.h. */
#include "config.h"
#include "common/stats.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

struct stage {
    char *name;
    GArray *window; /* int64_t: the samples of this interval */
    GArray *all;    /* int64_t: every sample, or a reservoir of them */
    uint64_t n;
};

struct sc_stats {
    GMutex lock;
    char *side;
    GPtrArray *stages; /* struct stage *, in first-recorded order */
    sc_stats_sink_fn sink;
    void *sink_data;
    int64_t interval_us;
    int64_t window_start_us;
    uint64_t rng; /* xorshift state for the reservoir */
};

bool sc_stats_enabled(void)
{
    const char *e = getenv("SPICECAST_STATS");
    return e && *e && strcmp(e, "0") != 0;
}

int64_t sc_stats_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void stage_free(gpointer p)
{
    struct stage *st = p;
    g_free(st->name);
    g_array_unref(st->window);
    g_array_unref(st->all);
    g_free(st);
}

struct sc_stats *sc_stats_new(const char *side)
{
    struct sc_stats *s = g_new0(struct sc_stats, 1);
    g_mutex_init(&s->lock);
    s->side = g_strdup(side ? side : "?");
    s->stages = g_ptr_array_new_with_free_func(stage_free);
    s->interval_us = G_USEC_PER_SEC;
    s->rng = 0x9e3779b97f4a7c15ull;
    return s;
}

struct sc_stats *sc_stats_new_from_env(const char *side)
{
    return sc_stats_enabled() ? sc_stats_new(side) : NULL;
}

void sc_stats_set_sink(struct sc_stats *s, sc_stats_sink_fn fn, void *data)
{
    if (!s)
        return;
    g_mutex_lock(&s->lock);
    s->sink = fn;
    s->sink_data = data;
    g_mutex_unlock(&s->lock);
}

void sc_stats_set_interval(struct sc_stats *s, int64_t interval_us)
{
    if (!s)
        return;
    g_mutex_lock(&s->lock);
    s->interval_us = interval_us;
    g_mutex_unlock(&s->lock);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* nearest rank: the smallest sample with at least p % at or below it */
static int64_t rank(const int64_t *v, size_t n, unsigned p)
{
    size_t k = (n * p + 99) / 100;
    return v[k ? k - 1 : 0];
}

static bool summarize(GArray *a, uint64_t n, struct sc_stats_summary *out)
{
    if (a->len == 0)
        return false;
    int64_t *v = g_memdup2(a->data, (gsize)a->len * sizeof(int64_t));
    qsort(v, a->len, sizeof(*v), cmp_i64);
    out->n = n;
    out->p50 = rank(v, a->len, 50);
    out->p95 = rank(v, a->len, 95);
    out->p99 = rank(v, a->len, 99);
    g_free(v);
    return true;
}

/* X.Xms; X.XXXms below 1 ms (the local path's stages are µs) */
static const char *ms(char *buf, size_t size, int64_t us)
{
    snprintf(buf, size, us > -1000 && us < 1000 ? "%.3f" : "%.1f", us / 1000.0);
    return buf;
}

void sc_stats_format(char *buf, size_t size, const char *side, const char *stage,
                     const struct sc_stats_summary *sum, bool total)
{
    char a[32], b[32], c[32];

    snprintf(buf, size, "stats: %s %s n=%llu p50=%sms p95=%sms p99=%sms%s", side, stage,
             (unsigned long long)sum->n, ms(a, sizeof(a), sum->p50), ms(b, sizeof(b), sum->p95),
             ms(c, sizeof(c), sum->p99), total ? " total" : "");
}

/* Lines formatted under the lock, written after it is released (a sink
 * that records, or blocks on output, holds no other thread up). */
struct lines {
    GPtrArray *text; /* char *; NULL until the first line */
    sc_stats_sink_fn sink;
    void *data;
};

static void emit(struct sc_stats *s, struct lines *out, const char *stage,
                 const struct sc_stats_summary *sum, bool total)
{
    char line[SC_STATS_LINE_SIZE];
    sc_stats_format(line, sizeof(line), s->side, stage, sum, total);
    if (!out->text) {
        out->text = g_ptr_array_new_with_free_func(g_free);
        out->sink = s->sink;
        out->data = s->sink_data;
    }
    g_ptr_array_add(out->text, g_strdup(line));
}

/* without the lock */
static void write_lines(struct lines *out)
{
    if (!out->text)
        return;
    for (guint i = 0; i < out->text->len; i++) {
        const char *line = g_ptr_array_index(out->text, i);
        if (out->sink)
            out->sink(line, out->data);
        else
            sc_info("%s", line);
    }
    g_ptr_array_unref(out->text);
}

/* the interval's lines, then a fresh interval; with the lock held */
static void flush_window(struct sc_stats *s, struct lines *out, int64_t now)
{
    for (guint i = 0; i < s->stages->len; i++) {
        struct stage *st = g_ptr_array_index(s->stages, i);
        struct sc_stats_summary sum;
        if (summarize(st->window, st->window->len, &sum))
            emit(s, out, st->name, &sum, false);
        g_array_set_size(st->window, 0);
    }
    s->window_start_us = now;
}

static struct stage *find_stage(struct sc_stats *s, const char *name, bool create)
{
    for (guint i = 0; i < s->stages->len; i++) {
        struct stage *st = g_ptr_array_index(s->stages, i);
        if (strcmp(st->name, name) == 0)
            return st;
    }
    if (!create)
        return NULL;
    struct stage *st = g_new0(struct stage, 1);
    st->name = g_strdup(name);
    st->window = g_array_new(FALSE, FALSE, sizeof(int64_t));
    st->all = g_array_new(FALSE, FALSE, sizeof(int64_t));
    g_ptr_array_add(s->stages, st);
    return st;
}

static uint64_t next_rand(struct sc_stats *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

void sc_stats_record(struct sc_stats *s, const char *stage, int64_t us)
{
    if (!s || !stage)
        return;
    int64_t now = sc_stats_now_us();
    struct lines out = { 0 };
    g_mutex_lock(&s->lock);
    if (s->window_start_us == 0)
        s->window_start_us = now;
    struct stage *st = find_stage(s, stage, true);
    st->n++;
    if (st->all->len < SC_STATS_MAX_SAMPLES) {
        g_array_append_val(st->all, us);
    } else {
        uint64_t k = next_rand(s) % st->n; /* reservoir: keep with p = max/n */
        if (k < SC_STATS_MAX_SAMPLES)
            g_array_index(st->all, int64_t, k) = us;
    }
    if (st->window->len < SC_STATS_MAX_SAMPLES)
        g_array_append_val(st->window, us);
    if (s->interval_us > 0 && now - s->window_start_us >= s->interval_us)
        flush_window(s, &out, now);
    g_mutex_unlock(&s->lock);
    write_lines(&out);
}

void sc_stats_restart(struct sc_stats *s)
{
    if (!s)
        return;
    g_mutex_lock(&s->lock);
    for (guint i = 0; i < s->stages->len; i++) {
        struct stage *st = g_ptr_array_index(s->stages, i);
        g_array_set_size(st->all, 0);
        g_array_set_size(st->window, 0);
        st->n = 0;
    }
    s->window_start_us = 0;
    g_mutex_unlock(&s->lock);
}

void sc_stats_record_since(struct sc_stats *s, const char *stage, int64_t since_us)
{
    if (!s || since_us == 0)
        return;
    sc_stats_record(s, stage, sc_stats_now_us() - since_us);
}

bool sc_stats_get(struct sc_stats *s, const char *stage, struct sc_stats_summary *out)
{
    if (!s || !stage)
        return false;
    g_mutex_lock(&s->lock);
    struct stage *st = find_stage(s, stage, false);
    bool ok = st && summarize(st->all, st->n, out);
    g_mutex_unlock(&s->lock);
    return ok;
}

void sc_stats_summary(struct sc_stats *s)
{
    if (!s)
        return;
    struct lines out = { 0 };
    g_mutex_lock(&s->lock);
    for (guint i = 0; i < s->stages->len; i++) {
        struct stage *st = g_ptr_array_index(s->stages, i);
        struct sc_stats_summary sum;
        if (summarize(st->all, st->n, &sum))
            emit(s, &out, st->name, &sum, true);
    }
    g_mutex_unlock(&s->lock);
    write_lines(&out);
}

void sc_stats_free(struct sc_stats *s)
{
    if (!s)
        return;
    sc_stats_summary(s);
    g_ptr_array_unref(s->stages);
    g_free(s->side);
    g_mutex_clear(&s->lock);
    g_free(s);
}
