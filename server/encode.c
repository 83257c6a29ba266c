/* Lossless DRAW_COPY encoding on worker threads (STYLE.md 9): the worker
 * touches only its job (a frame reference and rectangles); the bodies come
 * back to the main context that submitted the job. */
#include "config.h"

#include <string.h>

#include "encode.h"
#include "log.h"
#include "messages.h"

/* rows per DRAW_COPY: only very tall rectangles are cut in bands.  A
 * surface's first update must be one DRAW_COPY: spice-gtk tools such as
 * spicy-screenshot capture the primary at the first invalidate. */
#define BAND_ROWS 4096

struct sc_encode_job {
    struct sc_frame *frame;
    cairo_rectangle_int_t *rects;
    int n_rects;
    bool lz4;
    sc_lossless_done_fn done;
    void *data;
    GMainContext *context;
    GPtrArray *bodies;
    bool lz4_poor;
};

static GThreadPool *pool;
static uint64_t image_serial;

static GBytes *encode_one(struct sc_frame *frame, const cairo_rectangle_int_t *r, bool lz4,
                          struct sc_writer *scratch, bool *lz4_poor)
{
    /* a bottom-up buffer (GL-rendered): picture row y is buffer row
     * height-1-y, and the rectangle goes as a bottom-up bitmap */
    bool top_down = frame->y0_top;
    size_t row = top_down ? (size_t)r->y : (size_t)(frame->height - r->y - r->height);
    const uint8_t *pixels = frame->map + frame->offset + row * frame->stride + (size_t)r->x * 4;
    struct sc_draw_copy m;
    struct sc_writer w;
    uint8_t *data;
    size_t size;

    memset(&m, 0, sizeof(m));
    m.surface_id = 0;
    m.box = (struct sc_rect){ r->x, r->y, r->x + r->width, r->y + r->height };
    m.clip.type = SPICE_CLIP_TYPE_NONE;
    m.src_area = (struct sc_rect){ 0, 0, r->width, r->height };
    m.rop_descriptor = SPICE_ROPD_OP_PUT;
    m.image_id = __atomic_add_fetch(&image_serial, 1, __ATOMIC_RELAXED);
    m.width = (uint32_t)r->width;
    m.height = (uint32_t)r->height;
    /* tiny images are not worth compressing (spice-server: < 54 bytes);
     * our LZ4 payloads are top-down */
    lz4 = lz4 && top_down;
    if (lz4 && (size_t)r->width * r->height * 4 >= 54) {
        sc_writer_reset(scratch);
        if (!sc_lz4_image_encode(scratch, pixels, m.width, m.height, frame->stride) ||
            scratch->error)
            return NULL;
        /* noise-like content: LZ4 gains under 1/8; send it raw (smaller or
         * nearly so, and cheaper for the client) */
        if (scratch->size > (size_t)m.width * m.height * 4 / 8 * 7) {
            *lz4_poor = true;
            lz4 = false;
        }
    }
    if (lz4 && (size_t)r->width * r->height * 4 >= 54) {
        m.image_type = SPICE_IMAGE_TYPE_LZ4;
        m.data = scratch->data;
        m.data_size = (uint32_t)scratch->size;
    } else {
        m.image_type = SPICE_IMAGE_TYPE_BITMAP;
        m.bitmap_format = SPICE_BITMAP_FMT_32BIT;
        m.bitmap_flags = top_down ? SPICE_BITMAP_FLAGS_TOP_DOWN : 0;
        m.stride = frame->stride;
        m.data = pixels;
        m.data_size = frame->stride * (m.height - 1) + m.width * 4;
    }
    sc_writer_init(&w);
    sc_draw_copy_write(&w, &m);
    if (w.error) {
        sc_writer_finish(&w);
        return NULL;
    }
    data = sc_writer_steal(&w, &size);
    return g_bytes_new_with_free_func(data, size, free, data);
}

GPtrArray *sc_encode_rects(struct sc_frame *frame, const cairo_rectangle_int_t *rects,
                           int n_rects, bool lz4, bool *lz4_poor)
{
    GPtrArray *bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    struct sc_writer scratch;

    *lz4_poor = false;
    if (!frame->map)
        return bodies;
    sc_writer_init(&scratch);
    for (int i = 0; i < n_rects; i++) {
        cairo_rectangle_int_t r = rects[i];

        /* clip to the frame */
        if (r.x < 0 || r.y < 0 || r.width <= 0 || r.height <= 0 ||
            (uint32_t)(r.x + r.width) > frame->width || (uint32_t)(r.y + r.height) > frame->height)
            continue;
        for (int y = 0; y < r.height; y += BAND_ROWS) {
            cairo_rectangle_int_t band = { r.x, r.y + y, r.width, MIN(BAND_ROWS, r.height - y) };
            GBytes *b = encode_one(frame, &band, lz4, &scratch, lz4_poor);
            if (b)
                g_ptr_array_add(bodies, b);
        }
    }
    sc_writer_finish(&scratch);
    return bodies;
}

static gboolean job_done(gpointer data)
{
    struct sc_encode_job *job = data;

    job->done(job->bodies, job->lz4_poor, job->data);
    sc_frame_unref(job->frame);
    g_main_context_unref(job->context);
    g_free(job->rects);
    g_free(job);
    return G_SOURCE_REMOVE;
}

static void job_run(gpointer data, gpointer user_data)
{
    struct sc_encode_job *job = data;
    GSource *s;

    (void)user_data;
    job->bodies = sc_encode_rects(job->frame, job->rects, job->n_rects, job->lz4, &job->lz4_poor);
    s = g_idle_source_new();
    g_source_set_priority(s, G_PRIORITY_DEFAULT);
    g_source_set_callback(s, job_done, job, NULL);
    g_source_attach(s, job->context);
    g_source_unref(s);
}

void sc_encode_submit(struct sc_frame *frame, const cairo_rectangle_int_t *rects, int n_rects,
                      bool lz4, sc_lossless_done_fn done, void *data)
{
    struct sc_encode_job *job = g_new0(struct sc_encode_job, 1);

    if (!pool) {
        pool = g_thread_pool_new(job_run, NULL, (gint)MAX(1u, g_get_num_processors()), FALSE,
                                 NULL);
    }
    job->frame = sc_frame_ref(frame);
    job->rects = g_memdup2(rects, sizeof(*rects) * (gsize)n_rects);
    job->n_rects = n_rects;
    job->lz4 = lz4;
    job->done = done;
    job->data = data;
    job->context = g_main_context_ref_thread_default();
    g_thread_pool_push(pool, job, NULL);
}
