/* The link stage: header, SpiceLinkMess, reply with our caps and RSA key,
 * auth mechanism word, ticket, result; then hand the connection to its
 * channel (PROTOCOL.md §1, §8.1). */
#include "config.h"

#include <string.h>

#include <unistd.h>

#include "server/channel.h"
#include "server/link-limits.h"
#include "server/link.h"
#include "common/log.h"
#include "server/server-private.h"
#include "server/session.h"
#include "server/stream.h"

/* LINK_ANSWER: the ticket is checked; its answer waits for the peer's
 * slot (link-limits.h: a peer that guessed wrong too often is slowed down). */
enum link_state { LINK_HEADER, LINK_MESS, LINK_AUTH_MECH, LINK_TICKET, LINK_ANSWER };
#define LINK_ANSWER_MAX_INPUT (64 * 1024)

struct pending_link {
    struct sc_server *server;
    struct sc_conn *conn;
    enum link_state state;
    struct sc_link_header header;
    struct sc_link_mess mess;
    guint timeout;
    guint answer; /* LINK_ANSWER: the delayed answer */
    bool ticket_ok;
    bool done;
    char *addr; /* the peer's address, for sc_limits; NULL once the link is done */
};

/* The connection left the link stage, linked or not. */
static void leave_link_stage(struct pending_link *pl)
{
    if (pl->addr)
        sc_limits_link_done(pl->server->limits, pl->addr);
    g_clear_pointer(&pl->addr, g_free);
}

static void pending_free(struct pending_link *pl)
{
    if (pl->timeout)
        g_source_remove(pl->timeout);
    if (pl->answer)
        g_source_remove(pl->answer);
    leave_link_stage(pl);
    if (pl->conn)
        sc_conn_free(pl->conn);
    g_free(pl);
}

static void pending_remove(struct pending_link *pl)
{
    pl->server->pending = g_list_remove(pl->server->pending, pl);
}

static void send_link_error(struct pending_link *pl, uint32_t error)
{
    struct sc_link_reply reply;
    struct sc_writer w;

    memset(&reply, 0, sizeof(reply));
    reply.error = error;
    sc_writer_init(&w);
    sc_link_reply_write(&w, &reply);
    if (!w.error)
        sc_conn_send(pl->conn, w.data, w.size);
    sc_writer_finish(&w);
}

static void send_link_result(struct pending_link *pl, uint32_t result)
{
    uint8_t b[4];

    sc_put_u32(b, result);
    sc_conn_send(pl->conn, b, sizeof(b));
}

static void channel_caps(struct sc_server *server, uint8_t type, struct sc_caps *caps)
{
    memset(caps, 0, sizeof(*caps));
    sc_caps_set(caps->common, &caps->n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(caps->common, &caps->n_common, SPICE_COMMON_CAP_AUTH_SPICE);
    sc_caps_set(caps->common, &caps->n_common, SPICE_COMMON_CAP_MINI_HEADER);
    switch (type) {
    case SPICE_CHANNEL_MAIN:
        sc_caps_set(caps->channel, &caps->n_channel, SPICE_MAIN_CAP_NAME_AND_UUID);
        break;
    case SPICE_CHANNEL_DISPLAY:
        sc_caps_set(caps->channel, &caps->n_channel, SPICE_DISPLAY_CAP_MONITORS_CONFIG);
        sc_caps_set(caps->channel, &caps->n_channel, SPICE_DISPLAY_CAP_PREF_COMPRESSION);
        if (sc_streams_enabled(sc_display_streams(sc_server_display(server, 0)))) {
            sc_caps_set(caps->channel, &caps->n_channel, SPICE_DISPLAY_CAP_STREAM_REPORT);
            sc_caps_set(caps->channel, &caps->n_channel, SPICE_DISPLAY_CAP_PREF_VIDEO_CODEC_TYPE);
        }
        break;
    default:
        break;
    }
}

static const struct sc_channel_class *channel_class(uint8_t type)
{
    switch (type) {
    case SPICE_CHANNEL_MAIN: return &sc_main_channel_class;
    case SPICE_CHANNEL_DISPLAY: return &sc_display_channel_class;
    case SPICE_CHANNEL_INPUTS: return &sc_inputs_channel_class;
    case SPICE_CHANNEL_CURSOR: return &sc_cursor_channel_class;
    default: return NULL;
    }
}

/* Display and cursor channel N are head N's (one per display); the others
 * are one per session, id 0. */
static bool channel_id_ok(const struct sc_server *server, const struct sc_link_mess *m)
{
    if (m->channel_type == SPICE_CHANNEL_DISPLAY || m->channel_type == SPICE_CHANNEL_CURSOR)
        return sc_server_display(server, m->channel_id) != NULL;
    return m->channel_id == 0;
}

/* Checks the hello; returns a SpiceLinkErr. */
static uint32_t check_mess(struct pending_link *pl)
{
    struct sc_link_mess *m = &pl->mess;

    if (!channel_class(m->channel_type) || !channel_id_ok(pl->server, m))
        return SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE;
    /* as spice-server: spice-gtk then links that channel on the TLS port;
     * unix sockets are local and checked by uid, and pass fds: not TLS */
    if ((pl->server->secure_channels & (1u << m->channel_type)) &&
        !sc_conn_is_secure(pl->conn) && !sc_conn_is_unix(pl->conn)) {
        sc_info("%s: refused: channel %s needs TLS (--secure-channels)", sc_conn_peer(pl->conn),
                channel_class(m->channel_type)->name);
        return SPICE_LINK_ERR_NEED_SECURED;
    }
    if (m->channel_type != SPICE_CHANNEL_MAIN &&
        !sc_session_find(pl->server, m->connection_id))
        return SPICE_LINK_ERR_BAD_CONNECTION_ID;
    return SPICE_LINK_ERR_OK;
}

static void send_reply(struct pending_link *pl)
{
    struct sc_link_reply reply;
    struct sc_writer w;

    memset(&reply, 0, sizeof(reply));
    reply.error = SPICE_LINK_ERR_OK;
    memcpy(reply.pub_key, pl->server->pubkey, sizeof(reply.pub_key));
    channel_caps(pl->server, pl->mess.channel_type, &reply.caps);
    sc_writer_init(&w);
    sc_link_reply_write(&w, &reply);
    if (!w.error)
        sc_conn_send(pl->conn, w.data, w.size);
    sc_writer_finish(&w);
}

static bool password_expired(const struct sc_server *server)
{
    return server->password_expires && g_get_monotonic_time() >= server->password_expires;
}

static bool ticket_ok(struct pending_link *pl, const uint8_t *blob)
{
    struct sc_server *server = pl->server;
    char *given = sc_ticket_decrypt(server->ticket_key, blob, SC_TICKET_SIZE);
    bool ok;

    if (!given)
        return false; /* like spice-server: the blob must decrypt */
    if (server->disable_ticketing) {
        ok = true;
    } else if (password_expired(server)) {
        sc_info("%s: the password has expired", sc_conn_peer(pl->conn));
        ok = false;
    } else {
        ok = server->password && sc_ticket_check(server->password, given);
    }
    memset(given, 0, strlen(given));
    free(given);
    return ok;
}

static void hand_over(struct pending_link *pl)
{
    struct sc_server *server = pl->server;
    struct sc_conn *conn = pl->conn;
    struct sc_session *session;

    if (pl->mess.channel_type == SPICE_CHANNEL_MAIN &&
        server->max_clients && sc_session_count(server) >= server->max_clients) {
        sc_info("%s: refused: %u clients connected (--max-clients)", sc_conn_peer(conn),
                sc_session_count(server));
        send_link_result(pl, SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
        sc_conn_close(conn);
        return;
    }
    if (pl->mess.channel_type == SPICE_CHANNEL_MAIN)
        session = sc_session_new(server);
    else
        session = sc_session_find(server, pl->mess.connection_id);
    if (!session) {
        send_link_result(pl, SPICE_LINK_ERR_BAD_CONNECTION_ID);
        sc_conn_close(conn);
        return;
    }
    leave_link_stage(pl);
    send_link_result(pl, SPICE_LINK_ERR_OK);
    /* the connection is the channel's now: the link timeout must not fire
     * on it (it would close a NULL conn before finish_idle runs) */
    if (pl->timeout) {
        g_source_remove(pl->timeout);
        pl->timeout = 0;
    }
    pl->conn = NULL;
    pl->done = true;
    sc_session_add_channel(session, conn, &pl->mess, channel_class(pl->mess.channel_type));
}

/* The ticket's verdict goes out; false closes. */
static bool answer(struct pending_link *pl)
{
    if (!pl->ticket_ok) {
        sc_info("%s: authentication failed", sc_conn_peer(pl->conn));
        send_link_result(pl, SPICE_LINK_ERR_PERMISSION_DENIED);
        return false;
    }
    hand_over(pl);
    return true;
}

static void finish_link(struct pending_link *pl);

static gboolean answer_later(gpointer data)
{
    struct pending_link *pl = data;

    pl->answer = 0;
    if (!answer(pl))
        sc_conn_close(pl->conn);
    else
        finish_link(pl);
    return G_SOURCE_REMOVE;
}

/* Runs the state machine over the buffered input; false closes. */
static bool link_step(struct pending_link *pl)
{
    size_t len;
    const uint8_t *in = sc_conn_input(pl->conn, &len);
    uint32_t err;

    switch (pl->state) {
    case LINK_HEADER:
        if (len < SC_LINK_HEADER_SIZE)
            return true;
        err = sc_link_header_parse(in, len, &pl->header);
        if (err != SPICE_LINK_ERR_OK) {
            sc_debug("%s: bad link header (%u)", sc_conn_peer(pl->conn), err);
            send_link_error(pl, err);
            return false;
        }
        sc_conn_consume(pl->conn, SC_LINK_HEADER_SIZE);
        pl->state = LINK_MESS;
        return link_step(pl);
    case LINK_MESS:
        if (len < pl->header.size)
            return true;
        err = sc_link_mess_parse(in, pl->header.size, &pl->mess);
        if (err == SPICE_LINK_ERR_OK)
            err = check_mess(pl);
        if (err != SPICE_LINK_ERR_OK) {
            sc_debug("%s: link refused (%u)", sc_conn_peer(pl->conn), err);
            send_link_error(pl, err);
            return false;
        }
        sc_conn_consume(pl->conn, pl->header.size);
        send_reply(pl);
        pl->state = sc_caps_has_common(&pl->mess.caps, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION)
                        ? LINK_AUTH_MECH : LINK_TICKET;
        return link_step(pl);
    case LINK_AUTH_MECH:
        if (len < 4)
            return true;
        if (sc_get_u32(in) != SPICE_COMMON_CAP_AUTH_SPICE) {
            send_link_result(pl, SPICE_LINK_ERR_INVALID_DATA);
            return false;
        }
        sc_conn_consume(pl->conn, 4);
        pl->state = LINK_TICKET;
        return link_step(pl);
    case LINK_TICKET: {
        gint64 at;

        if (len < SC_TICKET_SIZE)
            return true;
        at = sc_limits_answer_at(pl->server->limits, pl->addr);
        pl->ticket_ok = ticket_ok(pl, in);
        sc_limits_ticket(pl->server->limits, pl->addr, pl->ticket_ok);
        sc_conn_consume(pl->conn, SC_TICKET_SIZE);
        pl->state = LINK_ANSWER;
        if (at > g_get_monotonic_time()) {
            pl->answer = g_timeout_add((guint)((at - g_get_monotonic_time() + 999) / 1000),
                                       answer_later, pl);
            return true;
        }
        return answer(pl);
    }
    case LINK_ANSWER:
        /* what a client sends before the answer waits for it; a client
         * pipelines a few small messages at most, so a flood is closed
         * rather than buffered while it is slowed down */
        if (len > LINK_ANSWER_MAX_INPUT) {
            sc_info("%s: %zu bytes sent before the link's answer, closing",
                    sc_conn_peer(pl->conn), len);
            return false;
        }
        return true;
    }
    return false;
}

static gboolean finish_idle(gpointer data)
{
    pending_free(data);
    return G_SOURCE_REMOVE;
}

/* Linked: the pending link is freed outside the callbacks that use it. */
static void finish_link(struct pending_link *pl)
{
    if (pl->done) {
        pending_remove(pl);
        g_idle_add(finish_idle, pl);
    }
}

static bool link_input(struct sc_conn *conn, void *data)
{
    struct pending_link *pl = data;

    (void)conn;
    if (!link_step(pl))
        return false;
    finish_link(pl);
    return true;
}

static void link_closed(struct sc_conn *conn, void *data)
{
    struct pending_link *pl = data;

    (void)conn;
    pending_remove(pl);
    pending_free(pl);
}

static const struct sc_conn_callbacks link_callbacks = {
    .input = link_input,
    .closed = link_closed,
};

static gboolean link_timeout(gpointer data)
{
    struct pending_link *pl = data;

    pl->timeout = 0;
    sc_debug("%s: link timed out", sc_conn_peer(pl->conn));
    sc_conn_close(pl->conn);
    return G_SOURCE_REMOVE;
}

/* The link timeout runs from here: it bounds a TLS handshake as well. */
static void link_start(struct sc_server *server, struct sc_conn *conn, const char *addr)
{
    struct pending_link *pl = g_new0(struct pending_link, 1);

    pl->server = server;
    pl->addr = g_strdup(addr);
    pl->conn = conn;
    sc_conn_set_callbacks(pl->conn, &link_callbacks, pl);
    pl->timeout = g_timeout_add(server->link_timeout_ms, link_timeout, pl);
    server->pending = g_list_prepend(server->pending, pl);
}

void sc_link_accept(struct sc_server *server, int fd, bool is_unix, const char *peer,
                    const char *addr)
{
    if (!sc_limits_link_start(server->limits, addr)) {
        close(fd);
        return;
    }
    link_start(server, sc_conn_new(fd, is_unix, peer), addr);
}

void sc_link_accept_conn(struct sc_server *server, struct sc_conn *conn, const char *addr)
{
    if (!sc_limits_link_start(server->limits, addr)) {
        sc_conn_close_now(conn);
        sc_conn_free(conn);
        return;
    }
    link_start(server, conn, addr);
}

void sc_link_accept_tls(struct sc_server *server, int fd, const char *peer, const char *addr)
{
    if (!server->tls_cert || !sc_limits_link_start(server->limits, addr)) {
        close(fd);
        return;
    }
    link_start(server, sc_conn_new_tls(fd, peer, server->tls_cert), addr);
}

void sc_link_free_pending(struct sc_server *server)
{
    g_list_free_full(server->pending, (GDestroyNotify)pending_free);
    server->pending = NULL;
}
