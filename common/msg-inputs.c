/* Inputs channel messages (PROTOCOL.md 6). */
#include "config.h"
#include "common/messages.h"

static bool u16_parse(const uint8_t *body, size_t len, uint16_t *v)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *v = sc_read_u16(&r);
    return sc_reader_ok(&r);
}

void sc_inputs_init_write(struct sc_writer *w, uint16_t modifiers)
{
    sc_write_u16(w, modifiers);
}

bool sc_inputs_init_parse(const uint8_t *body, size_t len, uint16_t *modifiers)
{
    return u16_parse(body, len, modifiers);
}

void sc_key_modifiers_write(struct sc_writer *w, uint16_t modifiers)
{
    sc_write_u16(w, modifiers);
}

bool sc_key_modifiers_parse(const uint8_t *body, size_t len, uint16_t *modifiers)
{
    return u16_parse(body, len, modifiers);
}

void sc_key_code_write(struct sc_writer *w, uint32_t code)
{
    sc_write_u32(w, code);
}

bool sc_key_code_parse(const uint8_t *body, size_t len, uint32_t *code)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *code = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

unsigned sc_key_code_bytes(uint32_t code, uint8_t out[4])
{
    unsigned n = 0;

    while (n < 4) {
        uint8_t b = (code >> (8 * n)) & 0xff;
        if (!b)
            break;
        out[n++] = b;
    }
    return n;
}

uint32_t sc_key_code_make(uint32_t scancode, bool release)
{
    uint32_t code = scancode & 0x37f;

    if (release)
        code |= 0x80;
    if (code < 0x100)
        return code;
    /* E0-prefixed: bytes E0, code on the wire (LE) */
    return 0xe0 | (code & 0xff) << 8;
}

void sc_key_scancode_write(struct sc_writer *w, const uint8_t *codes, size_t n)
{
    sc_write_bytes(w, codes, n);
}

bool sc_key_scancode_parse(const uint8_t *body, size_t len, const uint8_t **codes, size_t *n)
{
    *codes = body;
    *n = body ? len : 0;
    return true;
}

void sc_mouse_motion_write(struct sc_writer *w, const struct sc_mouse_motion *m)
{
    sc_write_i32(w, m->dx);
    sc_write_i32(w, m->dy);
    sc_write_u16(w, (uint16_t)m->buttons_state);
}

bool sc_mouse_motion_parse(const uint8_t *body, size_t len, struct sc_mouse_motion *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->dx = sc_read_i32(&r);
    m->dy = sc_read_i32(&r);
    m->buttons_state = sc_read_u16(&r);
    return sc_reader_ok(&r);
}

void sc_mouse_position_write(struct sc_writer *w, const struct sc_mouse_position *m)
{
    sc_write_u32(w, m->x);
    sc_write_u32(w, m->y);
    sc_write_u16(w, (uint16_t)m->buttons_state);
    sc_write_u8(w, m->display_id);
}

bool sc_mouse_position_parse(const uint8_t *body, size_t len, struct sc_mouse_position *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->x = sc_read_u32(&r);
    m->y = sc_read_u32(&r);
    m->buttons_state = sc_read_u16(&r);
    m->display_id = sc_read_u8(&r);
    return sc_reader_ok(&r);
}

void sc_mouse_button_write(struct sc_writer *w, const struct sc_mouse_button *m)
{
    sc_write_u8(w, m->button);
    sc_write_u16(w, (uint16_t)m->buttons_state);
}

bool sc_mouse_button_parse(const uint8_t *body, size_t len, struct sc_mouse_button *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->button = sc_read_u8(&r);
    m->buttons_state = sc_read_u16(&r);
    return sc_reader_ok(&r);
}
