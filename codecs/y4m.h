/* YUV4MPEG2 files: the one reader of them, for the y4m source
 * (server/sources/y4m.c) and the bench's y4m:PATH content (bench/content.c).
 *
 * sc_y4m_open() parses the stream header and indexes every frame (a read of
 * each FRAME line, no pixel reads), so a truncated or malformed file is
 * refused up front with a message saying where it goes wrong; frames are then
 * read by index and converted to XRGB8888 with libyuv.  8-bit 4:2:0 (420,
 * 420jpeg, 420mpeg2, 420paldv), 4:2:2, 4:4:4, 4:4:4 with alpha (ignored) and
 * mono, limited or full range (XCOLORRANGE=FULL), progressive only. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct sc_y4m;

struct sc_y4m_info {
    uint32_t width, height;
    uint32_t fps_num, fps_den;
    unsigned frames;
};

/* Opens and indexes PATH (a regular file); NULL + error (G_IO_ERROR, the
 * message names the file and what is wrong). */
struct sc_y4m *sc_y4m_open(const char *path, GError **error);
const struct sc_y4m_info *sc_y4m_info(const struct sc_y4m *y);
/* Reads frame `index` (< frames) into an XRGB8888 picture of the file's
 * size (bytes B,G,R,X; stride in bytes).  False + error when the file no
 * longer holds it (it shrank since it was opened) or cannot be read. */
bool sc_y4m_read(struct sc_y4m *y, unsigned index, uint8_t *xrgb, uint32_t stride,
                 GError **error);
void sc_y4m_free(struct sc_y4m *y);
