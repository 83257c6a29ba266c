/* Messages shared by every channel (PROTOCOL.md 2.2). */
#include "config.h"
#include "common/messages.h"

#include <string.h>

void sc_set_ack_write(struct sc_writer *w, const struct sc_set_ack *m)
{
    sc_write_u32(w, m->generation);
    sc_write_u32(w, m->window);
}

bool sc_set_ack_parse(const uint8_t *body, size_t len, struct sc_set_ack *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->generation = sc_read_u32(&r);
    m->window = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_ack_sync_write(struct sc_writer *w, uint32_t generation)
{
    sc_write_u32(w, generation);
}

bool sc_ack_sync_parse(const uint8_t *body, size_t len, uint32_t *generation)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *generation = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

void sc_ping_write(struct sc_writer *w, const struct sc_ping *m)
{
    uint8_t *p;

    sc_write_u32(w, m->id);
    sc_write_u64(w, m->timestamp);
    p = sc_writer_append(w, m->data_size);
    if (p && m->data_size)
        memset(p, 0, m->data_size);
}

bool sc_ping_parse(const uint8_t *body, size_t len, struct sc_ping *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->id = sc_read_u32(&r);
    m->timestamp = sc_read_u64(&r);
    if (!sc_reader_ok(&r))
        return false;
    m->data_size = (uint32_t)sc_reader_remaining(&r);
    return true;
}

void sc_pong_write(struct sc_writer *w, uint32_t id, uint64_t timestamp)
{
    sc_write_u32(w, id);
    sc_write_u64(w, timestamp);
}

bool sc_pong_parse(const uint8_t *body, size_t len, uint32_t *id, uint64_t *timestamp)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *id = sc_read_u32(&r);
    *timestamp = sc_read_u64(&r);
    return sc_reader_ok(&r);
}

/* Like spice-server, a NUL follows the message (not counted in message_len). */
void sc_notify_write(struct sc_writer *w, const struct sc_notify *m)
{
    uint32_t n = m->message ? m->message_len : 0;

    sc_write_u64(w, m->time_stamp);
    sc_write_u32(w, m->severity);
    sc_write_u32(w, m->visibility);
    sc_write_u32(w, m->what);
    sc_write_u32(w, n);
    sc_write_bytes(w, m->message, n);
    sc_write_u8(w, 0);
}

bool sc_notify_parse(const uint8_t *body, size_t len, struct sc_notify *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->time_stamp = sc_read_u64(&r);
    m->severity = sc_read_u32(&r);
    m->visibility = sc_read_u32(&r);
    m->what = sc_read_u32(&r);
    m->message_len = sc_read_u32(&r);
    m->message = (const char *)sc_read_ptr(&r, m->message_len);
    if (!sc_reader_ok(&r)) {
        m->message = NULL;
        m->message_len = 0;
        return false;
    }
    return true;
}

void sc_disconnecting_write(struct sc_writer *w, const struct sc_disconnecting *m)
{
    sc_write_u64(w, m->time_stamp);
    sc_write_u32(w, m->reason);
}

bool sc_disconnecting_parse(const uint8_t *body, size_t len, struct sc_disconnecting *m)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    m->time_stamp = sc_read_u64(&r);
    m->reason = sc_read_u32(&r);
    return sc_reader_ok(&r);
}
