/* Bounds-checked little-endian readers and writers for the SPICE wire.
 *
 * A reader never reads past its end: an overrun sets `error`, returns 0 and
 * every later read returns 0 too, so a parser can read all fields and check
 * once at the end.  A writer grows on the heap; an allocation failure sets
 * `error`.  Never memcpy a C struct onto the wire: write field by field. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sc_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
    bool error;
};

void sc_reader_init(struct sc_reader *r, const void *data, size_t size);
uint8_t sc_read_u8(struct sc_reader *r);
uint16_t sc_read_u16(struct sc_reader *r);
uint32_t sc_read_u32(struct sc_reader *r);
uint64_t sc_read_u64(struct sc_reader *r);
int16_t sc_read_i16(struct sc_reader *r);
int32_t sc_read_i32(struct sc_reader *r);
/* Copies n bytes to dst (zero-fills dst on overrun). */
bool sc_read_bytes(struct sc_reader *r, void *dst, size_t n);
/* Returns a pointer to the next n bytes and skips them, NULL on overrun. */
const uint8_t *sc_read_ptr(struct sc_reader *r, size_t n);
bool sc_read_skip(struct sc_reader *r, size_t n);
/* Moves to an absolute offset (SPICE pointers are offsets from the body). */
bool sc_reader_seek(struct sc_reader *r, size_t pos);
size_t sc_reader_remaining(const struct sc_reader *r);
static inline bool sc_reader_ok(const struct sc_reader *r) { return !r->error; }

struct sc_writer {
    uint8_t *data;
    size_t size;
    size_t cap;
    bool error;
};

void sc_writer_init(struct sc_writer *w);
void sc_writer_finish(struct sc_writer *w);
void sc_writer_reset(struct sc_writer *w);
/* Reserves n bytes at the end and returns them (NULL on failure). */
uint8_t *sc_writer_append(struct sc_writer *w, size_t n);
void sc_write_u8(struct sc_writer *w, uint8_t v);
void sc_write_u16(struct sc_writer *w, uint16_t v);
void sc_write_u32(struct sc_writer *w, uint32_t v);
void sc_write_u64(struct sc_writer *w, uint64_t v);
void sc_write_i16(struct sc_writer *w, int16_t v);
void sc_write_i32(struct sc_writer *w, int32_t v);
void sc_write_bytes(struct sc_writer *w, const void *src, size_t n);
/* Overwrites an already written u32 at offset off. */
void sc_writer_patch_u32(struct sc_writer *w, size_t off, uint32_t v);
/* Takes ownership of the buffer (free with g_free/free); resets the writer. */
uint8_t *sc_writer_steal(struct sc_writer *w, size_t *size);

static inline void sc_put_u16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static inline void sc_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static inline uint16_t sc_get_u16(const uint8_t *p) { return p[0] | (uint16_t)p[1] << 8; }
static inline uint32_t sc_get_u32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
