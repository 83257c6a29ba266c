/* Frame stamps (issue 9): a frame index and its capture time written into
 * the picture itself, so a viewer or a probe that only sees decoded pixels
 * can tell which frame it shows and how old it is.
 *
 * The stamp is a grid of SC_STAMP_COLS x SC_STAMP_ROWS cells of
 * SC_STAMP_CELL x SC_STAMP_CELL pixels at the picture's top-left corner
 * (SC_STAMP_WIDTH x SC_STAMP_HEIGHT, 256x128), one bit per cell, white = 1,
 * black = 0: 32 bits of index, 64 bits of time (CLOCK_MONOTONIC µs,
 * sc_stats_now_us()) and a CRC-32 of those 12 bytes, all little-endian,
 * cell 0 the top-left one, row by row.  Cells are aligned to the 16x16
 * macroblocks of H.264/VP8 and the MCUs of 4:2:0 JPEG and are black or
 * white (no chroma), so lossy coding at usual bitrates keeps each cell's
 * mean far from the threshold; the reader averages the inner half of each
 * cell and rejects a stamp whose CRC does not match (a picture without one,
 * a cell lost to a low bitrate): false, never a wrong index. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_STAMP_CELL 16
#define SC_STAMP_COLS 16
#define SC_STAMP_ROWS 8
#define SC_STAMP_WIDTH (SC_STAMP_CELL * SC_STAMP_COLS)
#define SC_STAMP_HEIGHT (SC_STAMP_CELL * SC_STAMP_ROWS)

struct sc_stamp {
    uint32_t index;   /* frame number */
    int64_t time_us;  /* capture time, CLOCK_MONOTONIC µs */
};

/* Writes the stamp into an XRGB8888 picture (bytes B,G,R,X; any 4-byte
 * format whose colour channels are the first three works).  stride in
 * bytes; a negative stride with `pixels` at the last row in memory stamps
 * a bottom-up picture at its visual top.  False (nothing written) when the
 * picture is smaller than SC_STAMP_WIDTH x SC_STAMP_HEIGHT. */
bool sc_stamp_write(uint8_t *pixels, uint32_t width, uint32_t height, ptrdiff_t stride,
                    const struct sc_stamp *stamp);
/* Reads it back from an XRGB8888 picture (luma of B,G,R); false when the
 * picture has no valid stamp. */
bool sc_stamp_read(const uint8_t *pixels, uint32_t width, uint32_t height, ptrdiff_t stride,
                   struct sc_stamp *out);
/* The same from an 8-bit luma plane (a decoder's I420/NV12 Y plane). */
bool sc_stamp_read_y(const uint8_t *y, uint32_t width, uint32_t height, ptrdiff_t stride,
                     struct sc_stamp *out);
