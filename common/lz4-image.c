/* SPICE LZ4 image payload (PROTOCOL.md 5.7 "type LZ4 (109)"):
 *   u8 top_down, u8 bitmap format, then blocks { u32 BIG-endian size, LZ4 block }.
 * Blocks form one LZ4 stream (LZ4_compress_fast_continue), so the client's
 * LZ4_decompress_safe_continue may reference earlier rows. */
#include "config.h"
#include "common/messages.h"

#include <lz4.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define LZ4_IMAGE_BLOCK_BYTES (1024 * 1024) /* rows are grouped up to this size */
#define LZ4_IMAGE_ACCELERATION 1

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Compresses `total` contiguous bytes in row-aligned blocks. */
static bool compress_blocks(struct sc_writer *w, LZ4_stream_t *stream, const uint8_t *src,
                            size_t total, size_t row)
{
    size_t rows_per_block = LZ4_IMAGE_BLOCK_BYTES / row ? LZ4_IMAGE_BLOCK_BYTES / row : 1;
    size_t block = rows_per_block * row;

    for (size_t off = 0; off < total; off += block) {
        size_t n = total - off < block ? total - off : block;
        int bound, csize;
        size_t start;
        uint8_t *dst;

        if (n > LZ4_MAX_INPUT_SIZE)
            return false;
        bound = LZ4_compressBound((int)n);
        start = w->size;
        dst = sc_writer_append(w, 4 + (size_t)bound);
        if (!dst)
            return false;
        csize = LZ4_compress_fast_continue(stream, (const char *)src + off, (char *)dst + 4,
                                           (int)n, bound, LZ4_IMAGE_ACCELERATION);
        if (csize <= 0) {
            w->size = start;
            return false;
        }
        put_be32(dst, (uint32_t)csize);
        w->size = start + 4 + (size_t)csize;
    }
    return true;
}

bool sc_lz4_image_encode(struct sc_writer *w, const uint8_t *pixels, uint32_t width,
                         uint32_t height, uint32_t stride)
{
    size_t row = (size_t)width * 4, total;
    const uint8_t *src = pixels;
    uint8_t *tmp = NULL;
    LZ4_stream_t *stream;
    size_t start = w->size;
    bool ok;

    if (!pixels || !width || !height || stride < row || row > SIZE_MAX / height)
        return false;
    total = row * height;
    if (stride != row) {
        /* streaming needs earlier input in place: make the rows contiguous */
        tmp = malloc(total);
        if (!tmp)
            return false;
        for (uint32_t y = 0; y < height; y++)
            memcpy(tmp + y * row, pixels + (size_t)y * stride, row);
        src = tmp;
    }
    stream = LZ4_createStream();
    if (!stream) {
        free(tmp);
        return false;
    }
    sc_write_u8(w, 1); /* top_down */
    sc_write_u8(w, SPICE_BITMAP_FMT_32BIT);
    ok = !w->error && compress_blocks(w, stream, src, total, row);
    LZ4_freeStream(stream);
    free(tmp);
    if (!ok && !w->error)
        w->size = start;
    return ok && !w->error;
}

/* Decodes all blocks into `out` (exactly `total` bytes). */
static bool decompress_blocks(const uint8_t *p, size_t size, uint8_t *out, size_t total)
{
    LZ4_streamDecode_t sd;
    size_t pos = 0, done = 0;

    memset(&sd, 0, sizeof(sd));
    LZ4_setStreamDecode(&sd, NULL, 0);
    while (pos < size) {
        uint32_t blk;
        size_t room;
        int n;

        if (size - pos < 4 || done == total)
            return false;
        blk = get_be32(p + pos);
        pos += 4;
        if (blk > size - pos || blk > INT_MAX)
            return false;
        room = total - done > INT_MAX ? INT_MAX : total - done;
        n = LZ4_decompress_safe_continue(&sd, (const char *)p + pos, (char *)out + done,
                                         (int)blk, (int)room);
        if (n <= 0) /* spice-gtk refuses empty blocks too */
            return false;
        pos += blk;
        done += (size_t)n;
    }
    return done == total;
}

bool sc_lz4_image_decode(const uint8_t *payload, size_t size, uint32_t width, uint32_t height,
                         uint8_t *dst, size_t dst_stride)
{
    size_t row = (size_t)width * 4, total;
    uint8_t top_down, format;
    uint8_t *buf;
    bool direct, ok;

    if (!payload || size < 2 || !dst || !width || !height || dst_stride < row ||
        row > SIZE_MAX / height)
        return false;
    top_down = payload[0];
    format = payload[1];
    if (format != SPICE_BITMAP_FMT_32BIT && format != SPICE_BITMAP_FMT_RGBA)
        return false;
    total = row * height;
    direct = top_down && dst_stride == row;
    buf = direct ? dst : malloc(total);
    if (!buf)
        return false;
    ok = decompress_blocks(payload + 2, size - 2, buf, total);
    if (ok && !direct) {
        for (uint32_t y = 0; y < height; y++) {
            uint32_t sy = top_down ? y : height - 1 - y;
            memcpy(dst + (size_t)y * dst_stride, buf + (size_t)sy * row, row);
        }
    }
    if (!direct)
        free(buf);
    return ok;
}
