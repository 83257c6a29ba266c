/* Unit tests: display channel messages and the LZ4 image payload. */
#include "config.h"

#include <stdlib.h>

#include "tests/unit/test-util.h"

static void test_rect_and_small(void)
{
    struct sc_rect rc = { .left = 10, .top = 20, .right = 74, .bottom = 52 }, rc2;
    struct sc_display_init di = { 1, 1234567890123ll, 1, -1 }, di2;
    struct sc_surface_create sc = { 0, 1920, 1080, SPICE_SURFACE_FMT_32_xRGB,
                                    SPICE_SURFACE_FLAGS_PRIMARY }, sc2;
    struct sc_reader r;
    struct sc_writer w;
    uint32_t u32;
    uint8_t u8;

    sc_writer_init(&w);
    sc_rect_write(&w, &rc);
    assert_bytes(w.data, 0, B(20, 0, 0, 0, 10, 0, 0, 0, 52, 0, 0, 0, 74, 0, 0, 0));
    sc_reader_init(&r, w.data, w.size);
    rc2 = sc_rect_read(&r);
    g_assert_true(sc_reader_ok(&r));
    g_assert_cmpmem(&rc2, sizeof(rc2), &rc, sizeof(rc));

    sc_writer_reset(&w);
    sc_display_init_write(&w, &di);
    g_assert_cmpuint(w.size, ==, 14);
    g_assert_true(sc_display_init_parse(w.data, w.size, &di2));
    g_assert_cmpuint(di2.pixmap_cache_id, ==, 1);
    g_assert_cmpint(di2.pixmap_cache_size, ==, 1234567890123ll);
    g_assert_cmpint(di2.glz_dictionary_window_size, ==, -1);
    assert_truncations_fail(w.data, 14, sc_display_init_parse(buf_, n_, &di2));

    sc_writer_reset(&w);
    assert_roundtrip_same(&w, sc_surface_create_write, sc_surface_create_parse, &sc, &sc2, 20, 20);
    assert_bytes(w.data, 0, B(0, 0, 0, 0, 0x80, 7, 0, 0, 0x38, 4, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0));

    sc_writer_reset(&w);
    sc_surface_destroy_write(&w, 7);
    g_assert_true(sc_surface_destroy_parse(w.data, w.size, &u32));
    g_assert_cmpuint(u32, ==, 7);
    assert_truncations_fail(w.data, 4, sc_surface_destroy_parse(buf_, n_, &u32));

    sc_writer_reset(&w);
    sc_preferred_compression_write(&w, SPICE_IMAGE_COMPRESSION_LZ4);
    g_assert_cmpuint(w.size, ==, 1);
    g_assert_true(sc_preferred_compression_parse(w.data, w.size, &u8));
    g_assert_cmpuint(u8, ==, 7);
    g_assert_false(sc_preferred_compression_parse(w.data, 0, &u8));
    sc_writer_finish(&w);
}

static void test_monitors_config(void)
{
    struct sc_monitors_config m = { 1, 1, { { 0, 0, 1024, 768, 0, 0, 0 } } };
    struct sc_monitors_config *p = g_new0(struct sc_monitors_config, 1);
    struct sc_writer w;

    sc_writer_init(&w);
    sc_monitors_config_write(&w, &m);
    g_assert_cmpuint(w.size, ==, 32);
    assert_bytes(w.data, 0, B(1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0));
    g_assert_true(sc_monitors_config_parse(w.data, w.size, p));
    g_assert_cmpuint(p->count, ==, 1);
    g_assert_cmpuint(p->heads[0].width, ==, 1024);
    g_assert_cmpuint(p->heads[0].height, ==, 768);
    assert_truncations_fail(w.data, 32, sc_monitors_config_parse(buf_, n_, p));

    /* 20 heads on the wire: all must be there, 16 are kept */
    sc_writer_reset(&w);
    sc_write_u16(&w, 20);
    sc_write_u16(&w, 32);
    for (uint32_t i = 0; i < 20 * 7; i++)
        sc_write_u32(&w, i);
    g_assert_true(sc_monitors_config_parse(w.data, w.size, p));
    g_assert_cmpuint(p->count, ==, SC_MAX_MONITORS);
    g_assert_cmpuint(p->heads[15].id, ==, 15 * 7);
    g_assert_false(sc_monitors_config_parse(w.data, w.size - 1, p));
    sc_put_u16(w.data, 0xffff);
    g_assert_false(sc_monitors_config_parse(w.data, w.size, p));
    sc_writer_finish(&w);
    g_free(p);
}

/* PROTOCOL.md 5.7 worked example: 64x32 32-bit raw image at (10, 20). */
static struct sc_draw_copy example_copy(const uint8_t *px)
{
    struct sc_draw_copy m;

    memset(&m, 0, sizeof(m));
    m.box = (struct sc_rect){ .left = 10, .top = 20, .right = 74, .bottom = 52 };
    m.clip.type = SPICE_CLIP_TYPE_NONE;
    m.src_area = (struct sc_rect){ .left = 0, .top = 0, .right = 64, .bottom = 32 };
    m.rop_descriptor = SPICE_ROPD_OP_PUT;
    m.image_id = 0x55;
    m.image_type = SPICE_IMAGE_TYPE_BITMAP;
    m.width = 64;
    m.height = 32;
    m.bitmap_format = SPICE_BITMAP_FMT_32BIT;
    m.bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN;
    m.stride = 256;
    m.data = px;
    m.data_size = 256 * 32;
    return m;
}

static uint8_t *make_pixels(uint32_t w, uint32_t h, uint32_t stride, uint32_t seed)
{
    uint8_t *px = g_malloc((size_t)stride * h);

    for (size_t i = 0; i < (size_t)stride * h; i++)
        px[i] = (uint8_t)((i * 7 + seed) ^ (i >> 9));
    (void)w;
    return px;
}

static void test_draw_copy_example(void)
{
    uint8_t *px = make_pixels(64, 32, 256, 1);
    struct sc_draw_copy m = example_copy(px);
    struct sc_draw_copy *p = g_new0(struct sc_draw_copy, 1);
    struct sc_writer w;
    const uint8_t *body;
    size_t start;

    sc_writer_init(&w);
    start = sc_msg_begin(&w, true, 0, SPICE_MSG_DISPLAY_DRAW_COPY);
    sc_draw_copy_write(&w, &m);
    sc_msg_end(&w, start, true);
    g_assert_false(w.error);
    g_assert_cmpuint(w.size, ==, 6 + 8285);
    assert_bytes(w.data, 0, B(0x30, 0x01, 0x5d, 0x20, 0x00, 0x00));
    body = w.data + 6;
    assert_bytes(body, 0, B(0, 0, 0, 0, 20, 0, 0, 0, 10, 0, 0, 0, 52, 0, 0, 0, 74, 0, 0, 0, 0));
    g_assert_cmpuint(le32_at(body + 21), ==, 57);
    assert_bytes(body, 25, B(0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 64, 0, 0, 0, 8, 0, 0));
    assert_bytes(body, 44, B(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    g_assert_cmpuint(body[57 + 8], ==, SPICE_IMAGE_TYPE_BITMAP);
    g_assert_cmpuint(body[57 + 9], ==, 0);
    g_assert_cmpuint(le32_at(body + 67), ==, 64);
    g_assert_cmpuint(le32_at(body + 71), ==, 32);
    assert_bytes(body, 75, B(8, 4, 64, 0, 0, 0, 32, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0));
    g_assert_cmpmem(body + 93, 8192, px, 8192);

    g_assert_true(sc_draw_copy_parse(body, 8285, p));
    g_assert_cmpuint(p->surface_id, ==, 0);
    g_assert_cmpmem(&p->box, sizeof(p->box), &m.box, sizeof(m.box));
    g_assert_cmpmem(&p->src_area, sizeof(p->src_area), &m.src_area, sizeof(m.src_area));
    g_assert_cmpuint(p->clip.type, ==, SPICE_CLIP_TYPE_NONE);
    g_assert_cmpuint(p->rop_descriptor, ==, SPICE_ROPD_OP_PUT);
    g_assert_cmpuint(p->image_id, ==, 0x55);
    g_assert_cmpuint(p->width, ==, 64);
    g_assert_cmpuint(p->height, ==, 32);
    g_assert_cmpuint(p->stride, ==, 256);
    g_assert_cmpuint(p->bitmap_flags, ==, SPICE_BITMAP_FLAGS_TOP_DOWN);
    g_assert_true(p->data == body + 93);
    g_assert_cmpuint(p->data_size, ==, 8192);
    assert_truncations_fail(body, 8285, sc_draw_copy_parse(buf_, n_, p));
    sc_writer_finish(&w);
    g_free(p);
    g_free(px);
}

static void test_draw_copy_bad(void)
{
    uint8_t *px = make_pixels(64, 32, 256, 2);
    struct sc_draw_copy m = example_copy(px);
    struct sc_draw_copy *p = g_new0(struct sc_draw_copy, 1);
    struct sc_writer w;
    uint8_t *b;
    size_t len;

    sc_writer_init(&w);
    sc_draw_copy_write(&w, &m);
    b = w.data;
    len = w.size;
    g_assert_true(sc_draw_copy_parse(b, len, p));
#define EXPECT_BAD_U32(off, val)                         \
    do {                                                 \
        uint32_t old_ = le32_at(b + (off));              \
        sc_put_u32(b + (off), (val));                    \
        g_assert_false(sc_draw_copy_parse(b, len, p));   \
        sc_put_u32(b + (off), old_);                     \
    } while (0)
    EXPECT_BAD_U32(21, 0);              /* NULL image */
    EXPECT_BAD_U32(21, (uint32_t)len);  /* image pointer past the end */
    EXPECT_BAD_U32(21, 0xffffffffu);
    EXPECT_BAD_U32(21, (uint32_t)len - 20); /* image runs past the end */
    EXPECT_BAD_U32(53, (uint32_t)len);  /* mask pointer out of bounds */
    EXPECT_BAD_U32(57 + 10, 65);        /* descriptor width != bitmap x */
    EXPECT_BAD_U32(57 + 18 + 2, 65);    /* bitmap x != descriptor width */
    EXPECT_BAD_U32(85, 255);            /* stride < width * 4 */
    EXPECT_BAD_U32(85, 0x80000000u);    /* stride * height past the end */
    EXPECT_BAD_U32(89, (uint32_t)len);  /* palette pointer out of bounds */
    b[57 + 8] = 42; /* unknown image type */
    g_assert_false(sc_draw_copy_parse(b, len, p));
    b[57 + 8] = 0;
    b[75] = 0; /* bitmap format INVALID */
    g_assert_false(sc_draw_copy_parse(b, len, p));
    b[75] = 8;
    b[20] = 2; /* unknown clip type */
    g_assert_false(sc_draw_copy_parse(b, len, p));
    b[20] = 0;
    g_assert_true(sc_draw_copy_parse(b, len, p));
    sc_writer_finish(&w);

    /* clip RECTS with an absurd count */
    sc_writer_init(&w);
    m.clip.type = SPICE_CLIP_TYPE_RECTS;
    m.clip.num_rects = 1;
    m.clip.rects[0] = m.box;
    sc_draw_copy_write(&w, &m);
    g_assert_true(sc_draw_copy_parse(w.data, w.size, p));
    sc_put_u32(w.data + 21, 0xffffffffu);
    g_assert_false(sc_draw_copy_parse(w.data, w.size, p));
    sc_put_u32(w.data + 21, 0x10000000u);
    g_assert_false(sc_draw_copy_parse(w.data, w.size, p));
    sc_writer_finish(&w);
#undef EXPECT_BAD_U32
    g_free(p);
    g_free(px);
}

static void test_draw_copy_clip_rects(void)
{
    uint8_t *px = make_pixels(64, 32, 256, 3);
    struct sc_draw_copy m = example_copy(px);
    struct sc_draw_copy *p = g_new0(struct sc_draw_copy, 1);
    struct sc_writer w;

    m.clip.type = SPICE_CLIP_TYPE_RECTS;
    m.clip.num_rects = 2;
    m.clip.rects[0] = (struct sc_rect){ 10, 20, 40, 30 };
    m.clip.rects[1] = (struct sc_rect){ 40, 30, 74, 52 };
    sc_writer_init(&w);
    sc_draw_copy_write(&w, &m);
    g_assert_cmpuint(w.size, ==, 8285 + 4 + 32);
    g_assert_cmpuint(w.data[20], ==, SPICE_CLIP_TYPE_RECTS);
    g_assert_cmpuint(le32_at(w.data + 21), ==, 2);
    assert_bytes(w.data, 25, B(20, 0, 0, 0, 10, 0, 0, 0, 30, 0, 0, 0, 40, 0, 0, 0));
    g_assert_cmpuint(le32_at(w.data + 57), ==, 57 + 36); /* src_bitmap */
    g_assert_true(sc_draw_copy_parse(w.data, w.size, p));
    g_assert_cmpuint(p->clip.num_rects, ==, 2);
    g_assert_cmpmem(&p->clip.rects[1], sizeof(struct sc_rect), &m.clip.rects[1],
                    sizeof(struct sc_rect));
    g_assert_cmpmem(p->data, p->data_size, px, 8192);
    assert_truncations_fail(w.data, w.size, sc_draw_copy_parse(buf_, n_, p));
    sc_writer_finish(&w);

    /* more rects than SC_MAX_CLIP_RECTS: all must be present, 256 kept */
    sc_writer_init(&w);
    sc_write_u8(&w, SPICE_CLIP_TYPE_RECTS);
    sc_write_u32(&w, 300);
    for (int i = 0; i < 300; i++)
        sc_rect_write(&w, &(struct sc_rect){ i, i, i + 1, i + 1 });
    {
        struct sc_reader r;
        struct sc_clip *c = g_new0(struct sc_clip, 1);
        sc_reader_init(&r, w.data, w.size);
        g_assert_true(sc_clip_read(&r, c));
        g_assert_cmpuint(c->num_rects, ==, SC_MAX_CLIP_RECTS);
        g_assert_cmpint(c->rects[255].left, ==, 255);
        g_assert_cmpuint(sc_reader_remaining(&r), ==, 0);
        sc_reader_init(&r, w.data, w.size - 1);
        g_assert_false(sc_clip_read(&r, c));
        g_free(c);
    }
    sc_writer_finish(&w);
    g_free(p);
    g_free(px);
}

static void test_draw_copy_repack(void)
{
    uint8_t *px = make_pixels(64, 32, 300, 4);
    struct sc_draw_copy m = example_copy(px);
    struct sc_draw_copy *p = g_new0(struct sc_draw_copy, 1);
    struct sc_writer w;

    m.stride = 300;
    sc_writer_init(&w);
    sc_draw_copy_write(&w, &m);
    g_assert_cmpuint(w.size, ==, 8285);
    g_assert_true(sc_draw_copy_parse(w.data, w.size, p));
    g_assert_cmpuint(p->stride, ==, 256);
    for (int y = 0; y < 32; y++)
        g_assert_cmpmem(p->data + y * 256, 256, px + y * 300, 256);
    sc_writer_finish(&w);
    g_free(p);
    g_free(px);
}

/* ---- LZ4 --------------------------------------------------------------- */

static void lz4_roundtrip(uint32_t width, uint32_t height, uint32_t stride, bool noise)
{
    uint8_t *px = g_malloc0((size_t)stride * height);
    size_t row = (size_t)width * 4;
    uint8_t *out = g_malloc((size_t)(row + 8) * height);
    struct sc_writer w;
    gint64 t0;

    for (size_t y = 0; y < height; y++)
        for (size_t x = 0; x < row; x++)
            px[y * stride + x] = noise ? (uint8_t)g_random_int() : (uint8_t)((x / 64) ^ (y / 16));
    sc_writer_init(&w);
    t0 = g_get_monotonic_time();
    g_assert_true(sc_lz4_image_encode(&w, px, width, height, stride));
    if (width * height >= 1920 * 1080)
        g_test_message("lz4 encode %ux%u %s: %u bytes in %.2f ms", width, height,
                       noise ? "noise" : "pattern", (unsigned)w.size,
                       (g_get_monotonic_time() - t0) / 1000.0);
    g_assert_cmpuint(w.data[0], ==, 1);
    g_assert_cmpuint(w.data[1], ==, SPICE_BITMAP_FMT_32BIT);
    /* packed destination */
    g_assert_true(sc_lz4_image_decode(w.data, w.size, width, height, out, row));
    for (size_t y = 0; y < height; y++)
        g_assert_cmpmem(out + y * row, row, px + y * stride, row);
    /* padded destination */
    g_assert_true(sc_lz4_image_decode(w.data, w.size, width, height, out, row + 8));
    for (size_t y = 0; y < height; y++)
        g_assert_cmpmem(out + y * (row + 8), row, px + y * stride, row);
    /* wrong sizes are refused */
    if (height > 1)
        g_assert_false(sc_lz4_image_decode(w.data, w.size, width, height - 1, out, row));
    g_assert_false(sc_lz4_image_decode(w.data, w.size, width, height + 1, out, row));
    /* bottom-up payload: rows come out flipped */
    w.data[0] = 0;
    g_assert_true(sc_lz4_image_decode(w.data, w.size, width, height, out, row));
    for (size_t y = 0; y < height; y++)
        g_assert_cmpmem(out + y * row, row, px + (height - 1 - y) * stride, row);
    sc_writer_finish(&w);
    g_free(out);
    g_free(px);
}

static void test_lz4_roundtrip(void)
{
    lz4_roundtrip(1, 1, 4, false);
    lz4_roundtrip(64, 32, 256, false);
    lz4_roundtrip(64, 32, 300, true);
    lz4_roundtrip(333, 77, 333 * 4 + 12, false);
    lz4_roundtrip(1920, 1080, 1920 * 4, false); /* several 1 MiB blocks */
    lz4_roundtrip(1920, 1080, 1920 * 4, true);
}

static void test_lz4_bad(void)
{
    uint8_t *px = make_pixels(64, 32, 256, 5);
    uint8_t out[256 * 32];
    struct sc_writer w;

    sc_writer_init(&w);
    g_assert_false(sc_lz4_image_encode(&w, px, 64, 32, 255));
    g_assert_false(sc_lz4_image_encode(&w, px, 0, 32, 256));
    g_assert_true(sc_lz4_image_encode(&w, px, 64, 32, 256));
    g_assert_true(sc_lz4_image_decode(w.data, w.size, 64, 32, out, 256));
    g_assert_false(sc_lz4_image_decode(w.data, w.size, 64, 32, out, 255));
    g_assert_false(sc_lz4_image_decode(w.data, w.size, 0, 32, out, 256));
    /* every truncation fails */
    assert_truncations_fail(w.data, w.size,
                            sc_lz4_image_decode(buf_, n_, 64, 32, out, sizeof(out) / 32));
    /* bad format */
    w.data[1] = SPICE_BITMAP_FMT_24BIT;
    g_assert_false(sc_lz4_image_decode(w.data, w.size, 64, 32, out, 256));
    w.data[1] = SPICE_BITMAP_FMT_32BIT;
    /* block size too large */
    w.data[2] ^= 0x80;
    g_assert_false(sc_lz4_image_decode(w.data, w.size, 64, 32, out, 256));
    w.data[2] ^= 0x80;
    /* trailing block after a complete image */
    sc_write_u32(&w, 0x01000000); /* BE 1 */
    sc_write_u8(&w, 0);
    g_assert_false(sc_lz4_image_decode(w.data, w.size, 64, 32, out, 256));
    sc_writer_finish(&w);
    g_free(px);
}

/* The head writer (a sender queues the image data after it as is) writes
 * exactly the bytes of the whole body before its data. */
static void assert_head_then_data(const struct sc_draw_copy *m)
{
    struct sc_writer whole, head;

    sc_writer_init(&whole);
    sc_writer_init(&head);
    sc_draw_copy_write(&whole, m);
    g_assert_true(sc_draw_copy_write_head(&head, m));
    sc_write_bytes(&head, m->data, m->data_size);
    g_assert_cmpmem(head.data, head.size, whole.data, whole.size);
    sc_writer_finish(&whole);
    sc_writer_finish(&head);
}

static void test_draw_copy_head(void)
{
    uint8_t *px = make_pixels(64, 32, 256, 6);
    struct sc_draw_copy m = example_copy(px);
    struct sc_writer w;

    assert_head_then_data(&m); /* a BITMAP at stride = row */
    m.image_type = SPICE_IMAGE_TYPE_LZ4; /* any payload: the head does not read it */
    m.data_size = 1000;
    assert_head_then_data(&m);
    m = example_copy(px);
    m.width = 60; /* stride 256 > row 240: repacked, so no head alone */
    m.box.right = 70;
    m.src_area.right = 60;
    sc_writer_init(&w);
    g_assert_false(sc_draw_copy_write_head(&w, &m));
    sc_writer_finish(&w);
    g_free(px);
}

static void test_draw_copy_lz4(void)
{
    uint8_t *px = make_pixels(64, 32, 256, 6);
    struct sc_draw_copy m = example_copy(px);
    struct sc_draw_copy *p = g_new0(struct sc_draw_copy, 1);
    uint8_t out[256 * 32];
    struct sc_writer w, lz;

    sc_writer_init(&lz);
    g_assert_true(sc_lz4_image_encode(&lz, px, 64, 32, 256));
    m.image_type = SPICE_IMAGE_TYPE_LZ4;
    m.data = lz.data;
    m.data_size = (uint32_t)lz.size;
    sc_writer_init(&w);
    sc_draw_copy_write(&w, &m);
    g_assert_cmpuint(w.size, ==, 57 + 18 + 4 + lz.size);
    g_assert_cmpuint(w.data[57 + 8], ==, SPICE_IMAGE_TYPE_LZ4);
    g_assert_cmpuint(le32_at(w.data + 75), ==, lz.size);
    g_assert_true(sc_draw_copy_parse(w.data, w.size, p));
    g_assert_cmpuint(p->image_type, ==, SPICE_IMAGE_TYPE_LZ4);
    g_assert_true(p->data == w.data + 79);
    g_assert_true(sc_lz4_image_decode(p->data, p->data_size, p->width, p->height, out, 256));
    g_assert_cmpmem(out, sizeof(out), px, sizeof(out));
    assert_truncations_fail(w.data, w.size, sc_draw_copy_parse(buf_, n_, p));
    sc_put_u32(w.data + 75, 0xffffffffu);
    g_assert_false(sc_draw_copy_parse(w.data, w.size, p));
    sc_writer_finish(&w);
    sc_writer_finish(&lz);
    g_free(p);
    g_free(px);
}

/* ---- fill, streams, GL ---------------------------------------------------- */

static void test_draw_fill(void)
{
    struct sc_draw_fill f = { .box = { 0, 0, 640, 480 }, .brush_type = SPICE_BRUSH_TYPE_SOLID,
                              .color = 0x00112233, .rop_descriptor = SPICE_ROPD_OP_PUT };
    struct sc_draw_fill *p = g_new0(struct sc_draw_fill, 1);
    struct sc_writer w;

    sc_writer_init(&w);
    sc_draw_fill_write(&w, &f);
    g_assert_cmpuint(w.size, ==, 41);
    assert_bytes(w.data, 20, B(0, 1, 0x33, 0x22, 0x11, 0, 8, 0));
    g_assert_true(sc_draw_fill_parse(w.data, w.size, p));
    g_assert_cmphex(p->color, ==, 0x112233);
    g_assert_cmpint(p->box.right, ==, 640);
    assert_truncations_fail(w.data, 41, sc_draw_fill_parse(buf_, n_, p));
    w.data[21] = SPICE_BRUSH_TYPE_PATTERN;
    g_assert_false(sc_draw_fill_parse(w.data, w.size, p));
    sc_writer_finish(&w);
    g_free(p);
}

static void test_stream_create(void)
{
    struct sc_stream_create s = {
        .surface_id = 0, .id = 3, .flags = SPICE_STREAM_FLAGS_TOP_DOWN,
        .codec_type = SPICE_VIDEO_CODEC_TYPE_H264, .stream_width = 1280, .stream_height = 720,
        .src_width = 1280, .src_height = 720, .dest = { .left = 0, .top = 0, .right = 1280, .bottom = 720 },
    };
    struct sc_stream_create *p = g_new0(struct sc_stream_create, 1);
    struct sc_writer w;
    size_t start;

    sc_writer_init(&w);
    start = sc_msg_begin(&w, true, 0, SPICE_MSG_DISPLAY_STREAM_CREATE);
    sc_stream_create_write(&w, &s);
    sc_msg_end(&w, start, true);
    g_assert_cmpuint(w.size, ==, 6 + 51);
    assert_bytes(w.data, 0, B(122, 0, 51, 0, 0, 0));
    assert_bytes(w.data, 6, B(0, 0, 0, 0, 3, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0));
    assert_bytes(w.data, 6 + 18, B(0, 5, 0, 0, 0xd0, 2, 0, 0, 0, 5, 0, 0, 0xd0, 2, 0, 0));
    assert_bytes(w.data, 6 + 34, B(0, 0, 0, 0, 0, 0, 0, 0, 0xd0, 2, 0, 0, 0, 5, 0, 0, 0));
    g_assert_true(sc_stream_create_parse(w.data + 6, 51, p));
    g_assert_cmpuint(p->id, ==, 3);
    g_assert_cmpuint(p->codec_type, ==, 3);
    g_assert_cmpint(p->dest.bottom, ==, 720);
    g_assert_cmpuint(p->clip.type, ==, SPICE_CLIP_TYPE_NONE);
    assert_truncations_fail(w.data + 6, 51, sc_stream_create_parse(buf_, n_, p));
    sc_writer_finish(&w);
    g_free(p);
}

static void test_stream_misc(void)
{
    static const uint8_t au[5] = { 0, 0, 0, 1, 0x65 };
    struct sc_stream_data d = { 3, 1000, au, 5 }, d2;
    struct sc_stream_data_sized ds = { 3, 1001, 640, 480, { 0, 0, 640, 480 }, au, 5 }, ds2;
    struct sc_stream_activate_report ar = { 3, 9, 5, 1000 }, ar2;
    struct sc_stream_report sr = { 3, 9, 100, 200, 5, 0xffffffffu, -12, 0xffffffffu }, sr2;
    struct sc_preferred_video_codecs pc = { 2, { 3, 2 } }, pc2;
    struct sc_clip clip = { .type = SPICE_CLIP_TYPE_RECTS, .num_rects = 1 };
    struct sc_clip *clip2 = g_new0(struct sc_clip, 1);
    struct sc_writer w;
    uint32_t u32;

    sc_writer_init(&w);
    sc_stream_data_write(&w, &d);
    g_assert_cmpuint(w.size, ==, 12 + 5);
    g_assert_true(sc_stream_data_parse(w.data, w.size, &d2));
    g_assert_cmpuint(d2.multi_media_time, ==, 1000);
    g_assert_cmpmem(d2.data, d2.data_size, au, 5);
    assert_truncations_fail(w.data, w.size, sc_stream_data_parse(buf_, n_, &d2));

    sc_writer_reset(&w);
    sc_stream_data_sized_write(&w, &ds);
    g_assert_cmpuint(w.size, ==, 36 + 5);
    g_assert_true(sc_stream_data_sized_parse(w.data, w.size, &ds2));
    g_assert_cmpuint(ds2.width, ==, 640);
    g_assert_cmpint(ds2.dest.bottom, ==, 480); /* {0,0,640,480} = left,top,right,bottom */
    g_assert_cmpmem(ds2.data, ds2.data_size, au, 5);
    assert_truncations_fail(w.data, w.size, sc_stream_data_sized_parse(buf_, n_, &ds2));

    sc_writer_reset(&w);
    clip.rects[0] = (struct sc_rect){ 1, 2, 3, 4 };
    sc_stream_clip_write(&w, 3, &clip);
    g_assert_cmpuint(w.size, ==, 4 + 1 + 4 + 16);
    g_assert_true(sc_stream_clip_parse(w.data, w.size, &u32, clip2));
    g_assert_cmpuint(u32, ==, 3);
    g_assert_cmpuint(clip2->num_rects, ==, 1);
    g_assert_cmpint(clip2->rects[0].bottom, ==, 4);
    assert_truncations_fail(w.data, w.size, sc_stream_clip_parse(buf_, n_, &u32, clip2));

    sc_writer_reset(&w);
    sc_stream_destroy_write(&w, 3);
    g_assert_true(sc_stream_destroy_parse(w.data, w.size, &u32));
    g_assert_cmpuint(u32, ==, 3);
    assert_truncations_fail(w.data, 4, sc_stream_destroy_parse(buf_, n_, &u32));

    sc_writer_reset(&w);
    assert_roundtrip_same(&w, sc_stream_activate_report_write, sc_stream_activate_report_parse,
                          &ar, &ar2, 16, 16);

    sc_writer_reset(&w);
    assert_roundtrip_same(&w, sc_stream_report_write, sc_stream_report_parse, &sr, &sr2, 32, 32);

    sc_writer_reset(&w);
    sc_preferred_video_codecs_write(&w, &pc);
    assert_bytes(w.data, 0, B(2, 3, 2));
    g_assert_true(sc_preferred_video_codecs_parse(w.data, w.size, &pc2));
    g_assert_cmpuint(pc2.num, ==, 2);
    g_assert_cmpuint(pc2.codecs[1], ==, 2);
    assert_truncations_fail(w.data, 3, sc_preferred_video_codecs_parse(buf_, n_, &pc2));
    sc_writer_finish(&w);
    g_free(clip2);
}

static void test_gl(void)
{
    struct sc_gl_scanout s = { 1920, 1080, 7680, 0x34325258, 0 }, s2;
    struct sc_gl_draw d = { 0, 0, 1920, 1080 }, d2;
    struct sc_writer w;

    sc_writer_init(&w);
    assert_roundtrip_same(&w, sc_gl_scanout_unix_write, sc_gl_scanout_unix_parse,
                          &s, &s2, SC_GL_SCANOUT_UNIX_SIZE, 20);
    assert_bytes(w.data, 12, B(0x58, 0x52, 0x32, 0x34, 0, 0, 0, 0));
    sc_writer_reset(&w);
    assert_roundtrip_same(&w, sc_gl_draw_write, sc_gl_draw_parse, &d, &d2, 16, 16);
    sc_writer_finish(&w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/display/rect-init-surface", test_rect_and_small);
    g_test_add_func("/display/monitors-config", test_monitors_config);
    g_test_add_func("/display/draw-copy-worked-example", test_draw_copy_example);
    g_test_add_func("/display/draw-copy-bad", test_draw_copy_bad);
    g_test_add_func("/display/draw-copy-clip-rects", test_draw_copy_clip_rects);
    g_test_add_func("/display/draw-copy-repack", test_draw_copy_repack);
    g_test_add_func("/display/draw-copy-lz4", test_draw_copy_lz4);
    g_test_add_func("/display/draw-copy-head", test_draw_copy_head);
    g_test_add_func("/display/draw-fill", test_draw_fill);
    g_test_add_func("/display/stream-create", test_stream_create);
    g_test_add_func("/display/stream-misc", test_stream_misc);
    g_test_add_func("/display/gl", test_gl);
    g_test_add_func("/lz4/roundtrip", test_lz4_roundtrip);
    g_test_add_func("/lz4/bad", test_lz4_bad);
    return g_test_run();
}
