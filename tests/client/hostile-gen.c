/* Random well-formed display messages (hostile-gen.h). */
#include "config.h"

#include <string.h>

#include "tests/client/hostile-gen.h"

static int32_t wild_int(GRand *r)
{
    static const int32_t edge[] = { 0, 1, -1, 2, 47, 48, 49, 63, 64, 65, 16384, 65535,
                                    INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1 };
    if (g_rand_boolean(r))
        return edge[g_rand_int_range(r, 0, G_N_ELEMENTS(edge))];
    return g_rand_int_range(r, -80, 80);
}

static uint32_t wild_size(GRand *r)
{
    static const uint32_t edge[] = { 0, 1, 2, 3, 16, 64, 4096, 16384, 16385, 65535, UINT32_MAX };
    if (g_rand_int_range(r, 0, 4) == 0)
        return edge[g_rand_int_range(r, 0, G_N_ELEMENTS(edge))];
    return (uint32_t)g_rand_int_range(r, 1, 40);
}

static struct sc_rect wild_rect(GRand *r)
{
    return (struct sc_rect){ wild_int(r), wild_int(r), wild_int(r), wild_int(r) };
}

static void wild_clip(GRand *r, struct sc_clip *c)
{
    c->type = g_rand_boolean(r) ? SPICE_CLIP_TYPE_RECTS : SPICE_CLIP_TYPE_NONE;
    c->num_rects = c->type ? (uint32_t)g_rand_int_range(r, 0, 4) : 0;
    for (uint32_t i = 0; i < c->num_rects; i++)
        c->rects[i] = wild_rect(r);
}

static void random_bytes(GRand *r, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)g_rand_int(r);
}

/* a small image, its pixels random: BITMAP of a random format, or LZ4
 * (encoded, then maybe damaged) */
static void draw_copy(GRand *r, struct sc_writer *w)
{
    static struct sc_draw_copy m; /* the clip is large */
    uint8_t px[12 * 64]; /* the writer copies stride * 12 (stride < 64) */
    struct sc_writer lz;

    memset(&m, 0, sizeof(m));
    m.box = wild_rect(r);
    wild_clip(r, &m.clip);
    m.src_area = g_rand_boolean(r) ? wild_rect(r) : (struct sc_rect){ 0, 0, 12, 12 };
    m.rop_descriptor = SPICE_ROPD_OP_PUT;
    m.width = m.height = 12;
    /* mostly what the parser takes (16, 24, 32 bit, RGBA; stride = row),
     * now and then anything */
    m.bitmap_format = (uint8_t)g_rand_int_range(r, SPICE_BITMAP_FMT_16BIT,
                                                SPICE_BITMAP_FMT_RGBA + 1);
    m.bitmap_flags = (uint8_t)g_rand_int_range(r, 0, 2) * SPICE_BITMAP_FLAGS_TOP_DOWN;
    m.stride = (uint32_t)sc_bitmap_row_bytes(m.bitmap_format, 12);
    if (g_rand_int_range(r, 0, 8) == 0) {
        m.bitmap_format = (uint8_t)g_rand_int_range(r, 0, 12);
        m.bitmap_flags = (uint8_t)g_rand_int_range(r, 0, 8);
        m.stride = (uint32_t)g_rand_int_range(r, 0, 12 * 4 + 2);
    }
    random_bytes(r, px, sizeof(px));
    m.image_type = SPICE_IMAGE_TYPE_BITMAP;
    m.data = px;
    m.data_size = m.stride * 12;
    sc_writer_init(&lz);
    if (g_rand_boolean(r)) {
        m.image_type = SPICE_IMAGE_TYPE_LZ4;
        sc_lz4_image_encode(&lz, px, 12, 12, 12 * 4);
        if (lz.size && g_rand_int_range(r, 0, 8) == 0)
            lz.data[g_rand_int_range(r, 0, (gint32)lz.size)] ^= (uint8_t)g_rand_int(r);
        m.data = lz.data;
        m.data_size = (uint32_t)lz.size;
    }
    sc_draw_copy_write(w, &m);
    sc_writer_finish(&lz);
}

static uint16_t stream_msg(GRand *r, struct sc_writer *w)
{
    static const uint8_t codecs[] = { 0, SPICE_VIDEO_CODEC_TYPE_H264, 9 };
    uint8_t data[300];
    /* streams 0-2 exist (hostile_display_streams); now and then another id */
    uint32_t id = g_rand_int_range(r, 0, 64) == 0 ? wild_size(r)
                                                  : (uint32_t)g_rand_int_range(r, 0, 3);

    random_bytes(r, data, sizeof(data));
    switch (g_rand_int_range(r, 0, 16)) {
    case 0:
    case 1: {
        static struct sc_stream_create m;
        memset(&m, 0, sizeof(m));
        m.id = id;
        m.flags = (uint8_t)g_rand_int_range(r, 0, 2);
        m.codec_type = codecs[g_rand_int_range(r, 0, G_N_ELEMENTS(codecs))];
        m.stream_width = m.src_width = g_rand_int_range(r, 0, 8) ? 40 : wild_size(r);
        m.stream_height = m.src_height = g_rand_int_range(r, 0, 8) ? 30 : wild_size(r);
        m.dest = g_rand_int_range(r, 0, 8) ? (struct sc_rect){ 0, 0, 40, 30 } : wild_rect(r);
        wild_clip(r, &m.clip);
        sc_stream_create_write(w, &m);
        return SPICE_MSG_DISPLAY_STREAM_CREATE;
    }
    case 2: case 3: case 4: case 5: case 6: case 7: {
        struct sc_stream_data m = { id, g_rand_int(r), data,
                                    (uint32_t)g_rand_int_range(r, 0, 300) };
        sc_stream_data_write(w, &m);
        return SPICE_MSG_DISPLAY_STREAM_DATA;
    }
    case 8: case 9: case 10: case 11: case 12: {
        bool sane = g_rand_int_range(r, 0, 16);
        struct sc_stream_data_sized m = { id, g_rand_int(r), sane ? 40 : wild_size(r),
                                          sane ? 30 : wild_size(r),
                                          sane ? (struct sc_rect){ 2, 2, 50, 40 } : wild_rect(r),
                                          data, 100 };
        sc_stream_data_sized_write(w, &m);
        return SPICE_MSG_DISPLAY_STREAM_DATA_SIZED;
    }
    case 13:
    case 14: {
        struct sc_stream_activate_report m = { id, g_rand_int(r), wild_size(r), g_rand_int(r) };
        sc_stream_activate_report_write(w, &m);
        return SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT;
    }
    default:
        sc_stream_destroy_write(w, id);
        return SPICE_MSG_DISPLAY_STREAM_DESTROY;
    }
}

uint16_t hostile_display_msg(GRand *r, struct sc_writer *w)
{
    sc_writer_reset(w);
    switch (g_rand_int_range(r, 0, 6)) {
    case 0: {
        struct sc_surface_create m = { 0, (uint32_t)g_rand_int_range(r, 1, 200),
                                       (uint32_t)g_rand_int_range(r, 1, 200),
                                       SPICE_SURFACE_FMT_32_xRGB, SPICE_SURFACE_FLAGS_PRIMARY };
        if (g_rand_int_range(r, 0, 16) == 0)
            m.width = wild_size(r), m.height = wild_size(r);
        sc_surface_create_write(w, &m);
        return SPICE_MSG_DISPLAY_SURFACE_CREATE;
    }
    case 1: {
        static struct sc_draw_fill m;
        memset(&m, 0, sizeof(m));
        m.box = wild_rect(r);
        wild_clip(r, &m.clip);
        m.brush_type = SPICE_BRUSH_TYPE_SOLID;
        m.color = g_rand_int(r);
        m.rop_descriptor = SPICE_ROPD_OP_PUT;
        sc_draw_fill_write(w, &m);
        return SPICE_MSG_DISPLAY_DRAW_FILL;
    }
    case 2:
    case 3:
        draw_copy(r, w);
        return SPICE_MSG_DISPLAY_DRAW_COPY;
    default:
        return stream_msg(r, w);
    }
}

void hostile_display_streams(struct sc_writer *w, uint32_t id)
{
    struct sc_stream_create m = { .id = id, .codec_type = SPICE_VIDEO_CODEC_TYPE_H264,
                                  .stream_width = 40, .stream_height = 30, .src_width = 40,
                                  .src_height = 30, .dest = { 0, 0, 40, 30 } };
    sc_writer_reset(w);
    sc_stream_create_write(w, &m);
}
