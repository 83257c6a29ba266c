/* The client engine's channel core: the socket (plain or TLS), the link
 * stage, message framing, ACK flow control, passed fds, and dispatch to
 * the channel type's handler table (client-priv.h).  It reports up only by
 * callback: the session's end through c->close.  PROTOCOL.md 8.2. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "client/client-priv.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/ticket.h"

#define READ_CHUNK (256 * 1024)

static void channel_flush(struct sc_channel *ch);
static gboolean channel_reconnect_tls(gpointer p);
static void channel_connect(struct sc_channel *ch);

/* ---- closing ---------------------------------------------------------- */

void sc_channel_shutdown(struct sc_channel *ch)
{
    if (!ch)
        return;
    if (ch->in_watch)
        g_source_remove(ch->in_watch);
    if (ch->out_watch)
        g_source_remove(ch->out_watch);
    ch->in_watch = ch->out_watch = 0;
    if (ch->reconnect)
        g_source_remove(ch->reconnect);
    ch->reconnect = 0;
    g_clear_object(&ch->tls); /* no close_notify: closing the socket ends it */
    for (unsigned i = 0; i < ch->n_fds; i++)
        close(ch->fds[i]);
    ch->n_fds = 0;
    if (ch->conn) {
        g_io_stream_close(G_IO_STREAM(ch->conn), NULL, NULL);
        g_clear_object(&ch->conn);
    }
    ch->fd = -1;
    ch->state = CH_DEAD;
}

void sc_channel_free(struct sc_channel *ch)
{
    if (!ch)
        return;
    sc_channel_shutdown(ch);
    if (ch->klass->destroy)
        ch->klass->destroy(ch);
    g_byte_array_unref(ch->in);
    g_byte_array_unref(ch->out);
    g_free(ch);
}

void sc_channel_fail(struct sc_channel *ch, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ch->client->close(ch->client, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, msg));
    g_free(msg);
}

bool sc_channel_ready(const struct sc_channel *ch)
{
    return ch && !ch->client->closed && ch->state == CH_READY;
}

/* ---- sending ------------------------------------------------------------- */

size_t sc_channel_msg_begin(struct sc_channel *ch, struct sc_writer *w, uint16_t type)
{
    sc_writer_init(w);
    return sc_msg_begin(w, ch->mini, ++ch->out_serial, type);
}

static void channel_queue(struct sc_channel *ch, const uint8_t *data, size_t size)
{
    if (ch->state == CH_DEAD)
        return;
    g_byte_array_append(ch->out, data, (guint)size);
    channel_flush(ch);
}

void sc_channel_msg_end(struct sc_channel *ch, struct sc_writer *w, size_t start)
{
    sc_msg_end(w, start, ch->mini);
    if (w->error)
        sc_channel_fail(ch, "out of memory writing a message");
    else
        channel_queue(ch, w->data, w->size);
    sc_writer_finish(w);
}

void sc_channel_send_empty(struct sc_channel *ch, uint16_t type)
{
    struct sc_writer w;
    size_t st = sc_channel_msg_begin(ch, &w, type);
    sc_channel_msg_end(ch, &w, st);
}

static gboolean on_writable(gint fd G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED, gpointer p)
{
    struct sc_channel *ch = p;

    ch->out_watch = 0;
    channel_flush(ch);
    return G_SOURCE_REMOVE;
}

static gboolean on_tls_writable(gpointer p) { return on_writable(-1, G_IO_OUT, p); }

static ssize_t channel_send(struct sc_channel *ch)
{
    const uint8_t *p = ch->out->data + ch->out_off;
    size_t len = ch->out->len - ch->out_off;
    ssize_t n;

    if (ch->tls)
        return sc_channel_tls_send(ch, p, len);
    n = send(ch->fd, p, len, MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}

static void channel_flush(struct sc_channel *ch)
{
    while (ch->state != CH_DEAD && ch->state != CH_CONNECTING && ch->out_off < ch->out->len) {
        ssize_t n = channel_send(ch);

        if (n == -EINTR)
            continue;
        if (n == -EAGAIN || n == -EWOULDBLOCK) {
            if (!ch->out_watch)
                ch->out_watch = ch->tls ? sc_channel_tls_watch(ch, true, on_tls_writable)
                                        : g_unix_fd_add(ch->fd, G_IO_OUT, on_writable, ch);
            return;
        }
        if (n < 0) {
            sc_channel_fail(ch, "channel %u: send failed: %s", ch->type, g_strerror((int)-n));
            return;
        }
        ch->out_off += (size_t)n;
    }
    if (ch->out_off && ch->out_off == ch->out->len) {
        g_byte_array_set_size(ch->out, 0);
        ch->out_off = 0;
    }
}

/* ---- reading ------------------------------------------------------------- */

static ssize_t channel_recv(struct sc_channel *ch)
{
    int fds[SC_FD_MAX];
    unsigned nfds = 0;
    guint old = ch->in->len;
    ssize_t n;

    g_byte_array_set_size(ch->in, old + READ_CHUNK);
    if (ch->tls)
        n = sc_channel_tls_recv(ch, ch->in->data + old, READ_CHUNK);
    else
        n = sc_fd_recvmsg(ch->fd, ch->in->data + old, READ_CHUNK, fds, &nfds, SC_FD_MAX);
    g_byte_array_set_size(ch->in, old + (n > 0 ? (guint)n : 0));
    if (ch->client->live && n > 0)
        sc_live_bytes(ch->client->live, (uint64_t)n);
    for (unsigned i = 0; i < nfds; i++) {
        if (ch->n_fds < SC_CLIENT_MAX_FDS)
            ch->fds[ch->n_fds++] = fds[i];
        else
            close(fds[i]);
    }
    return n;
}

static gboolean on_readable(gint fd G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED, gpointer p)
{
    struct sc_channel *ch = p;
    struct sc_client *c = ch->client;
    ssize_t n = channel_recv(ch);

    if (n == -EAGAIN || n == -EWOULDBLOCK)
        return G_SOURCE_CONTINUE;
    if (n < 0) {
        ch->in_watch = 0;
        sc_channel_fail(ch, "channel %u: receive failed: %s", ch->type, g_strerror((int)-n));
        return G_SOURCE_REMOVE;
    }
    if (n == 0) {
        ch->in_watch = 0;
        if (ch->type == SPICE_CHANNEL_MAIN && ch->state == CH_READY)
            c->close(c, NULL);
        else
            sc_channel_fail(ch, "channel %u: the server closed the connection%s", ch->type,
                            ch->state == CH_READY ? "" : " during the link");
        return G_SOURCE_REMOVE;
    }
    sc_channel_process(ch);
    return c->closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean on_tls_readable(gpointer p)
{
    struct sc_channel *ch = p;
    gboolean r;

    do
        r = on_readable(-1, G_IO_IN, p);
    while (r == G_SOURCE_CONTINUE && ch->tls_more && ch->in_watch);
    return r;
}

/* ---- link stage ------------------------------------------------------------ */

void sc_channel_send_link(struct sc_channel *ch)
{
    struct sc_writer w;
    struct sc_link_mess m = { 0 };

    m.connection_id = ch->type == SPICE_CHANNEL_MAIN ? 0 : ch->client->session_id;
    m.channel_type = ch->type;
    m.channel_id = ch->id;
    m.caps = ch->caps;
    sc_writer_init(&w);
    sc_link_mess_write(&w, &m);
    channel_queue(ch, w.data, w.size);
    sc_writer_finish(&w);
}

static bool link_reply(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_link_reply r;
    uint8_t blob[SC_TICKET_BLOB_BYTES], word[4];

    if (sc_link_reply_parse(body, len, &r) != SPICE_LINK_ERR_OK) {
        sc_channel_fail(ch, "channel %u: malformed link reply", ch->type);
        return false;
    }
    if (r.error == SPICE_LINK_ERR_NEED_SECURED && c->tls_addr && !ch->use_tls) {
        sc_info("client: channel %u: the server wants it over TLS", ch->type);
        sc_channel_shutdown(ch);
        ch->reconnect = g_idle_add(channel_reconnect_tls, ch);
        return false;
    }
    if (r.error != SPICE_LINK_ERR_OK) {
        sc_channel_fail(ch, "channel %u: the server refused the link (error %u%s)", ch->type,
                        r.error, r.error == SPICE_LINK_ERR_NEED_SECURED ? ": it needs TLS" : "");
        return false;
    }
    ch->scaps = r.caps;
    ch->mini = sc_caps_has_common(&r.caps, SPICE_COMMON_CAP_MINI_HEADER);
    if (!sc_ticket_encrypt(r.pub_key, sizeof(r.pub_key), c->password, blob)) {
        sc_channel_fail(ch, "channel %u: cannot encrypt the ticket (bad server key or password "
                        "too long)", ch->type);
        return false;
    }
    sc_put_u32(word, SPICE_COMMON_CAP_AUTH_SPICE);
    channel_queue(ch, word, sizeof(word));
    channel_queue(ch, blob, sizeof(blob));
    return true;
}

static size_t link_step(struct sc_channel *ch, const uint8_t *p, size_t avail)
{
    struct sc_link_header lh;

    switch (ch->state) {
    case CH_LINK_HEADER:
        if (avail < SC_LINK_HEADER_SIZE)
            return 0;
        if (sc_link_header_parse(p, SC_LINK_HEADER_SIZE, &lh) != SPICE_LINK_ERR_OK) {
            sc_channel_fail(ch, "channel %u: bad link header (not a SPICE server?)", ch->type);
            return 0;
        }
        ch->need = lh.size;
        ch->state = CH_LINK_REPLY;
        return SC_LINK_HEADER_SIZE;
    case CH_LINK_REPLY:
        if (avail < ch->need || !link_reply(ch, p, ch->need))
            return 0;
        ch->state = CH_LINK_RESULT;
        return ch->need;
    default: /* CH_LINK_RESULT */
        if (avail < 4)
            return 0;
        if (sc_get_u32(p) != SPICE_LINK_ERR_OK) {
            sc_channel_fail(ch, "channel %u: link refused (error %u%s)", ch->type, sc_get_u32(p),
                            sc_get_u32(p) == SPICE_LINK_ERR_PERMISSION_DENIED
                                ? ": wrong password?" : "");
            return 0;
        }
        ch->state = CH_READY;
        if (ch->klass->ready)
            ch->klass->ready(ch);
        return 4;
    }
}

/* ---- messages every channel takes ------------------------------------------ */

static bool handle_set_ack(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_set_ack a;
    struct sc_writer w;
    size_t st;

    if (!sc_set_ack_parse(body, len, &a))
        return false;
    ch->ack_window = a.window;
    ch->ack_count = 0;
    st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_ACK_SYNC);
    sc_ack_sync_write(&w, a.generation);
    sc_channel_msg_end(ch, &w, st);
    return true;
}

static bool handle_ping(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_ping p;
    struct sc_writer w;
    size_t st;

    if (!sc_ping_parse(body, len, &p))
        return false;
    st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_PONG);
    sc_pong_write(&w, p.id, p.timestamp);
    sc_channel_msg_end(ch, &w, st);
    return true;
}

static bool handle_notify(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_notify n;

    (void)ch;
    if (!sc_notify_parse(body, len, &n))
        return false;
    sc_info("server notice: %.*s", (int)n.message_len, n.message);
    return true;
}

static bool handle_ignore(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    (void)ch, (void)body, (void)len;
    return true;
}

static const struct sc_client_handler base_handlers[] = {
    { SPICE_MSG_SET_ACK, handle_set_ack },
    { SPICE_MSG_PING, handle_ping },
    { SPICE_MSG_NOTIFY, handle_notify },
    { SPICE_MSG_MIGRATE, handle_ignore },
    { SPICE_MSG_MIGRATE_DATA, handle_ignore },
    { SPICE_MSG_WAIT_FOR_CHANNELS, handle_ignore },
    { SPICE_MSG_DISCONNECTING, handle_ignore },
    { SPICE_MSG_LIST, handle_ignore },
    { 0, NULL },
};

static sc_client_msg_fn find_handler(const struct sc_client_handler *t, uint16_t type)
{
    for (; t && t->handle; t++)
        if (t->type == type)
            return t->handle;
    return NULL;
}

/* false: malformed; a message nobody handles is ignored */
static bool channel_dispatch(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    sc_client_msg_fn fn = find_handler(base_handlers, type);

    if (!fn)
        fn = find_handler(ch->klass->handlers, type);
    return fn ? fn(ch, body, len) : true;
}

/* ---- framing ---------------------------------------------------------------- */

void sc_channel_expect_fd(struct sc_channel *ch)
{
    ch->want_fds = 1;
}

void sc_channel_expect_fds(struct sc_channel *ch, unsigned n)
{
    ch->want_fds = MIN(MAX(n, 1u), (unsigned)SC_GL_MAX_PLANES);
}

/* The '@' byte: the fds queued first are its (PROTOCOL.md 5.12, FIFO). */
static size_t fd_step(struct sc_channel *ch, size_t avail)
{
    int fds[SC_GL_MAX_PLANES];
    unsigned n = MIN(ch->want_fds, ch->n_fds);

    if (avail < 1)
        return 0;
    memcpy(fds, ch->fds, n * sizeof(int));
    ch->n_fds -= n;
    memmove(ch->fds, ch->fds + n, ch->n_fds * sizeof(int));
    ch->want_fds = 0;
    if (ch->klass->fd) {
        ch->klass->fd(ch, fds, n);
    } else {
        for (unsigned i = 0; i < n; i++)
            close(fds[i]);
    }
    return 1;
}

static size_t message_step(struct sc_channel *ch, const uint8_t *p, size_t avail)
{
    struct sc_data_header h;
    size_t hs = sc_data_header_size(ch->mini);

    if (ch->want_fds)
        return fd_step(ch, avail);
    if (avail < hs)
        return 0;
    if (!sc_data_header_parse(p, hs, ch->mini, &h) || h.size > SC_MAX_MESSAGE_SIZE) {
        sc_channel_fail(ch, "channel %u: bad message header", ch->type);
        return 0;
    }
    if (avail - hs < h.size)
        return 0;
    if (!channel_dispatch(ch, h.type, p + hs, h.size)) {
        sc_channel_fail(ch, "channel %u: malformed message %u (%u bytes)", ch->type, h.type,
                        h.size);
        return 0;
    }
    if (!ch->client->closed && ch->ack_window && h.type != SPICE_MSG_SET_ACK &&
        ++ch->ack_count >= ch->ack_window) {
        ch->ack_count = 0;
        sc_channel_send_empty(ch, SPICE_MSGC_ACK);
    }
    return hs + h.size;
}

/* One step on the bytes at p; the bytes consumed, 0 if more are needed
 * (or the client closed). */
static size_t channel_step(struct sc_channel *ch, const uint8_t *p, size_t avail)
{
    switch (ch->state) {
    case CH_LINK_HEADER:
    case CH_LINK_REPLY:
    case CH_LINK_RESULT:
        return link_step(ch, p, avail);
    case CH_READY:
        return message_step(ch, p, avail);
    default:
        return 0;
    }
}

void sc_channel_process(struct sc_channel *ch)
{
    size_t off = 0, n;

    while (!ch->client->closed &&
           (n = channel_step(ch, ch->in->data + off, ch->in->len - off)) > 0)
        off += n;
    if (!ch->client->closed && off)
        g_byte_array_remove_range(ch->in, 0, (guint)off);
}

/* ---- connecting -------------------------------------------------------------- */

/* Connected (and the TLS handshake done): the link goes out. */
static void channel_start_link(struct sc_channel *ch, const char *error)
{
    if (error) {
        sc_channel_fail(ch, "%s", error);
        return;
    }
    ch->state = CH_LINK_HEADER;
    if (ch->tls)
        ch->in_watch = sc_channel_tls_watch(ch, false, on_tls_readable);
    else
        ch->in_watch = g_unix_fd_add(ch->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, ch);
    channel_flush(ch);
}

/* The channel's socket is connected (conn taken) */
static void channel_connected(struct sc_channel *ch, GSocketConnection *conn)
{
    struct sc_client *c = ch->client;
    char why[128];

    if (c->closed) {
        g_object_unref(conn);
        return;
    }
    ch->conn = conn;
    ch->fd = g_socket_get_fd(g_socket_connection_get_socket(conn));
    if (c->peer_uid_check && c->is_unix && !sc_client_peer_uid_check(ch->fd, why, sizeof(why))) {
        sc_channel_fail(ch, "refusing the server at %s: %s", c->uri, why);
        return;
    }
    if (ch->use_tls)
        sc_channel_tls_start(ch, channel_start_link);
    else
        channel_start_link(ch, NULL);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer p)
{
    struct sc_channel *ch = p;
    GError *err = NULL;
    GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res, &err);

    g_object_unref(src);
    if (conn) {
        channel_connected(ch, conn);
        return;
    }
    if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        sc_channel_fail(ch, "cannot connect to %s%s: %s", ch->client->uri,
                        ch->use_tls ? " (its TLS port)" : "", err->message);
    g_clear_error(&err);
}

/* options.open_fd: the caller's connected socket for this channel */
static void channel_connect_fd(struct sc_channel *ch)
{
    struct sc_client *c = ch->client;
    GError *err = NULL;
    int fd = c->open_fd(c->open_fd_data, ch->type, &err);
    GSocket *sock = fd >= 0 ? g_socket_new_from_fd(fd, &err) : NULL;

    if (!sock) {
        sc_channel_fail(ch, "channel %u: no socket from the caller%s%s", ch->type,
                        err ? ": " : "", err ? err->message : "");
        g_clear_error(&err);
        if (fd >= 0)
            close(fd);
        return;
    }
    c->is_unix = g_socket_get_family(sock) == G_SOCKET_FAMILY_UNIX;
    channel_connected(ch, g_socket_connection_factory_create_connection(sock));
    g_object_unref(sock);
}

static void channel_connect(struct sc_channel *ch)
{
    struct sc_client *c = ch->client;

    ch->state = CH_CONNECTING;
    sc_channel_send_link(ch);
    if (c->open_fd) {
        channel_connect_fd(ch);
        return;
    }
    g_socket_client_connect_async(g_socket_client_new(), ch->use_tls ? c->tls_addr : c->addr,
                                  c->cancel, on_connected, ch);
}

struct sc_channel *sc_channel_new(struct sc_client *c, const struct sc_channel_class *klass,
                                  uint8_t id)
{
    struct sc_channel *ch = g_new0(struct sc_channel, 1);
    struct sc_caps *caps = &ch->caps;

    ch->client = c;
    ch->klass = klass;
    ch->type = klass->type;
    ch->id = id;
    ch->fd = -1;
    ch->state = CH_CONNECTING;
    ch->in = g_byte_array_new();
    ch->out = g_byte_array_new();
    if (klass->init && !klass->init(ch)) {
        sc_channel_fail(ch, "channel %u: no memory for its state", ch->type);
        sc_channel_free(ch);
        return NULL;
    }
    sc_caps_set(caps->common, &caps->n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(caps->common, &caps->n_common, SPICE_COMMON_CAP_AUTH_SPICE);
    sc_caps_set(caps->common, &caps->n_common, SPICE_COMMON_CAP_MINI_HEADER);
    if (klass->caps)
        klass->caps(ch, caps);
    /* TLS: when there is no plain port, or the caller wants it (.vv
     * secure-channels); the server may ask for it too (NEED_SECURED) */
    ch->use_tls = c->tls_addr && (!c->addr || (c->tls_channels & (1u << ch->type)));
    channel_connect(ch);
    return ch;
}

/* The server answered LINK_ERR_NEED_SECURED on the plain port: the same
 * channel links again on the TLS port (spice-gtk does the same). */
static gboolean channel_reconnect_tls(gpointer p)
{
    struct sc_channel *ch = p;

    ch->reconnect = 0;
    if (ch->client->closed)
        return G_SOURCE_REMOVE;
    g_byte_array_set_size(ch->in, 0);
    g_byte_array_set_size(ch->out, 0);
    ch->out_off = 0;
    ch->out_serial = 0;
    ch->use_tls = true;
    channel_connect(ch);
    return G_SOURCE_REMOVE;
}
