/* Main channel messages (PROTOCOL.md 3). */
#include "config.h"
#include "common/messages.h"

#include <string.h>

void sc_main_init_write(struct sc_writer *w, const struct sc_main_init *m)
{
    sc_write_u32(w, m->session_id);
    sc_write_u32(w, m->display_channels_hint);
    sc_write_u32(w, m->supported_mouse_modes);
    sc_write_u32(w, m->current_mouse_mode);
    sc_write_u32(w, m->agent_connected);
    sc_write_u32(w, m->agent_tokens);
    sc_write_u32(w, m->multi_media_time);
    sc_write_u32(w, m->ram_hint);
}

bool sc_main_init_parse(const uint8_t *body, size_t len, struct sc_main_init *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->session_id = sc_read_u32(&r);
    m->display_channels_hint = sc_read_u32(&r);
    m->supported_mouse_modes = sc_read_u32(&r);
    m->current_mouse_mode = sc_read_u32(&r);
    m->agent_connected = sc_read_u32(&r);
    m->agent_tokens = sc_read_u32(&r);
    m->multi_media_time = sc_read_u32(&r);
    m->ram_hint = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_channels_list_write(struct sc_writer *w, const struct sc_channels_list *m)
{
    uint32_t n = m->num > SC_MAX_CHANNELS_LIST ? SC_MAX_CHANNELS_LIST : m->num;

    sc_write_u32(w, n);
    for (uint32_t i = 0; i < n; i++) {
        sc_write_u8(w, m->channels[i].type);
        sc_write_u8(w, m->channels[i].id);
    }
}

/* More than SC_MAX_CHANNELS_LIST entries is refused as absurd. */
bool sc_channels_list_parse(const uint8_t *body, size_t len, struct sc_channels_list *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->num = sc_read_u32(&r);
    if (!sc_reader_ok(&r) || m->num > SC_MAX_CHANNELS_LIST ||
        sc_reader_remaining(&r) < (size_t)m->num * 2) {
        m->num = 0;
        return false;
    }
    for (uint32_t i = 0; i < m->num; i++) {
        m->channels[i].type = sc_read_u8(&r);
        m->channels[i].id = sc_read_u8(&r);
    }
    return sc_reader_ok(&r);
}

void sc_mouse_mode_write(struct sc_writer *w, const struct sc_mouse_mode *m)
{
    sc_write_u16(w, m->supported);
    sc_write_u16(w, m->current);
}

bool sc_mouse_mode_parse(const uint8_t *body, size_t len, struct sc_mouse_mode *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->supported = sc_read_u16(&r);
    m->current = sc_read_u16(&r);
    return sc_reader_ok(&r);
}

void sc_mouse_mode_request_write(struct sc_writer *w, uint16_t mode)
{
    sc_write_u16(w, mode);
}

bool sc_mouse_mode_request_parse(const uint8_t *body, size_t len, uint16_t *mode)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *mode = sc_read_u16(&r);
    return sc_reader_ok(&r);
}

void sc_multi_media_time_write(struct sc_writer *w, uint32_t time)
{
    sc_write_u32(w, time);
}

bool sc_multi_media_time_parse(const uint8_t *body, size_t len, uint32_t *time)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *time = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_main_name_write(struct sc_writer *w, const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n > UINT32_MAX - 1) {
        w->error = true;
        return;
    }
    sc_write_u32(w, (uint32_t)n + 1);
    sc_write_bytes(w, name, n);
    sc_write_u8(w, 0);
}

bool sc_main_name_parse(const uint8_t *body, size_t len, char *name, size_t size)
{
    struct sc_reader r;
    const uint8_t *p;
    uint32_t n;
    size_t i;

    if (size == 0)
        return false;
    name[0] = '\0';
    sc_reader_init(&r, body, len);
    n = sc_read_u32(&r);
    p = sc_read_ptr(&r, n);
    if (!sc_reader_ok(&r))
        return false;
    for (i = 0; i < n && i < size - 1 && p[i]; i++)
        name[i] = (char)p[i];
    name[i] = '\0';
    return true;
}

void sc_main_uuid_write(struct sc_writer *w, const uint8_t uuid[16])
{
    sc_write_bytes(w, uuid, 16);
}

bool sc_main_uuid_parse(const uint8_t *body, size_t len, uint8_t uuid[16])
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    return sc_read_bytes(&r, uuid, 16);
}
