/* Video streams from the server core, over socketpair(): a changing screen
 * becomes STREAM_CREATE + STREAM_DATA that our own decoder turns back into
 * the frames; a still screen gets a lossless refresh; a client that cannot
 * decode the codec falls back; clients sharing a codec share one encoding. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "bench/content.h"
#include "codecs/convert.h"
#include "tests/server/harness.h"
#include "server/stream.h"
#include "common/stats.h"

#define W 320
#define H 240

static const unsigned h264_caps[] = {
    SPICE_DISPLAY_CAP_MULTI_CODEC, SPICE_DISPLAY_CAP_CODEC_H264, SPICE_DISPLAY_CAP_STREAM_REPORT,
    SPICE_DISPLAY_CAP_LZ4_COMPRESSION,
};

static bool have_openh264(void)
{
    const struct sc_encoder_ops *e = sc_encoder_find("openh264", "h264");
    const struct sc_decoder_ops *d = sc_decoder_find("openh264", "h264");
    char reason[SC_CODEC_REASON_SIZE] = "not built";

    if (e && d && sc_encoder_probe(e, reason, sizeof(reason)) &&
        sc_decoder_probe(d, reason, sizeof(reason)))
        return true;
    g_test_skip_printf("openh264 unavailable: %s", reason);
    return false;
}

static void setup_streaming(struct fixture *fx, const char *codecs)
{
    struct sc_server_options o = { .name = "test", .disable_ticketing = true,
                                   .streaming_video = "all", .video_codecs = codecs };

    fixture_setup_options(fx, &o);
}

static double psnr_vs_frame(const struct sc_decoded_frame *d, const struct sc_frame *f)
{
    g_autofree uint8_t *ya = g_malloc(W * H), *yb = g_malloc(W * H);

    g_assert_true(sc_convert_decoded_to_y(d, ya, W));
    g_assert_true(sc_convert_bgrx_to_y(f->map + f->offset, f->stride, W, H, yb, W));
    return sc_psnr_y(ya, W, yb, W, W, H);
}

/* Reads until MARK (the first lossless update). */
/* Emits frames seed..seed+n-1, interval_us apart, spinning the loop. */
static void emit_moving_every(struct fixture *fx, uint32_t seed, unsigned n,
                              struct sc_frame **last, gint64 interval_us)
{
    for (unsigned i = 0; i < n; i++) {
        gint64 until = g_get_monotonic_time() + interval_us;
        struct sc_frame *f = make_moving_frame(W, H, seed + i);

        if (*last)
            sc_frame_unref(*last);
        *last = sc_frame_ref(f);
        emit(fx, f);
        while (g_get_monotonic_time() < until)
            g_main_context_iteration(NULL, FALSE);
    }
}

/* ... 30 ms apart */
static void emit_moving(struct fixture *fx, uint32_t seed, unsigned n, struct sc_frame **last)
{
    emit_moving_every(fx, seed, n, last, 30000);
}

/* Skips messages up to STREAM_CREATE and parses it. */
static void expect_stream_create(struct tc *d, struct sc_stream_create *sc)
{
    uint16_t type = 0;
    GBytes *b = NULL;
    gsize n;
    const uint8_t *p;

    do {
        if (b)
            g_bytes_unref(b);
        g_assert_true(tc_recv(d, &type, &b));
    } while (type != SPICE_MSG_DISPLAY_STREAM_CREATE);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_stream_create_parse(p, n, sc));
    g_bytes_unref(b);
}

/* A streaming server showing frame 0, a main and a display client
 * (display caps: caps), the first lossless update read. */
static void start_session(struct fixture *fx, const unsigned *caps, unsigned n_caps,
                          struct tc **m, struct tc **d)
{
    setup_streaming(fx, "openh264:h264");
    emit(fx, make_frame(W, H, 0));
    *m = tc_connect(fx);
    *d = connect_display(fx, link_main(*m, NULL), caps, n_caps);
    tc_read_until_mark(*d);
}

/* An H.264 stream starts with a STREAM_DATA holding an access unit
 * delimiter alone (server/stream.c): no picture in it. */
static bool lone_delimiter(const struct sc_stream_data *sd)
{
    static const uint8_t aud[] = { 0, 0, 0, 1, 0x09, 0xf0 };
    return sd->data_size == sizeof(aud) && memcmp(sd->data, aud, sizeof(aud)) == 0;
}

static void test_h264_stream(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *last = NULL;
    struct sc_decoder *dec;
    struct sc_decoder_params dp = { .width = W, .height = H, .want_cpu = true };
    struct sc_decoded_frame out;
    struct sc_stream_create sc;
    char reason[SC_CODEC_REASON_SIZE];
    unsigned packets = 0, decoded = 0, delimiters = 0;
    double psnr = 0;
    uint16_t type;
    GBytes *b;
    gsize n;
    const uint8_t *p;

    if (!have_openh264())
        return;
    start_session(&fx, h264_caps, G_N_ELEMENTS(h264_caps), &m, &d);
    emit_moving(&fx, 1, 12, &last);
    expect_stream_create(d, &sc);
    g_assert_cmpuint(sc.codec_type, ==, SPICE_VIDEO_CODEC_TYPE_H264);
    g_assert_true(sc.flags & SPICE_STREAM_FLAGS_TOP_DOWN);
    g_assert_cmpint(sc.dest.right, ==, W);
    g_assert_cmpint(sc.dest.bottom, ==, H);

    dec = sc_decoder_create(sc_decoder_find("openh264", "h264"), &dp, reason, sizeof(reason));
    g_assert_nonnull(dec);
    /* decode every packet; the screen then goes still: STREAM_DESTROY and a
     * lossless full refresh follow */
    for (;;) {
        g_assert_true(tc_recv(d, &type, &b));
        p = g_bytes_get_data(b, &n);
        if (type == SPICE_MSG_DISPLAY_STREAM_DATA) {
            struct sc_stream_data sd;
            g_assert_true(sc_stream_data_parse(p, n, &sd));
            g_assert_cmpuint(sd.id, ==, sc.id);
            g_assert_cmpuint(sd.multi_media_time, !=, 0);
            /* a stream starts with a lone access unit delimiter (stream.c) */
            if (packets + delimiters == 0 && lone_delimiter(&sd)) {
                delimiters++;
            } else {
                packets++;
                if (sc_decoder_decode(dec, sd.data, sd.data_size, &out) == 1) {
                    decoded++;
                    psnr = psnr_vs_frame(&out, last); /* the last decoded is the last sent */
                }
            }
        } else if (type == SPICE_MSG_DISPLAY_STREAM_DESTROY) {
            g_bytes_unref(b);
            break;
        }
        g_bytes_unref(b);
    }
    g_test_message("%u packets, %u decoded, last PSNR-Y %.1f dB", packets, decoded, psnr);
    g_assert_cmpuint(packets, >=, 5);
    g_assert_cmpuint(decoded, ==, packets);
    g_assert_cmpuint(delimiters, ==, 1);
    g_assert_cmpfloat(psnr, >=, 35.0);
    /* the still picture arrives lossless */
    b = tc_expect(d, SPICE_MSG_DISPLAY_DRAW_COPY);
    {
        struct sc_draw_copy dc;
        p = g_bytes_get_data(b, &n);
        g_assert_true(sc_draw_copy_parse(p, n, &dc));
        g_assert_cmpint(dc.box.right - dc.box.left, ==, W);
        g_assert_cmpint(dc.box.bottom - dc.box.top, ==, H);
    }
    g_bytes_unref(b);

    sc_decoder_destroy(dec);
    sc_frame_unref(last);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* A burst faster than the encoder: frames the busy encoder refuses are
 * dropped, except the newest, which is encoded once a result is back, so
 * the last picture of the stream is the last frame shown (it used to be
 * dropped too, and the client kept an older picture until the stream
 * ended). */
static void test_busy_keeps_latest(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *last = NULL;
    struct sc_decoder_params dp = { .width = W, .height = H, .want_cpu = true };
    struct sc_decoded_frame out;
    struct sc_stream_create sc;
    char reason[SC_CODEC_REASON_SIZE];
    double psnr = 0;
    unsigned decoded = 0;
    uint16_t type;
    GBytes *b;
    gsize n;

    if (!have_openh264())
        return;
    start_session(&fx, h264_caps, G_N_ELEMENTS(h264_caps), &m, &d);
    emit_moving(&fx, 1, 4, &last);
    expect_stream_create(d, &sc);
    struct sc_decoder *dec = sc_decoder_create(sc_decoder_find("openh264", "h264"), &dp, reason,
                                               sizeof(reason));
    g_assert_nonnull(dec);
    /* 8 frames without a loop iteration: no result comes back meanwhile;
     * then frames 3 ms apart, results and refusals interleaved (a kept
     * frame must not go out after a newer one), and a last burst */
    emit_moving_every(&fx, 40, 8, &last, 0);
    emit_moving_every(&fx, 60, 8, &last, 3000);
    emit_moving_every(&fx, 80, 4, &last, 0);
    for (;;) {
        g_assert_true(tc_recv(d, &type, &b));
        if (type == SPICE_MSG_DISPLAY_STREAM_DESTROY) {
            g_bytes_unref(b);
            break;
        }
        struct sc_stream_data sd;
        const uint8_t *p = g_bytes_get_data(b, &n);
        if (type == SPICE_MSG_DISPLAY_STREAM_DATA && sc_stream_data_parse(p, n, &sd) &&
            sc_decoder_decode(dec, sd.data, sd.data_size, &out) == 1) {
            decoded++;
            psnr = psnr_vs_frame(&out, last);
        }
        g_bytes_unref(b);
    }
    g_test_message("%u pictures decoded, the last at %.1f dB from the last frame shown", decoded,
                   psnr);
    g_assert_cmpfloat(psnr, >=, 35.0);

    sc_decoder_destroy(dec);
    sc_frame_unref(last);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* SPICECAST_STATS=1: every server stage of a streamed frame is recorded,
 * measured from the frame's time (issue 9): source, display, encode
 * start/end, first byte queued, last byte written; on the same frames a
 * later stage's percentiles are never below an earlier one's. */
static void test_latency_stages(void)
{
    static const char *const stages[] = { "source", "display", "encode_start", "encode_end",
                                          "queued", "written" };
    struct sc_stats_summary sum[G_N_ELEMENTS(stages)];
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *last = NULL;
    uint16_t type = 0;
    GBytes *b;

    if (!have_openh264())
        return;
    g_setenv("SPICECAST_STATS", "1", TRUE);
    start_session(&fx, h264_caps, G_N_ELEMENTS(h264_caps), &m, &d);
    g_setenv("SPICECAST_STATS", "0", TRUE);
    g_assert_nonnull(fx.server->stats);
    sc_stats_set_interval(fx.server->stats, 0);
    emit_moving(&fx, 1, 12, &last);
    while (type != SPICE_MSG_DISPLAY_STREAM_DESTROY) { /* read it all */
        g_assert_true(tc_recv(d, &type, &b));
        g_bytes_unref(b);
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(stages); i++) {
        g_assert_true(sc_stats_get(fx.server->stats, stages[i], &sum[i]));
        g_test_message("%s: n=%" G_GUINT64_FORMAT " p50=%" G_GINT64_FORMAT " us", stages[i],
                       sum[i].n, sum[i].p50);
        g_assert_cmpuint(sum[i].n, >=, 5);
        g_assert_cmpint(sum[i].p50, >=, 0);
        g_assert_cmpint(sum[i].p99, <, 10 * G_USEC_PER_SEC);
    }
    g_assert_cmpint(sum[3].p50, >=, sum[2].p50); /* encode end after its start */
    g_assert_cmpint(sum[3].p99, >=, sum[2].p99);
    g_assert_cmpuint(sum[5].n, ==, sum[4].n);    /* one client: written = queued */
    g_assert_cmpint(sum[5].p50, >=, sum[4].p50);
    g_assert_cmpint(sum[5].p99, >=, sum[4].p99);
    sc_frame_unref(last);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* A client without any codec cap stays lossless while the screen moves. */
static void test_no_codec_stays_lossless(void)
{
    static const unsigned caps[] = { SPICE_DISPLAY_CAP_MULTI_CODEC };
    struct fixture fx;
    struct tc *m, *d, *m2, *d2;
    struct sc_frame *last = NULL;
    struct sc_stream_create sc;
    unsigned draws = 0;
    uint16_t type;
    GBytes *b;

    if (!have_openh264())
        return;
    start_session(&fx, caps, G_N_ELEMENTS(caps), &m, &d);
    /* a client that can decode H.264 proves the display went to video */
    m2 = tc_connect(&fx);
    d2 = connect_display(&fx, link_main(m2, NULL), h264_caps, G_N_ELEMENTS(h264_caps));
    tc_read_until_mark(d2);
    emit_moving(&fx, 1, 8, &last);
    expect_stream_create(d2, &sc);
    while (draws < 8 && tc_recv(d, &type, &b)) {
        g_assert_cmpuint(type, !=, SPICE_MSG_DISPLAY_STREAM_CREATE);
        draws += type == SPICE_MSG_DISPLAY_DRAW_COPY;
        g_bytes_unref(b);
        if (!tc_fill(d, 1))
            break;
    }
    g_assert_cmpuint(draws, >=, 1);
    sc_frame_unref(last);
    tc_free(d2);
    tc_free(m2);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* STREAM_REPORT "cannot decode" (num_drops 0xffffffff): back to lossless. */
static void test_undecodable_falls_back(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *last = NULL;
    struct sc_stream_create sc;
    struct sc_stream_report r = { .num_drops = UINT32_MAX, .audio_delay = UINT32_MAX };
    struct sc_writer w;
    unsigned draws = 0;
    uint16_t type;
    GBytes *b = NULL;

    if (!have_openh264())
        return;
    start_session(&fx, h264_caps, G_N_ELEMENTS(h264_caps), &m, &d);
    emit_moving(&fx, 1, 6, &last);
    expect_stream_create(d, &sc);
    r.stream_id = r.unique_id = sc.id;
    sc_writer_init(&w);
    sc_stream_report_write(&w, &r);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_STREAM_REPORT, &w);
    sc_writer_finish(&w);
    emit_moving(&fx, 7, 10, &last);
    /* lossless updates come; no new stream for that codec */
    while (draws < 3) {
        g_assert_true(tc_recv(d, &type, &b));
        g_assert_cmpuint(type, !=, SPICE_MSG_DISPLAY_STREAM_CREATE);
        draws += type == SPICE_MSG_DISPLAY_DRAW_COPY;
        g_bytes_unref(b);
    }
    sc_frame_unref(last);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* Two clients with the same codec: one encoding, the same bytes to both. */
static void test_group_encodes_once(void)
{
    struct fixture fx;
    struct tc *m1, *m2, *d1, *d2;
    struct sc_frame *last = NULL;
    GPtrArray *got[2] = { g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref),
                          g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref) };
    struct tc *ds[2];

    if (!have_openh264())
        return;
    setup_streaming(&fx, "openh264:h264");
    emit(&fx, make_frame(W, H, 0));
    m1 = tc_connect(&fx);
    d1 = connect_display(&fx, link_main(m1, NULL), h264_caps, G_N_ELEMENTS(h264_caps));
    m2 = tc_connect(&fx);
    d2 = connect_display(&fx, link_main(m2, NULL), h264_caps, G_N_ELEMENTS(h264_caps));
    tc_read_until_mark(d1);
    tc_read_until_mark(d2);
    emit_moving(&fx, 1, 10, &last);
    ds[0] = d1;
    ds[1] = d2;
    for (int i = 0; i < 2; i++) {
        for (;;) {
            uint16_t type;
            GBytes *b;
            g_assert_true(tc_recv(ds[i], &type, &b));
            if (type == SPICE_MSG_DISPLAY_STREAM_DESTROY) {
                g_bytes_unref(b);
                break;
            }
            if (type == SPICE_MSG_DISPLAY_STREAM_DATA) {
                /* skip id + mm_time: compare the payloads */
                gsize n;
                const uint8_t *p = g_bytes_get_data(b, &n);
                g_ptr_array_add(got[i], g_bytes_new(p + 8, n - 8));
            }
            g_bytes_unref(b);
        }
    }
    g_test_message("%u and %u packets", got[0]->len, got[1]->len);
    g_assert_cmpuint(got[0]->len, >=, 3);
    /* both clients joined before the first keyframe: identical streams */
    g_assert_cmpuint(got[0]->len, ==, got[1]->len);
    for (guint i = 0; i < got[0]->len; i++)
        g_assert_true(g_bytes_equal(got[0]->pdata[i], got[1]->pdata[i]));
    g_ptr_array_unref(got[0]);
    g_ptr_array_unref(got[1]);
    sc_frame_unref(last);
    tc_free(d1);
    tc_free(d2);
    tc_free(m1);
    tc_free(m2);
    fixture_teardown(&fx);
}

/* A frame with a noisy moving band: enough detail to use the bitrate. */
static struct sc_frame *noisy_frame(uint32_t seed)
{
    struct sc_frame *f = make_moving_frame(W, H, seed);
    GRand *r = g_rand_new_with_seed(seed);

    for (int y = 60; y < 108; y++)
        for (int x = 0; x < W; x++)
            f->map[f->offset + y * f->stride + x * 4 + 1] = (uint8_t)g_rand_int(r);
    g_rand_free(r);
    return f;
}

/* Mean STREAM_DATA size over n packets of the current stream. */
static double mean_packet(struct fixture *fx, struct tc *d, uint32_t *seed, unsigned n)
{
    size_t total = 0;
    unsigned got = 0;

    while (got < n) {
        gint64 until = g_get_monotonic_time() + 30000;
        uint16_t type;
        GBytes *b;

        emit(fx, noisy_frame((*seed)++));
        while (g_get_monotonic_time() < until)
            g_main_context_iteration(NULL, FALSE);
        while (d->in->len > 0 || tc_fill(d, 1)) {
            g_assert_true(tc_recv(d, &type, &b));
            if (type == SPICE_MSG_DISPLAY_STREAM_DATA && got++ >= 2) /* past the keyframe */
                total += g_bytes_get_size(b);
            g_bytes_unref(b);
            if (d->in->len == 0)
                break;
        }
    }
    return (double)total / (n - 2);
}

/* A slow link (the client stops reading: acks overdue, packets skipped)
 * that also reports drops moves the client to a slower group: a new stream
 * at half the bitrate. */
static void test_slow_link_slows_down(void)
{
    struct sc_server_options o = { .name = "test", .disable_ticketing = true,
                                   .streaming_video = "all", .video_codecs = "openh264:h264",
                                   .video_bitrate = 2000000 };
    struct sc_stream_report r = { .num_frames = 5, .num_drops = 3, .audio_delay = UINT32_MAX };
    struct fixture fx;
    struct tc *m, *d;
    struct sc_stream_create sc1, sc2;
    struct sc_writer w;
    uint32_t seed = 1;
    double before, after;

    if (!have_openh264())
        return;
    fixture_setup_options(&fx, &o);
    emit(&fx, make_frame(W, H, 0));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), h264_caps, G_N_ELEMENTS(h264_caps));
    tc_read_until_mark(d);
    for (int i = 0; i < 4; i++) {
        struct sc_frame *f = noisy_frame(seed++);
        emit(&fx, f);
        g_usleep(30000);
        g_main_context_iteration(NULL, FALSE);
    }
    expect_stream_create(d, &sc1);
    before = mean_packet(&fx, d, &seed, 24);
    /* 48 frames unread: more than two ack windows */
    for (int i = 0; i < 48; i++) {
        emit(&fx, noisy_frame(seed++));
        g_usleep(30000);
        while (g_main_context_iteration(NULL, FALSE))
            ;
    }
    r.stream_id = r.unique_id = sc1.id;
    sc_writer_init(&w);
    sc_stream_report_write(&w, &r);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_STREAM_REPORT, &w);
    sc_writer_finish(&w);
    /* keep the screen moving until the new stream starts */
    for (;;) {
        uint16_t type;
        GBytes *b;
        bool created = false;

        emit(&fx, noisy_frame(seed++));
        g_usleep(30000);
        while (g_main_context_iteration(NULL, FALSE))
            ;
        while ((d->in->len > 0 || tc_fill(d, 1)) && !created) {
            gsize n;
            const uint8_t *p;

            g_assert_true(tc_recv(d, &type, &b));
            p = g_bytes_get_data(b, &n);
            if (type == SPICE_MSG_DISPLAY_STREAM_CREATE) {
                g_assert_true(sc_stream_create_parse(p, n, &sc2));
                created = true;
            }
            g_bytes_unref(b);
            if (d->in->len == 0)
                break;
        }
        if (created)
            break;
    }
    g_assert_cmpuint(sc2.id, !=, sc1.id);
    after = mean_packet(&fx, d, &seed, 24);
    g_test_message("mean packet %.0f bytes before, %.0f after the drops", before, after);
    g_assert_cmpfloat(after, <, before * 0.8);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* One complete message from d's buffer or socket, without waiting. */
static bool poll_msg(struct tc *d, uint16_t *type, GBytes **b)
{
    struct sc_data_header h;
    uint8_t buf[65536];
    ssize_t r;

    while ((r = recv(d->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
        g_byte_array_append(d->in, buf, (guint)r);
    if (d->in->len < SC_MINI_HEADER_SIZE)
        return false;
    g_assert_true(sc_data_header_parse(d->in->data, d->in->len, true, &h));
    return d->in->len >= SC_MINI_HEADER_SIZE + h.size && tc_recv(d, type, b);
}

static void send_report(struct tc *d, uint32_t id, uint32_t frames, uint32_t drops, int32_t delay)
{
    struct sc_stream_report r = { .stream_id = id, .unique_id = id, .num_frames = frames,
                                  .num_drops = drops, .last_frame_delay = delay,
                                  .audio_delay = UINT32_MAX };
    struct sc_writer w;

    sc_writer_init(&w);
    sc_stream_report_write(&w, &r);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_STREAM_REPORT, &w);
    sc_writer_finish(&w);
}

/* What a viewer of the thinning test saw. */
struct viewer_count {
    struct sc_decoder *dec;
    uint32_t id;
    unsigned packets, decoded, creates, destroys;
    unsigned in_phase[3]; /* packets: thinning starts, thin, after a still */
};

/* Reads d's pending messages: STREAM_DATA is decoded (every packet sent
 * must decode: a frame others refer to was never left out); a slow viewer
 * reports every 5 packets "2 dropped, 30 ms late". */
static void viewer_drain(struct tc *d, struct viewer_count *v, bool slow, int phase)
{
    struct sc_decoded_frame out;
    uint16_t type;
    GBytes *b;

    while (poll_msg(d, &type, &b)) {
        gsize n;
        const uint8_t *p = g_bytes_get_data(b, &n);
        struct sc_stream_data sd;

        if (type == SPICE_MSG_DISPLAY_STREAM_CREATE) {
            struct sc_stream_create sc;
            g_assert_true(sc_stream_create_parse(p, n, &sc));
            v->id = sc.id;
            v->creates++;
        }
        v->destroys += type == SPICE_MSG_DISPLAY_STREAM_DESTROY;
        if (type == SPICE_MSG_DISPLAY_STREAM_DATA) {
            g_assert_true(sc_stream_data_parse(p, n, &sd));
            if (lone_delimiter(&sd)) {
                g_bytes_unref(b);
                continue;
            }
            v->packets++;
            v->in_phase[phase]++;
            v->decoded += sc_decoder_decode(v->dec, sd.data, sd.data_size, &out) == 1;
            if (slow && v->packets % 5 == 0)
                send_report(d, v->id, 5, 2, -30);
        }
        g_bytes_unref(b);
    }
}

/* Emits n moving frames from *seed, checking the group count and reading
 * both viewers after each. */
static void thin_phase(struct fixture *fx, struct tc **d, struct viewer_count *v, uint32_t *seed,
                       unsigned n, int phase, struct sc_frame **last)
{
    for (unsigned k = 0; k < n; k++) {
        emit_moving(fx, (*seed)++, 1, last);
        g_assert_cmpuint(sc_streams_n_groups(sc_display_streams(sc_server_display(fx->server, 0))), <=, 1);
        for (int i = 0; i < 2; i++)
            viewer_drain(d[i], &v[i], i == 1, phase);
    }
}

/* A client that reports drops and late frames while it reads everything
 * (it decodes too slowly; its link is fine) stays in the group: no new
 * encoder, no new stream, and it is sent every other frame, all of which
 * decode.  The client beside it gets every frame.  After a still screen
 * (lossless refresh, a new stream) the slow client is still sent every
 * other frame. */
static void test_slow_decoder_thinned(void)
{
    struct sc_decoder_params dp = { .width = W, .height = H, .want_cpu = true };
    struct viewer_count v[2] = { { 0 } };
    struct sc_stream_create sc;
    struct fixture fx;
    struct tc *m[2], *d[2];
    struct sc_frame *last = NULL;
    char reason[SC_CODEC_REASON_SIZE];
    uint32_t seed = 5;
    gint64 until;

    if (!have_openh264())
        return;
    setup_streaming(&fx, "openh264:h264");
    emit(&fx, make_frame(W, H, 0));
    for (int i = 0; i < 2; i++) {
        m[i] = tc_connect(&fx);
        d[i] = connect_display(&fx, link_main(m[i], NULL), h264_caps, G_N_ELEMENTS(h264_caps));
        tc_read_until_mark(d[i]);
    }
    emit_moving(&fx, 1, 4, &last);
    for (int i = 0; i < 2; i++) {
        expect_stream_create(d[i], &sc);
        v[i].id = sc.id;
        v[i].dec = sc_decoder_create(sc_decoder_find("openh264", "h264"), &dp, reason,
                                     sizeof(reason));
        g_assert_nonnull(v[i].dec);
    }
    thin_phase(&fx, d, v, &seed, 45, 0, &last);
    thin_phase(&fx, d, v, &seed, 45, 1, &last);
    g_assert_cmpuint(v[1].creates + v[1].destroys, ==, 0);
    /* still for 500 ms: the stream ends; then the screen moves again */
    until = g_get_monotonic_time() + 500000;
    while (g_get_monotonic_time() < until)
        g_main_context_iteration(NULL, FALSE);
    thin_phase(&fx, d, v, &seed, 45, 2, &last);
    g_test_message("fast viewer: %u, %u, %u packets; slow viewer: %u, %u, %u, %u of %u "
                   "decoded, %u new streams", v[0].in_phase[0], v[0].in_phase[1],
                   v[0].in_phase[2], v[1].in_phase[0], v[1].in_phase[1], v[1].in_phase[2],
                   v[1].decoded, v[1].packets, v[1].creates);
    g_assert_cmpuint(v[1].destroys, ==, 1);
    g_assert_cmpuint(v[1].creates, ==, 1);
    g_assert_cmpuint(v[0].decoded, ==, v[0].packets);
    g_assert_cmpuint(v[1].decoded, ==, v[1].packets);
    /* once thinned, in its stream and the next: every other frame */
    for (int ph = 1; ph < 3; ph++) {
        g_assert_cmpuint(v[0].in_phase[ph], >=, 30);
        g_assert_cmpuint(v[1].in_phase[ph] * 10, <=, v[0].in_phase[ph] * 6);
        g_assert_cmpuint(v[1].in_phase[ph] * 10, >=, v[0].in_phase[ph] * 4);
    }
    for (int i = 0; i < 2; i++) {
        sc_decoder_destroy(v[i].dec);
        tc_free(d[i]);
        tc_free(m[i]);
    }
    sc_frame_unref(last);
    fixture_teardown(&fx);
}

/* Encoders are made for the source's frame rate (issue 9): a 60 fps source
 * is measured as such, and a 30 fps one later as that (30 before, fixed). */
static void test_source_rate(void)
{
    struct fixture fx;
    struct sc_frame *last = NULL;
    uint32_t fps;

    setup_streaming(&fx, NULL);
    g_assert_cmpuint(sc_streams_source_fps(sc_display_streams(sc_server_display(fx.server, 0))), ==, 30);
    emit_moving_every(&fx, 1, 20, &last, 1000000 / 60);
    fps = sc_streams_source_fps(sc_display_streams(sc_server_display(fx.server, 0)));
    g_test_message("60 fps source: measured %u fps", fps);
    g_assert_cmpuint(fps, ==, 60);
    emit_moving_every(&fx, 30, 40, &last, 1000000 / 30);
    fps = sc_streams_source_fps(sc_display_streams(sc_server_display(fx.server, 0)));
    g_test_message("then a 30 fps source: measured %u fps", fps);
    g_assert_cmpuint(fps, ==, 30);
    sc_frame_unref(last);
    fixture_teardown(&fx);
}

/* An IDR slice in an H.264 packet */
static bool has_idr(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++)
        if (!p[i] && !p[i + 1] && p[i + 2] == 1 && (p[i + 3] & 0x1f) == 5)
            return true;
    return false;
}

/* The next STREAM_DATA's payload: whether it is a keyframe */
static bool next_data_is_key(struct fixture *fx, struct tc *d, uint32_t *seed,
                             struct sc_frame **last)
{
    for (;;) {
        uint16_t type;
        GBytes *b;
        gsize n;

        emit_moving(fx, (*seed)++, 1, last);
        while (d->in->len > 0 || tc_fill(d, 1)) {
            g_assert_true(tc_recv(d, &type, &b));
            const uint8_t *p = g_bytes_get_data(b, &n);
            /* (a stream starts with a delimiter alone: stream-data.c) */
            bool data = type == SPICE_MSG_DISPLAY_STREAM_DATA && n > 12 + 8;
            bool key = data && has_idr(p + 12, n - 12);
            g_bytes_unref(b);
            if (data)
                return key;
        }
    }
}

/* A client that skips to the next keyframe after a drop (our viewer's
 * SC_DISPLAY_CAP_KEYFRAME_ON_DROP): a report with drops gets it one at
 * once, not after KEYFRAME_INTERVAL frames; spice-gtk (no cap) does not. */
static void test_keyframe_on_drop(void)
{
    static const unsigned caps[] = {
        SPICE_DISPLAY_CAP_MULTI_CODEC, SPICE_DISPLAY_CAP_CODEC_H264,
        SPICE_DISPLAY_CAP_STREAM_REPORT, SC_DISPLAY_CAP_KEYFRAME_ON_DROP,
    };
    struct sc_stream_report r = { .num_frames = 5, .num_drops = 1, .audio_delay = UINT32_MAX };
    struct fixture fx;
    struct sc_frame *last = NULL;
    struct sc_stream_create sc;
    struct sc_writer w;
    struct tc *m, *d;
    uint32_t seed = 1;
    unsigned waited = 0;

    if (!have_openh264())
        return;
    setup_streaming(&fx, "openh264:h264");
    emit(&fx, make_frame(W, H, 0));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), caps, G_N_ELEMENTS(caps));
    tc_read_until_mark(d);
    emit_moving(&fx, seed, 4, &last);
    seed += 4;
    expect_stream_create(d, &sc);
    g_assert_true(next_data_is_key(&fx, d, &seed, &last));
    for (int i = 0; i < 3; i++)
        g_assert_false(next_data_is_key(&fx, d, &seed, &last));
    r.stream_id = r.unique_id = sc.id;
    sc_writer_init(&w);
    sc_stream_report_write(&w, &r);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_STREAM_REPORT, &w);
    sc_writer_finish(&w);
    while (!next_data_is_key(&fx, d, &seed, &last))
        g_assert_cmpuint(++waited, <, 10);
    g_test_message("keyframe %u packets after the report", waited);
    sc_frame_unref(last);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

static void test_bad_options(void)
{
    struct sc_server_options o = { .name = "t", .disable_ticketing = true };
    GError *error = NULL;

    o.streaming_video = "sometimes";
    g_assert_null(sc_server_new(&o, &error));
    g_assert_nonnull(strstr(error->message, "streaming-video"));
    g_clear_error(&error);
    o.streaming_video = "all";
    o.video_codecs = "nosuch:h264";
    g_assert_null(sc_server_new(&o, &error));
    g_assert_nonnull(strstr(error->message, "video codecs"));
    g_clear_error(&error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stream/h264", test_h264_stream);
    g_test_add_func("/stream/busy-keeps-latest", test_busy_keeps_latest);
    g_test_add_func("/stream/latency-stages", test_latency_stages);
    g_test_add_func("/stream/no-codec-stays-lossless", test_no_codec_stays_lossless);
    g_test_add_func("/stream/undecodable-falls-back", test_undecodable_falls_back);
    g_test_add_func("/stream/group-encodes-once", test_group_encodes_once);
    g_test_add_func("/stream/slow-link-slows-down", test_slow_link_slows_down);
    g_test_add_func("/stream/slow-decoder-thinned", test_slow_decoder_thinned);
    g_test_add_func("/stream/source-rate", test_source_rate);
    g_test_add_func("/stream/keyframe-on-drop", test_keyframe_on_drop);
    g_test_add_func("/stream/bad-options", test_bad_options);
    return g_test_run();
}
