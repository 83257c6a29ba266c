/* Link stage (PROTOCOL.md 1.3-1.6), capability words and data headers (2.1). */
#include "config.h"
#include "common/messages.h"

#include <string.h>

#define LINK_MAX_CAPS_WORDS 1024 /* spice-server's limit per kind */

bool sc_caps_test(const uint32_t *words, uint32_t n_words, unsigned cap)
{
    unsigned word = cap / 32;

    if (!words || word >= n_words)
        return false;
    return (words[word] >> (cap % 32)) & 1;
}

void sc_caps_set(uint32_t *words, uint32_t *n_words, unsigned cap)
{
    unsigned word = cap / 32;

    if (word >= SC_CAPS_MAX_WORDS)
        return; /* programming error: our own caps fit */
    while (*n_words <= word)
        words[(*n_words)++] = 0;
    words[word] |= 1u << (cap % 32);
}

static uint32_t caps_n(uint32_t n)
{
    return n > SC_CAPS_MAX_WORDS ? SC_CAPS_MAX_WORDS : n;
}

static void caps_write(struct sc_writer *w, const struct sc_caps *c)
{
    for (uint32_t i = 0; i < caps_n(c->n_common); i++)
        sc_write_u32(w, c->common[i]);
    for (uint32_t i = 0; i < caps_n(c->n_channel); i++)
        sc_write_u32(w, c->channel[i]);
}

/* Reads n_common + n_channel words at `offset` of [body, body+len). */
static bool caps_read(const uint8_t *body, size_t len, uint32_t n_common, uint32_t n_channel,
                      uint32_t offset, struct sc_caps *c)
{
    struct sc_reader r;

    memset(c, 0, sizeof(*c));
    if (n_common > LINK_MAX_CAPS_WORDS || n_channel > LINK_MAX_CAPS_WORDS)
        return false;
    sc_reader_init(&r, body, len);
    if (!sc_reader_seek(&r, offset))
        return false;
    if (sc_reader_remaining(&r) < ((size_t)n_common + n_channel) * 4)
        return false;
    c->n_common = caps_n(n_common);
    c->n_channel = caps_n(n_channel);
    for (uint32_t i = 0; i < n_common; i++) {
        uint32_t v = sc_read_u32(&r);
        if (i < SC_CAPS_MAX_WORDS)
            c->common[i] = v;
    }
    for (uint32_t i = 0; i < n_channel; i++) {
        uint32_t v = sc_read_u32(&r);
        if (i < SC_CAPS_MAX_WORDS)
            c->channel[i] = v;
    }
    return sc_reader_ok(&r);
}

static uint32_t caps_bytes(const struct sc_caps *c)
{
    return 4 * (caps_n(c->n_common) + caps_n(c->n_channel));
}

void sc_link_header_write(struct sc_writer *w, uint32_t size)
{
    sc_write_u32(w, SPICE_MAGIC);
    sc_write_u32(w, SPICE_VERSION_MAJOR);
    sc_write_u32(w, SPICE_VERSION_MINOR);
    sc_write_u32(w, size);
}

int sc_link_header_parse(const uint8_t *buf, size_t len, struct sc_link_header *h)
{
    struct sc_reader r;

    sc_reader_init(&r, buf, len);
    h->magic = sc_read_u32(&r);
    h->major = sc_read_u32(&r);
    h->minor = sc_read_u32(&r);
    h->size = sc_read_u32(&r);
    if (!sc_reader_ok(&r))
        return SPICE_LINK_ERR_INVALID_DATA;
    if (h->magic != SPICE_MAGIC)
        return SPICE_LINK_ERR_INVALID_MAGIC;
    if (h->major != SPICE_VERSION_MAJOR)
        return SPICE_LINK_ERR_VERSION_MISMATCH;
    if (h->size < SC_LINK_MESS_SIZE || h->size > SC_LINK_MAX_SIZE)
        return SPICE_LINK_ERR_INVALID_DATA;
    return SPICE_LINK_ERR_OK;
}

void sc_link_mess_write(struct sc_writer *w, const struct sc_link_mess *m)
{
    sc_link_header_write(w, SC_LINK_MESS_SIZE + caps_bytes(&m->caps));
    sc_write_u32(w, m->connection_id);
    sc_write_u8(w, m->channel_type);
    sc_write_u8(w, m->channel_id);
    sc_write_u32(w, caps_n(m->caps.n_common));
    sc_write_u32(w, caps_n(m->caps.n_channel));
    sc_write_u32(w, SC_LINK_MESS_SIZE);
    caps_write(w, &m->caps);
}

int sc_link_mess_parse(const uint8_t *body, size_t len, struct sc_link_mess *m)
{
    struct sc_reader r;
    uint32_t n_common, n_channel, caps_offset;

    memset(m, 0, sizeof(*m));
    sc_reader_init(&r, body, len);
    m->connection_id = sc_read_u32(&r);
    m->channel_type = sc_read_u8(&r);
    m->channel_id = sc_read_u8(&r);
    n_common = sc_read_u32(&r);
    n_channel = sc_read_u32(&r);
    caps_offset = sc_read_u32(&r);
    if (!sc_reader_ok(&r) || caps_offset < SC_LINK_MESS_SIZE)
        return SPICE_LINK_ERR_INVALID_DATA;
    if (!caps_read(body, len, n_common, n_channel, caps_offset, &m->caps))
        return SPICE_LINK_ERR_INVALID_DATA;
    return SPICE_LINK_ERR_OK;
}

void sc_link_reply_write(struct sc_writer *w, const struct sc_link_reply *r)
{
    sc_link_header_write(w, SC_LINK_REPLY_SIZE + caps_bytes(&r->caps));
    sc_write_u32(w, r->error);
    sc_write_bytes(w, r->pub_key, SC_TICKET_PUBKEY_SIZE);
    sc_write_u32(w, caps_n(r->caps.n_common));
    sc_write_u32(w, caps_n(r->caps.n_channel));
    sc_write_u32(w, SC_LINK_REPLY_SIZE);
    caps_write(w, &r->caps);
}

int sc_link_reply_parse(const uint8_t *body, size_t len, struct sc_link_reply *r)
{
    struct sc_reader rd;
    uint32_t n_common, n_channel, caps_offset;

    memset(r, 0, sizeof(*r));
    sc_reader_init(&rd, body, len);
    r->error = sc_read_u32(&rd);
    sc_read_bytes(&rd, r->pub_key, SC_TICKET_PUBKEY_SIZE);
    n_common = sc_read_u32(&rd);
    n_channel = sc_read_u32(&rd);
    caps_offset = sc_read_u32(&rd);
    if (!sc_reader_ok(&rd))
        return SPICE_LINK_ERR_INVALID_DATA;
    /* An error reply is all zeroes but `error`: no caps, offset 0. */
    if (n_common == 0 && n_channel == 0)
        return SPICE_LINK_ERR_OK;
    if (caps_offset < SC_LINK_REPLY_SIZE)
        return SPICE_LINK_ERR_INVALID_DATA;
    if (!caps_read(body, len, n_common, n_channel, caps_offset, &r->caps))
        return SPICE_LINK_ERR_INVALID_DATA;
    return SPICE_LINK_ERR_OK;
}

size_t sc_msg_begin(struct sc_writer *w, bool mini, uint64_t serial, uint16_t type)
{
    size_t start = w->size;

    if (mini) {
        sc_write_u16(w, type);
        sc_write_u32(w, 0);
    } else {
        sc_write_u64(w, serial);
        sc_write_u16(w, type);
        sc_write_u32(w, 0);
        sc_write_u32(w, 0); /* sub_list */
    }
    return start;
}

void sc_msg_end(struct sc_writer *w, size_t start, bool mini)
{
    size_t hdr = sc_data_header_size(mini);

    if (w->error || start + hdr > w->size) {
        w->error = true;
        return;
    }
    sc_msg_end_sized(w, start, mini, w->size - start - hdr);
}

void sc_msg_end_sized(struct sc_writer *w, size_t start, bool mini, size_t body)
{
    if (w->error || start + sc_data_header_size(mini) > w->size) {
        w->error = true;
        return;
    }
    if (body > SC_MAX_MESSAGE_SIZE) {
        w->error = true;
        return;
    }
    sc_writer_patch_u32(w, start + (mini ? 2 : 10), (uint32_t)body);
}

bool sc_data_header_parse(const uint8_t *buf, size_t len, bool mini, struct sc_data_header *h)
{
    struct sc_reader r;

    sc_reader_init(&r, buf, len);
    h->serial = mini ? 0 : sc_read_u64(&r);
    h->type = sc_read_u16(&r);
    h->size = sc_read_u32(&r);
    h->sub_list = mini ? 0 : sc_read_u32(&r);
    if (!sc_reader_ok(&r))
        return false;
    return h->size <= SC_MAX_MESSAGE_SIZE;
}
