/* Frame stamps (common/stamp) through every encoder/decoder pair of the
 * registry: 1280x720 moving content ("video", the hardest class) with a
 * stamp written into each frame, 2 Mbit/s (MJPEG at its default quality),
 * 40 frames; every decoded picture must read back the stamp of the frame it
 * came from, both from the decoder's luma plane and after conversion to
 * XRGB (what a viewer's surface holds).  A backend that cannot work here is
 * skipped with its probe's reason. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "codecs/codec.h"
#include "bench/content.h"
#include "codecs/convert.h"
#include "common/stamp.h"

#define W 1280
#define H 720
#define FRAMES 40

struct run {
    struct sc_decoder *dec;
    struct sc_decoder *other; /* for packets of another codec (lossless: raw) */
    uint8_t *y, *bgrx;
    GArray *sent;  /* struct sc_stamp, in encode order */
    unsigned next; /* the next one a decoded frame should carry */
    unsigned read;
};

static void check_decoded(struct run *r, const struct sc_decoded_frame *out)
{
    struct sc_stamp got, got_rgb;
    g_assert_cmpuint(r->next, <, r->sent->len);
    const struct sc_stamp *want = &g_array_index(r->sent, struct sc_stamp, r->next);
    g_assert_true(sc_convert_decoded_to_y(out, r->y, W));
    g_assert_true(sc_stamp_read_y(r->y, W, H, W, &got));
    g_assert_cmpuint(got.index, ==, want->index);
    g_assert_cmpint(got.time_us, ==, want->time_us);
    g_assert_true(sc_convert_decoded_to_bgrx(out, r->bgrx, W * 4));
    g_assert_true(sc_stamp_read(r->bgrx, W, H, W * 4, &got_rgb));
    g_assert_cmpuint(got_rgb.index, ==, want->index);
    r->next++;
    r->read++;
}

/* The lossless encoder sends an update raw when LZ4 does not pay: each
 * packet says its codec */
static struct sc_decoder *decoder_for(struct run *r, int codec)
{
    struct sc_decoder_params dp = { W, H, true };
    char reason[SC_CODEC_REASON_SIZE];

    if (!codec || codec == (int)r->dec->impl->codec)
        return r->dec;
    for (size_t i = 0; !r->other && sc_decoders[i]; i++)
        if ((int)sc_decoders[i]->codec == codec)
            r->other = sc_decoder_create(sc_decoders[i], &dp, reason, sizeof(reason));
    g_assert_nonnull(r->other);
    return r->other;
}

static void on_packet(const struct sc_packet *p, void *data)
{
    struct run *r = data;
    struct sc_decoded_frame out;
    int rc = sc_decoder_decode(decoder_for(r, p->codec), p->data, p->size, &out);
    g_assert_cmpint(rc, >=, 0);
    if (rc == 1)
        check_decoded(r, &out);
}

static void test_stamp_codec(gconstpointer data)
{
    const struct sc_encoder_ops *ops = data;
    char reason[SC_CODEC_REASON_SIZE];
    const struct sc_decoder_ops *dops;

    if (!sc_encoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(reason);
        return;
    }
    if (!(dops = sc_decoder_for(ops))) {
        g_test_skip("no working decoder for this codec here");
        return;
    }
    struct sc_encoder_params p = { .width = W, .height = H, .fps = 30, .bitrate = 2000000,
                                   .keyframe_interval = 0, .low_latency = true, .threads = 1 };
    struct sc_decoder_params dp = { W, H, true };
    struct sc_encoder *enc = sc_encoder_create(ops, &p, reason, sizeof(reason));
    g_assert_nonnull(enc);
    struct run r = { .dec = sc_decoder_create(dops, &dp, reason, sizeof(reason)) };
    g_assert_nonnull(r.dec);
    r.y = g_malloc((size_t)W * H);
    r.bgrx = g_malloc((size_t)W * H * 4);
    r.sent = g_array_new(FALSE, FALSE, sizeof(struct sc_stamp));
    struct sc_content *content = sc_content_create("video", W, H, reason, sizeof(reason));
    g_assert_nonnull(content);
    struct sc_frame *f = sc_frame_new_memfd(W, H);

    for (unsigned i = 0; i < FRAMES; i++) {
        g_assert_cmpint(sc_content_next(content, f, NULL, 0), ==, 1);
        struct sc_stamp s = { 1000 + i * 7, 123456789000LL + i * 33333 };
        g_assert_true(sc_stamp_write(f->map + f->offset, W, H, f->stride, &s));
        sc_frame_set_full_damage(f);
        g_array_append_val(r.sent, s);
        g_assert_cmpint(sc_encoder_encode(enc, f, on_packet, &r), ==, 0);
    }
    /* a backend may hold a frame or two (stats.latency_frames) */
    g_assert_cmpuint(r.read + enc->stats.latency_frames + 1, >=, FRAMES);
    g_test_message("%s: %u of %u stamps read", ops->name, r.read, FRAMES);

    sc_frame_unref(f);
    sc_content_destroy(content);
    g_array_unref(r.sent);
    g_free(r.y);
    g_free(r.bgrx);
    sc_decoder_destroy(r.dec);
    sc_decoder_destroy(r.other);
    sc_encoder_destroy(enc);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; sc_encoders[i]; i++) {
        char label[48], path[128];
        sc_encoder_ops_label(sc_encoders[i], label, sizeof(label));
        snprintf(path, sizeof(path), "/stamp/%s", label);
        g_test_add_data_func(path, sc_encoders[i], test_stamp_codec);
    }
    return g_test_run();
}
