/* Cursor channel messages (PROTOCOL.md 7). */
#include "config.h"
#include "common/messages.h"

#include <string.h>

static void cursor_write(struct sc_writer *w, const struct sc_cursor *c)
{
    sc_write_u16(w, c->flags);
    if (c->flags & SPICE_CURSOR_FLAGS_NONE)
        return;
    sc_write_u64(w, c->unique);
    sc_write_u8(w, c->type);
    sc_write_u16(w, c->width);
    sc_write_u16(w, c->height);
    sc_write_u16(w, c->hot_spot_x);
    sc_write_u16(w, c->hot_spot_y);
    sc_write_bytes(w, c->data, c->data ? c->data_size : 0);
}

/* The cursor runs to the end of the message.  An ALPHA cursor that is not
 * FROM_CACHE must carry its w*h*4 bytes. */
static bool cursor_read(struct sc_reader *r, struct sc_cursor *c)
{
    memset(c, 0, sizeof(*c));
    c->flags = sc_read_u16(r);
    if (!sc_reader_ok(r))
        return false;
    if (c->flags & SPICE_CURSOR_FLAGS_NONE)
        return true;
    c->unique = sc_read_u64(r);
    c->type = sc_read_u8(r);
    c->width = sc_read_u16(r);
    c->height = sc_read_u16(r);
    c->hot_spot_x = sc_read_u16(r);
    c->hot_spot_y = sc_read_u16(r);
    if (!sc_reader_ok(r))
        return false;
    c->data_size = (uint32_t)sc_reader_remaining(r);
    c->data = sc_read_ptr(r, c->data_size);
    if (c->type == SPICE_CURSOR_TYPE_ALPHA && !(c->flags & SPICE_CURSOR_FLAGS_FROM_CACHE) &&
        c->data_size < (uint64_t)c->width * c->height * 4)
        return false;
    return true;
}

void sc_cursor_init_write(struct sc_writer *w, const struct sc_cursor_init *m)
{
    sc_write_i16(w, m->x);
    sc_write_i16(w, m->y);
    sc_write_u16(w, m->trail_length);
    sc_write_u16(w, m->trail_frequency);
    sc_write_u8(w, m->visible);
    cursor_write(w, &m->cursor);
}

bool sc_cursor_init_parse(const uint8_t *body, size_t len, struct sc_cursor_init *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->x = sc_read_i16(&r);
    m->y = sc_read_i16(&r);
    m->trail_length = sc_read_u16(&r);
    m->trail_frequency = sc_read_u16(&r);
    m->visible = sc_read_u8(&r);
    return cursor_read(&r, &m->cursor);
}

void sc_cursor_set_write(struct sc_writer *w, const struct sc_cursor_set *m)
{
    sc_write_i16(w, m->x);
    sc_write_i16(w, m->y);
    sc_write_u8(w, m->visible);
    cursor_write(w, &m->cursor);
}

bool sc_cursor_set_parse(const uint8_t *body, size_t len, struct sc_cursor_set *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->x = sc_read_i16(&r);
    m->y = sc_read_i16(&r);
    m->visible = sc_read_u8(&r);
    return cursor_read(&r, &m->cursor);
}

void sc_cursor_move_write(struct sc_writer *w, int16_t x, int16_t y)
{
    sc_write_i16(w, x);
    sc_write_i16(w, y);
}

bool sc_cursor_move_parse(const uint8_t *body, size_t len, int16_t *x, int16_t *y)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *x = sc_read_i16(&r);
    *y = sc_read_i16(&r);
    return sc_reader_ok(&r);
}

void sc_cursor_trail_write(struct sc_writer *w, uint16_t length, uint16_t frequency)
{
    sc_write_u16(w, length);
    sc_write_u16(w, frequency);
}

bool sc_cursor_trail_parse(const uint8_t *body, size_t len, uint16_t *length, uint16_t *frequency)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *length = sc_read_u16(&r);
    *frequency = sc_read_u16(&r);
    return sc_reader_ok(&r);
}

void sc_cursor_inval_one_write(struct sc_writer *w, uint64_t id)
{
    sc_write_u64(w, id);
}

bool sc_cursor_inval_one_parse(const uint8_t *body, size_t len, uint64_t *id)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *id = sc_read_u64(&r);
    return sc_reader_ok(&r);
}
