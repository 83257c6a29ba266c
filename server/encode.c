/* Lossless DRAW_COPY updates through the codec layer: one lossless encoder
 * per display client on its encode worker (STYLE.md 9: the encoder is
 * touched only on the worker's thread; the packets come back to the main
 * context, where they become DRAW_COPY bodies). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codecs/worker.h"
#include "server/encode.h"
#include "common/log.h"
#include "common/messages.h"

/* submits queued or in flight: the display client keeps one; a second
 * slot lets it submit from inside its done callback */
#define MAX_PENDING 2

struct sc_lossless {
    struct sc_encode_worker *worker;
    unsigned inflight; /* submits whose done has not run */
    bool lz4;
    sc_lossless_done_fn done;
    void *data;
};

static uint64_t image_serial;

GBytes *sc_lossless_draw_copy_head(const struct sc_packet *p)
{
    const struct sc_box *r = &p->rect;
    struct sc_draw_copy m;
    struct sc_writer w;
    size_t size;

    memset(&m, 0, sizeof(m));
    m.surface_id = 0;
    m.box = (struct sc_rect){ r->x, r->y, r->x + r->w, r->y + r->h };
    m.clip.type = SPICE_CLIP_TYPE_NONE;
    m.src_area = (struct sc_rect){ 0, 0, r->w, r->h };
    m.rop_descriptor = SPICE_ROPD_OP_PUT;
    m.image_id = __atomic_add_fetch(&image_serial, 1, __ATOMIC_RELAXED);
    m.width = (uint32_t)r->w;
    m.height = (uint32_t)r->h;
    m.data = p->data;
    m.data_size = (uint32_t)p->size;
    if (p->codec == SC_CODEC_LZ4) {
        m.image_type = SPICE_IMAGE_TYPE_LZ4;
    } else if (p->codec == SC_CODEC_RAW && p->size == (size_t)r->w * 4 * (size_t)r->h) {
        m.image_type = SPICE_IMAGE_TYPE_BITMAP;
        m.bitmap_format = SPICE_BITMAP_FMT_32BIT;
        m.bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN;
        m.stride = (uint32_t)r->w * 4;
    } else {
        return NULL;
    }
    sc_writer_init(&w);
    if (!sc_draw_copy_write_head(&w, &m)) {
        sc_writer_finish(&w);
        return NULL;
    }
    uint8_t *data = sc_writer_steal(&w, &size);
    return g_bytes_new_with_free_func(data, size, free, data);
}

/* main context: the packets of one submit (each carries its bytes, the
 * worker's: they become the payloads as they are) */
static void worker_done(struct sc_frame *frame, const struct sc_packet *packets,
                        size_t n_packets, int status, void *data)
{
    struct sc_lossless *l = data;
    struct sc_lossless_update *u = g_new(struct sc_lossless_update, MAX(n_packets, 1));
    size_t n = 0;

    l->inflight--;

    if (status < 0)
        sc_warn("lossless update of %ux%u failed: %s", frame->width, frame->height,
                g_strerror(-status));
    for (size_t i = 0; status >= 0 && i < n_packets; i++) {
        u[n].head = sc_lossless_draw_copy_head(&packets[i]);
        u[n].payload = packets[i].bytes;
        n += u[n].head != NULL;
    }
    l->done(u, n, l->data);
    for (size_t i = 0; i < n; i++)
        g_bytes_unref(u[i].head);
    g_free(u);
}

/* A worker with an encoder of the form wanted (the size is only a hint:
 * the lossless forms take frames of any size). */
static bool lossless_start(struct sc_lossless *l, struct sc_frame *frame, bool lz4)
{
    const struct sc_encoder_ops *ops = sc_encoder_find("lossless", lz4 ? "lz4" : "raw");
    struct sc_encoder_params p = { .width = frame->width, .height = frame->height, .fps = 60 };
    char reason[SC_CODEC_REASON_SIZE] = "not built in";
    struct sc_encoder *enc = ops ? sc_encoder_create(ops, &p, reason, sizeof(reason)) : NULL;

    if (!enc) {
        sc_warn("lossless:%s: %s", lz4 ? "lz4" : "raw", reason);
        return false;
    }
    l->worker = sc_encode_worker_new(enc, g_main_context_get_thread_default(), MAX_PENDING,
                                     worker_done, l);
    if (!l->worker) {
        sc_encoder_destroy(enc);
        return false;
    }
    l->lz4 = lz4;
    return true;
}

struct sc_lossless *sc_lossless_new(sc_lossless_done_fn done, void *data)
{
    struct sc_lossless *l = g_new0(struct sc_lossless, 1);

    l->done = done;
    l->data = data;
    return l;
}

bool sc_lossless_submit(struct sc_lossless *l, struct sc_frame *frame, const struct sc_box *boxes,
                        unsigned n, bool lz4)
{
    if (l->worker && l->lz4 != lz4) {
        if (l->inflight > 0)
            return false; /* its result would be dropped: after its done */
        sc_encode_worker_destroy(l->worker);
        l->worker = NULL;
    }
    if (!l->worker && !lossless_start(l, frame, lz4))
        return false;
    if (!sc_encode_worker_submit_damage(l->worker, frame, boxes, n))
        return false;
    l->inflight++;
    return true;
}

void sc_lossless_free(struct sc_lossless *l)
{
    if (!l)
        return;
    sc_encode_worker_destroy(l->worker);
    g_free(l);
}
