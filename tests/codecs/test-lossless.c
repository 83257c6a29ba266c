/* The lossless encoders, damage-driven (the server's DRAW_COPY path and
 * spicecast-bench's lossless rows): one packet per damage box, clipped to
 * the frame, tall boxes in bands, each packet with its rect and its form
 * (LZ4, or raw where LZ4 does not pay), rows top-down whatever the frame's
 * row order; and the damage goes through the encode worker. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "codecs/codec.h"
#include "codecs/worker.h"
#include "common/frame.h"
#include "common/messages.h"

struct pkt { struct sc_box rect; int codec; GBytes *data; bool handed; };

/* Keeps the packet's bytes by reference where the encoder hands them over */
static void keep(const struct sc_packet *p, void *data)
{
    bool handed = p->bytes && g_bytes_get_data(p->bytes, NULL) == p->data;
    struct pkt k = { p->rect, p->codec,
                     handed ? g_bytes_ref(p->bytes) : g_bytes_new(p->data, p->size), handed };
    g_array_append_val((GArray *)data, k);
}

static void clear_pkt(void *p) { g_bytes_unref(((struct pkt *)p)->data); }

static GArray *pkts_new(void)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct pkt));
    g_array_set_clear_func(a, clear_pkt);
    return a;
}

/* Compressible blocks, or noise when noise is set. */
static struct sc_frame *make(uint32_t w, uint32_t h, bool top_down, bool noise)
{
    struct sc_frame *f = sc_frame_new_memfd(w, h);
    GRand *r = g_rand_new_with_seed(w * h);
    g_assert_nonnull(f);
    f->top_down = top_down;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            ((uint32_t *)(f->map + f->offset + y * f->stride))[x] =
                noise ? g_rand_int(r) : ((x / 8) * 0x10101u) ^ ((y / 8) * 0x30507u);
    g_rand_free(r);
    return f;
}

static struct sc_encoder *make_enc(const char *codec)
{
    struct sc_encoder_params p = { .width = 64, .height = 64, .fps = 30 };
    char reason[SC_CODEC_REASON_SIZE];
    struct sc_encoder *e = sc_encoder_create(sc_encoder_find("lossless", codec), &p, reason,
                                             sizeof(reason));
    g_assert_nonnull(e);
    return e;
}

/* The packet's pixels, top-down at rect.w*4, equal the frame's picture. */
static void check_pixels(const struct sc_frame *f, const struct pkt *k)
{
    const struct sc_box *b = &k->rect;
    size_t row = (size_t)b->w * 4, size;
    const uint8_t *d = g_bytes_get_data(k->data, &size);
    g_autofree uint8_t *px = g_malloc(row * (size_t)b->h);
    if (k->codec == SC_CODEC_LZ4) {
        g_assert_true(sc_lz4_image_decode(d, size, (uint32_t)b->w, (uint32_t)b->h, px, row));
    } else {
        g_assert_cmpint(k->codec, ==, SC_CODEC_RAW);
        g_assert_cmpuint(size, ==, row * (size_t)b->h);
        memcpy(px, d, size);
    }
    for (int32_t y = 0; y < b->h; y++) {
        uint32_t fy = f->top_down ? (uint32_t)(b->y + y) : f->height - 1 - (uint32_t)(b->y + y);
        g_assert_cmpmem(px + (size_t)y * row, row,
                        f->map + f->offset + fy * f->stride + (size_t)b->x * 4, row);
    }
}

static void assert_rect(const struct sc_box *r, int32_t x, int32_t y, int32_t w, int32_t h)
{
    g_assert_cmpint(r->x, ==, x);
    g_assert_cmpint(r->y, ==, y);
    g_assert_cmpint(r->w, ==, w);
    g_assert_cmpint(r->h, ==, h);
}

/* Boxes clipped, empty ones dropped, a tall one cut at 4096 rows. */
static void test_damage(gconstpointer codec)
{
    struct sc_frame *f = make(100, 4200, true, false);
    struct sc_encoder *e = make_enc(codec);
    const struct sc_box damage[] = {
        { 10, 20, 30, 40 }, { 90, 4100, 50, 200 }, { -5, -5, 3, 3 }, { 0, 0, 100, 4200 },
    };
    GArray *p = pkts_new();

    g_assert_cmpint(sc_encoder_encode_damage(e, f, damage, 4, keep, p), ==, 0);
    g_assert_cmpuint(p->len, ==, 4);
    assert_rect(&g_array_index(p, struct pkt, 0).rect, 10, 20, 30, 40);
    /* a packet the encoder built (packed rows, LZ4) is handed over, not copied */
    g_assert_true(g_array_index(p, struct pkt, 0).handed);
    assert_rect(&g_array_index(p, struct pkt, 1).rect, 90, 4100, 10, 100);
    assert_rect(&g_array_index(p, struct pkt, 2).rect, 0, 0, 100, 4096);
    assert_rect(&g_array_index(p, struct pkt, 3).rect, 0, 4096, 100, 104);
    for (guint i = 0; i < p->len; i++) {
        check_pixels(f, &g_array_index(p, struct pkt, i));
        g_assert_cmpint(g_array_index(p, struct pkt, i).codec, ==,
                        strcmp(codec, "lz4") == 0 ? SC_CODEC_LZ4 : SC_CODEC_RAW);
    }
    /* no damage: the whole frame (in bands), of any size */
    g_array_set_size(p, 0);
    g_assert_cmpint(sc_encoder_encode(e, f, keep, p), ==, 0);
    g_assert_cmpuint(p->len, ==, 2);
    assert_rect(&g_array_index(p, struct pkt, 1).rect, 0, 4096, 100, 104);
    check_pixels(f, &g_array_index(p, struct pkt, 1));
    g_array_unref(p);
    sc_encoder_destroy(e);
    sc_frame_unref(f);
}

/* A bottom-up frame (GL-rendered): packets are top-down all the same. */
static void test_bottom_up(gconstpointer codec)
{
    struct sc_frame *f = make(64, 48, false, false);
    struct sc_encoder *e = make_enc(codec);
    const struct sc_box damage[] = { { 0, 0, 64, 48 }, { 8, 10, 16, 8 } };
    GArray *p = pkts_new();

    g_assert_cmpint(sc_encoder_encode_damage(e, f, damage, 2, keep, p), ==, 0);
    g_assert_cmpuint(p->len, ==, 2);
    for (guint i = 0; i < p->len; i++)
        check_pixels(f, &g_array_index(p, struct pkt, i));
    g_array_unref(p);
    sc_encoder_destroy(e);
    sc_frame_unref(f);
}

static int codec_of_one(struct sc_encoder *e, struct sc_frame *f, const struct sc_box *b)
{
    GArray *p = pkts_new();
    g_assert_cmpint(sc_encoder_encode_damage(e, f, b, 1, keep, p), ==, 0);
    g_assert_cmpuint(p->len, ==, 1);
    check_pixels(f, &g_array_index(p, struct pkt, 0));
    int codec = g_array_index(p, struct pkt, 0).codec;
    g_array_unref(p);
    return codec;
}

/* lz4: noise goes raw, and so do the next 30 encodes; tiny boxes too. */
static void test_lz4_poor(void)
{
    struct sc_frame *noise = make(64, 64, true, true), *blocks = make(64, 64, true, false);
    struct sc_encoder *e = make_enc("lz4");
    const struct sc_box all = { 0, 0, 64, 64 }, tiny = { 1, 1, 3, 3 };

    g_assert_cmpint(codec_of_one(e, blocks, &tiny), ==, SC_CODEC_RAW);
    g_assert_cmpint(codec_of_one(e, blocks, &all), ==, SC_CODEC_LZ4);
    g_assert_cmpint(codec_of_one(e, noise, &all), ==, SC_CODEC_RAW);
    for (int i = 0; i < 30; i++)
        g_assert_cmpint(codec_of_one(e, blocks, &all), ==, SC_CODEC_RAW);
    g_assert_cmpint(codec_of_one(e, blocks, &all), ==, SC_CODEC_LZ4);
    sc_encoder_destroy(e);
    sc_frame_unref(noise);
    sc_frame_unref(blocks);
}

struct done { GMainLoop *loop; GArray *pkts; };

static void on_done(struct sc_frame *frame, const struct sc_packet *p, size_t n, int status,
                    void *data)
{
    struct done *d = data;
    (void)frame;
    g_assert_cmpint(status, ==, 0);
    for (size_t i = 0; i < n; i++)
        keep(&p[i], d->pkts);
    g_main_loop_quit(d->loop);
}

/* The worker hands the damage to the encoder (a copy: the caller's array
 * is gone by then) and the packets come back with their rects. */
static void test_worker_damage(void)
{
    struct sc_frame *f = make(64, 64, true, false);
    struct done d = { g_main_loop_new(NULL, FALSE), pkts_new() };
    struct sc_encode_worker *w = sc_encode_worker_new(make_enc("raw"), NULL, 1, on_done, &d);
    struct sc_box *damage = g_new(struct sc_box, 2);

    damage[0] = (struct sc_box){ 1, 2, 3, 4 };
    damage[1] = (struct sc_box){ 20, 30, 40, 30 };
    g_assert_true(sc_encode_worker_submit_damage(w, f, damage, 2));
    memset(damage, 0, sizeof(*damage) * 2);
    g_free(damage);
    g_main_loop_run(d.loop);
    g_assert_cmpuint(d.pkts->len, ==, 2);
    assert_rect(&g_array_index(d.pkts, struct pkt, 0).rect, 1, 2, 3, 4);
    assert_rect(&g_array_index(d.pkts, struct pkt, 1).rect, 20, 30, 40, 30);
    check_pixels(f, &g_array_index(d.pkts, struct pkt, 1));
    sc_encode_worker_destroy(w);
    g_array_unref(d.pkts);
    g_main_loop_unref(d.loop);
    sc_frame_unref(f);
}

/* Video packets: the whole frame, the encoder's codec (filled in). */
static void test_video_rect(void)
{
    const struct sc_encoder_ops *ops = sc_encoder_find("openh264", "h264");
    struct sc_encoder_params p = { .width = 64, .height = 64, .fps = 30, .bitrate = 500000,
                                   .low_latency = true, .threads = 1 };
    char reason[SC_CODEC_REASON_SIZE] = "openh264 not built in";
    struct sc_encoder *e = ops ? sc_encoder_create(ops, &p, reason, sizeof(reason)) : NULL;
    if (!e) {
        g_test_skip(reason);
        return;
    }
    struct sc_frame *f = make(64, 64, true, false);
    const struct sc_box b = { 8, 8, 8, 8 };
    GArray *pk = pkts_new();
    g_assert_cmpint(sc_encoder_encode_damage(e, f, &b, 1, keep, pk), ==, 0);
    g_assert_cmpuint(pk->len, ==, 1);
    assert_rect(&g_array_index(pk, struct pkt, 0).rect, 0, 0, 64, 64);
    g_assert_cmpint(g_array_index(pk, struct pkt, 0).codec, ==, SC_CODEC_H264);
    g_array_unref(pk);
    sc_encoder_destroy(e);
    sc_frame_unref(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/lossless/damage/raw", "raw", test_damage);
    g_test_add_data_func("/lossless/damage/lz4", "lz4", test_damage);
    g_test_add_data_func("/lossless/bottom-up/raw", "raw", test_bottom_up);
    g_test_add_data_func("/lossless/bottom-up/lz4", "lz4", test_bottom_up);
    g_test_add_func("/lossless/lz4-poor-goes-raw", test_lz4_poor);
    g_test_add_func("/lossless/worker-damage", test_worker_damage);
    g_test_add_func("/lossless/video-whole-frame", test_video_rect);
    return g_test_run();
}
