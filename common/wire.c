#include "config.h"
#include "common/wire.h"

#include <stdlib.h>
#include <string.h>

void sc_reader_init(struct sc_reader *r, const void *data, size_t size)
{
    r->data = data;
    r->size = data ? size : 0;
    r->pos = 0;
    r->error = false;
}

const uint8_t *sc_read_ptr(struct sc_reader *r, size_t n)
{
    const uint8_t *p;

    if (r->error || n > r->size - r->pos) {
        r->error = true;
        return NULL;
    }
    p = r->data + r->pos;
    r->pos += n;
    return p;
}

bool sc_read_skip(struct sc_reader *r, size_t n)
{
    return sc_read_ptr(r, n) != NULL || n == 0;
}

bool sc_read_bytes(struct sc_reader *r, void *dst, size_t n)
{
    const uint8_t *p = sc_read_ptr(r, n);

    if (!p) {
        memset(dst, 0, n);
        return false;
    }
    memcpy(dst, p, n);
    return true;
}

bool sc_reader_seek(struct sc_reader *r, size_t pos)
{
    if (r->error || pos > r->size) {
        r->error = true;
        return false;
    }
    r->pos = pos;
    return true;
}

size_t sc_reader_remaining(const struct sc_reader *r)
{
    return r->error ? 0 : r->size - r->pos;
}

uint8_t sc_read_u8(struct sc_reader *r)
{
    const uint8_t *p = sc_read_ptr(r, 1);
    return p ? p[0] : 0;
}

uint16_t sc_read_u16(struct sc_reader *r)
{
    const uint8_t *p = sc_read_ptr(r, 2);
    return p ? sc_get_u16(p) : 0;
}

uint32_t sc_read_u32(struct sc_reader *r)
{
    const uint8_t *p = sc_read_ptr(r, 4);
    return p ? sc_get_u32(p) : 0;
}

uint64_t sc_read_u64(struct sc_reader *r)
{
    const uint8_t *p = sc_read_ptr(r, 8);
    return p ? sc_get_u32(p) | (uint64_t)sc_get_u32(p + 4) << 32 : 0;
}

int16_t sc_read_i16(struct sc_reader *r) { return (int16_t)sc_read_u16(r); }
int32_t sc_read_i32(struct sc_reader *r) { return (int32_t)sc_read_u32(r); }

void sc_writer_init(struct sc_writer *w)
{
    memset(w, 0, sizeof(*w));
}

void sc_writer_finish(struct sc_writer *w)
{
    free(w->data);
    memset(w, 0, sizeof(*w));
}

void sc_writer_reset(struct sc_writer *w)
{
    w->size = 0;
    w->error = false;
}

uint8_t *sc_writer_append(struct sc_writer *w, size_t n)
{
    uint8_t *p;

    if (w->error)
        return NULL;
    if (n > SIZE_MAX / 2 - w->size) {
        w->error = true;
        return NULL;
    }
    if (w->size + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->size + n)
            cap *= 2;
        p = realloc(w->data, cap);
        if (!p) {
            w->error = true;
            return NULL;
        }
        w->data = p;
        w->cap = cap;
    }
    p = w->data + w->size;
    w->size += n;
    return p;
}

void sc_write_u8(struct sc_writer *w, uint8_t v)
{
    uint8_t *p = sc_writer_append(w, 1);
    if (p)
        p[0] = v;
}

void sc_write_u16(struct sc_writer *w, uint16_t v)
{
    uint8_t *p = sc_writer_append(w, 2);
    if (p)
        sc_put_u16(p, v);
}

void sc_write_u32(struct sc_writer *w, uint32_t v)
{
    uint8_t *p = sc_writer_append(w, 4);
    if (p)
        sc_put_u32(p, v);
}

void sc_write_u64(struct sc_writer *w, uint64_t v)
{
    sc_write_u32(w, (uint32_t)v);
    sc_write_u32(w, (uint32_t)(v >> 32));
}

void sc_write_i16(struct sc_writer *w, int16_t v) { sc_write_u16(w, (uint16_t)v); }
void sc_write_i32(struct sc_writer *w, int32_t v) { sc_write_u32(w, (uint32_t)v); }

void sc_write_bytes(struct sc_writer *w, const void *src, size_t n)
{
    uint8_t *p = sc_writer_append(w, n);
    if (p && n)
        memcpy(p, src, n);
}

void sc_writer_patch_u32(struct sc_writer *w, size_t off, uint32_t v)
{
    if (w->error || off + 4 > w->size) {
        w->error = true;
        return;
    }
    sc_put_u32(w->data + off, v);
}

uint8_t *sc_writer_steal(struct sc_writer *w, size_t *size)
{
    uint8_t *p = w->data;

    if (size)
        *size = w->size;
    memset(w, 0, sizeof(*w));
    return p;
}
