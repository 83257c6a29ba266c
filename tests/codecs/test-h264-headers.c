/* The H.264 header writer and parser behind vaapi:h264, checked without a
 * GPU: our SPS/PPS read back as written, and real streams from openh264
 * and x264 (the encoders a VA decoder will meet) parse into consistent
 * headers: sizes, IDR then P slices, frame_num counting up, the slice data
 * offset inside the NAL.  Truncated and random headers are refused. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "codecs/codec.h"
#include "bench/content.h"
#include "codecs/vaapi.h"

static void test_bitstream_ue(void)
{
    uint8_t buf[16];
    struct sc_bitwriter w;
    sc_bw_init(&w, buf, sizeof(buf));
    static const uint32_t vals[] = { 0, 1, 2, 7, 255, 65535, 1000000 };
    for (size_t i = 0; i < G_N_ELEMENTS(vals); i++)
        sc_bw_ue(&w, vals[i]);
    sc_bw_se(&w, -5);
    sc_bw_se(&w, 9);
    struct sc_bitreader r;
    sc_br_init(&r, buf, (w.bits + 7) / 8);
    for (size_t i = 0; i < G_N_ELEMENTS(vals); i++)
        g_assert_cmpuint(sc_br_ue(&r), ==, vals[i]);
    g_assert_cmpint(sc_br_se(&r), ==, -5);
    g_assert_cmpint(sc_br_se(&r), ==, 9);
    g_assert_false(r.error);
    /* 40 zero bits: an exp-Golomb code that cannot fit 32 bits */
    uint8_t zeros[5] = { 0 };
    sc_br_init(&r, zeros, sizeof(zeros));
    sc_br_ue(&r);
    g_assert_true(r.error);
}

static const uint8_t *find_nal(const uint8_t *p, size_t n, unsigned type, size_t *size)
{
    size_t pos = 0;
    const uint8_t *nal;
    while (sc_h264_next_nal(p, n, &pos, &nal, size))
        if ((nal[0] & 0x1f) == type)
            return nal;
    return NULL;
}

static void test_sps_pps_roundtrip(void)
{
    struct sc_h264_sps_info info = { .width = 1920, .height = 1080, .fps = 30, .profile_idc = 66,
                                     .constraint_flags = 0xc0, .level_idc = 40,
                                     .log2_max_frame_num_minus4 = 4, .max_num_ref_frames = 1 };
    uint8_t au[256], rbsp[256];
    size_t n = sc_h264_write_sps(&info, au, sizeof(au));
    g_assert_cmpuint(n, >, 8);
    n += sc_h264_write_pps(26, false, false, au + n, sizeof(au) - n);
    size_t ns, np;
    const uint8_t *sps_nal = find_nal(au, n, 7, &ns), *pps_nal = find_nal(au, n, 8, &np);
    g_assert_nonnull(sps_nal);
    g_assert_nonnull(pps_nal);
    static struct sc_h264_sps sps[SC_H264_MAX_SPS];
    struct sc_h264_pps pps;
    uint32_t id;
    size_t rn = sc_h264_unescape(sps_nal, ns, rbsp);
    g_assert_cmpint(sc_h264_parse_sps(rbsp + 1, rn - 1, &sps[0], &id), ==, 0);
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpuint(sps[0].width, ==, 1920);
    g_assert_cmpuint(sps[0].height, ==, 1080); /* 1088 coded, cropped */
    g_assert_cmpuint(sps[0].poc_type, ==, 2);
    g_assert_cmpuint(sps[0].log2_max_frame_num, ==, 8);
    g_assert_cmpuint(sps[0].max_num_ref_frames, ==, 1);
    rn = sc_h264_unescape(pps_nal, np, rbsp);
    g_assert_cmpint(sc_h264_parse_pps(rbsp + 1, rn - 1, sps, &pps, &id), ==, 0);
    g_assert_false(pps.cabac);
    g_assert_cmpint(pps.pic_init_qp, ==, 26);
    g_assert_true(pps.deblocking_filter_control_present);
    /* every truncation of the SPS is refused, never read past */
    rn = sc_h264_unescape(sps_nal, ns, rbsp);
    for (size_t cut = 1; cut < 10; cut++) {
        struct sc_h264_sps s;
        g_assert_cmpint(sc_h264_parse_sps(rbsp + 1, cut, &s, &id), <, 0);
    }
}

/* se(v) as its ue code number: sc_bw_se would overflow at INT32_MAX itself */
static uint32_t se_code(int64_t v)
{
    return v > 0 ? (uint32_t)(2 * v - 1) : (uint32_t)(-2 * v);
}

/* A PPS RBSP (after its header byte) with these se() fields */
static size_t pps_rbsp(uint8_t *buf, size_t cap, int64_t qp26, int64_t qs26, int64_t chroma)
{
    struct sc_bitwriter w;
    sc_bw_init(&w, buf, cap);
    sc_bw_ue(&w, 0);    /* pps id */
    sc_bw_ue(&w, 0);    /* sps id */
    sc_bw_u(&w, 2, 0);  /* cabac, bottom_field_pic_order_in_frame_present */
    sc_bw_ue(&w, 0);    /* num_slice_groups_minus1 */
    sc_bw_ue(&w, 0);    /* num_ref_idx_l0_default_active_minus1 */
    sc_bw_ue(&w, 0);    /* l1 */
    sc_bw_u(&w, 3, 0);  /* weighted_pred, weighted_bipred_idc */
    sc_bw_ue(&w, se_code(qp26));
    sc_bw_ue(&w, se_code(qs26));
    sc_bw_ue(&w, se_code(chroma));
    sc_bw_u(&w, 3, 4);  /* deblocking_filter_control_present, 0, 0 */
    sc_bw_trailing(&w);
    return w.bits / 8;
}

/* issue 13 item 5: pic_init_qp = 26 + se() overflowed int32 (UBSan; this
 * test's copy of vaapi-h264.c is built with -fsanitize=undefined); every
 * se() field outside its H.264 range is refused */
static void test_pps_ranges(void)
{
    static struct sc_h264_sps sps[SC_H264_MAX_SPS] = { [0] = { .valid = true, .width_mbs = 4,
                                                              .height_mbs = 4,
                                                              .log2_max_frame_num = 4,
                                                              .poc_type = 2 } };
    static const struct { int64_t qp26, qs26, chroma; int want; } cases[] = {
        { 0, 0, 0, 0 }, { -26, -26, -12, 0 }, { 25, 25, 12, 0 },
        { INT32_MAX, 0, 0, -EINVAL }, { -INT32_MAX, 0, 0, -EINVAL }, { 26, 0, 0, -EINVAL },
        { -27, 0, 0, -EINVAL }, { 0, INT32_MAX, 0, -EINVAL }, { 0, 26, 0, -EINVAL },
        { 0, 0, 13, -EINVAL }, { 0, 0, -13, -EINVAL }, { 0, 0, INT32_MAX, -EINVAL },
    };
    uint8_t rbsp[64];
    struct sc_h264_pps pps[SC_H264_MAX_PPS];
    uint32_t id;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t n = pps_rbsp(rbsp, sizeof(rbsp), cases[i].qp26, cases[i].qs26, cases[i].chroma);
        g_test_message("pic_init_qp_minus26 %" G_GINT64_FORMAT " pic_init_qs_minus26 %"
                       G_GINT64_FORMAT " chroma_qp_index_offset %" G_GINT64_FORMAT,
                       cases[i].qp26, cases[i].qs26, cases[i].chroma);
        g_assert_cmpint(sc_h264_parse_pps(rbsp, n, sps, &pps[0], &id), ==, cases[i].want);
        if (!cases[i].want)
            g_assert_cmpint(pps[0].pic_init_qp, ==, 26 + cases[i].qp26);
    }

    /* a slice of that PPS (pic_init_qp 26) with slice_qp_delta INT32_MAX:
     * 26 + delta overflowed too */
    g_assert_cmpint(sc_h264_parse_pps(rbsp, pps_rbsp(rbsp, sizeof(rbsp), 0, 0, 0), sps, &pps[0],
                                      &id), ==, 0);
    static const int64_t deltas[] = { 0, 25, -26, 26, INT32_MAX, -INT32_MAX };
    for (size_t i = 0; i < G_N_ELEMENTS(deltas); i++) {
        struct sc_bitwriter w;
        struct sc_h264_slice sl;
        sc_bw_init(&w, rbsp, sizeof(rbsp));
        sc_bw_u(&w, 8, 0x01); /* nal_ref_idc 0, type 1 (non-IDR) */
        sc_bw_ue(&w, 0);      /* first_mb */
        sc_bw_ue(&w, 7);      /* I slice */
        sc_bw_ue(&w, 0);      /* pps id */
        sc_bw_u(&w, 4, 0);    /* frame_num */
        sc_bw_ue(&w, se_code(deltas[i]));
        sc_bw_ue(&w, 1);      /* disable_deblocking_filter_idc 1: no alpha, beta */
        sc_bw_trailing(&w);
        g_assert_cmpint(sc_h264_parse_slice(rbsp, w.bits / 8, sps, pps, &sl), ==,
                        deltas[i] >= -26 && deltas[i] <= 25 ? 0 : -EINVAL);
    }
}

struct stream { GByteArray *bytes[12]; unsigned n; };

static void keep(const struct sc_packet *p, void *data)
{
    struct stream *s = data;
    if (s->n < G_N_ELEMENTS(s->bytes))
        s->bytes[s->n++] = g_byte_array_append(g_byte_array_new(), p->data, (guint)p->size);
}

static void check_stream(const char *name, const char *codec)
{
    const struct sc_encoder_ops *ops = sc_encoder_find(name, codec);
    char reason[SC_CODEC_REASON_SIZE];
    if (!ops || !sc_encoder_probe(ops, reason, sizeof(reason))) {
        g_test_skip(ops ? reason : "encoder not built in");
        return;
    }
    struct sc_encoder_params p = { .width = 320, .height = 180, .fps = 30, .bitrate = 1000000,
                                   .low_latency = true, .threads = 1 };
    struct sc_encoder *enc = sc_encoder_create(ops, &p, reason, sizeof(reason));
    g_assert_nonnull(enc);
    struct sc_content *c = sc_content_create("desktop", 320, 180, NULL, 0);
    struct sc_frame *f = sc_frame_new_memfd(320, 180);
    struct stream s = { 0 };
    for (int i = 0; i < 8; i++) {
        g_assert_cmpint(sc_content_next(c, f, NULL, 0), ==, 1);
        g_assert_cmpint(sc_encoder_encode(enc, f, keep, &s), ==, 0);
    }
    static struct sc_h264_sps sps[SC_H264_MAX_SPS];
    static struct sc_h264_pps pps[SC_H264_MAX_PPS];
    memset(sps, 0, sizeof(sps));
    memset(pps, 0, sizeof(pps));
    g_autofree uint8_t *rbsp = g_malloc(1 << 20);
    uint32_t prev_frame_num = 0;
    for (unsigned k = 0; k < s.n; k++) {
        size_t pos = 0, size;
        const uint8_t *nal;
        unsigned slices = 0;
        while (sc_h264_next_nal(s.bytes[k]->data, s.bytes[k]->len, &pos, &nal, &size)) {
            unsigned type = nal[0] & 0x1f;
            size_t rn = sc_h264_unescape(nal, size, rbsp);
            uint32_t id;
            if (type == 7) {
                g_assert_cmpint(sc_h264_parse_sps(rbsp + 1, rn - 1, &sps[0], &id), ==, 0);
                sps[id] = sps[0];
                g_assert_cmpuint(sps[id].width, ==, 320);
                g_assert_cmpuint(sps[id].height, ==, 180);
            } else if (type == 8) {
                struct sc_h264_pps pp;
                g_assert_cmpint(sc_h264_parse_pps(rbsp + 1, rn - 1, sps, &pp, &id), ==, 0);
                pps[id] = pp;
            } else if (type == 1 || type == 5) {
                struct sc_h264_slice sl;
                int r = sc_h264_parse_slice(rbsp, rn, sps, pps, &sl);
                if (r != 0)
                    g_error("%s: slice in packet %u: %s", name, k, strerror(-r));
                g_assert_cmpuint(sl.slice_type, ==, k == 0 ? 2 : 0);
                g_assert_cmpuint(type == 5, ==, k == 0);
                if (k > 0 && slices == 0)
                    g_assert_cmpuint(sl.frame_num, ==,
                                     (prev_frame_num + 1) % (1u << sps[pps[sl.pps_id].sps_id]
                                                                       .log2_max_frame_num));
                prev_frame_num = sl.frame_num;
                g_assert_cmpuint(sl.header_bits, >, 8 + 3);
                g_assert_cmpuint(sl.header_bits, <, rn * 8);
                slices++;
            }
        }
        g_assert_cmpuint(slices, >=, 1);
        g_byte_array_unref(s.bytes[k]);
    }
    sc_frame_unref(f);
    sc_content_destroy(c);
    sc_encoder_destroy(enc);
}

static void test_openh264_stream(void)
{
    check_stream("openh264", "h264");
}

static void test_x264_stream(void)
{
    check_stream("gstreamer", "h264");
}

static void test_random_headers(void)
{
    static struct sc_h264_sps sps[SC_H264_MAX_SPS];
    static struct sc_h264_pps pps[SC_H264_MAX_PPS];
    g_autoptr(GRand) rnd = g_rand_new_with_seed(7);
    uint8_t buf[64];
    for (int i = 0; i < 20000; i++) {
        size_t n = 1 + g_rand_int_range(rnd, 0, sizeof(buf));
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)g_rand_int(rnd);
        uint32_t id;
        struct sc_h264_sps s;
        struct sc_h264_pps p;
        struct sc_h264_slice sl;
        if (sc_h264_parse_sps(buf, n, &s, &id) == 0) {
            g_assert_cmpuint(id, <, SC_H264_MAX_SPS);
            g_assert_cmpuint(s.width, <=, SC_CODEC_MAX_DIM);
            sps[id] = s;
        }
        if (sc_h264_parse_pps(buf, n, sps, &p, &id) == 0) {
            g_assert_cmpuint(id, <, SC_H264_MAX_PPS);
            pps[id] = p;
        }
        sc_h264_parse_slice(buf, n, sps, pps, &sl);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/codecs/h264-headers/exp-golomb", test_bitstream_ue);
    g_test_add_func("/codecs/h264-headers/sps-pps-roundtrip", test_sps_pps_roundtrip);
    g_test_add_func("/codecs/h264-headers/pps-ranges", test_pps_ranges);
    g_test_add_func("/codecs/h264-headers/openh264-stream", test_openh264_stream);
    g_test_add_func("/codecs/h264-headers/x264-stream", test_x264_stream);
    g_test_add_func("/codecs/h264-headers/random", test_random_headers);
    return g_test_run();
}
