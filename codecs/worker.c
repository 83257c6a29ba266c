/* The encode worker: GThreadPool (one thread per encoder, so frames stay in
 * order and the encoder is never used from two threads) for the work,
 * g_main_context_invoke_full() for the done half. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/worker.h"
#include "common/frame.h"
#include "common/stats.h"

struct sc_encode_worker {
    gint refcount;
    gint alive;             /* 0 once destroy() began: results are dropped */
    gint pending;           /* submitted, not yet delivered */
    guint max_pending;
    GMutex lock;            /* guards the two requests below */
    bool keyframe_request;
    uint32_t new_bitrate;   /* 0: none */
    GThreadPool *pool;
    GMainContext *ctx;
    struct sc_encoder *enc;
    struct sc_encoder_stats stats;
    sc_encode_done_fn done;
    void *data;
    struct sc_stats *latency; /* NULL: not measured */
    struct sc_encode_times times; /* of the frame being delivered */
};

struct job {
    struct sc_encode_worker *w;
    struct sc_frame *frame;
    struct sc_box *damage; /* owned; NULL: the whole frame */
    unsigned n_damage;
    GArray *packets; /* struct sc_packet, data owned */
    int status;
    struct sc_encoder_stats stats;
    struct sc_encode_times times;
};

static void worker_unref(struct sc_encode_worker *w)
{
    if (!g_atomic_int_dec_and_test(&w->refcount))
        return;
    g_main_context_unref(w->ctx);
    g_mutex_clear(&w->lock);
    g_free(w);
}

static void job_free(struct job *j)
{
    for (guint i = 0; i < j->packets->len; i++)
        g_bytes_unref(g_array_index(j->packets, struct sc_packet, i).bytes);
    g_array_unref(j->packets);
    g_free(j->damage);
    sc_frame_unref(j->frame);
    worker_unref(j->w);
    g_free(j);
}

/* A packet whose bytes the encoder hands over is kept by reference; any
 * other is copied once. */
static void keep_packet(const struct sc_packet *p, void *data)
{
    struct job *j = data;
    struct sc_packet kept = *p;
    if (p->bytes) { /* the packet may be part of them: keep exactly that part */
        gsize n;
        const uint8_t *base = g_bytes_get_data(p->bytes, &n);
        kept.bytes = p->data == base && p->size == n
                         ? g_bytes_ref(p->bytes)
                         : g_bytes_new_from_bytes(p->bytes, (gsize)(p->data - base), p->size);
    } else {
        kept.bytes = g_bytes_new(p->data, p->size);
    }
    kept.data = g_bytes_get_data(kept.bytes, NULL);
    g_array_append_val(j->packets, kept);
}

/* loop thread */
static gboolean deliver(gpointer data)
{
    struct job *j = data;
    struct sc_encode_worker *w = j->w;
    /* delivered from here on: done() may submit the next frame at once */
    g_atomic_int_add(&w->pending, -1);
    if (g_atomic_int_get(&w->alive)) {
        w->stats = j->stats;
        w->times = j->times;
        w->done(j->frame, (const struct sc_packet *)(void *)j->packets->data, j->packets->len,
                j->status, w->data);
    }
    job_free(j);
    return G_SOURCE_REMOVE;
}

/* pool thread */
static void work(gpointer data, gpointer user)
{
    struct job *j = data;
    struct sc_encode_worker *w = user;
    g_mutex_lock(&w->lock);
    uint32_t bitrate = w->new_bitrate;
    bool key = w->keyframe_request;
    w->new_bitrate = 0;
    w->keyframe_request = false;
    g_mutex_unlock(&w->lock);
    if (bitrate)
        sc_encoder_set_bitrate(w->enc, bitrate);
    if (key)
        sc_encoder_force_keyframe(w->enc);
    j->times.start_us = sc_stats_now_us();
    if (j->frame->time_us)
        sc_stats_record(w->latency, "encode_start", j->times.start_us - j->frame->time_us);
    j->status = sc_encoder_encode_damage(w->enc, j->frame, j->damage, j->n_damage, keep_packet, j);
    j->times.end_us = sc_stats_now_us();
    if (j->frame->time_us)
        sc_stats_record(w->latency, "encode_end", j->times.end_us - j->frame->time_us);
    j->stats = w->enc->stats;
    /* always through a source: g_main_context_invoke() would run deliver()
     * right here when no thread holds the context at this moment */
    GSource *src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, deliver, j, NULL);
    g_source_attach(src, w->ctx);
    g_source_unref(src);
}

struct sc_encode_worker *sc_encode_worker_new(struct sc_encoder *enc, GMainContext *ctx,
                                              unsigned max_pending, sc_encode_done_fn done,
                                              void *data)
{
    g_assert(enc && done && max_pending >= 1);
    struct sc_encode_worker *w = g_new0(struct sc_encode_worker, 1);
    w->refcount = 1;
    w->alive = 1;
    w->max_pending = max_pending;
    w->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    w->enc = enc;
    w->done = done;
    w->data = data;
    g_mutex_init(&w->lock);
    GError *err = NULL;
    w->pool = g_thread_pool_new(work, w, 1, FALSE, &err);
    if (!w->pool) {
        g_clear_error(&err);
        g_main_context_unref(w->ctx);
        g_mutex_clear(&w->lock);
        g_free(w);
        return NULL;
    }
    return w;
}

bool sc_encode_worker_submit(struct sc_encode_worker *w, struct sc_frame *frame)
{
    return sc_encode_worker_submit_damage(w, frame, NULL, 0);
}

bool sc_encode_worker_submit_damage(struct sc_encode_worker *w, struct sc_frame *frame,
                                    const struct sc_box *damage, unsigned n_damage)
{
    if ((guint)g_atomic_int_get(&w->pending) >= w->max_pending)
        return false;
    struct job *j = g_new0(struct job, 1);
    j->w = w;
    j->times.submit_us = sc_stats_now_us();
    if (damage && n_damage) {
        j->damage = g_memdup2(damage, sizeof(*damage) * n_damage);
        j->n_damage = n_damage;
    }
    g_atomic_int_inc(&w->refcount);
    j->frame = sc_frame_ref(frame);
    j->packets = g_array_new(FALSE, FALSE, sizeof(struct sc_packet));
    g_atomic_int_inc(&w->pending);
    g_thread_pool_push(w->pool, j, NULL);
    return true;
}

void sc_encode_worker_set_bitrate(struct sc_encode_worker *w, uint32_t bitrate)
{
    g_mutex_lock(&w->lock);
    w->new_bitrate = bitrate;
    g_mutex_unlock(&w->lock);
}

void sc_encode_worker_force_keyframe(struct sc_encode_worker *w)
{
    g_mutex_lock(&w->lock);
    w->keyframe_request = true;
    g_mutex_unlock(&w->lock);
}

struct sc_encode_times sc_encode_worker_times(const struct sc_encode_worker *w)
{
    return w->times;
}

struct sc_encoder_stats sc_encode_worker_stats(struct sc_encode_worker *w)
{
    return w->stats;
}

void sc_encode_worker_destroy(struct sc_encode_worker *w)
{
    if (!w)
        return;
    g_atomic_int_set(&w->alive, 0);
    /* runs what is queued (bounded by max_pending), then joins the thread;
     * their deliver() calls drop the results and release the frames */
    g_thread_pool_free(w->pool, FALSE, TRUE);
    sc_encoder_destroy(w->enc);
    w->enc = NULL;
    worker_unref(w);
}

void sc_encode_worker_set_stats(struct sc_encode_worker *w, struct sc_stats *stats)
{
    w->latency = stats;
}
