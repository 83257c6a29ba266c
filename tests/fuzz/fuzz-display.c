/* libFuzzer: display channel parsers, DRAW_COPY (then decoding its LZ4
 * image or reading its bitmap rows), the LZ4 image decoder, and
 * GL_SCANOUT2_UNIX's bounds (1..4 planes, 1 or num_planes fds). */
#include "config.h"

#include "tests/fuzz/fuzz-util.h"

#define FUZZ_MAX_PIXELS (1024 * 1024)

static void lz4_decode(const uint8_t *payload, size_t size, uint32_t w, uint32_t h)
{
    uint8_t *out;

    if (!w || !h || (uint64_t)w * h > FUZZ_MAX_PIXELS)
        return;
    out = malloc((size_t)w * 4 * h);
    if (out)
        sc_lz4_image_decode(payload, size, w, h, out, (size_t)w * 4);
    free(out);
}

static void draw_copy(const uint8_t *body, size_t len)
{
    struct sc_draw_copy *m = malloc(sizeof(*m));

    if (!m)
        return;
    if (sc_draw_copy_parse(body, len, m)) {
        if (m->image_type == SPICE_IMAGE_TYPE_LZ4)
            lz4_decode(m->data, m->data_size, m->width, m->height);
        else if (m->image_type == SPICE_IMAGE_TYPE_BITMAP &&
                 (uint64_t)m->stride * m->height != m->data_size)
            abort();
        fuzz_touch(m->data, m->data_size);
        if (m->clip.num_rects > SC_MAX_CLIP_RECTS)
            abort();
        struct sc_writer w;
        sc_writer_init(&w);
        sc_draw_copy_write(&w, m);
        if (!w.error && !sc_draw_copy_parse(w.data, w.size, m))
            abort();
        sc_writer_finish(&w);
    }
    free(m);
}

static void gl_scanout2(const uint8_t *body, size_t len)
{
    struct sc_gl_scanout2 m;

    FUZZ_ROUNDTRIP(struct sc_gl_scanout2, sc_gl_scanout2_unix_parse, sc_gl_scanout2_unix_write,
                   body, len);
    if (!sc_gl_scanout2_unix_parse(body, len, &m))
        return;
    /* what the viewer indexes with these: fds[0..num_dmabuf), planes */
    if (m.num_planes == 0 || m.num_planes > SC_GL_MAX_PLANES ||
        (m.num_dmabuf != 1 && m.num_dmabuf != m.num_planes) || !m.width || !m.height)
        abort();
    for (unsigned i = 0; i < m.num_planes; i++)
        if (m.stride[i] == 0)
            abort();
}

static void streams(uint8_t sel, const uint8_t *body, size_t len)
{
    uint32_t u32;

    switch (sel % 8) {
    case 0:
        FUZZ_ROUNDTRIP(struct sc_stream_create, sc_stream_create_parse, sc_stream_create_write,
                       body, len);
        break;
    case 1:
        FUZZ_ROUNDTRIP(struct sc_stream_data, sc_stream_data_parse, sc_stream_data_write, body, len);
        break;
    case 2:
        FUZZ_ROUNDTRIP(struct sc_stream_data_sized, sc_stream_data_sized_parse,
                       sc_stream_data_sized_write, body, len);
        break;
    case 3: {
        struct sc_clip *c = malloc(sizeof(*c));
        if (c)
            sc_stream_clip_parse(body, len, &u32, c);
        free(c);
        break;
    }
    case 4:
        FUZZ_ROUNDTRIP(struct sc_stream_report, sc_stream_report_parse, sc_stream_report_write,
                       body, len);
        break;
    case 5:
        FUZZ_ROUNDTRIP(struct sc_stream_activate_report, sc_stream_activate_report_parse,
                       sc_stream_activate_report_write, body, len);
        break;
    case 6:
        FUZZ_ROUNDTRIP(struct sc_preferred_video_codecs, sc_preferred_video_codecs_parse,
                       sc_preferred_video_codecs_write, body, len);
        break;
    default:
        sc_stream_destroy_parse(body, len, &u32);
        break;
    }
}

static void fuzz_message(uint8_t sel, const uint8_t *body, size_t len)
{
    uint8_t u8;
    uint32_t u32;

    switch (sel % 12) {
    case 0:
    case 1:
    case 2:
        draw_copy(body, len);
        break;
    case 3:
        /* raw LZ4 payload: 2 bytes of dimensions first */
        if (len >= 2)
            lz4_decode(body + 2, len - 2, body[0] + 1u, body[1] + 1u);
        break;
    case 4:
        FUZZ_ROUNDTRIP(struct sc_display_init, sc_display_init_parse, sc_display_init_write,
                       body, len);
        break;
    case 5:
        FUZZ_ROUNDTRIP(struct sc_surface_create, sc_surface_create_parse, sc_surface_create_write,
                       body, len);
        sc_surface_destroy_parse(body, len, &u32);
        break;
    case 6:
        FUZZ_ROUNDTRIP(struct sc_monitors_config, sc_monitors_config_parse,
                       sc_monitors_config_write, body, len);
        sc_preferred_compression_parse(body, len, &u8);
        break;
    case 7: {
        struct sc_draw_fill *f = malloc(sizeof(*f));
        if (f)
            sc_draw_fill_parse(body, len, f);
        free(f);
        break;
    }
    case 8:
        FUZZ_ROUNDTRIP(struct sc_gl_scanout, sc_gl_scanout_unix_parse, sc_gl_scanout_unix_write,
                       body, len);
        FUZZ_ROUNDTRIP(struct sc_gl_draw, sc_gl_draw_parse, sc_gl_draw_write, body, len);
        gl_scanout2(body, len);
        break;
    default:
        streams(sel / 12, body, len);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_selector(data, size, fuzz_message);
}
