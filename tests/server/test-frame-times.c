/* SC_MSG_DISPLAY_FRAME_TIMES (issue 9: the viewer shows the server's
 * stages): a display client that advertised SC_DISPLAY_CAP_FRAME_TIMES
 * gets, after each streamed frame's STREAM_DATA, the frame's stages in the
 * server (µs from capture, in order) and the written stage of this or the
 * previous frame; a client without the cap (spice-gtk) gets none.  A
 * frame the source emits again while it is being encoded keeps the time
 * it first reached the display (its source stage is not moved past its
 * encode start). */
#include "config.h"

#include <string.h>

#include "codecs/codec.h"
#include "tests/server/harness.h"
#include "server/stream.h"

#define W 320
#define H 240

static bool have_openh264(void)
{
    const struct sc_encoder_ops *e = sc_encoder_find("openh264", "h264");
    char reason[SC_CODEC_REASON_SIZE] = "not built";

    if (e && sc_encoder_probe(e, reason, sizeof(reason)))
        return true;
    g_test_skip_printf("openh264 encoder unavailable: %s", reason);
    return false;
}

struct count {
    unsigned frames;  /* STREAM_DATA with a picture: the last of a frame */
    unsigned times;   /* FRAME_TIMES */
    unsigned written; /* ... with a written stage */
};

/* Reads up to STREAM_DESTROY; each FRAME_TIMES checked (stages in order);
 * the largest source stage seen into *max_source (may be NULL). */
static void read_stream_source(struct tc *d, struct count *c, int64_t *max_source)
{
    uint16_t type = 0;
    GBytes *b;

    while (type != SPICE_MSG_DISPLAY_STREAM_DESTROY) {
        gsize n;
        const uint8_t *p;
        struct sc_frame_times m, scratch;

        g_assert_true(tc_recv(d, &type, &b));
        p = g_bytes_get_data(b, &n);
        if (type == SPICE_MSG_DISPLAY_STREAM_DATA && n > 12 + 6) /* not the lone delimiter */
            c->frames++;
        if (type == SC_MSG_DISPLAY_FRAME_TIMES) {
            g_assert_true(sc_frame_times_parse(p, n, &m));
            g_assert_false(sc_frame_times_parse(p, n - 1, &scratch)); /* one byte short */
            c->times++;
            if (max_source)
                *max_source = MAX(*max_source, (int64_t)m.us[0]);
            for (int i = 0; i < SC_FRAME_STAGES; i++) {
                g_assert_cmpint(m.us[i], >=, i ? m.us[i - 1] : 0);
                g_assert_cmpint(m.us[i], <, 10 * G_USEC_PER_SEC);
            }
            if (m.written_us >= 0) {
                g_assert_true(m.written_frame == m.frame || m.written_frame + 1 == m.frame);
                if (m.written_frame == m.frame)
                    g_assert_cmpint(m.written_us, >=, m.us[SC_FRAME_QUEUED]);
                c->written++;
            }
        }
        g_bytes_unref(b);
    }
}

static void read_stream(struct tc *d, struct count *c)
{
    read_stream_source(d, c, NULL);
}

/* Iterates the loop for ms milliseconds. */
static void run_loop(int ms)
{
    gint64 until = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < until)
        g_main_context_iteration(NULL, FALSE);
}

/* The source emits one frame object twice, 80 ms apart, while the first
 * emission is still being encoded (the loop does not run in between, so
 * its result is not back): the frame's source stage stays what it was at
 * its first arrival (a few ms here), and its stages stay in order.  It
 * was overwritten by the second arrival: source 80 ms, after the encode
 * had started. */
static void test_frame_times_reemit(void)
{
    static const unsigned ours[] = { SPICE_DISPLAY_CAP_MULTI_CODEC, SPICE_DISPLAY_CAP_CODEC_H264,
                                     SC_DISPLAY_CAP_FRAME_TIMES };
    struct sc_server_options o = { .name = "test", .disable_ticketing = true,
                                   .streaming_video = "all", .video_codecs = "openh264:h264" };
    struct count c = { 0 };
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *f;
    int64_t max_source = 0;

    if (!have_openh264())
        return;
    fixture_setup_options(&fx, &o);
    emit(&fx, make_frame(W, H, 0));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), ours, G_N_ELEMENTS(ours));
    tc_read_until_mark(d);
    for (uint32_t seed = 1; seed <= 6; seed++) { /* video mode, a stream */
        emit(&fx, make_moving_frame(W, H, seed));
        run_loop(30);
    }
    f = make_moving_frame(W, H, 7);
    emit(&fx, sc_frame_ref(f)); /* handed to the encoder */
    g_usleep(80000);
    emit(&fx, f); /* again, its first encode's result not back yet */
    run_loop(100);
    for (uint32_t seed = 8; seed <= 10; seed++) {
        emit(&fx, make_moving_frame(W, H, seed));
        run_loop(30);
    }
    read_stream_source(d, &c, &max_source);
    g_test_message("%u frames, %u times, largest source stage %" G_GINT64_FORMAT " us", c.frames,
                   c.times, max_source);
    g_assert_cmpuint(c.times, >=, 5);
    g_assert_cmpint(max_source, <, 40000);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

static void test_frame_times(void)
{
    static const unsigned ours[] = { SPICE_DISPLAY_CAP_MULTI_CODEC, SPICE_DISPLAY_CAP_CODEC_H264,
                                     SC_DISPLAY_CAP_FRAME_TIMES };
    static const unsigned stock[] = { SPICE_DISPLAY_CAP_MULTI_CODEC, SPICE_DISPLAY_CAP_CODEC_H264 };
    struct sc_server_options o = { .name = "test", .disable_ticketing = true,
                                   .streaming_video = "all", .video_codecs = "openh264:h264" };
    struct count c[2] = { { 0 } };
    struct fixture fx;
    struct tc *m[2], *d[2];
    struct sc_frame *last = NULL;

    if (!have_openh264())
        return;
    fixture_setup_options(&fx, &o);
    emit(&fx, make_frame(W, H, 0));
    for (int i = 0; i < 2; i++) {
        m[i] = tc_connect(&fx);
        d[i] = connect_display(&fx, link_main(m[i], NULL), i ? stock : ours,
                               i ? G_N_ELEMENTS(stock) : G_N_ELEMENTS(ours));
        tc_read_until_mark(d[i]);
    }
    for (uint32_t seed = 1; seed <= 12; seed++) { /* 30 ms apart */
        gint64 until = g_get_monotonic_time() + 30000;
        struct sc_frame *f = make_moving_frame(W, H, seed);

        sc_frame_unref(last);
        last = sc_frame_ref(f);
        emit(&fx, f);
        while (g_get_monotonic_time() < until)
            g_main_context_iteration(NULL, FALSE);
    }
    for (int i = 0; i < 2; i++)
        read_stream(d[i], &c[i]);
    g_test_message("ours: %u frames, %u times, %u with written; stock: %u frames, %u times",
                   c[0].frames, c[0].times, c[0].written, c[1].frames, c[1].times);
    g_assert_cmpuint(c[0].frames, >=, 5);
    g_assert_cmpuint(c[0].times, ==, c[0].frames);
    g_assert_cmpuint(c[0].written, >=, c[0].times / 2);
    g_assert_cmpuint(c[1].frames, >=, 5);
    g_assert_cmpuint(c[1].times, ==, 0);
    sc_frame_unref(last);
    for (int i = 0; i < 2; i++) {
        tc_free(d[i]);
        tc_free(m[i]);
    }
    fixture_teardown(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stream/frame-times", test_frame_times);
    g_test_add_func("/stream/frame-times-reemit", test_frame_times_reemit);
    return g_test_run();
}
