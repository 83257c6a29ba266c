/* A display client's lossless updates (server/encode.c) end to end: the
 * DRAW_COPY bodies its encoder and worker give back, checked against the
 * frame (noise goes raw, bottom-up frames go top-down, the form changes
 * only between updates).  The sessions' pixel-exact checks are in
 * test-protocol.c (display-lz4, display-raw). */
#include "config.h"

#include <string.h>

#include "server/encode.h"
#include "tests/server/harness.h"

/* A display client's lossless path, run to its end: the DRAW_COPY bodies
 * (each head and payload joined, as a client reads them). */
static void lossless_done(const struct sc_lossless_update *u, size_t n, void *data)
{
    GPtrArray *bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

    for (size_t i = 0; i < n; i++) {
        GByteArray *body = g_byte_array_new();
        gsize hs, ps;
        const uint8_t *h = g_bytes_get_data(u[i].head, &hs);
        const uint8_t *p = g_bytes_get_data(u[i].payload, &ps);
        g_byte_array_append(body, h, (guint)hs);
        g_byte_array_append(body, p, (guint)ps);
        g_ptr_array_add(bodies, g_byte_array_free_to_bytes(body));
    }
    *(GPtrArray **)data = bodies;
}

static GPtrArray *lossless_bodies(struct sc_frame *f, const struct sc_box *boxes, unsigned n,
                                  bool lz4)
{
    GPtrArray *bodies = NULL;
    struct sc_lossless *l = sc_lossless_new(lossless_done, &bodies);
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    g_assert_true(sc_lossless_submit(l, f, boxes, n, lz4));
    while (!bodies && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, TRUE);
    sc_lossless_free(l);
    g_assert_nonnull(bodies);
    return bodies;
}

/* A client's lossless form changes only between updates: a submit in
 * flight is never dropped (its done would never run). */
static void test_lossless_form_change(void)
{
    struct sc_frame *f = make_frame(64, 48, 1);
    struct sc_box r = { 0, 0, 64, 48 };
    GPtrArray *bodies = NULL;
    struct sc_lossless *l = sc_lossless_new(lossless_done, &bodies);
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    g_assert_true(sc_lossless_submit(l, f, &r, 1, true));
    g_assert_false(sc_lossless_submit(l, f, &r, 1, false));
    while (!bodies && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, TRUE);
    g_assert_nonnull(bodies);
    g_assert_cmpuint(bodies->len, ==, 1);
    g_clear_pointer(&bodies, g_ptr_array_unref);
    g_assert_true(sc_lossless_submit(l, f, &r, 1, false));
    while (!bodies && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, TRUE);
    g_assert_nonnull(bodies);
    g_ptr_array_unref(bodies);
    sc_lossless_free(l);
    sc_frame_unref(f);
}

/* Noise-like content is sent raw even to an LZ4 client: LZ4 cannot pay. */
static void test_lz4_noise_goes_raw(void)
{
    struct sc_frame *f = sc_frame_new_memfd(64, 64);
    struct sc_box r = { 0, 0, 64, 64 };
    GRand *rand = g_rand_new_with_seed(7);
    GPtrArray *bodies;
    struct sc_draw_copy dc;
    gsize n;
    const uint8_t *p;

    for (uint32_t i = 0; i < f->stride * 64 / 4; i++)
        ((uint32_t *)(f->map + f->offset))[i] = g_rand_int(rand);
    bodies = lossless_bodies(f, &r, 1, true);
    g_assert_cmpuint(bodies->len, ==, 1);
    p = g_bytes_get_data(g_ptr_array_index(bodies, 0), &n);
    g_assert_true(sc_draw_copy_parse(p, n, &dc));
    g_assert_cmpuint(dc.image_type, ==, SPICE_IMAGE_TYPE_BITMAP);
    g_assert_cmpuint(dc.bitmap_flags & SPICE_BITMAP_FLAGS_TOP_DOWN, !=, 0);
    g_assert_cmpmem(dc.data, 64 * 4 * 64, f->map + f->offset, 64 * 4 * 64);
    g_ptr_array_unref(bodies);
    g_rand_free(rand);
    sc_frame_unref(f);
}
/* A bottom-up buffer (GL-rendered, top_down false) goes as top-down images:
 * picture row y is buffer row height-1-y, even for a damaged rectangle;
 * raw as a top-down bitmap, LZ4 as LZ4 (top-down by definition). */
static void test_bottom_up_frame(void)
{
    struct sc_frame *f = make_frame(64, 48, 3);
    struct sc_box rects[] = { { 0, 0, 64, 48 }, { 8, 10, 16, 8 } };

    f->top_down = false;
    for (unsigned i = 0; i < 2 * G_N_ELEMENTS(rects); i++) {
        const struct sc_box *r = &rects[i / 2];
        bool lz4 = i % 2;
        GPtrArray *bodies = lossless_bodies(f, r, 1, lz4);
        struct sc_draw_copy dc;
        gsize n;
        const uint8_t *p;
        size_t row = (size_t)r->w * 4;
        g_autofree uint8_t *px = g_malloc(row * (size_t)r->h);

        g_assert_cmpuint(bodies->len, ==, 1);
        p = g_bytes_get_data(g_ptr_array_index(bodies, 0), &n);
        g_assert_true(sc_draw_copy_parse(p, n, &dc));
        g_assert_cmpint(dc.box.top, ==, r->y);
        g_assert_cmpint(dc.box.left, ==, r->x);
        if (lz4) {
            g_assert_cmpuint(dc.image_type, ==, SPICE_IMAGE_TYPE_LZ4);
            g_assert_true(sc_lz4_image_decode(dc.data, dc.data_size, (uint32_t)r->w,
                                              (uint32_t)r->h, px, row));
        } else {
            g_assert_cmpuint(dc.image_type, ==, SPICE_IMAGE_TYPE_BITMAP);
            g_assert_cmpuint(dc.bitmap_flags & SPICE_BITMAP_FLAGS_TOP_DOWN, !=, 0);
            g_assert_cmpuint(dc.stride, ==, row);
            memcpy(px, dc.data, row * (size_t)r->h);
        }
        for (int y = 0; y < r->h; y++)
            g_assert_cmpmem(px + y * row, row,
                            f->map + f->offset + (f->height - 1 - (uint32_t)(r->y + y)) * f->stride
                                + (size_t)r->x * 4,
                            row);
        g_ptr_array_unref(bodies);
    }
    sc_frame_unref(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lossless/lz4-noise-goes-raw", test_lz4_noise_goes_raw);
    g_test_add_func("/lossless/form-change", test_lossless_form_change);
    g_test_add_func("/lossless/bottom-up-frame", test_bottom_up_frame);
    return g_test_run();
}
