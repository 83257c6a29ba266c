/* lossless:raw and lossless:lz4 — the SPICE image forms DRAW_COPY carries,
 * behind the same interface as the video codecs.  Every packet is a
 * keyframe (a whole image).
 *
 *  raw: SPICE_BITMAP_FMT_32BIT rows, top-down, packed at width*4 (the
 *       pixels of a BITMAP image with stride = width*4).
 *  lz4: the SPICE_IMAGE_TYPE_LZ4 payload (PROTOCOL.md 5.7), written and
 *       parsed by its one writer and parser, common/lz4-image.c
 *       (sc_lz4_image_encode/decode): top-down 32-bit rows in big-endian
 *       size-prefixed LZ4 blocks of one stream. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "common/messages.h"
#include "common/wire.h"

static void lossless_destroy(struct sc_encoder *enc);
static void lossless_dec_destroy(struct sc_decoder *dec);

struct lossless_encoder {
    struct sc_encoder base;
    uint8_t *buf;         /* raw: the packed rows */
    struct sc_writer lz4; /* lz4: the payload */
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
    sc_writer_init(&e->lz4);
    if (codec == SC_CODEC_RAW) {
        e->buf = malloc((size_t)p->width * 4 * p->height);
        if (!e->buf)
            goto err_nomem;
    }
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
    const uint8_t *out = px; /* already packed rows: hand the mapping out as is */
    if (frame->stride != row) {
        for (uint32_t y = 0; y < frame->height; y++)
            memcpy(e->buf + y * row, px + (size_t)y * frame->stride, row);
        out = e->buf;
    }
    struct sc_packet pkt = { out, row * frame->height, true, frame->seq };
    cb(&pkt, data);
    return 0;
}

static int lz4_encode(struct sc_encoder *enc, const struct sc_frame *frame, sc_packet_fn cb,
                      void *data)
{
    struct lossless_encoder *e = lossless_enc(enc);
    const uint8_t *px = sc_codec_frame_pixels(frame);
    if (!px)
        return -EINVAL;
    sc_writer_reset(&e->lz4);
    if (!sc_lz4_image_encode(&e->lz4, px, frame->width, frame->height, frame->stride))
        return -ENOMEM;
    struct sc_packet pkt = { e->lz4.data, e->lz4.size, true, frame->seq };
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
    if (!enc)
        return;
    struct lossless_encoder *e = lossless_enc(enc);
    sc_writer_finish(&e->lz4);
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
    if (!sc_lz4_image_decode(data, size, dec->params.width, dec->params.height, d->pixels,
                             (size_t)dec->params.width * 4))
        return -EINVAL;
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
