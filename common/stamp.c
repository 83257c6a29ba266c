/* Frame stamps: see stamp.h. */
#include "config.h"
#include "common/stamp.h"

#include <string.h>

#define PAYLOAD 12 /* index (4) + time (8) */
#define BYTES 16   /* + CRC-32 (4) */

/* CRC-32 (IEEE 802.3, reflected), bitwise: 12 bytes a frame */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void fill_cell(uint8_t *pixels, ptrdiff_t stride, unsigned cell, bool white)
{
    unsigned cx = cell % SC_STAMP_COLS, cy = cell / SC_STAMP_COLS;
    uint8_t v = white ? 0xff : 0x00;
    for (unsigned y = 0; y < SC_STAMP_CELL; y++) {
        uint8_t *row = pixels + (ptrdiff_t)(cy * SC_STAMP_CELL + y) * stride;
        memset(row + (size_t)cx * SC_STAMP_CELL * 4, v, SC_STAMP_CELL * 4);
    }
}

bool sc_stamp_write(uint8_t *pixels, uint32_t width, uint32_t height, ptrdiff_t stride,
                    const struct sc_stamp *stamp)
{
    uint8_t b[BYTES];

    if (!pixels || !stamp || width < SC_STAMP_WIDTH || height < SC_STAMP_HEIGHT)
        return false;
    put_le(b, stamp->index, 4);
    put_le(b + 4, (uint64_t)stamp->time_us, 8);
    put_le(b + PAYLOAD, crc32_ieee(b, PAYLOAD), 4);
    for (unsigned i = 0; i < BYTES * 8; i++)
        fill_cell(pixels, stride, i, (b[i / 8] >> (i % 8)) & 1);
    return true;
}

/* the mean level of a cell's inner half; bpp 4: luma of B,G,R, 1: the byte */
static unsigned cell_level(const uint8_t *pixels, ptrdiff_t stride, int bpp, unsigned cell)
{
    unsigned cx = cell % SC_STAMP_COLS, cy = cell / SC_STAMP_COLS, sum = 0;
    const unsigned m = SC_STAMP_CELL / 4, n = SC_STAMP_CELL / 2;
    for (unsigned y = 0; y < n; y++) {
        const uint8_t *row = pixels + (ptrdiff_t)(cy * SC_STAMP_CELL + m + y) * stride;
        const uint8_t *p = row + (size_t)(cx * SC_STAMP_CELL + m) * bpp;
        for (unsigned x = 0; x < n; x++, p += bpp)
            sum += bpp == 1 ? p[0] : (unsigned)(p[0] + 2 * p[1] + p[2]) / 4;
    }
    return sum / (n * n);
}

static bool read_any(const uint8_t *pixels, uint32_t width, uint32_t height, ptrdiff_t stride,
                     int bpp, struct sc_stamp *out)
{
    uint8_t b[BYTES] = { 0 };

    if (!pixels || width < SC_STAMP_WIDTH || height < SC_STAMP_HEIGHT)
        return false;
    for (unsigned i = 0; i < BYTES * 8; i++) {
        if (cell_level(pixels, stride, bpp, i) >= 128)
            b[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    if (get_le(b + PAYLOAD, 4) != crc32_ieee(b, PAYLOAD))
        return false;
    if (out) {
        out->index = (uint32_t)get_le(b, 4);
        out->time_us = (int64_t)get_le(b + 4, 8);
    }
    return true;
}

bool sc_stamp_read(const uint8_t *pixels, uint32_t width, uint32_t height, ptrdiff_t stride,
                   struct sc_stamp *out)
{
    return read_any(pixels, width, height, stride, 4, out);
}

bool sc_stamp_read_y(const uint8_t *y, uint32_t width, uint32_t height, ptrdiff_t stride,
                     struct sc_stamp *out)
{
    return read_any(y, width, height, stride, 1, out);
}
