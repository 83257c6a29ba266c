/* The encode worker: frames are encoded off the loop thread, results come
 * back on it in order, the queue is bounded, requests (keyframe, bitrate)
 * reach the encoder, and destroying with frames in flight is safe.  A
 * packet whose bytes the encoder hands over arrives as those bytes (no
 * copy); one without is copied. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "codecs/codec.h"
#include "bench/content.h"
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

/* A model encoder: per frame, one packet with bytes it hands over and one
 * in its own scratch buffer. */
static const uint8_t *handed_data; /* the last handed-over packet's data */
static uint8_t scratch[64];

static bool model_probe(char *r, size_t n) { (void)r, (void)n; return true; }

static struct sc_encoder *model_create(const struct sc_encoder_params *p, char *r, size_t n)
{
    (void)p, (void)r, (void)n;
    return g_new0(struct sc_encoder, 1);
}

static int model_encode(struct sc_encoder *enc, const struct sc_frame *f, const struct sc_box *d,
                        unsigned nd, sc_packet_fn cb, void *data)
{
    (void)enc, (void)d, (void)nd;
    GBytes *b = g_bytes_new_take(g_malloc0(4096), 4096);
    handed_data = g_bytes_get_data(b, NULL);
    cb(&(struct sc_packet){ .data = handed_data, .size = 4096, .keyframe = true, .seq = f->seq,
                            .bytes = b }, data);
    g_bytes_unref(b);
    memset(scratch, 0x5a, sizeof(scratch));
    cb(&(struct sc_packet){ .data = scratch, .size = sizeof(scratch), .seq = f->seq }, data);
    memset(scratch, 0, sizeof(scratch)); /* reused: a receiver must have copied it */
    return 0;
}

static void model_destroy(struct sc_encoder *enc) { g_free(enc); }

static const struct sc_encoder_ops model = { .name = "model", .codec = SC_CODEC_RAW,
                                             .probe = model_probe, .create = model_create,
                                             .encode = model_encode,
                                             .destroy = model_destroy };

static void on_handed(struct sc_frame *frame, const struct sc_packet *p, size_t n, int status,
                      void *data)
{
    struct state *s = data;
    (void)frame;
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(n, ==, 2);
    g_assert_true(p[0].data == handed_data); /* the encoder's bytes, not a copy */
    g_assert_true(p[0].bytes && g_bytes_get_data(p[0].bytes, NULL) == p[0].data);
    g_assert_true(p[1].data != scratch); /* copied, once */
    g_assert_true(p[1].bytes && g_bytes_get_data(p[1].bytes, NULL) == p[1].data);
    g_assert_cmpuint(p[1].size, ==, sizeof(scratch));
    g_assert_cmpuint(p[1].data[0], ==, 0x5a);
    s->results++;
    g_main_loop_quit(s->loop);
}

static void test_handover(void)
{
    struct sc_encoder_params p = { .width = W, .height = H, .fps = 30 };
    char reason[SC_CODEC_REASON_SIZE];
    struct sc_encoder *enc = sc_encoder_create(&model, &p, reason, sizeof(reason));
    g_assert_nonnull(enc);
    struct state s = { .loop_thread = g_thread_self(), .loop = g_main_loop_new(NULL, FALSE) };
    struct sc_encode_worker *w = sc_encode_worker_new(enc, NULL, 2, on_handed, &s);
    struct sc_frame *f = sc_frame_new_memfd(W, H);

    g_assert_true(sc_encode_worker_submit(w, f));
    run_until(&s, 1);
    sc_encode_worker_destroy(w);
    sc_frame_unref(f);
    g_main_loop_unref(s.loop);
}

/* A done() that submits the next frame (the stream group's kept frame):
 * its own result counts as delivered, so a worker of one slot takes it. */
struct resubmit {
    struct state s;
    struct sc_encode_worker *w;
    struct sc_frame *next;
    bool taken;
};

static void on_resubmit(struct sc_frame *frame, const struct sc_packet *p, size_t n, int status,
                        void *data)
{
    struct resubmit *r = data;
    (void)frame, (void)p, (void)n, (void)status;
    if (r->next) {
        r->taken = sc_encode_worker_submit(r->w, r->next);
        r->next = NULL;
    }
    if (++r->s.results == 2 || !r->taken)
        g_main_loop_quit(r->s.loop);
}

static void test_resubmit_from_done(void)
{
    struct sc_encoder_params p = { .width = W, .height = H, .fps = 30 };
    char reason[SC_CODEC_REASON_SIZE];
    struct sc_encoder *enc = sc_encoder_create(&model, &p, reason, sizeof(reason));
    g_assert_nonnull(enc);
    struct resubmit r = { .s = { .loop_thread = g_thread_self(),
                                 .loop = g_main_loop_new(NULL, FALSE) } };
    r.w = sc_encode_worker_new(enc, NULL, 1, on_resubmit, &r);
    struct sc_frame *f = sc_frame_new_memfd(W, H), *g = sc_frame_new_memfd(W, H);
    r.next = g;

    g_assert_true(sc_encode_worker_submit(r.w, f));
    g_assert_false(sc_encode_worker_submit(r.w, g)); /* one slot, taken */
    guint id = g_timeout_add_seconds(20, give_up, r.s.loop);
    g_main_loop_run(r.s.loop);
    g_source_remove(id);
    g_assert_true(r.taken);
    g_assert_cmpuint(r.s.results, ==, 2);
    sc_encode_worker_destroy(r.w);
    sc_frame_unref(f);
    sc_frame_unref(g);
    g_main_loop_unref(r.s.loop);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/codecs/worker/lossless-lz4", sc_encoder_find("lossless", "lz4"),
                         test_worker);
    g_test_add_data_func("/codecs/worker/openh264", sc_encoder_find("openh264", "h264"),
                         test_worker);
    g_test_add_func("/codecs/worker/handover", test_handover);
    g_test_add_func("/codecs/worker/resubmit-from-done", test_resubmit_from_done);
    return g_test_run();
}
