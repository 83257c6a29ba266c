/* The viewer's decode worker (client/decode.c) with model decoders in
 * place of the registry's (-Dsc_decoders=test_decoders): H.264 packets
 * 00 00 01 TYPE SEQ (TYPE 0x65: a keyframe, 0x41: not), each decoded to a
 * 2x2 BGRX frame whose first byte is SEQ.
 *  - fallback: a decoder that does not start is passed over; one that
 *    fails at run time (-ETIMEDOUT, as a stuck GStreamer decoder does) is
 *    dropped, the next takes over at the next keyframe, and the packets in
 *    between count as drops;
 *  - falling behind: with the queue full the worker drops the packet and
 *    every one after it up to the next keyframe, and counts them;
 *  - a loop that stalls: packets keep being decoded, only the pictures
 *    queued behind newer ones are dropped (no wait for a keyframe);
 *  - an empty packet is dropped, the stream goes on;
 *  - no decoder left: the results say so and nothing more is taken;
 *  - the decoders are created, used and destroyed off the loop thread;
 *    destroy() returns at once, a decode in progress included (the loop
 *    thread, which runs STREAM_DESTROY, never waits up to a decoder's 1 s
 *    stall bound), and the reaper it was given (the client's, freed by
 *    sc_client_free) waits until the decoder is gone: it may not outlive
 *    its client;
 *  - the pictures lie in a few reused buffers, not one allocation each. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/decode.h"

static GThread *loop_thread;
static gint off_loop = 1; /* every decoder call so far came off the loop thread */
static gint slow_us;
static gint destroyed;

struct model {
    struct sc_decoder base;
    uint8_t px[16];
};

static void note_thread(void)
{
    if (g_thread_self() == loop_thread)
        g_atomic_int_set(&off_loop, 0);
}

static bool probe_ok(char *r, size_t n) { (void)r, (void)n; return true; }

static struct sc_decoder *create_fail(const struct sc_decoder_params *p, char *r, size_t n)
{
    (void)p;
    note_thread();
    g_strlcpy(r, "the model does not start", n);
    return NULL;
}

static struct sc_decoder *create_ok(const struct sc_decoder_params *p, char *r, size_t n)
{
    (void)p, (void)r, (void)n;
    note_thread();
    struct model *m = g_new0(struct model, 1);
    return &m->base;
}

static int decode_frame(struct sc_decoder *dec, const uint8_t *d, size_t size,
                        struct sc_decoded_frame *out)
{
    struct model *m = (struct model *)dec;

    note_thread();
    if (g_atomic_int_get(&slow_us))
        g_usleep((gulong)g_atomic_int_get(&slow_us));
    if (size != 5)
        return -EINVAL;
    memset(m->px, d[4], sizeof(m->px));
    *out = (struct sc_decoded_frame){ .kind = SC_DECODED_CPU, .format = SC_PIXFMT_BGRX,
                                      .width = 2, .height = 2, .n_planes = 1,
                                      .plane = { m->px }, .stride = { 8 } };
    return 1;
}

/* stalls on packet 5 */
static int decode_stall(struct sc_decoder *dec, const uint8_t *d, size_t size,
                        struct sc_decoded_frame *out)
{
    if (size == 5 && d[4] == 5)
        return -ETIMEDOUT;
    return decode_frame(dec, d, size, out);
}

static void destroy(struct sc_decoder *dec)
{
    note_thread();
    g_atomic_int_inc(&destroyed);
    g_free(dec);
}

static const struct sc_decoder_ops nostart = { "nostart", SC_CODEC_H264, probe_ok, create_fail,
                                               decode_frame, destroy };
static const struct sc_decoder_ops stall = { "stall", SC_CODEC_H264, probe_ok, create_ok,
                                             decode_stall, destroy };
static const struct sc_decoder_ops good = { "good", SC_CODEC_H264, probe_ok, create_ok,
                                            decode_frame, destroy };
static const struct sc_decoder_ops vp8_nostart = { "nostart", SC_CODEC_VP8, probe_ok,
                                                   create_fail, decode_frame, destroy };
const struct sc_decoder_ops *const test_decoders[] = { &nostart, &stall, &good, &vp8_nostart,
                                                       NULL };

struct seen {
    unsigned results;
    const uint8_t *planes[32]; /* plane[0] of each picture shown */
    unsigned n_planes;
    GString *frames;   /* "seq@decoder " per frame shown */
    bool no_decoder;
};

static void on_result(const struct sc_decode_result *r, void *data)
{
    struct seen *s = data;

    g_assert_true(g_thread_self() == loop_thread);
    s->results++;
    s->no_decoder |= r->no_decoder;
    if (r->frame && s->n_planes < G_N_ELEMENTS(s->planes))
        s->planes[s->n_planes++] = r->frame->plane[0];
    if (r->frame)
        g_string_append_printf(s->frames, "%u@%s ", r->frame->plane[0][0], r->decoder);
}

static bool submit(struct sc_decode_worker *w, bool key, uint8_t seq)
{
    uint8_t p[5] = { 0, 0, 1, key ? 0x65 : 0x41, seq };
    return sc_decode_worker_submit(w, p, sizeof(p), seq * 33u, g_get_monotonic_time());
}

static void wait_results(struct seen *s, unsigned n)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (s->results < n && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), 0);
    g_assert_cmpuint(s->results, ==, n);
}

static struct sc_decode_worker *worker(int codec, unsigned max_pending, struct seen *s)
{
    struct sc_decoder_params p = { 2, 2, true };
    char why[SC_CODEC_REASON_SIZE];
    struct sc_decode_worker *w;

    *s = (struct seen){ .frames = g_string_new(NULL) };
    w = sc_decode_worker_new(codec, &p, NULL, max_pending, on_result, s, why, sizeof(why));
    g_assert_nonnull(w);
    return w;
}

static void done(struct sc_decode_worker *w, struct seen *s)
{
    gint before = g_atomic_int_get(&destroyed);
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    sc_decode_worker_destroy(w, NULL);
    while (g_atomic_int_get(&destroyed) == before && g_get_monotonic_time() < end)
        g_usleep(1000);
    g_assert_cmpint(g_atomic_int_get(&destroyed), >, before); /* not leaked */
    g_assert_cmpint(g_atomic_int_get(&off_loop), ==, 1);
    g_string_free(s->frames, TRUE);
}

static void test_fallback(void)
{
    struct seen s;
    struct sc_decode_worker *w = worker(SC_CODEC_H264, 32, &s);

    for (uint8_t i = 0; i < 10; i++) { /* each shown before the next comes */
        g_assert_true(submit(w, i == 0 || i == 8, i));
        wait_results(&s, i + 1u);
    }
    /* nostart passed over; stall until packet 5, then good from keyframe 8 */
    g_assert_cmpstr(s.frames->str, ==,
                    "0@stall 1@stall 2@stall 3@stall 4@stall 8@good 9@good ");
    g_assert_cmpuint(sc_decode_worker_drops(w), ==, 3); /* 5, 6, 7 */
    done(w, &s);
}

static void test_skip_to_keyframe(void)
{
    struct seen s;
    struct sc_decode_worker *w = worker(SC_CODEC_H264, 2, &s);

    g_atomic_int_set(&slow_us, 20000);
    /* 20 ms a packet: submitted at once, the queue is full after two */
    g_assert_true(submit(w, true, 10));
    g_assert_true(submit(w, false, 11));
    for (uint8_t i = 12; i < 22; i++)
        g_assert_false(submit(w, i == 20, i)); /* 20: a keyframe, but the queue is full */
    wait_results(&s, 2);
    g_assert_false(submit(w, false, 22)); /* room again, still waiting for a keyframe */
    g_assert_true(submit(w, true, 23));
    g_assert_true(submit(w, false, 24));
    wait_results(&s, 4);
    g_atomic_int_set(&slow_us, 0);
    g_assert_cmpstr(s.frames->str, ==, "10@stall 11@stall 23@stall 24@stall ");
    g_assert_cmpuint(sc_decode_worker_drops(w), ==, 11); /* 12..22 */
    done(w, &s);
}

/* The loop stalls (no iteration) while 8 packets are decoded: none is
 * dropped, and of the pictures only the newest is shown. */
static void test_loop_stall(void)
{
    struct seen s;
    struct sc_decode_worker *w = worker(SC_CODEC_H264, 2, &s);

    g_assert_true(submit(w, true, 10)); /* (the stall model fails on 5) */
    for (uint8_t i = 11; i <= 17; i++) {
        g_usleep(20000); /* decoded by now; the loop runs no result */
        g_assert_true(submit(w, false, i));
    }
    g_usleep(20000);
    wait_results(&s, 8);
    g_assert_cmpstr(s.frames->str, ==, "17@stall ");
    g_assert_cmpuint(sc_decode_worker_drops(w), ==, 7); /* pictures 10..16 */
    done(w, &s);
}

/* An empty STREAM_DATA is dropped; the packets after it decode. */
static void test_empty_packet(void)
{
    struct seen s;
    struct sc_decode_worker *w = worker(SC_CODEC_H264, 2, &s);

    g_assert_true(submit(w, true, 1));
    g_assert_false(sc_decode_worker_submit(w, (const uint8_t *)"", 0, 0, 0));
    wait_results(&s, 1);
    g_assert_true(submit(w, false, 2));
    wait_results(&s, 2);
    g_assert_cmpstr(s.frames->str, ==, "1@stall 2@stall ");
    g_assert_cmpuint(sc_decode_worker_drops(w), ==, 1);
    done(w, &s);
}

static void test_no_decoder_left(void)
{
    struct seen s;
    struct sc_decode_worker *w = worker(SC_CODEC_VP8, 4, &s);
    uint8_t key[3] = { 0x10, 0, 0 };

    g_assert_true(sc_decode_worker_submit(w, key, sizeof(key), 0, 0));
    wait_results(&s, 1);
    g_assert_true(s.no_decoder);
    g_assert_false(sc_decode_worker_submit(w, key, sizeof(key), 0, 0));
    sc_decode_worker_destroy(w, NULL);
    g_string_free(s.frames, TRUE);
}

/* destroy() while a packet is being decoded (a STREAM_DESTROY on the loop
 * thread, a GStreamer decoder stuck up to its 1 s bound): it returns at
 * once, the decode goes on and its result is dropped; the decoder is
 * destroyed off the loop thread when the decode ends, and the reaper's
 * free (the client's teardown) returns only after that.  destroy() waited
 * for the decode before (~1 s here). */
static void test_destroy_no_wait(void)
{
    struct seen s;
    struct sc_decode_worker *w = worker(SC_CODEC_H264, 2, &s);
    struct sc_decode_reaper *r = sc_decode_reaper_new();
    gint before = g_atomic_int_get(&destroyed);
    gint64 t0, took, end;

    g_atomic_int_set(&slow_us, 1000000);
    g_assert_true(submit(w, true, 1));
    g_usleep(20000); /* the decode has begun */
    t0 = g_get_monotonic_time();
    sc_decode_worker_destroy(w, r);
    took = g_get_monotonic_time() - t0;
    g_test_message("destroy() took %" G_GINT64_FORMAT " us", took);
    g_assert_cmpint(took, <, 500000);
    g_assert_cmpint(g_atomic_int_get(&destroyed), ==, before); /* still decoding */
    sc_decode_reaper_free(r);
    g_assert_cmpint(g_atomic_int_get(&destroyed), ==, before + 1);
    g_assert_cmpint(g_atomic_int_get(&off_loop), ==, 1);
    g_atomic_int_set(&slow_us, 0);
    end = g_get_monotonic_time() + 200000;
    while (g_get_monotonic_time() < end) /* its result, dropped */
        g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), 0);
    g_assert_cmpuint(s.results, ==, 0);
    g_string_free(s.frames, TRUE);
}

/* A server destroying streams mid-decode in a loop: the first
 * SC_DECODE_MAX_DYING destroys return at once, the next waits for one of
 * them to end (before: every one returned, threads and decoders piled up). */
static void test_destroy_bounded(void)
{
    struct seen s[SC_DECODE_MAX_DYING + 1];
    struct sc_decode_reaper *r = sc_decode_reaper_new();
    gint64 t0, took;

    g_atomic_int_set(&slow_us, 600000);
    for (int i = 0; i <= SC_DECODE_MAX_DYING; i++) {
        struct sc_decode_worker *w = worker(SC_CODEC_H264, 2, &s[i]);

        g_assert_true(submit(w, true, 1));
        g_usleep(20000); /* its decode has begun */
        t0 = g_get_monotonic_time();
        sc_decode_worker_destroy(w, r);
        took = g_get_monotonic_time() - t0;
        g_test_message("destroy %d took %" G_GINT64_FORMAT " us", i, took);
        if (i < SC_DECODE_MAX_DYING)
            g_assert_cmpint(took, <, 200000);
        else
            g_assert_cmpint(took, >=, 200000);
    }
    sc_decode_reaper_free(r);
    g_atomic_int_set(&slow_us, 0);
    for (int i = 0; i <= SC_DECODE_MAX_DYING; i++)
        g_string_free(s[i].frames, TRUE);
}

/* A reaper given no worker, or whose workers are all gone, frees at once. */
static void test_reaper_idle(void)
{
    struct seen s;
    struct sc_decode_reaper *r = sc_decode_reaper_new();
    struct sc_decode_worker *w = worker(SC_CODEC_H264, 2, &s);
    gint before = g_atomic_int_get(&destroyed);
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    sc_decode_reaper_free(NULL);
    sc_decode_worker_destroy(NULL, r);
    g_assert_true(submit(w, true, 1));
    wait_results(&s, 1);
    sc_decode_worker_destroy(w, r);
    while (g_atomic_int_get(&destroyed) == before && g_get_monotonic_time() < end)
        g_usleep(1000);
    g_assert_cmpint(g_atomic_int_get(&destroyed), ==, before + 1);
    sc_decode_reaper_free(r); /* nothing left to wait for */
    g_string_free(s.frames, TRUE);
}

/* Ten pictures, each shown before the next: they come in the worker's
 * reused buffers.  The blocks the test takes between pictures would get
 * a freed buffer's memory, so a worker that allocates and frees one per
 * picture shows each at a new address. */
static void test_buffer_reuse(void)
{
    struct seen s;
    struct sc_decode_worker *w = worker(SC_CODEC_H264, 2, &s);
    GPtrArray *held = g_ptr_array_new_with_free_func(g_free);

    for (uint8_t i = 0; i < 10; i++) {
        g_assert_true(submit(w, i == 0, 10 + i)); /* (the stall model fails on 5) */
        wait_results(&s, i + 1u);
        for (int k = 0; k < 8; k++)
            g_ptr_array_add(held, g_malloc(16)); /* the size of a 2x2 picture */
    }
    g_assert_cmpuint(s.n_planes, ==, 10);
    unsigned distinct = 0;
    for (unsigned i = 0; i < s.n_planes; i++) {
        bool seen_before = false;
        for (unsigned k = 0; k < i; k++)
            seen_before |= s.planes[k] == s.planes[i];
        distinct += !seen_before;
    }
    g_assert_cmpuint(distinct, <=, 2);
    done(w, &s);
    g_ptr_array_unref(held);
}

static void test_keyframes(void)
{
    const uint8_t h264_idr[] = { 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x65, 0x88 };
    const uint8_t h264_p[] = { 0, 0, 0, 1, 0x41, 0x9a };
    const uint8_t vp8_key[] = { 0x50, 0x2d, 0x01 }, vp8_inter[] = { 0x51, 0x2d, 0x01 };
    const uint8_t vp9_key[] = { 0x82, 0x49 }, vp9_inter[] = { 0x86, 0x00 };

    g_assert_true(sc_packet_is_keyframe(SC_CODEC_H264, h264_idr, sizeof(h264_idr)));
    g_assert_false(sc_packet_is_keyframe(SC_CODEC_H264, h264_p, sizeof(h264_p)));
    g_assert_true(sc_packet_is_keyframe(SC_CODEC_VP8, vp8_key, sizeof(vp8_key)));
    g_assert_false(sc_packet_is_keyframe(SC_CODEC_VP8, vp8_inter, sizeof(vp8_inter)));
    g_assert_true(sc_packet_is_keyframe(SC_CODEC_VP9, vp9_key, sizeof(vp9_key)));
    g_assert_false(sc_packet_is_keyframe(SC_CODEC_VP9, vp9_inter, sizeof(vp9_inter)));
    g_assert_true(sc_packet_is_keyframe(SC_CODEC_MJPEG, h264_p, sizeof(h264_p)));
    /* H.265: an IDR_W_RADL (19) after its AUD (35), a TRAIL_R (1) */
    const uint8_t h265_idr[] = { 0, 0, 0, 1, 0x46, 0x01, 0x50, 0, 0, 1, 0x26, 0x01, 0xaf };
    const uint8_t h265_p[] = { 0, 0, 0, 1, 0x46, 0x01, 0x50, 0, 0, 1, 0x02, 0x01, 0xd0 };
    g_assert_true(sc_packet_is_keyframe(SC_CODEC_H265, h265_idr, sizeof(h265_idr)));
    g_assert_false(sc_packet_is_keyframe(SC_CODEC_H265, h265_p, sizeof(h265_p)));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    loop_thread = g_thread_self();
    g_test_add_func("/decode-worker/fallback", test_fallback);
    g_test_add_func("/decode-worker/skip-to-keyframe", test_skip_to_keyframe);
    g_test_add_func("/decode-worker/loop-stall", test_loop_stall);
    g_test_add_func("/decode-worker/empty-packet", test_empty_packet);
    g_test_add_func("/decode-worker/no-decoder-left", test_no_decoder_left);
    g_test_add_func("/decode-worker/keyframes", test_keyframes);
    g_test_add_func("/decode-worker/destroy-no-wait", test_destroy_no_wait);
    g_test_add_func("/decode-worker/destroy-bounded", test_destroy_bounded);
    g_test_add_func("/decode-worker/reaper-idle", test_reaper_idle);
    g_test_add_func("/decode-worker/buffer-reuse", test_buffer_reuse);
    return g_test_run();
}
