/* The decode worker (client/decode.h): GThreadPool of one thread per
 * stream for the work, an idle source on the loop's context for the done
 * half; the decoders live and die on the pool thread.  destroy() returns at
 * once; the reaper it is given counts the worker until its decoder is
 * gone, and the owner's teardown waits for that (sc_decode_reaper_free).
 * The pictures handed to the loop lie in a few buffers the worker reuses
 * (SPARE_BUFFERS), not one allocation per frame. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "client/decode.h"
#include "common/log.h"
#include "common/stats.h"

#define MAX_CANDIDATES 8
/* picture buffers kept for reuse: one being filled, one shown, one queued */
#define SPARE_BUFFERS 3

struct sc_decode_worker {
    gint refcount;
    gint alive;       /* 0 once destroy() began: work is skipped, results dropped */
    gint pending;     /* submitted, not yet decoded */
    gint queued;      /* decoded, not yet delivered on the loop */
    gint drops;       /* every packet dropped, here and on the worker */
    gint dead;        /* no decoder left */
    guint max_pending;
    bool skipping;    /* loop: dropping up to the next keyframe */
    int codec;
    struct sc_decoder_params params;
    GThreadPool *pool;
    GMainContext *ctx;
    sc_decode_done_fn done;
    void *data;
    /* the pool thread's */
    const struct sc_decoder_ops *ops[MAX_CANDIDATES];
    unsigned n_ops, next;
    struct sc_decoder *dec;
    bool need_key;
    /* picture buffers back from the loop, for the next pictures */
    GMutex spare_lock;
    struct buffer { uint8_t *data; size_t size; } spare[SPARE_BUFFERS];
    unsigned n_spare;
};

struct sc_decode_reaper {
    GMutex lock;
    GCond cond;
    unsigned dying; /* workers destroyed, their decoders not yet */
};

struct job {
    struct sc_decode_worker *w;
    bool last;       /* destroy()'s: the decoder dies on its thread */
    struct sc_decode_reaper *reaper; /* last's: told when it has (may be NULL) */
    uint8_t *packet;
    size_t size;
    struct sc_decode_result r;
    struct sc_decoded_frame frame;
    struct buffer pixels; /* the frame's planes, copied */
};

static void worker_unref(struct sc_decode_worker *w)
{
    if (!g_atomic_int_dec_and_test(&w->refcount))
        return;
    sc_decoder_destroy(w->dec);
    for (unsigned i = 0; i < w->n_spare; i++)
        g_free(w->spare[i].data);
    g_mutex_clear(&w->spare_lock);
    g_main_context_unref(w->ctx);
    g_free(w);
}

/* A buffer of size bytes at least: a spare one when one is big enough. */
static bool buffer_take(struct sc_decode_worker *w, size_t size, struct buffer *out)
{
    g_mutex_lock(&w->spare_lock);
    for (unsigned i = 0; i < w->n_spare; i++) {
        if (w->spare[i].size >= size) {
            *out = w->spare[i];
            w->spare[i] = w->spare[--w->n_spare];
            g_mutex_unlock(&w->spare_lock);
            return true;
        }
    }
    g_mutex_unlock(&w->spare_lock);
    out->data = g_try_malloc(size);
    out->size = size;
    return out->data != NULL;
}

/* Back to the spares, or freed when they are full (the smallest goes). */
static void buffer_give(struct sc_decode_worker *w, struct buffer *b)
{
    if (!b->data)
        return;
    g_mutex_lock(&w->spare_lock);
    if (w->n_spare < SPARE_BUFFERS) {
        w->spare[w->n_spare++] = *b;
        *b = (struct buffer){ NULL, 0 };
    } else {
        unsigned min = 0;
        for (unsigned i = 1; i < w->n_spare; i++)
            if (w->spare[i].size < w->spare[min].size)
                min = i;
        if (w->spare[min].size < b->size) {
            struct buffer t = w->spare[min];
            w->spare[min] = *b;
            *b = t;
        }
    }
    g_mutex_unlock(&w->spare_lock);
    g_free(b->data);
}

static void job_free(struct job *j)
{
    buffer_give(j->w, &j->pixels);
    g_free(j->packet);
    worker_unref(j->w);
    g_free(j);
}

/* ---- the reaper ------------------------------------------------------------------ */

struct sc_decode_reaper *sc_decode_reaper_new(void)
{
    struct sc_decode_reaper *r = g_new0(struct sc_decode_reaper, 1);

    g_mutex_init(&r->lock);
    g_cond_init(&r->cond);
    return r;
}

static void reaper_add(struct sc_decode_reaper *r)
{
    if (!r)
        return;
    g_mutex_lock(&r->lock);
    while (r->dying >= SC_DECODE_MAX_DYING)
        g_cond_wait(&r->cond, &r->lock);
    r->dying++;
    g_mutex_unlock(&r->lock);
}

/* any thread: a worker's decoder is gone (nothing of r after the unlock:
 * the waiter may free it then) */
static void reaper_done(struct sc_decode_reaper *r)
{
    if (!r)
        return;
    g_mutex_lock(&r->lock);
    r->dying--;
    g_cond_broadcast(&r->cond); /* reaper_add and sc_decode_reaper_free wait */
    g_mutex_unlock(&r->lock);
}

void sc_decode_reaper_free(struct sc_decode_reaper *r)
{
    if (!r)
        return;
    g_mutex_lock(&r->lock);
    while (r->dying > 0)
        g_cond_wait(&r->cond, &r->lock);
    g_mutex_unlock(&r->lock);
    g_mutex_clear(&r->lock);
    g_cond_clear(&r->cond);
    g_free(r);
}

/* ---- the pool thread ---------------------------------------------------------- */

/* The current decoder, or the next one that starts; NULL: none left */
static struct sc_decoder *current_decoder(struct sc_decode_worker *w)
{
    char why[SC_CODEC_REASON_SIZE];

    while (!w->dec && w->next < w->n_ops) {
        const struct sc_decoder_ops *ops = w->ops[w->next++];
        w->dec = sc_decoder_create(ops, &w->params, why, sizeof(why));
        if (!w->dec)
            sc_warn("client: decoder %s/%s does not start: %s%s", ops->name,
                    sc_codec_id_name(ops->codec), why,
                    w->next < w->n_ops ? "; trying the next" : "");
        else if (w->next > 1)
            sc_info("client: decoding %s with %s now", sc_codec_id_name(ops->codec), ops->name);
    }
    return w->dec;
}

/* A decoder failed for good: dropped; the next starts at a keyframe */
static void decoder_failed(struct sc_decode_worker *w, int status)
{
    sc_warn("client: decoder %s/%s failed (%s)%s", w->dec->impl->name,
            sc_codec_id_name(w->codec), g_strerror(-status),
            w->next < w->n_ops ? ": trying the next" : ": no decoder left");
    sc_decoder_destroy(w->dec);
    w->dec = NULL;
    w->need_key = true;
}

/* CPU planes into the job (the decoder's are valid only until its next
 * call); false: not a CPU frame */
static bool keep_frame(struct job *j, const struct sc_decoded_frame *f)
{
    size_t off[3], total = 0;

    if (f->kind != SC_DECODED_CPU || f->n_planes < 1 || f->n_planes > 3)
        return false;
    for (unsigned i = 0; i < f->n_planes; i++) {
        off[i] = total;
        total += (size_t)f->stride[i] * (i ? (f->height + 1) / 2 : f->height);
    }
    j->frame = *f;
    if (!buffer_take(j->w, total ? total : 1, &j->pixels))
        return false;
    for (unsigned i = 0; i < f->n_planes; i++) {
        size_t n = (i + 1 < f->n_planes ? off[i + 1] : total) - off[i];
        memcpy(j->pixels.data + off[i], f->plane[i], n);
        j->frame.plane[i] = j->pixels.data + off[i];
    }
    return true;
}

static void decode_job(struct sc_decode_worker *w, struct job *j)
{
    struct sc_decoded_frame f;
    struct sc_decoder *dec;

    j->r.status = 0;
    j->r.decode_start_us = sc_stats_now_us();
    while ((dec = current_decoder(w))) {
        if (w->need_key && !sc_packet_is_keyframe(w->codec, j->packet, j->size)) {
            g_atomic_int_inc(&w->drops);
            break;
        }
        w->need_key = false;
        j->r.status = sc_decoder_decode(dec, j->packet, j->size, &f);
        if (j->r.status != -ETIMEDOUT)
            break;
        decoder_failed(w, j->r.status);
    }
    j->r.decode_end_us = sc_stats_now_us();
    j->r.decoder = dec ? dec->impl->name : NULL;
    if (!dec) {
        j->r.no_decoder = true;
        g_atomic_int_set(&w->dead, 1);
    }
    if (j->r.status == 1 && keep_frame(j, &f))
        j->r.frame = &j->frame;
    else if (j->r.status == 1)
        j->r.status = 0;
}

/* loop thread.  A picture with a newer one queued behind it (the loop
 * stalled) is dropped, not shown: unlike a packet, nothing depends on it */
static gboolean deliver(gpointer data)
{
    struct job *j = data;
    struct sc_decode_worker *w = j->w;

    if (!g_atomic_int_dec_and_test(&w->queued) && j->r.frame) {
        j->r.frame = NULL;
        j->r.status = 0;
        g_atomic_int_inc(&w->drops);
    }
    if (g_atomic_int_get(&w->alive))
        w->done(&j->r, w->data);
    job_free(j);
    return G_SOURCE_REMOVE;
}

static void work(gpointer data, gpointer user)
{
    struct job *j = data;
    struct sc_decode_worker *w = user;
    GSource *src;

    if (j->last) {
        struct sc_decode_reaper *r = j->reaper;

        sc_decoder_destroy(w->dec);
        w->dec = NULL;
        job_free(j); /* may free w: nothing of it after */
        reaper_done(r); /* last: the owner may free everything once told */
        return;
    }
    if (!g_atomic_int_get(&w->alive)) {
        job_free(j);
        return;
    }
    decode_job(w, j);
    /* room for the next packet as soon as this one is decoded: a loop that
     * stalls costs pictures (deliver), not packets and a wait for a keyframe */
    g_atomic_int_add(&w->pending, -1);
    g_atomic_int_inc(&w->queued);
    /* always through a source: see codecs/worker.c */
    src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, deliver, j, NULL);
    g_source_attach(src, w->ctx);
    g_source_unref(src);
}

/* ---- the loop thread ------------------------------------------------------------ */

struct sc_decode_worker *sc_decode_worker_new(int codec, const struct sc_decoder_params *params,
                                              GMainContext *ctx, unsigned max_pending,
                                              sc_decode_done_fn done, void *data, char *why,
                                              size_t why_size)
{
    struct sc_decode_worker *w = g_new0(struct sc_decode_worker, 1);
    char reason[SC_CODEC_REASON_SIZE];

    for (unsigned i = 0; sc_decoders[i] && w->n_ops < MAX_CANDIDATES; i++)
        if (sc_decoders[i]->codec == codec && sc_decoder_probe(sc_decoders[i], reason,
                                                               sizeof(reason)))
            w->ops[w->n_ops++] = sc_decoders[i];
    w->pool = w->n_ops ? g_thread_pool_new(work, w, 1, FALSE, NULL) : NULL;
    if (!w->pool) {
        g_strlcpy(why, w->n_ops ? "no decode thread" : "no decoder for this codec", why_size);
        g_free(w);
        return NULL;
    }
    g_mutex_init(&w->spare_lock);
    w->refcount = 1;
    w->alive = 1;
    w->codec = codec;
    w->params = *params;
    w->max_pending = MAX(max_pending, 1);
    w->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    w->done = done;
    w->data = data;
    return w;
}

bool sc_decode_worker_submit(struct sc_decode_worker *w, const uint8_t *data, size_t size,
                             uint32_t mm_time, int64_t recv_us)
{
    struct job *j;

    if (g_atomic_int_get(&w->dead))
        return false;
    if (size == 0)
        goto drop; /* an empty STREAM_DATA: nothing to decode */
    if (w->skipping && !sc_packet_is_keyframe(w->codec, data, size))
        goto drop;
    if ((guint)g_atomic_int_get(&w->pending) >= w->max_pending) {
        w->skipping = true;
        goto drop;
    }
    w->skipping = false;
    j = g_new0(struct job, 1);
    j->w = w;
    j->packet = g_memdup2(data, size);
    j->size = size;
    j->r.mm_time = mm_time;
    j->r.recv_us = recv_us;
    g_atomic_int_inc(&w->refcount);
    g_atomic_int_inc(&w->pending);
#if SC_DECODE_INLINE
    decode_job(w, j); /* the fuzz harnesses: decoded and shown right here */
    g_atomic_int_add(&w->pending, -1);
    g_atomic_int_inc(&w->queued);
    deliver(j);
#else
    g_thread_pool_push(w->pool, j, NULL);
#endif
    return true;
drop:
    g_atomic_int_inc(&w->drops);
    return false;
}

uint32_t sc_decode_worker_drops(struct sc_decode_worker *w)
{
    return (uint32_t)g_atomic_int_get(&w->drops);
}

void sc_decode_worker_destroy(struct sc_decode_worker *w, struct sc_decode_reaper *r)
{
    if (!w)
        return;
    struct job *last = g_new0(struct job, 1);

    g_atomic_int_set(&w->alive, 0);
    last->w = w;
    last->last = true;
    last->reaper = r;
    reaper_add(r);
    g_atomic_int_inc(&w->refcount);
#if SC_DECODE_INLINE
    work(last, w);
#else
    g_thread_pool_push(w->pool, last, NULL);
#endif
    /* no wait: the queued jobs run (and skip), a decode in progress ends
     * (bounded: -ETIMEDOUT, the decoders' own bound), then `last` destroys
     * the decoder and tells r; the pool goes after its last job */
    g_thread_pool_free(w->pool, FALSE, FALSE);
    worker_unref(w);
}
