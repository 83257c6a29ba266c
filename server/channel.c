/* Channel clients: framing, ack window, base messages, dispatch by type. */
#include "config.h"

#include "server/channel.h"
#include "common/log.h"

#define ACK_WINDOW 20
/* MIGRATE_DATA: we never migrate, so it is only taken (and ignored) up to
 * this size */
#define MAX_MIGRATE_DATA 4096

static const char *cc_name(const struct sc_channel_client *cc)
{
    return cc->klass->name;
}

size_t sc_cc_begin(struct sc_channel_client *cc, uint16_t type)
{
    sc_writer_reset(&cc->w);
    return sc_msg_begin(&cc->w, cc->mini_header, ++cc->out_serial, type);
}

static void cc_count_sent(struct sc_channel_client *cc)
{
    if (cc->ack_window)
        cc->unacked++;
}

void sc_cc_end(struct sc_channel_client *cc, size_t start)
{
    sc_msg_end(&cc->w, start, cc->mini_header);
    if (cc->w.error) {
        sc_warn("%s: could not build a message", cc_name(cc));
        sc_cc_close(cc);
        return;
    }
    sc_conn_send(cc->conn, cc->w.data + start, cc->w.size - start);
    cc_count_sent(cc);
}

size_t sc_cc_begin_next(struct sc_channel_client *cc, uint16_t type)
{
    return sc_msg_begin(&cc->w, cc->mini_header, ++cc->out_serial, type);
}

void sc_cc_finish(struct sc_channel_client *cc, size_t start)
{
    sc_msg_end(&cc->w, start, cc->mini_header);
    if (!cc->w.error)
        cc_count_sent(cc);
}

bool sc_cc_send_range(struct sc_channel_client *cc, size_t from, size_t to, const int *fds,
                      unsigned nfds)
{
    if (cc->w.error || from >= to || to > cc->w.size)
        return false;
    if (!nfds) {
        sc_conn_send(cc->conn, cc->w.data + from, to - from);
        return true;
    }
    return sc_conn_send_with_fds(cc->conn, cc->w.data + from, to - from, fds, nfds);
}

void sc_cc_send_empty(struct sc_channel_client *cc, uint16_t type)
{
    sc_cc_end(cc, sc_cc_begin(cc, type));
}

/* The header and head (a few dozen bytes) copied, the tail queued as is. */
static void send_body(struct sc_channel_client *cc, uint16_t type, const void *head,
                      size_t head_size, GBytes *tail)
{
    size_t start = sc_cc_begin(cc, type);

    if (head_size)
        sc_write_bytes(&cc->w, head, head_size);
    sc_msg_end_sized(&cc->w, start, cc->mini_header, head_size + g_bytes_get_size(tail));
    if (cc->w.error) {
        sc_cc_close(cc);
        return;
    }
    sc_conn_send(cc->conn, cc->w.data + start, cc->w.size - start);
    sc_conn_send_bytes(cc->conn, tail);
    cc_count_sent(cc);
}

void sc_cc_send_body(struct sc_channel_client *cc, uint16_t type, GBytes *body)
{
    send_body(cc, type, NULL, 0, body);
}

void sc_cc_send_body_parts(struct sc_channel_client *cc, uint16_t type, GBytes *head, GBytes *tail)
{
    gsize head_size;
    const void *h = g_bytes_get_data(head, &head_size);

    send_body(cc, type, h, head_size, tail);
}

bool sc_cc_can_send(const struct sc_channel_client *cc)
{
    if (cc->closing || sc_conn_is_closed(cc->conn))
        return false;
    if (cc->ack_window && cc->unacked > cc->ack_window * 2)
        return false;
    return sc_conn_queued(cc->conn) < SC_CONN_HIGH_WATER;
}

void sc_cc_close(struct sc_channel_client *cc)
{
    cc->closing = true;
    sc_conn_close(cc->conn);
}

void sc_cc_close_silently(struct sc_channel_client *cc)
{
    cc->closed = NULL;
    cc->session = NULL;
    sc_cc_close(cc);
}

static bool handle_base(struct sc_channel_client *cc, uint16_t type, const uint8_t *body,
                        size_t len, bool *handled)
{
    *handled = true;
    switch (type) {
    case SPICE_MSGC_ACK_SYNC: {
        uint32_t gen;
        if (!sc_ack_sync_parse(body, len, &gen))
            return false;
        cc->ack_synced = gen == cc->ack_generation;
        cc->unacked = 0;
        return true;
    }
    case SPICE_MSGC_ACK:
        cc->unacked = cc->unacked > cc->ack_window ? cc->unacked - cc->ack_window : 0;
        if (cc->klass->ready)
            cc->klass->ready(cc);
        return true;
    case SPICE_MSGC_PONG:
        return true;
    case SPICE_MSGC_DISCONNECTING:
        sc_debug("%s: client disconnecting", cc_name(cc));
        sc_cc_close(cc);
        return true;
    case SPICE_MSGC_MIGRATE_FLUSH_MARK:
    case SPICE_MSGC_MIGRATE_DATA:
        return true;
    default:
        *handled = false;
        return true;
    }
}

bool sc_cc_ignore(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    (void)body;
    sc_debug("%s: ignoring a message (%zu bytes)", cc_name(cc), len);
    return true;
}

static const struct sc_channel_handler *find_handler(const struct sc_channel_client *cc,
                                                     uint16_t type)
{
    for (const struct sc_channel_handler *h = cc->klass->handlers; h && h->type; h++) {
        if (h->type == type)
            return h;
    }
    return NULL;
}

/* The largest body a message of this type may have; 0 for a type the
 * channel does not know: like spice-server, a protocol error (known but
 * unused types have an ignoring handler). */
static uint32_t max_body(const struct sc_channel_client *cc, uint16_t type)
{
    const struct sc_channel_handler *h;

    switch (type) {
    case SPICE_MSGC_ACK_SYNC:
    case SPICE_MSGC_ACK:
    case SPICE_MSGC_PONG:
    case SPICE_MSGC_DISCONNECTING:
    case SPICE_MSGC_MIGRATE_FLUSH_MARK:
        return SC_MSG_SMALL;
    case SPICE_MSGC_MIGRATE_DATA:
        return MAX_MIGRATE_DATA;
    default:
        h = find_handler(cc, type);
        return h ? h->max_size : 0;
    }
}

static bool cc_dispatch(struct sc_channel_client *cc, uint16_t type, const uint8_t *body,
                        size_t len)
{
    bool handled;

    if (!handle_base(cc, type, body, len, &handled))
        return false;
    if (handled)
        return true;
    return find_handler(cc, type)->handle(cc, body, len);
}

/* Checks a header before its body is waited for; false closes. */
static bool check_header(struct sc_channel_client *cc, const struct sc_data_header *h)
{
    uint32_t max = max_body(cc, h->type);

    if (max == 0) {
        sc_warn("%s: %s: unknown message type %u, closing", cc_name(cc),
                sc_conn_peer(cc->conn), h->type);
        return false;
    }
    if (h->size > max) {
        sc_warn("%s: %s: message type %u of %u bytes (at most %u), closing", cc_name(cc),
                sc_conn_peer(cc->conn), h->type, h->size, max);
        return false;
    }
    return true;
}

static bool cc_input(struct sc_conn *conn, void *data)
{
    struct sc_channel_client *cc = data;
    size_t hsize = sc_data_header_size(cc->mini_header);

    for (;;) {
        size_t len;
        const uint8_t *in = sc_conn_input(conn, &len);
        struct sc_data_header h;

        if (cc->closing)
            return true;
        if (len < hsize)
            return true;
        if (!sc_data_header_parse(in, len, cc->mini_header, &h))
            return false;
        if (!check_header(cc, &h))
            return false;
        if (len - hsize < h.size)
            return true;
        cc->in_serial++;
        if (!cc_dispatch(cc, h.type, in + hsize, h.size)) {
            sc_warn("%s: %s: bad message %u, closing", cc_name(cc), sc_conn_peer(conn), h.type);
            return false;
        }
        sc_conn_consume(conn, hsize + h.size);
    }
}

static void cc_drained(struct sc_conn *conn, void *data)
{
    struct sc_channel_client *cc = data;

    (void)conn;
    if (cc->klass->ready && !cc->closing)
        cc->klass->ready(cc);
}

static void cc_closed(struct sc_conn *conn, void *data)
{
    struct sc_channel_client *cc = data;

    (void)conn;
    sc_debug("%s: closed", cc_name(cc));
    if (cc->klass->destroy)
        cc->klass->destroy(cc);
    if (cc->closed)
        cc->closed(cc, cc->closed_data);
    sc_conn_free(cc->conn);
    sc_writer_finish(&cc->w);
    g_free(cc);
}

static const struct sc_conn_callbacks cc_callbacks = {
    .input = cc_input,
    .drained = cc_drained,
    .closed = cc_closed,
};

struct sc_channel_client *sc_cc_new(struct sc_server *server, struct sc_session *session,
                                    struct sc_conn *conn, const struct sc_link_mess *link,
                                    const struct sc_channel_class *klass, sc_cc_closed_fn closed,
                                    void *closed_data)
{
    struct sc_channel_client *cc = g_new0(struct sc_channel_client, 1);

    cc->klass = klass;
    cc->server = server;
    cc->session = session;
    cc->conn = conn;
    cc->link = *link;
    cc->closed = closed;
    cc->closed_data = closed_data;
    cc->mini_header = sc_caps_has_common(&link->caps, SPICE_COMMON_CAP_MINI_HEADER);
    sc_writer_init(&cc->w);
    sc_conn_set_callbacks(conn, &cc_callbacks, cc);

    if (klass->type == SPICE_CHANNEL_DISPLAY || klass->type == SPICE_CHANNEL_CURSOR) {
        struct sc_set_ack ack = { .generation = 1, .window = ACK_WINDOW };
        size_t start = sc_cc_begin(cc, SPICE_MSG_SET_ACK);

        sc_set_ack_write(&cc->w, &ack);
        sc_cc_end(cc, start);
        cc->ack_generation = ack.generation;
        cc->ack_window = ack.window;
    }
    if (klass->start && !klass->start(cc)) {
        sc_cc_close(cc);
        return cc;
    }
    /* bytes that arrived together with the link messages */
    {
        size_t len;
        sc_conn_input(conn, &len);
        if (len && !cc_input(conn, cc))
            sc_cc_close(cc);
    }
    return cc;
}
