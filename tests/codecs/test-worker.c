/* The encode worker: frames are encoded off the loop thread, results come
 * back on it in order, the queue is bounded, requests (keyframe, bitrate)
 * reach the encoder, and destroying with frames in flight is safe. */
#include "config.h"

#include <glib.h>

#include "codecs/codec.h"
#include "codecs/content.h"
#include "codecs/worker.h"
#include "common/frame.h"

#define W 320
#define H 192

struct state {
    GThread *loop_thread;
    GMainLoop *loop;
    unsigned results, keyframes, expected;
    uint64_t last_seq;
    bool last_key;
};

static void on_done(struct sc_frame *frame, const struct sc_packet *p, size_t n, int status,
                    void *data)
{
    struct state *s = data;
    g_assert_true(g_thread_self() == s->loop_thread); /* the done half runs on the loop */
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpuint(p[0].size, >, 0);
    g_assert_cmpuint(p[0].seq, ==, frame->seq);
    if (s->results > 0)
        g_assert_cmpuint(frame->seq, >, s->last_seq); /* in order */
    s->last_seq = frame->seq;
    s->last_key = p[0].keyframe;
    s->keyframes += p[0].keyframe;
    if (++s->results == s->expected)
        g_main_loop_quit(s->loop);
}

static struct sc_frame *next_frame(struct sc_content *c)
{
    struct sc_frame *f = sc_frame_new_memfd(W, H);
    g_assert_nonnull(f);
    g_assert_cmpint(sc_content_next(c, f, NULL, 0), ==, 1);
    return f;
}

static gboolean give_up(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void run_until(struct state *s, unsigned expected)
{
    s->expected = expected;
    guint id = g_timeout_add_seconds(20, give_up, s->loop);
    g_main_loop_run(s->loop);
    g_source_remove(id);
    g_assert_cmpuint(s->results, ==, expected);
}

static void test_worker(gconstpointer data)
{
    const struct sc_encoder_ops *ops = data;
    char reason[SC_CODEC_REASON_SIZE];
    if (!ops || !sc_encoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(ops ? reason : "not built in");
        return;
    }
    struct sc_encoder_params p = { .width = W, .height = H, .fps = 30, .bitrate = 1000000,
                                   .low_latency = true, .threads = 1 };
    struct sc_encoder *enc = sc_encoder_create(ops, &p, reason, sizeof(reason));
    g_assert_nonnull(enc);
    struct state s = { .loop_thread = g_thread_self(), .loop = g_main_loop_new(NULL, FALSE) };
    struct sc_encode_worker *w = sc_encode_worker_new(enc, NULL, 2, on_done, &s);
    struct sc_content *c = sc_content_create("desktop", W, H, NULL, 0);

    /* bounded: with the loop not running, results cannot be delivered */
    struct sc_frame *f[3] = { next_frame(c), next_frame(c), next_frame(c) };
    g_assert_true(sc_encode_worker_submit(w, f[0]));
    g_assert_true(sc_encode_worker_submit(w, f[1]));
    g_assert_false(sc_encode_worker_submit(w, f[2])); /* full: the caller drops it */
    run_until(&s, 2);
    g_assert_cmpint(f[0]->refcount, ==, 1); /* the worker's references are gone */
    /* a keyframe request reaches the encoder before the next frame */
    sc_encode_worker_force_keyframe(w);
    sc_encode_worker_set_bitrate(w, 500000);
    g_assert_true(sc_encode_worker_submit(w, f[2]));
    run_until(&s, 3);
    g_assert_true(s.last_key);
    g_assert_true(sc_codec_is_lossless(ops->codec) || s.keyframes == 2);
    /* destroy with a frame in flight */
    struct sc_frame *g = next_frame(c);
    g_assert_true(sc_encode_worker_submit(w, g));
    sc_encode_worker_destroy(w);
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_assert_cmpuint(s.results, ==, 3); /* dropped after destroy */
    g_assert_cmpint(g->refcount, ==, 1);
    for (int i = 0; i < 3; i++)
        sc_frame_unref(f[i]);
    sc_frame_unref(g);
    sc_content_destroy(c);
    g_main_loop_unref(s.loop);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/codecs/worker/lossless-lz4", sc_encoder_find("lossless", "lz4"),
                         test_worker);
    g_test_add_data_func("/codecs/worker/openh264", sc_encoder_find("openh264", "h264"),
                         test_worker);
    return g_test_run();
}
