/* lossless:raw and lossless:lz4 — the SPICE image forms DRAW_COPY carries,
 * behind the same interface as the video codecs.  Every packet is a
 * keyframe (a whole image).
 *
 *  raw: SPICE_BITMAP_FMT_32BIT rows, top-down, packed at width*4 (the
 *       pixels of a BITMAP image with stride = width*4).
 *  lz4: the SPICE_IMAGE_TYPE_LZ4 payload (PROTOCOL.md 5.7): u8 top_down=1,
 *       u8 format=8 (32BIT), then blocks of { u32 big-endian size, LZ4
 *       block }, decoded with LZ4_decompress_safe_continue into rows packed
 *       at width*4. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <lz4.h>

#include "codecs/backend.h"
#include "codecs/codec.h"

#define LZ4_FMT_32BIT 8        /* SPICE_BITMAP_FMT_32BIT */
#define LZ4_ROWS_PER_BLOCK 64  /* like spice-server's lz4-encoder: chunks of lines */

static void lossless_destroy(struct sc_encoder *enc);
static void lossless_dec_destroy(struct sc_decoder *dec);

struct lossless_encoder {
    struct sc_encoder base;
    uint8_t *buf;
    size_t buf_size;
    uint64_t seq;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct lossless_encoder *lossless_enc(struct sc_encoder *enc)
{
    g_assert(enc->impl->destroy == lossless_destroy);
    return (struct lossless_encoder *)enc;
}

struct lossless_decoder {
    struct sc_decoder base;
    uint8_t *pixels;
    size_t size;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct lossless_decoder *lossless_dec(struct sc_decoder *dec)
{
    g_assert(dec->impl->destroy == lossless_dec_destroy);
    return (struct lossless_decoder *)dec;
}

static bool lossless_probe(char *reason, size_t size)
{
    (void)reason;
    (void)size;
    return true; /* plain CPU code, always there */
}

static struct sc_encoder *lossless_create(const struct sc_encoder_params *p, int codec,
                                          char *reason, size_t rsize)
{
    static const char *const known[] = { NULL };
    if (!sc_codec_check_params(p, false, reason, rsize)
        || !sc_codec_options_check(p->options, known, reason, rsize))
        return NULL;
    struct lossless_encoder *e = calloc(1, sizeof(*e));
    if (!e)
        goto err_nomem;
    size_t raw = (size_t)p->width * 4 * p->height;
    size_t rows = LZ4_ROWS_PER_BLOCK;
    size_t blocks = (p->height + rows - 1) / rows;
    e->buf_size = codec == SC_CODEC_RAW ? raw
                                        : 2 + blocks * 4 + blocks
                                              * (size_t)LZ4_compressBound((int)(rows * p->width * 4))
                                              + (size_t)p->height * 24; /* row-by-row case */
    e->buf = malloc(e->buf_size);
    if (!e->buf)
        goto err_nomem;
    return &e->base;
err_nomem:
    free(e);
    sc_codec_reason(reason, rsize, "out of memory");
    return NULL;
}

static struct sc_encoder *raw_create(const struct sc_encoder_params *p, char *r, size_t rs)
{
    return lossless_create(p, SC_CODEC_RAW, r, rs);
}

static struct sc_encoder *lz4_create(const struct sc_encoder_params *p, char *r, size_t rs)
{
    return lossless_create(p, SC_CODEC_LZ4, r, rs);
}

static int raw_encode(struct sc_encoder *enc, const struct sc_frame *frame, sc_packet_fn cb,
                      void *data)
{
    struct lossless_encoder *e = lossless_enc(enc);
    const uint8_t *px = sc_codec_frame_pixels(frame);
    if (!px)
        return -EINVAL;
    size_t row = (size_t)frame->width * 4;
    for (uint32_t y = 0; y < frame->height; y++)
        memcpy(e->buf + y * row, px + (size_t)y * frame->stride, row);
    struct sc_packet pkt = { e->buf, row * frame->height, true, frame->seq };
    enc->stats.zero_copy = false;
    cb(&pkt, data);
    return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static int lz4_encode(struct sc_encoder *enc, const struct sc_frame *frame, sc_packet_fn cb,
                      void *data)
{
    struct lossless_encoder *e = lossless_enc(enc);
    const uint8_t *px = sc_codec_frame_pixels(frame);
    if (!px)
        return -EINVAL;
    size_t row = (size_t)frame->width * 4;
    LZ4_stream_t *stream = LZ4_createStream();
    if (!stream)
        return -ENOMEM;
    uint8_t *out = e->buf;
    *out++ = 1; /* top_down */
    *out++ = LZ4_FMT_32BIT;
    int ret = 0;
    /* Rows are compressed in chunks; a chunk whose stride differs from the
     * packed row size is compressed row by row (each its own block) so the
     * decoder's continue-stream sees contiguous output. */
    for (uint32_t y = 0; y < frame->height && ret == 0;) {
        uint32_t n = frame->stride == row ? LZ4_ROWS_PER_BLOCK : 1;
        if (n > frame->height - y)
            n = frame->height - y;
        const char *src = (const char *)px + (size_t)y * frame->stride;
        int cap = (int)(e->buf_size - (size_t)(out - e->buf) - 4);
        int c = LZ4_compress_fast_continue(stream, src, (char *)out + 4, (int)(n * row), cap, 1);
        if (c <= 0)
            ret = -EIO;
        put_be32(out, (uint32_t)c);
        out += 4 + c;
        y += n;
    }
    LZ4_freeStream(stream);
    if (ret)
        return ret;
    struct sc_packet pkt = { e->buf, (size_t)(out - e->buf), true, frame->seq };
    cb(&pkt, data);
    return 0;
}

static int lossless_set_bitrate(struct sc_encoder *enc, uint32_t bitrate)
{
    (void)enc;
    (void)bitrate;
    return -ENOTSUP; /* lossless: the size is what the picture needs */
}

static void lossless_force_keyframe(struct sc_encoder *enc)
{
    (void)enc; /* every packet is a whole image */
}

static void lossless_destroy(struct sc_encoder *enc)
{
    struct lossless_encoder *e = lossless_enc(enc);
    free(e->buf);
    free(e);
}

/* ---- decoders ---------------------------------------------------------- */

static struct sc_decoder *lossless_dec_create(const struct sc_decoder_params *p, char *reason,
                                              size_t rsize)
{
    struct lossless_decoder *d = calloc(1, sizeof(*d));
    if (d) {
        d->size = (size_t)p->width * 4 * p->height;
        d->pixels = malloc(d->size);
    }
    if (!d || !d->pixels) {
        free(d);
        sc_codec_reason(reason, rsize, "out of memory");
        return NULL;
    }
    return &d->base;
}

static void fill_out(struct lossless_decoder *d, struct sc_decoded_frame *out)
{
    out->kind = SC_DECODED_CPU;
    out->format = SC_PIXFMT_BGRX;
    out->width = d->base.params.width;
    out->height = d->base.params.height;
    out->n_planes = 1;
    out->plane[0] = d->pixels;
    out->stride[0] = d->base.params.width * 4;
    out->keyframe = true;
}

static int raw_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                      struct sc_decoded_frame *out)
{
    struct lossless_decoder *d = lossless_dec(dec);
    if (size != d->size)
        return -EINVAL;
    memcpy(d->pixels, data, size);
    fill_out(d, out);
    return 1;
}

static int lz4_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                      struct sc_decoded_frame *out)
{
    struct lossless_decoder *d = lossless_dec(dec);
    if (size < 2 || data[0] != 1 || data[1] != LZ4_FMT_32BIT)
        return -EINVAL; /* we only emit top-down 32-bit payloads */
    LZ4_streamDecode_t *stream = LZ4_createStreamDecode();
    if (!stream)
        return -ENOMEM;
    size_t pos = 2, done = 0;
    int ret = 0;
    while (pos < size && ret == 0) {
        if (size - pos < 4) {
            ret = -EINVAL;
            break;
        }
        uint32_t n = (uint32_t)data[pos] << 24 | (uint32_t)data[pos + 1] << 16
                     | (uint32_t)data[pos + 2] << 8 | data[pos + 3];
        pos += 4;
        if (n == 0 || n > size - pos || n > (uint32_t)LZ4_MAX_INPUT_SIZE || done == d->size) {
            ret = -EINVAL;
            break;
        }
        int got = LZ4_decompress_safe_continue(stream, (const char *)data + pos,
                                               (char *)d->pixels + done, (int)n,
                                               (int)(d->size - done));
        if (got < 0)
            ret = -EINVAL;
        else
            done += (size_t)got;
        pos += n;
    }
    LZ4_freeStreamDecode(stream);
    if (ret == 0 && done != d->size)
        ret = -EINVAL; /* truncated image */
    if (ret)
        return ret;
    fill_out(d, out);
    return 1;
}

static void lossless_dec_destroy(struct sc_decoder *dec)
{
    if (!dec)
        return;
    struct lossless_decoder *d = lossless_dec(dec);
    free(d->pixels);
    free(d);
}

const struct sc_encoder_ops sc_lossless_raw_encoder = {
    .name = "lossless", .codec = SC_CODEC_RAW, .probe = lossless_probe,
    .create = raw_create, .encode = raw_encode, .set_bitrate = lossless_set_bitrate,
    .force_keyframe = lossless_force_keyframe, .destroy = lossless_destroy,
};
const struct sc_encoder_ops sc_lossless_lz4_encoder = {
    .name = "lossless", .codec = SC_CODEC_LZ4, .probe = lossless_probe,
    .create = lz4_create, .encode = lz4_encode, .set_bitrate = lossless_set_bitrate,
    .force_keyframe = lossless_force_keyframe, .destroy = lossless_destroy,
};
const struct sc_decoder_ops sc_lossless_raw_decoder = {
    .name = "lossless", .codec = SC_CODEC_RAW, .probe = lossless_probe,
    .create = lossless_dec_create, .decode = raw_decode, .destroy = lossless_dec_destroy,
};
const struct sc_decoder_ops sc_lossless_lz4_decoder = {
    .name = "lossless", .codec = SC_CODEC_LZ4, .probe = lossless_probe,
    .create = lossless_dec_create, .decode = lz4_decode, .destroy = lossless_dec_destroy,
};
