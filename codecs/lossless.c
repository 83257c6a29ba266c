/* lossless:raw and lossless:lz4 — the SPICE image forms DRAW_COPY carries,
 * behind the same interface as the video codecs.  Every packet is a
 * keyframe (a whole image of its rect).  The server's lossless updates and
 * spicecast-bench's lossless rows both come here, damage-driven: one packet
 * per damage box, tall boxes cut in bands of BAND_ROWS.
 *
 *  raw: SPICE_BITMAP_FMT_32BIT rows, top-down, packed at rect.w*4 (the
 *       pixels of a BITMAP image with stride = rect.w*4); a bottom-up
 *       frame (top_down false) is flipped on the way.
 *  lz4: the SPICE_IMAGE_TYPE_LZ4 payload (PROTOCOL.md 5.7), written and
 *       parsed by its one writer and parser, common/lz4-image.c
 *       (sc_lz4_image_encode/decode): top-down 32-bit rows in big-endian
 *       size-prefixed LZ4 blocks of one stream.  Where LZ4 does not pay, the
 *       packet is raw (packet.codec SC_CODEC_RAW): boxes under
 *       LZ4_MIN_BYTES, and noise-like content (LZ4 gains under 1/8), after
 *       which the next LZ4_RETRY_ENCODES encodes send raw without trying.
 *
 * A packet the encoder built (packed rows, an LZ4 payload copied out of
 * its scratch writer at its size) is handed over as its bytes
 * (sc_packet.bytes: the worker and the server keep them by reference, down
 * to the socket's queue); rows of the frame sent as they are carry none
 * (who keeps them copies them, once). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "common/messages.h"
#include "common/wire.h"

/* rows per packet: only very tall boxes are cut in bands.  A surface's
 * first update must be one DRAW_COPY: spice-gtk tools such as
 * spicy-screenshot capture the primary at the first invalidate. */
#define BAND_ROWS 4096
/* tiny images are not worth compressing (spice-server: < 54 bytes) */
#define LZ4_MIN_BYTES 54
/* after LZ4 did not pay, this many encodes send raw before it is tried */
#define LZ4_RETRY_ENCODES 30

static void lossless_destroy(struct sc_encoder *enc);
static void lossless_dec_destroy(struct sc_decoder *dec);

struct lossless_encoder {
    struct sc_encoder base;
    int codec;
    uint8_t *buf;         /* one box's rows, packed top-down */
    size_t buf_size;
    struct sc_writer lz4; /* lz4: the payload */
    unsigned lz4_skip;    /* encodes left that send raw without trying LZ4 */
    size_t stride;        /* of the pixels being encoded (sc_codec_frame_pixels) */
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
    if (!e) {
        sc_codec_reason(reason, rsize, "out of memory");
        return NULL;
    }
    e->codec = codec;
    sc_writer_init(&e->lz4);
    return &e->base;
}

static struct sc_encoder *raw_create(const struct sc_encoder_params *p, char *r, size_t rs)
{
    return lossless_create(p, SC_CODEC_RAW, r, rs);
}

static struct sc_encoder *lz4_create(const struct sc_encoder_params *p, char *r, size_t rs)
{
    return lossless_create(p, SC_CODEC_LZ4, r, rs);
}

/* The first byte of picture row `row` of box b. */
static const uint8_t *box_row(const struct lossless_encoder *e, const struct sc_frame *f,
                              const uint8_t *px, const struct sc_box *b, int32_t row)
{
    size_t y = f->top_down ? (size_t)(b->y + row) : (size_t)(f->height - 1 - (uint32_t)(b->y + row));
    return px + y * e->stride + (size_t)b->x * 4;
}

/* Copies box b's rows, top-down, into e->buf at b->w*4.  false: no memory. */
static bool pack_box(struct lossless_encoder *e, const struct sc_frame *f, const uint8_t *px,
                     const struct sc_box *b)
{
    size_t row = (size_t)b->w * 4, need = row * (size_t)b->h;
    if (need > e->buf_size) {
        uint8_t *buf = realloc(e->buf, need);
        if (!buf)
            return false;
        e->buf = buf;
        e->buf_size = need;
    }
    for (int32_t y = 0; y < b->h; y++)
        memcpy(e->buf + (size_t)y * row, box_row(e, f, px, b, y), row);
    return true;
}

/* bytes (taken; NULL: data is the frame's) are handed over: a receiver
 * that keeps the packet takes a reference, not a copy. */
static void emit(const struct sc_frame *f, const struct sc_box *b, int codec,
                 const uint8_t *data, size_t size, GBytes *bytes, sc_packet_fn cb,
                 void *cb_data)
{
    struct sc_packet pkt = { .data = data, .size = size, .keyframe = true, .seq = f->seq,
                             .rect = *b, .codec = codec, .bytes = bytes };
    cb(&pkt, cb_data);
    if (bytes)
        g_bytes_unref(bytes);
}

/* Hands the buffer over as the packet's bytes; the next one is new. */
static GBytes *take_buffer(uint8_t **buf, size_t *buf_size, size_t size)
{
    GBytes *bytes = g_bytes_new_with_free_func(*buf, size, free, *buf);
    *buf = NULL;
    *buf_size = 0;
    return bytes;
}

/* packed: e->buf already holds the box (pack_box). */
static int raw_box(struct lossless_encoder *e, const struct sc_frame *f, const uint8_t *px,
                   const struct sc_box *b, bool packed, sc_packet_fn cb, void *data)
{
    size_t row = (size_t)b->w * 4, size = row * (size_t)b->h;
    if (!packed && f->top_down && (b->h == 1 || e->stride == row)) {
        /* already packed rows: the mapping as is (who keeps it copies) */
        emit(f, b, SC_CODEC_RAW, box_row(e, f, px, b, 0), size, NULL, cb, data);
        return 0;
    }
    if (!packed && !pack_box(e, f, px, b))
        return -ENOMEM;
    const uint8_t *out = e->buf;
    emit(f, b, SC_CODEC_RAW, out, size, take_buffer(&e->buf, &e->buf_size, size), cb, data);
    return 0;
}

static int lz4_box(struct lossless_encoder *e, const struct sc_frame *f, const uint8_t *px,
                   const struct sc_box *b, bool *poor, sc_packet_fn cb, void *data)
{
    size_t raw = (size_t)b->w * 4 * (size_t)b->h;
    if (raw < LZ4_MIN_BYTES)
        return raw_box(e, f, px, b, false, cb, data);
    if (!f->top_down && !pack_box(e, f, px, b)) /* LZ4 reads rows top-down */
        return -ENOMEM;
    const uint8_t *src = f->top_down ? box_row(e, f, px, b, 0) : e->buf;
    sc_writer_reset(&e->lz4);
    if (!sc_lz4_image_encode(&e->lz4, src, (uint32_t)b->w, (uint32_t)b->h,
                             f->top_down ? e->stride : (size_t)b->w * 4)
        || e->lz4.error)
        return -ENOMEM;
    if (e->lz4.size > raw / 8 * 7) { /* noise-like: raw is smaller or nearly so, and cheaper */
        *poor = true;
        return raw_box(e, f, px, b, !f->top_down, cb, data);
    }
    /* the payload leaves the (warm, reused) scratch writer in a buffer of
     * its size: a fresh raw-sized buffer per packet would cost a page fault
     * per page (500/s with 8 viewers of a 1080p desktop) */
    GBytes *bytes = g_bytes_new(e->lz4.data, e->lz4.size);
    emit(f, b, SC_CODEC_LZ4, g_bytes_get_data(bytes, NULL), e->lz4.size, bytes, cb, data);
    return 0;
}

/* One box, clipped to the frame and cut in bands. */
static int encode_box(struct lossless_encoder *e, const struct sc_frame *f, const uint8_t *px,
                      const struct sc_box *box, bool lz4, bool *poor, sc_packet_fn cb, void *data)
{
    int64_t x0 = MAX(box->x, 0), y0 = MAX(box->y, 0);
    int64_t x1 = MIN((int64_t)box->x + box->w, (int64_t)f->width);
    int64_t y1 = MIN((int64_t)box->y + box->h, (int64_t)f->height);
    for (int64_t y = y0; x1 > x0 && y < y1; y += BAND_ROWS) {
        struct sc_box b = { (int32_t)x0, (int32_t)y, (int32_t)(x1 - x0),
                            (int32_t)MIN(BAND_ROWS, y1 - y) };
        int r = lz4 ? lz4_box(e, f, px, &b, poor, cb, data)
                    : raw_box(e, f, px, &b, false, cb, data);
        if (r < 0)
            return r;
    }
    return 0;
}

static int lossless_encode(struct sc_encoder *enc, const struct sc_frame *frame,
                           const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb,
                           void *data)
{
    struct lossless_encoder *e = lossless_enc(enc);
    uint32_t stride;
    const uint8_t *px = sc_codec_frame_pixels(frame, &stride);
    if (!px)
        return -EINVAL;
    e->stride = stride;
    struct sc_box whole = { 0, 0, (int32_t)frame->width, (int32_t)frame->height };
    if (!damage) {
        damage = &whole;
        n_damage = 1;
    }
    bool lz4 = e->codec == SC_CODEC_LZ4 && e->lz4_skip == 0, poor = false;
    for (unsigned i = 0; i < n_damage; i++) {
        int r = encode_box(e, frame, px, &damage[i], lz4, &poor, cb, data);
        if (r < 0)
            return r;
    }
    if (poor)
        e->lz4_skip = LZ4_RETRY_ENCODES;
    else if (e->lz4_skip > 0)
        e->lz4_skip--;
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
    .create = raw_create, .encode = lossless_encode, .set_bitrate = lossless_set_bitrate,
    .force_keyframe = lossless_force_keyframe, .destroy = lossless_destroy,
};
const struct sc_encoder_ops sc_lossless_lz4_encoder = {
    .name = "lossless", .codec = SC_CODEC_LZ4, .probe = lossless_probe,
    .create = lz4_create, .encode = lossless_encode, .set_bitrate = lossless_set_bitrate,
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
