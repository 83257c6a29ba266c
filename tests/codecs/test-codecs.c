/* Round trips through every encoder/decoder pair in the registry: lossless
 * is exact, lossy reaches 35 dB PSNR-Y on desktop content at 4 Mbit/s, a
 * forced keyframe arrives on the next frame (standalone-decodable, with
 * SPS/PPS for H.264), a bitrate change lands within 2 s (+-25 % on video),
 * and decoders reject garbage and recover at the next keyframe.  A backend
 * that cannot work here is skipped with its probe's reason. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "codecs/codec.h"
#include "bench/content.h"
#include "codecs/convert.h"
#include "common/messages.h"
#include "common/wire.h"

#define W 640
#define H 360
#define FPS 30

struct pkt { uint8_t *data; size_t size; bool keyframe; };

struct collect { GArray *pkts; };

static void on_packet(const struct sc_packet *p, void *data)
{
    struct collect *c = data;
    struct pkt k = { g_memdup2(p->data, p->size), p->size, p->keyframe };
    g_array_append_val(c->pkts, k);
}

static void clear_pkts(GArray *a)
{
    for (guint i = 0; i < a->len; i++)
        g_free(g_array_index(a, struct pkt, i).data);
    g_array_set_size(a, 0);
}

static bool skip_unless_available(const struct sc_encoder_ops *ops)
{
    char reason[SC_CODEC_REASON_SIZE];
    if (!sc_encoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(reason);
        return false;
    }
    if (!sc_decoder_for(ops)) {
        g_test_skip("no working decoder for this codec here");
        return false;
    }
    return true;
}

static struct sc_encoder *make_encoder(const struct sc_encoder_ops *ops, uint32_t bitrate)
{
    struct sc_encoder_params p = { .width = W, .height = H, .fps = FPS, .bitrate = bitrate,
                                   .keyframe_interval = 0, .low_latency = true, .threads = 1 };
    char reason[SC_CODEC_REASON_SIZE];
    struct sc_encoder *enc = sc_encoder_create(ops, &p, reason, sizeof(reason));
    if (!enc)
        g_error("create %s: %s", ops->name, reason);
    return enc;
}

static struct sc_decoder *make_decoder(const struct sc_decoder_ops *ops)
{
    struct sc_decoder_params dp = { W, H, true };
    char reason[SC_CODEC_REASON_SIZE];
    struct sc_decoder *dec = sc_decoder_create(ops, &dp, reason, sizeof(reason));
    if (!dec)
        g_error("decoder: %s", reason);
    return dec;
}

/* What the encoding tests share: generated content, a frame of it, and the
 * packets of the last encode. */
struct source {
    struct sc_content *content;
    struct sc_frame *f;
    GArray *pkts; /* struct pkt */
};

static void source_init(struct source *src, const char *content)
{
    src->content = sc_content_create(content, W, H, NULL, 0);
    src->f = sc_frame_new_memfd(W, H);
    src->pkts = g_array_new(FALSE, FALSE, sizeof(struct pkt));
}

static void source_finish(struct source *src)
{
    clear_pkts(src->pkts);
    g_array_unref(src->pkts);
    sc_frame_unref(src->f);
    sc_content_destroy(src->content);
}

/* Moves the content on by one frame (into src->f). */
static void source_next(struct source *src)
{
    g_assert_cmpint(sc_content_next(src->content, src->f, NULL, 0), ==, 1);
}

/* Encodes src->f, expects exactly one packet. */
static struct pkt encode_one(struct sc_encoder *enc, struct source *src)
{
    struct collect c = { src->pkts };
    clear_pkts(src->pkts);
    g_assert_cmpint(sc_encoder_encode(enc, src->f, on_packet, &c), ==, 0);
    g_assert_cmpuint(src->pkts->len, ==, 1);
    return g_array_index(src->pkts, struct pkt, 0);
}

/* The next frame, encoded: exactly one packet. */
static struct pkt encode_next(struct sc_encoder *enc, struct source *src)
{
    source_next(src);
    return encode_one(enc, src);
}

static double decoded_psnr(const struct sc_decoded_frame *out, const struct sc_frame *src)
{
    g_autofree uint8_t *sy = g_malloc((size_t)W * H), *dy = g_malloc((size_t)W * H);
    g_assert_cmpuint(out->width, ==, W);
    g_assert_cmpuint(out->height, ==, H);
    g_assert_true(sc_convert_bgrx_to_y(src->map, src->stride, W, H, sy, W));
    g_assert_true(sc_convert_decoded_to_y(out, dy, W));
    return sc_psnr_y(sy, W, dy, W, W, H);
}

/* The packet decodes to one picture at least min_db PSNR-Y close to src. */
static void assert_decodes_close(struct sc_decoder *dec, struct pkt k, const struct sc_frame *src,
                                 double min_db)
{
    struct sc_decoded_frame out;
    g_assert_cmpint(sc_decoder_decode(dec, k.data, k.size, &out), ==, 1);
    g_assert_cmpfloat(decoded_psnr(&out, src), >=, min_db);
}

/* n frames of `content` through enc and dec, each at least 35 dB. */
static void assert_stream_decodes(struct sc_encoder *enc, struct sc_decoder *dec,
                                  const char *content, int n)
{
    struct source src;
    source_init(&src, content);
    for (int i = 0; i < n; i++)
        assert_decodes_close(dec, encode_next(enc, &src), src.f, 35.0);
    source_finish(&src);
}

/* ---- round trip ----------------------------------------------------------- */

static void test_roundtrip(gconstpointer data)
{
    const struct sc_encoder_ops *ops = data;
    if (!skip_unless_available(ops))
        return;
    struct sc_encoder *enc = make_encoder(ops, 4000000);
    struct sc_decoder *dec = make_decoder(sc_decoder_for(ops));
    struct source src;
    source_init(&src, "desktop");
    const struct sc_frame *f = src.f;
    g_autofree uint8_t *bgrx = g_malloc((size_t)W * H * 4);
    double psnr_sum = 0, psnr_min = 1000;
    const int n = 20;
    for (int i = 0; i < n; i++) {
        struct pkt k = encode_next(enc, &src);
        g_assert_true(i > 0 || k.keyframe); /* a stream starts with a keyframe */
        struct sc_decoded_frame out;
        g_assert_cmpint(sc_decoder_decode(dec, k.data, k.size, &out), ==, 1);
        if (sc_codec_is_lossless(ops->codec)) {
            g_assert_true(sc_convert_decoded_to_bgrx(&out, bgrx, W * 4));
            for (uint32_t y = 0; y < H; y++) /* exact, ignoring the X byte */
                for (uint32_t x = 0; x < W; x++)
                    g_assert_cmphex(((uint32_t *)(void *)bgrx)[y * W + x] & 0xffffff, ==,
                                    ((uint32_t *)(void *)f->map)[y * W + x] & 0xffffff);
        } else {
            double p = decoded_psnr(&out, f);
            psnr_sum += p;
            psnr_min = fmin(psnr_min, p);
        }
    }
    if (!sc_codec_is_lossless(ops->codec)) {
        g_test_message("%s: PSNR-Y mean %.2f dB, min %.2f dB", ops->name, psnr_sum / n, psnr_min);
        g_assert_cmpfloat(psnr_sum / n, >=, 35.0);
    }
    source_finish(&src);
    sc_decoder_destroy(dec);
    sc_encoder_destroy(enc);
}

/* ---- forced keyframe ------------------------------------------------------- */

static bool h264_has_nal(const uint8_t *p, size_t n, unsigned type)
{
    for (size_t i = 0; i + 3 < n; i++)
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1 && (p[i + 3] & 0x1f) == type)
            return true;
    return false;
}

/* H.265: the type in the two-byte NAL header (7.3.1.2) */
static bool h265_has_nal(const uint8_t *p, size_t n, unsigned type)
{
    for (size_t i = 0; i + 3 < n; i++)
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1 && ((p[i + 3] >> 1) & 0x3f) == type)
            return true;
    return false;
}

/* An H.265 packet is one access unit: an AUD first and no other (a parser
 * that splits at AUDs, as spice-gtk's h265parse does, sees one unit) */
static void assert_h265_one_unit(struct pkt k)
{
    unsigned auds = 0, first = 64;
    for (size_t i = 0; i + 3 < k.size; i++) {
        if (k.data[i] != 0 || k.data[i + 1] != 0 || k.data[i + 2] != 1)
            continue;
        unsigned type = (k.data[i + 3] >> 1) & 0x3f;
        if (first == 64)
            first = type;
        auds += type == 35;
        i += 3;
    }
    g_assert_cmpuint(first, ==, 35);
    g_assert_cmpuint(auds, ==, 1);
}

static void test_keyframe(gconstpointer data)
{
    const struct sc_encoder_ops *ops = data;
    if (!skip_unless_available(ops))
        return;
    struct sc_encoder *enc = make_encoder(ops, 2000000);
    struct source src;
    source_init(&src, "desktop");
    bool every_key = sc_codec_is_lossless(ops->codec) || ops->codec == SC_CODEC_MJPEG;
    for (int i = 0; i < 6; i++) {
        struct pkt k = encode_next(enc, &src);
        if (i > 0 && !every_key)
            g_assert_false(k.keyframe); /* no keyframe unless asked for */
        if (ops->codec == SC_CODEC_H265)
            assert_h265_one_unit(k); /* the first (x265enc adds headers) too */
    }
    sc_encoder_force_keyframe(enc);
    struct pkt k = encode_next(enc, &src);
    g_assert_true(k.keyframe);
    if (ops->codec == SC_CODEC_H264) {
        g_assert_true(h264_has_nal(k.data, k.size, 7)); /* SPS */
        g_assert_true(h264_has_nal(k.data, k.size, 8)); /* PPS */
        g_assert_true(h264_has_nal(k.data, k.size, 5)); /* IDR slice */
    }
    if (ops->codec == SC_CODEC_H265) {
        assert_h265_one_unit(k);
        g_assert_true(h265_has_nal(k.data, k.size, 32)); /* VPS */
        g_assert_true(h265_has_nal(k.data, k.size, 33)); /* SPS */
        g_assert_true(h265_has_nal(k.data, k.size, 34)); /* PPS */
        /* an IDR (IDR_W_RADL or IDR_N_LP), not a CRA: no open GOP */
        g_assert_true(h265_has_nal(k.data, k.size, 19) || h265_has_nal(k.data, k.size, 20));
    }
    /* it stands alone: a fresh decoder (a new STREAM_CREATE) decodes it */
    struct sc_decoder *dec = make_decoder(sc_decoder_for(ops));
    assert_decodes_close(dec, k, src.f, 30.0);
    sc_decoder_destroy(dec);
    source_finish(&src);
    sc_encoder_destroy(enc);
}

/* ---- bitrate change -------------------------------------------------------- */

static void test_bitrate(gconstpointer data)
{
    const struct sc_encoder_ops *ops = data;
    char reason[SC_CODEC_REASON_SIZE];
    if (!sc_encoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(reason);
        return;
    }
    /* MJPEG (quality steering) cannot go as low as the video codecs */
    bool mjpeg = ops->codec == SC_CODEC_MJPEG;
    const uint32_t from = mjpeg ? 12000000 : 2000000, to = mjpeg ? 5000000 : 700000;
    struct sc_encoder *enc = make_encoder(ops, from);
    int r = sc_encoder_set_bitrate(enc, from);
    if (r == -ENOTSUP) {
        g_test_skip("no rate control in this backend (quality or lossless mode)");
        sc_encoder_destroy(enc);
        return;
    }
    g_assert_cmpint(r, ==, 0);
    struct source src;
    source_init(&src, "video");
    struct collect col = { src.pkts };
    size_t bytes = 0;
    for (int i = 0; i < FPS * 4; i++) {
        if (i == FPS) /* 1 s at `from`, then change */
            g_assert_cmpint(sc_encoder_set_bitrate(enc, to), ==, 0);
        source_next(&src);
        clear_pkts(src.pkts);
        g_assert_cmpint(sc_encoder_encode(enc, src.f, on_packet, &col), ==, 0);
        for (guint k = 0; k < src.pkts->len && i >= 3 * FPS; k++) /* the second after 2 s */
            bytes += g_array_index(src.pkts, struct pkt, k).size;
    }
    double kbps = bytes * 8.0 / 1000.0;
    g_test_message("%s:%s: %.0f kbit/s 2-3 s after a change to %u kbit/s", ops->name,
                   sc_codec_id_name(ops->codec), kbps, to / 1000);
    g_assert_cmpfloat(kbps, >=, to / 1000.0 * 0.75);
    g_assert_cmpfloat(kbps, <=, to / 1000.0 * 1.25);
    source_finish(&src);
    sc_encoder_destroy(enc);
}

/* ---- bad packets ---------------------------------------------------------- */

static void test_garbage(gconstpointer data)
{
    const struct sc_encoder_ops *ops = data;
    if (!skip_unless_available(ops))
        return;
    struct sc_encoder *enc = make_encoder(ops, 2000000);
    struct sc_decoder *dec = make_decoder(sc_decoder_for(ops));
    struct source src;
    source_init(&src, "desktop");
    g_autoptr(GRand) rnd = g_rand_new_with_seed(4);
    struct sc_decoded_frame out;
    struct pkt k = encode_next(enc, &src);
    uint8_t *key = g_memdup2(k.data, k.size);
    size_t key_size = k.size;
    /* random bytes of a few sizes */
    static const size_t sizes[] = { 1, 7, 100, 4096 };
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
        g_autofree uint8_t *junk = g_malloc(sizes[s]);
        for (size_t i = 0; i < sizes[s]; i++)
            junk[i] = (uint8_t)g_rand_int(rnd);
        g_assert_cmpint(sc_decoder_decode(dec, junk, sizes[s], &out), <, 0);
    }
    /* a truncated keyframe: an error; except that avdec_h264 and
     * avdec_h265 (libav) hide a cut-off IDR slice behind error concealment
     * and gst-libav does not flag the frame, so gstreamer:h264 and
     * gstreamer:h265 may give a concealed picture */
    int r = sc_decoder_decode(dec, key, key_size / 2, &out);
    bool libav = (ops->codec == SC_CODEC_H264 || ops->codec == SC_CODEC_H265)
                 && strcmp(sc_decoder_for(ops)->name, "gstreamer") == 0;
    if (r == 1 && libav)
        g_test_message("avdec_%s concealed a truncated keyframe (known limitation)",
                       sc_codec_id_name(ops->codec));
    else
        g_assert_cmpint(r, <, 0);
    /* a keyframe with its tail trashed must not crash (it may decode badly) */
    g_autofree uint8_t *broken = g_memdup2(key, key_size);
    for (size_t i = key_size / 2; i < key_size; i++)
        broken[i] = (uint8_t)g_rand_int(rnd);
    sc_decoder_decode(dec, broken, key_size, &out);
    /* recovery at the next keyframe */
    sc_encoder_force_keyframe(enc);
    k = encode_next(enc, &src);
    g_assert_true(k.keyframe);
    assert_decodes_close(dec, k, src.f, 30.0);
    g_free(key);
    source_finish(&src);
    sc_decoder_destroy(dec);
    sc_encoder_destroy(enc);
}

/* Every other decoder of the codec decodes this encoder's stream too (the
 * packets are what a SPICE client with any decoder must take). */
struct pair { const struct sc_encoder_ops *enc; const struct sc_decoder_ops *dec; };

static void test_cross(gconstpointer data)
{
    const struct pair *pr = data;
    char reason[SC_CODEC_REASON_SIZE];
    if (!sc_encoder_probe(pr->enc, reason, sizeof(reason))
        || !sc_decoder_probe(pr->dec, reason, sizeof(reason))) {
        g_test_skip(reason);
        return;
    }
    struct sc_encoder *enc = make_encoder(pr->enc, 4000000);
    struct sc_decoder *dec = make_decoder(pr->dec);
    assert_stream_decodes(enc, dec, "desktop", 10);
    sc_decoder_destroy(dec);
    sc_encoder_destroy(enc);
}

/* openh264's screen-content mode, selectable by option */
static void test_openh264_screen(void)
{
    const struct sc_encoder_ops *ops = sc_encoder_find("openh264", "h264");
    char reason[SC_CODEC_REASON_SIZE];
    if (!ops || !sc_encoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(ops ? reason : "openh264 not built in");
        return;
    }
    struct sc_encoder_params p = { .width = W, .height = H, .fps = FPS, .bitrate = 4000000,
                                   .low_latency = true, .threads = 1, .options = "usage=screen" };
    struct sc_encoder *enc = sc_encoder_create(ops, &p, reason, sizeof(reason));
    g_assert_nonnull(enc);
    p.options = "usage=television";
    g_assert_null(sc_encoder_create(ops, &p, reason, sizeof(reason)));
    struct sc_decoder *dec = make_decoder(sc_decoder_for(ops));
    assert_stream_decodes(enc, dec, "text-scroll", 10);
    sc_decoder_destroy(dec);
    sc_encoder_destroy(enc);
}

/* The lossless:lz4 payload is the one common/lz4-image.c writes and reads
 * (DRAW_COPY's SPICE_IMAGE_TYPE_LZ4): our packets decode there and back. */
static void test_lz4_common(void)
{
    struct source src;
    source_init(&src, "desktop");
    const struct sc_frame *f = src.f;
    const struct sc_encoder_ops *ops = sc_encoder_find("lossless", "lz4");
    struct sc_encoder *enc = make_encoder(ops, 1000000);
    struct pkt k = encode_next(enc, &src);
    g_assert_cmpuint(k.data[0], ==, 1);                      /* top_down */
    g_assert_cmpuint(k.data[1], ==, SPICE_BITMAP_FMT_32BIT); /* format */
    g_autofree uint8_t *px = g_malloc((size_t)W * H * 4);
    g_assert_true(sc_lz4_image_decode(k.data, k.size, W, H, px, W * 4));
    for (uint32_t y = 0; y < H; y++)
        g_assert_cmpmem(px + (size_t)y * W * 4, W * 4, f->map + (size_t)y * f->stride, W * 4);
    sc_encoder_destroy(enc);
    source_finish(&src);
}

/* gstreamer:h265's preset option: the three fast x265 presets, nothing else */
static void test_h265_preset(void)
{
    const struct sc_encoder_ops *ops = sc_encoder_find("gstreamer", "h265");
    char reason[SC_CODEC_REASON_SIZE];
    if (!ops || !sc_encoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(ops ? reason : "gstreamer:h265 not built in");
        return;
    }
    struct sc_encoder_params p = { .width = W, .height = H, .fps = FPS, .bitrate = 1000000,
                                   .low_latency = true, .threads = 1, .options = "preset=slow" };
    g_assert_null(sc_encoder_create(ops, &p, reason, sizeof(reason)));
    g_assert_nonnull(strstr(reason, "preset must be"));
    p.options = "preset=ultrafast";
    struct sc_encoder *enc = sc_encoder_create(ops, &p, reason, sizeof(reason));
    g_assert_nonnull(enc);
    struct source src;
    source_init(&src, "text-scroll");
    struct sc_decoder *dec = make_decoder(sc_decoder_for(ops));
    for (int i = 0; i < 3; i++)
        assert_decodes_close(dec, encode_next(enc, &src), src.f, 30.0);
    sc_decoder_destroy(dec);
    source_finish(&src);
    sc_encoder_destroy(enc);
}

/* ---- registry, conversion, probes ------------------------------------------ */

static void test_parse_list(void)
{
    const struct sc_encoder_ops *ops[8];
    char err[256];
    int n = sc_codec_parse_list("lossless:lz4;lossless:raw;", ops, 8, err, sizeof(err));
    g_assert_cmpint(n, ==, 2);
    g_assert_true(ops[0] == sc_encoder_find("lossless", "lz4"));
    g_assert_true(ops[1] == sc_encoder_find("lossless", "raw"));
    g_assert_cmpint(sc_codec_parse_list("lossless", ops, 8, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "encoder:codec"));
    g_assert_cmpint(sc_codec_parse_list("lossless:h265", ops, 8, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "no encoder 'lossless' for h265"));
#if HAVE_GSTREAMER
    n = sc_codec_parse_list("gstreamer:h265;gstreamer:h264", ops, 8, err, sizeof(err));
    g_assert_cmpint(n, ==, 2);
    g_assert_true(ops[0] == sc_encoder_find("gstreamer", "h265"));
    g_assert_cmpint(ops[0]->codec, ==, SPICE_VIDEO_CODEC_TYPE_H265);
#endif
    g_assert_cmpint(sc_codec_parse_list("nope:h264", ops, 8, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "nope"));
    g_assert_cmpint(sc_codec_parse_list("", ops, 8, err, sizeof(err)), ==, -1);
    g_assert_cmpint(sc_codec_parse_list("lossless:raw;lossless:raw;lossless:raw", ops, 2, err,
                                        sizeof(err)), ==, -1);
#if HAVE_OPENH264 && HAVE_GSTREAMER && HAVE_VAAPI
    n = sc_codec_parse_list("vaapi:h264;openh264:h264;gstreamer:vp8;gstreamer:vp9;"
                            "gstreamer:h264;gstreamer:mjpeg", ops, 8, err, sizeof(err));
    g_assert_cmpint(n, ==, 6);
#endif
}

static void test_convert(void)
{
    struct source src;
    source_init(&src, "desktop");
    source_next(&src);
    const struct sc_frame *f = src.f;
    struct sc_yuv i420, nv12;
    g_assert_true(sc_yuv_init(&i420, SC_PIXFMT_I420, W, H));
    g_assert_true(sc_yuv_init(&nv12, SC_PIXFMT_NV12, W, H));
    g_assert_true(sc_convert_bgrx_to_i420(f->map, f->stride, W, H, i420.plane[0], i420.stride[0],
                                          i420.plane[1], i420.stride[1], i420.plane[2],
                                          i420.stride[2]));
    g_assert_true(sc_convert_bgrx_to_nv12(f->map, f->stride, W, H, nv12.plane[0], nv12.stride[0],
                                          nv12.plane[1], nv12.stride[1]));
    g_autofree uint8_t *back = g_malloc((size_t)W * H * 4);
    g_autofree uint8_t *back2 = g_malloc((size_t)W * H * 4);
    g_assert_true(sc_convert_i420_to_bgrx(i420.plane[0], i420.stride[0], i420.plane[1],
                                          i420.stride[1], i420.plane[2], i420.stride[2], W, H,
                                          back, W * 4));
    g_assert_true(sc_convert_nv12_to_bgrx(nv12.plane[0], nv12.stride[0], nv12.plane[1],
                                          nv12.stride[1], W, H, back2, W * 4));
    /* the same luma either way; 4:2:0 round trip stays close */
    g_assert_cmpmem(i420.plane[0], W, nv12.plane[0], W);
    g_assert_cmpfloat(sc_psnr_y(back, W * 4, f->map, f->stride, W * 4, H), >=, 30.0);
    g_assert_cmpfloat(sc_psnr_y(back2, W * 4, f->map, f->stride, W * 4, H), >=, 30.0);
    g_assert_false(sc_yuv_init(&i420, SC_PIXFMT_I420, 0, H));
    sc_yuv_finish(&i420);
    sc_yuv_finish(&nv12);
    source_finish(&src);
}

/* Converting only the damage of each desktop frame into the previous
 * frame's planes gives exactly the full conversion. */
static void test_convert_damage(void)
{
    struct source src;
    source_init(&src, "desktop");
    struct sc_frame *f = src.f;
    struct sc_yuv full, part;
    g_assert_true(sc_yuv_init(&full, SC_PIXFMT_I420, W, H));
    g_assert_true(sc_yuv_init(&part, SC_PIXFMT_I420, W, H));
    unsigned partial = 0;
    for (int i = 0; i < 40; i++) {
        source_next(&src);
        g_assert_true(sc_convert_bgrx_to_i420(f->map, f->stride, W, H, full.plane[0],
                                              full.stride[0], full.plane[1], full.stride[1],
                                              full.plane[2], full.stride[2]));
        if (sc_convert_bgrx_to_i420_damage(f, f->map, f->stride, &part)) {
            partial++;
            g_assert_cmpuint(f->n_damage, >, 0);
        } else {
            g_assert_true(sc_convert_bgrx_to_i420(f->map, f->stride, W, H, part.plane[0],
                                                  part.stride[0], part.plane[1], part.stride[1],
                                                  part.plane[2], part.stride[2]));
        }
        g_assert_cmpmem(full.buf, full.size, part.buf, part.size);
    }
    g_assert_cmpuint(partial, ==, 39); /* all but the first frame */
    sc_yuv_finish(&full);
    sc_yuv_finish(&part);
    source_finish(&src);
}

static void test_bad_params(void)
{
    for (size_t i = 0; sc_encoders[i]; i++) {
        char reason[SC_CODEC_REASON_SIZE] = "";
        if (!sc_encoder_probe(sc_encoders[i], NULL, 0))
            continue;
        struct sc_encoder_params p = { .width = 100000, .height = 16, .fps = 30,
                                       .bitrate = 1000000 };
        g_assert_null(sc_encoder_create(sc_encoders[i], &p, reason, sizeof(reason)));
        g_assert_cmpstr(reason, !=, "");
        p.width = 64;
        p.options = "no-such-option=1";
        g_assert_null(sc_encoder_create(sc_encoders[i], &p, reason, sizeof(reason)));
        g_assert_nonnull(strstr(reason, "no-such-option"));
    }
}

/* vaapi:h264 and vaapi:h265 (HEVC) are probed alike: without a render node
 * each says so, it never pretends. */
static void check_vaapi_probe(const char *codec)
{
#if HAVE_VAAPI
    const struct sc_encoder_ops *va = sc_encoder_find("vaapi", codec);
#if !HAVE_GSTREAMER
    if (strcmp(codec, "h265") == 0) {
        g_test_skip("vaapi:h265 encodes through GStreamer's VA plugin: built without GStreamer");
        return;
    }
#endif
    g_assert_nonnull(va);
    char reason[SC_CODEC_REASON_SIZE] = "";
    bool ok = sc_encoder_probe(va, reason, sizeof(reason));
    struct stat st;
    if (stat("/dev/dri/renderD128", &st) != 0) {
        /* no render node: it must say so, not pretend */
        g_assert_false(ok);
        g_assert_nonnull(strstr(reason, "render node"));
        g_test_message("vaapi:%s unavailable: %s", codec, reason);
    } else {
        g_test_message("vaapi:%s probe: %s %s", codec, ok ? "available" : "unavailable:", reason);
    }
#else
    (void)codec;
    g_test_skip("built without libva");
#endif
}

static void test_vaapi_probe(void)
{
    check_vaapi_probe("h264");
}

static void test_vaapi_hevc_probe(void)
{
    check_vaapi_probe("h265");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/codecs/registry/parse-list", test_parse_list);
    g_test_add_func("/codecs/convert/roundtrip", test_convert);
    g_test_add_func("/codecs/convert/damage", test_convert_damage);
    g_test_add_func("/codecs/params/bad", test_bad_params);
    g_test_add_func("/codecs/vaapi/probe", test_vaapi_probe);
    g_test_add_func("/codecs/vaapi/hevc-probe", test_vaapi_hevc_probe);
    g_test_add_func("/codecs/gstreamer-h265/preset", test_h265_preset);
    g_test_add_func("/codecs/openh264/screen-mode", test_openh264_screen);
    g_test_add_func("/codecs/lossless/lz4-common-payload", test_lz4_common);
    for (size_t i = 0; sc_encoders[i]; i++) {
        char label[48], path[128];
        sc_encoder_ops_label(sc_encoders[i], label, sizeof(label));
        snprintf(path, sizeof(path), "/codecs/%s/roundtrip", label);
        g_test_add_data_func(path, sc_encoders[i], test_roundtrip);
        snprintf(path, sizeof(path), "/codecs/%s/keyframe", label);
        g_test_add_data_func(path, sc_encoders[i], test_keyframe);
        snprintf(path, sizeof(path), "/codecs/%s/bitrate", label);
        g_test_add_data_func(path, sc_encoders[i], test_bitrate);
        snprintf(path, sizeof(path), "/codecs/%s/garbage", label);
        g_test_add_data_func(path, sc_encoders[i], test_garbage);
        for (size_t d = 0; sc_decoders[d]; d++) {
            if (sc_decoders[d]->codec != sc_encoders[i]->codec
                || strcmp(sc_decoders[d]->name, sc_encoders[i]->name) == 0)
                continue;
            struct pair *pr = g_new(struct pair, 1); /* lives as long as the test run */
            *pr = (struct pair){ sc_encoders[i], sc_decoders[d] };
            snprintf(path, sizeof(path), "/codecs/%s/decoded-by/%s", label,
                     sc_decoders[d]->name);
            g_test_add_data_func_full(path, pr, test_cross, g_free);
        }
    }
    return g_test_run();
}
