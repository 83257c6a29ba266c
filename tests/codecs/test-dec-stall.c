/* A hostile packet must not hold a decoder's caller: every decode returns
 * within a bound (5 s here; the GStreamer decoders give up on a packet
 * after 1 s), reports the packet as bad, and the decoder still decodes the
 * next keyframe.  The packets once stalled gstreamer:h264 and
 * gstreamer:mjpeg for 10 s each: a decoder error stops the streaming thread
 * before the end-of-packet marker, whose wait then ran out; a packet of
 * 100 pictures kept the decoder busy for seconds.  A backend that cannot
 * work here is skipped with its probe's reason. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "codecs/codec.h"
#include "bench/content.h"
#include "common/frame.h"

#define W 64
#define H 64
#define BOUND_US (5 * G_USEC_PER_SEC)

/* 42 bytes: an SPS of 1024x1024 macroblocks (16384x16384), a PPS and an
 * IDR slice: avdec_h264 refuses the size, the streaming thread stops. */
static const uint8_t h264_huge_sps[] = {
    0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, 0x33, 0xda, 0x00, 0x10, 0x00, 0x00, 0x80,
    0x19, 0x00, 0x00, 0x00, 0x01, 0x68, 0xce, 0x38, 0x80, 0x00, 0x00, 0x00, 0x01, 0x65,
    0x88, 0x84, 0xc4, 0x42, 0x10, 0x87, 0xf8, 0x2a, 0xd5, 0x09, 0x1a, 0x2b, 0x3c, 0x40,
};
/* an SPS of 4096x4096 and a PPS; then IDR pictures (idr_pic_id 0, 1) */
static const uint8_t h264_4k_sps_pps[] = {
    0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, 0x33, 0xda, 0x00, 0x40, 0x00, 0x20, 0x19,
    0x00, 0x00, 0x00, 0x01, 0x68, 0xce, 0x38, 0x80,
};
static const uint8_t h264_idr[2][8] = {
    { 0x00, 0x00, 0x01, 0x65, 0x88, 0x84, 0xc4, 0x40 },
    { 0x00, 0x00, 0x01, 0x65, 0x88, 0x82, 0x31, 0x10 },
};

struct keyframe { uint8_t *data; size_t size; };

static void on_packet(const struct sc_packet *p, void *data)
{
    struct keyframe *k = data;
    if (!k->data) {
        k->data = g_memdup2(p->data, p->size);
        k->size = p->size;
    }
}

/* A real keyframe of `codec` from the first encoder that works here. */
static bool encode_keyframe(const char *codec, struct keyframe *k)
{
    struct sc_encoder_params p = { .width = W, .height = H, .fps = 30, .bitrate = 1000000,
                                   .low_latency = true, .threads = 1 };
    char reason[SC_CODEC_REASON_SIZE];
    struct sc_content *c = sc_content_create("desktop", W, H, NULL, 0);
    struct sc_frame *f = sc_frame_new_memfd(W, H);
    *k = (struct keyframe){ 0 };
    g_assert_cmpint(sc_content_next(c, f, NULL, 0), ==, 1);
    for (size_t i = 0; sc_encoders[i] && !k->data; i++) {
        const struct sc_encoder_ops *ops = sc_encoders[i];
        struct sc_encoder *enc;
        if (ops->codec != sc_codec_id_from_name(codec)
            || !sc_encoder_probe(ops, reason, sizeof(reason))
            || !(enc = sc_encoder_create(ops, &p, reason, sizeof(reason))))
            continue;
        g_assert_cmpint(sc_encoder_encode(enc, f, on_packet, k), ==, 0);
        sc_encoder_destroy(enc);
    }
    sc_frame_unref(f);
    sc_content_destroy(c);
    return k->data != NULL;
}

/* The gstreamer decoder for codec, or NULL (the test skipped). */
static struct sc_decoder *gst_decoder(const char *codec)
{
    const struct sc_decoder_ops *ops = sc_decoder_find("gstreamer", codec);
    struct sc_decoder_params dp = { W, H, true };
    char reason[SC_CODEC_REASON_SIZE] = "gstreamer decoders not built in";
    struct sc_decoder *dec;
    if (!ops || !sc_decoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(reason);
        return NULL;
    }
    dec = sc_decoder_create(ops, &dp, reason, sizeof(reason));
    if (!dec)
        g_error("gstreamer:%s: %s", codec, reason);
    return dec;
}

/* Decodes pkt: the call returns within BOUND_US; the result. */
static int decode_bounded(struct sc_decoder *dec, const uint8_t *pkt, size_t size,
                          const char *what)
{
    struct sc_decoded_frame out;
    gint64 t0 = g_get_monotonic_time();
    int r = sc_decoder_decode(dec, pkt, size, &out);
    gint64 us = g_get_monotonic_time() - t0;
    g_test_message("%s: %d in %.3f s", what, r, us / 1e6);
    if (us >= BOUND_US)
        g_error("%s: the decode call took %.1f s (bound %d s)", what, us / 1e6,
                (int)(BOUND_US / G_USEC_PER_SEC));
    return r;
}

/* The decoder got over it: a keyframe decodes, destroy does not block. */
static void assert_recovers(struct sc_decoder *dec, const struct keyframe *k)
{
    struct sc_decoded_frame out;
    gint64 t0;
    g_assert_cmpint(sc_decoder_decode(dec, k->data, k->size, &out), ==, 1);
    g_assert_cmpuint(out.width, ==, W);
    g_assert_cmpuint(out.height, ==, H);
    t0 = g_get_monotonic_time();
    sc_decoder_destroy(dec);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, BOUND_US);
}

static void test_h264_huge_sps(void)
{
    struct sc_decoder *dec = gst_decoder("h264");
    struct keyframe k;
    if (!dec)
        return;
    if (!encode_keyframe("h264", &k)) {
        sc_decoder_destroy(dec);
        g_test_skip("no H.264 encoder works here");
        return;
    }
    g_assert_cmpuint(sizeof(h264_huge_sps), ==, 42);
    g_assert_cmpint(decode_bounded(dec, h264_huge_sps, sizeof(h264_huge_sps), "16384x16384 SPS"),
                    <, 0);
    assert_recovers(dec, &k);
    g_free(k.data);
}

/* One packet, 100 pictures of 4096x4096: seconds of work for avdec_h264. */
static void test_h264_many_pictures(void)
{
    struct sc_decoder *dec = gst_decoder("h264");
    GByteArray *pkt;
    struct keyframe k;
    int r;
    if (!dec)
        return;
    if (!encode_keyframe("h264", &k)) {
        sc_decoder_destroy(dec);
        g_test_skip("no H.264 encoder works here");
        return;
    }
    pkt = g_byte_array_new();
    g_byte_array_append(pkt, h264_4k_sps_pps, sizeof(h264_4k_sps_pps));
    for (int i = 0; i < 100; i++)
        g_byte_array_append(pkt, h264_idr[i % 2], sizeof(h264_idr[0]));
    r = decode_bounded(dec, pkt->data, pkt->len, "100 pictures of 4096x4096");
    g_assert_cmpint(r, !=, 0);
    assert_recovers(dec, &k);
    g_byte_array_unref(pkt);
    g_free(k.data);
}

/* A JPEG whose frame header says 65000x65000 (the scan is the 64x64 one):
 * jpegdec cannot negotiate it and its streaming thread stops. */
static void test_mjpeg_huge_sof(void)
{
    struct sc_decoder *dec = gst_decoder("mjpeg");
    struct keyframe k;
    uint8_t *bad;
    size_t i = 2;
    if (!dec)
        return;
    if (!encode_keyframe("mjpeg", &k)) {
        sc_decoder_destroy(dec);
        g_test_skip("no MJPEG encoder works here");
        return;
    }
    bad = g_memdup2(k.data, k.size);
    while (i + 9 < k.size && !(bad[i] == 0xff && bad[i + 1] == 0xc0))
        i += 2 + ((size_t)bad[i + 2] << 8 | bad[i + 3]);
    g_assert_true(i + 9 < k.size); /* found the baseline SOF */
    bad[i + 5] = bad[i + 7] = 65000 >> 8;
    bad[i + 6] = bad[i + 8] = 65000 & 0xff;
    g_assert_cmpint(decode_bounded(dec, bad, k.size, "65000x65000 JPEG"), <, 0);
    assert_recovers(dec, &k);
    g_free(bad);
    g_free(k.data);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/decoder/gstreamer/h264/huge-sps", test_h264_huge_sps);
    g_test_add_func("/decoder/gstreamer/h264/many-pictures", test_h264_many_pictures);
    g_test_add_func("/decoder/gstreamer/mjpeg/huge-sof", test_mjpeg_huge_sof);
    return g_test_run();
}
