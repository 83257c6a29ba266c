/* The viewer's SPICE client engine: connection, link stage, framing, ACK
 * flow control, and the main, inputs and cursor channels.  The display
 * channel is in client-display.c.  PROTOCOL.md 8.2 is the recipe. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>

#include "client/client-priv.h"
#include "client/spice-uri.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/ticket.h"

#define READ_CHUNK (256 * 1024)
#define MOTION_MAX_UNACKED 8 /* spice-gtk's 2 x SPICE_INPUT_MOTION_ACK_BUNCH */
#define MOTION_ACK_BUNCH 4

static void channel_process(struct sc_channel *ch);
static void channel_flush(struct sc_channel *ch);
static gboolean channel_reconnect_tls(gpointer p);

/* ---- closing ---------------------------------------------------------- */

static void channel_shutdown(struct sc_channel *ch)
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

static void channel_free(struct sc_channel *ch)
{
    if (!ch)
        return;
    channel_shutdown(ch);
    if (ch->type == SPICE_CHANNEL_DISPLAY)
        sc_display_finish(ch);
    g_byte_array_unref(ch->in);
    g_byte_array_unref(ch->out);
    g_free(ch);
}

static void client_close(struct sc_client *c, GError *error)
{
    if (c->closed) {
        g_clear_error(&error);
        return;
    }
    c->closed = true;
    g_cancellable_cancel(c->cancel);
    channel_shutdown(c->main);
    channel_shutdown(c->display);
    channel_shutdown(c->inputs);
    channel_shutdown(c->cursor);
    if (error)
        sc_warn("client: %s", error->message);
    if (c->cb.closed)
        c->cb.closed(c->data, error);
    g_clear_error(&error);
}

void sc_client_fail(struct sc_client *c, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    client_close(c, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, msg));
    g_free(msg);
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
        sc_client_fail(ch->client, "out of memory writing a message");
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
            sc_client_fail(ch->client, "channel %u: send failed: %s", ch->type,
                           g_strerror((int)-n));
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

static gboolean on_readable(gint fd G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED, gpointer p)
{
    struct sc_channel *ch = p;
    struct sc_client *c = ch->client;
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
    for (unsigned i = 0; i < nfds; i++) {
        if (ch->n_fds < SC_CLIENT_MAX_FDS)
            ch->fds[ch->n_fds++] = fds[i];
        else
            close(fds[i]);
    }
    if (n == -EAGAIN || n == -EWOULDBLOCK)
        return G_SOURCE_CONTINUE;
    if (n < 0) {
        ch->in_watch = 0;
        sc_client_fail(c, "channel %u: receive failed: %s", ch->type, g_strerror((int)-n));
        return G_SOURCE_REMOVE;
    }
    if (n == 0) {
        ch->in_watch = 0;
        if (ch->type == SPICE_CHANNEL_MAIN && ch->state == CH_READY)
            client_close(c, NULL);
        else
            sc_client_fail(c, "channel %u: the server closed the connection%s", ch->type,
                           ch->state == CH_READY ? "" : " during the link");
        return G_SOURCE_REMOVE;
    }
    channel_process(ch);
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

static void channel_send_link(struct sc_channel *ch)
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
        sc_client_fail(c, "channel %u: malformed link reply", ch->type);
        return false;
    }
    if (r.error == SPICE_LINK_ERR_NEED_SECURED && c->tls_addr && !ch->use_tls) {
        sc_info("client: channel %u: the server wants it over TLS", ch->type);
        channel_shutdown(ch);
        ch->reconnect = g_idle_add(channel_reconnect_tls, ch);
        return false;
    }
    if (r.error != SPICE_LINK_ERR_OK) {
        sc_client_fail(c, "channel %u: the server refused the link (error %u%s)", ch->type,
                       r.error, r.error == SPICE_LINK_ERR_NEED_SECURED ? ": it needs TLS" : "");
        return false;
    }
    ch->scaps = r.caps;
    ch->mini = sc_caps_has_common(&r.caps, SPICE_COMMON_CAP_MINI_HEADER);
    if (!sc_ticket_encrypt(r.pub_key, sizeof(r.pub_key), c->password, blob)) {
        sc_client_fail(c, "channel %u: cannot encrypt the ticket (bad server key or password "
                       "too long)", ch->type);
        return false;
    }
    sc_put_u32(word, SPICE_COMMON_CAP_AUTH_SPICE);
    channel_queue(ch, word, sizeof(word));
    channel_queue(ch, blob, sizeof(blob));
    return true;
}

static void channel_ready(struct sc_channel *ch)
{
    struct sc_client *c = ch->client;

    switch (ch->type) {
    case SPICE_CHANNEL_DISPLAY:
        sc_display_ready(ch);
        break;
    case SPICE_CHANNEL_INPUTS:
        if (c->mouse_mode == SPICE_MOUSE_MODE_CLIENT && (c->buttons || c->px || c->py))
            sc_client_pointer(c, c->px, c->py, c->buttons);
        break;
    default:
        break;
    }
}

/* ---- per-channel messages -------------------------------------------------- */

static void connect_channel(struct sc_client *c, uint8_t type, uint8_t id);

static bool handle_main(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;

    switch (type) {
    case SPICE_MSG_MAIN_INIT: {
        struct sc_main_init m;
        if (!sc_main_init_parse(body, len, &m))
            return false;
        c->session_id = m.session_id;
        c->mm_time = m.multi_media_time;
        c->mouse_mode = (uint16_t)m.current_mouse_mode;
        sc_channel_send_empty(ch, SPICE_MSGC_MAIN_ATTACH_CHANNELS);
        if ((m.supported_mouse_modes & SPICE_MOUSE_MODE_CLIENT) &&
            m.current_mouse_mode != SPICE_MOUSE_MODE_CLIENT) {
            struct sc_writer w;
            size_t st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST);
            sc_mouse_mode_request_write(&w, SPICE_MOUSE_MODE_CLIENT);
            sc_channel_msg_end(ch, &w, st);
        }
        return true;
    }
    case SPICE_MSG_MAIN_CHANNELS_LIST: {
        struct sc_channels_list l;
        if (!sc_channels_list_parse(body, len, &l))
            return false;
        for (uint32_t i = 0; i < l.num && !c->closed; i++) {
            uint8_t t = l.channels[i].type, id = l.channels[i].id;
            if (id == 0 && (t == SPICE_CHANNEL_DISPLAY || t == SPICE_CHANNEL_INPUTS ||
                            t == SPICE_CHANNEL_CURSOR))
                connect_channel(c, t, id);
        }
        return true;
    }
    case SPICE_MSG_MAIN_MOUSE_MODE: {
        struct sc_mouse_mode m;
        if (!sc_mouse_mode_parse(body, len, &m))
            return false;
        c->mouse_mode = m.current;
        return true;
    }
    case SPICE_MSG_MAIN_MULTI_MEDIA_TIME:
        return sc_multi_media_time_parse(body, len, &c->mm_time);
    default:
        return true; /* NAME, UUID, agent, migration: not needed */
    }
}

static bool handle_inputs(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    uint16_t mods;

    switch (type) {
    case SPICE_MSG_INPUTS_INIT:
        return sc_inputs_init_parse(body, len, &mods);
    case SPICE_MSG_INPUTS_KEY_MODIFIERS:
        return sc_key_modifiers_parse(body, len, &mods);
    case SPICE_MSG_INPUTS_MOUSE_MOTION_ACK:
        ch->motion_unacked = ch->motion_unacked > MOTION_ACK_BUNCH
                                 ? ch->motion_unacked - MOTION_ACK_BUNCH : 0;
        if (ch->motion_pending) {
            ch->motion_pending = false;
            sc_client_pointer(c, c->px, c->py, c->buttons);
        }
        return true;
    default:
        return true;
    }
}

static bool handle_cursor(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    const struct sc_cursor *cur = NULL;
    struct sc_cursor_init ini;
    struct sc_cursor_set set;

    if (type == SPICE_MSG_CURSOR_INIT) {
        if (!sc_cursor_init_parse(body, len, &ini))
            return false;
        cur = &ini.cursor;
    } else if (type == SPICE_MSG_CURSOR_SET) {
        if (!sc_cursor_set_parse(body, len, &set))
            return false;
        cur = &set.cursor;
    } else {
        return true;
    }
    if (cur->flags & SPICE_CURSOR_FLAGS_NONE || cur->type != SPICE_CURSOR_TYPE_ALPHA)
        return true;
    if ((uint64_t)cur->width * cur->height * 4 > cur->data_size || !cur->data)
        return false;
    if (c->cb.cursor)
        c->cb.cursor(c->data, cur->width, cur->height, cur->hot_spot_x, cur->hot_spot_y,
                     cur->data);
    return true;
}

static bool handle_base(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len,
                        bool *handled)
{
    struct sc_writer w;
    size_t st;

    *handled = true;
    switch (type) {
    case SPICE_MSG_SET_ACK: {
        struct sc_set_ack a;
        if (!sc_set_ack_parse(body, len, &a))
            return false;
        ch->ack_window = a.window;
        ch->ack_count = 0;
        st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_ACK_SYNC);
        sc_ack_sync_write(&w, a.generation);
        sc_channel_msg_end(ch, &w, st);
        return true;
    }
    case SPICE_MSG_PING: {
        struct sc_ping p;
        if (!sc_ping_parse(body, len, &p))
            return false;
        st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_PONG);
        sc_pong_write(&w, p.id, p.timestamp);
        sc_channel_msg_end(ch, &w, st);
        return true;
    }
    case SPICE_MSG_NOTIFY: {
        struct sc_notify n;
        if (!sc_notify_parse(body, len, &n))
            return false;
        sc_info("server notice: %.*s", (int)n.message_len, n.message);
        return true;
    }
    case SPICE_MSG_MIGRATE:
    case SPICE_MSG_MIGRATE_DATA:
    case SPICE_MSG_WAIT_FOR_CHANNELS:
    case SPICE_MSG_DISCONNECTING:
    case SPICE_MSG_LIST:
        return true;
    default:
        *handled = false;
        return true;
    }
}

static bool channel_dispatch(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len)
{
    bool handled;

    if (!handle_base(ch, type, body, len, &handled))
        return false;
    if (handled)
        return true;
    switch (ch->type) {
    case SPICE_CHANNEL_MAIN:
        return handle_main(ch, type, body, len);
    case SPICE_CHANNEL_DISPLAY:
        return sc_display_handle(ch, type, body, len);
    case SPICE_CHANNEL_INPUTS:
        return handle_inputs(ch, type, body, len);
    case SPICE_CHANNEL_CURSOR:
        return handle_cursor(ch, type, body, len);
    default:
        return true;
    }
}

/* One step on the bytes at `off`; returns the bytes consumed, 0 if more are
 * needed (or the client closed). */
static size_t channel_step(struct sc_channel *ch, const uint8_t *p, size_t avail)
{
    struct sc_client *c = ch->client;
    struct sc_link_header lh;
    struct sc_data_header h;
    size_t hs;

    switch (ch->state) {
    case CH_LINK_HEADER:
        if (avail < SC_LINK_HEADER_SIZE)
            return 0;
        if (sc_link_header_parse(p, SC_LINK_HEADER_SIZE, &lh) != SPICE_LINK_ERR_OK) {
            sc_client_fail(c, "channel %u: bad link header (not a SPICE server?)", ch->type);
            return 0;
        }
        ch->need = lh.size;
        ch->state = CH_LINK_REPLY;
        return SC_LINK_HEADER_SIZE;
    case CH_LINK_REPLY:
        if (avail < ch->need)
            return 0;
        if (!link_reply(ch, p, ch->need))
            return 0;
        ch->state = CH_LINK_RESULT;
        return ch->need;
    case CH_LINK_RESULT:
        if (avail < 4)
            return 0;
        if (sc_get_u32(p) != SPICE_LINK_ERR_OK) {
            sc_client_fail(c, "channel %u: link refused (error %u%s)", ch->type, sc_get_u32(p),
                           sc_get_u32(p) == SPICE_LINK_ERR_PERMISSION_DENIED
                               ? ": wrong password?" : "");
            return 0;
        }
        ch->state = CH_READY;
        channel_ready(ch);
        return 4;
    case CH_READY:
        if (ch->want_at) {
            int fd = -1;
            if (avail < 1)
                return 0;
            if (ch->n_fds) {
                fd = ch->fds[0];
                memmove(ch->fds, ch->fds + 1, --ch->n_fds * sizeof(int));
            }
            ch->want_at = false;
            sc_display_scanout_fd(ch, fd);
            return 1;
        }
        hs = sc_data_header_size(ch->mini);
        if (avail < hs)
            return 0;
        if (!sc_data_header_parse(p, hs, ch->mini, &h) || h.size > SC_MAX_MESSAGE_SIZE) {
            sc_client_fail(c, "channel %u: bad message header", ch->type);
            return 0;
        }
        if (avail - hs < h.size)
            return 0;
        if (!channel_dispatch(ch, h.type, p + hs, h.size)) {
            sc_client_fail(c, "channel %u: malformed message %u (%u bytes)", ch->type, h.type,
                           h.size);
            return 0;
        }
        if (!c->closed && ch->ack_window && h.type != SPICE_MSG_SET_ACK &&
            ++ch->ack_count >= ch->ack_window) {
            ch->ack_count = 0;
            sc_channel_send_empty(ch, SPICE_MSGC_ACK);
        }
        return hs + h.size;
    default:
        return 0;
    }
}

static void channel_process(struct sc_channel *ch)
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
static void channel_start_link(struct sc_channel *ch)
{
    ch->state = CH_LINK_HEADER;
    if (ch->tls)
        ch->in_watch = sc_channel_tls_watch(ch, false, on_tls_readable);
    else
        ch->in_watch = g_unix_fd_add(ch->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, ch);
    channel_flush(ch);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer p)
{
    struct sc_channel *ch = p;
    GError *err = NULL;
    char why[128];
    GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res, &err);

    g_object_unref(src);
    if (!conn) {
        if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            sc_client_fail(ch->client, "cannot connect to %s%s: %s", ch->client->uri,
                           ch->use_tls ? " (its TLS port)" : "", err->message);
        g_clear_error(&err);
        return;
    }
    if (ch->client->closed) {
        g_object_unref(conn);
        return;
    }
    ch->conn = conn;
    ch->fd = g_socket_get_fd(g_socket_connection_get_socket(conn));
    if (ch->client->peer_uid_check && ch->client->is_unix &&
        !sc_client_peer_uid_check(ch->fd, why, sizeof(why))) {
        sc_client_fail(ch->client, "refusing the server at %s: %s", ch->client->uri, why);
        return;
    }
    if (ch->use_tls)
        sc_channel_tls_start(ch, channel_start_link);
    else
        channel_start_link(ch);
}

static void channel_caps(struct sc_client *c, struct sc_channel *ch)
{
    sc_caps_set(ch->caps.common, &ch->caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(ch->caps.common, &ch->caps.n_common, SPICE_COMMON_CAP_AUTH_SPICE);
    sc_caps_set(ch->caps.common, &ch->caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    if (ch->type == SPICE_CHANNEL_DISPLAY)
        sc_display_caps(c, &ch->caps);
}

/* options.open_fd: the caller hands over the channel's socket, connected
 * (libvirt's virDomainOpenGraphicsFD); called from an idle source, so that
 * an error arrives through closed() as a failed connect's does. */
static gboolean channel_open_fd(gpointer p)
{
    struct sc_channel *ch = p;
    struct sc_client *c = ch->client;
    GSocket *sock = NULL;
    GError *err = NULL;
    int fd;

    ch->reconnect = 0;
    if (c->closed)
        return G_SOURCE_REMOVE;
    fd = c->open_fd(c->open_fd_data, &err);
    if (fd >= 0 && !(sock = g_socket_new_from_fd(fd, &err))) /* non-blocking from here */
        close(fd);
    if (!sock) {
        sc_client_fail(c, "cannot connect to %s: %s", c->uri, err ? err->message : "no socket");
        g_clear_error(&err);
        return G_SOURCE_REMOVE;
    }
    ch->conn = g_socket_connection_factory_create_connection(sock);
    g_object_unref(sock);
    ch->fd = fd;
    channel_start_link(ch);
    return G_SOURCE_REMOVE;
}

static void connect_channel(struct sc_client *c, uint8_t type, uint8_t id)
{
    struct sc_channel **slot, *ch;
    GSocketClient *sc;

    switch (type) {
    case SPICE_CHANNEL_MAIN: slot = &c->main; break;
    case SPICE_CHANNEL_DISPLAY: slot = &c->display; break;
    case SPICE_CHANNEL_INPUTS: slot = &c->inputs; break;
    case SPICE_CHANNEL_CURSOR: slot = &c->cursor; break;
    default: return;
    }
    if (*slot)
        return; /* a second CHANNELS_LIST: keep what we have */
    ch = g_new0(struct sc_channel, 1);
    ch->client = c;
    ch->type = type;
    ch->id = id;
    ch->fd = -1;
    ch->state = CH_CONNECTING;
    ch->in = g_byte_array_new();
    ch->out = g_byte_array_new();
    channel_caps(c, ch);
    *slot = ch;
    /* TLS: when there is no plain port, or the caller wants it (.vv
     * secure-channels); the server may ask for it too (NEED_SECURED) */
    ch->use_tls = c->tls_addr && (!c->addr || (c->tls_channels & (1u << type)));
    channel_send_link(ch);
    if (c->open_fd) { /* the pending source goes with the channel, as a TLS relink's */
        ch->reconnect = g_idle_add(channel_open_fd, ch);
        return;
    }
    sc = g_socket_client_new();
    g_socket_client_connect_async(sc, ch->use_tls ? c->tls_addr : c->addr, c->cancel,
                                  on_connected, ch);
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
    ch->state = CH_CONNECTING;
    channel_send_link(ch);
    g_socket_client_connect_async(g_socket_client_new(), ch->client->tls_addr, ch->client->cancel,
                                  on_connected, ch);
    return G_SOURCE_REMOVE;
}

/* ---- public API ------------------------------------------------------------- */

/* options -> addresses: host with port and/or tls_port, or unix_path, as
 * given (viewer: a URI or a .vv file); else the URI parsed as spice-gtk does
 * (client/spice-uri.h); else a socket path.  Sets c->addr (plain; NULL:
 * TLS only), c->tls_addr (NULL: no TLS) and c->is_unix. */
static bool target_address(struct sc_client *c, const struct sc_client_options *o,
                           struct sc_spice_uri *parsed, GError **error)
{
    const char *host = o->host, *path = o->unix_path;
    int port = o->port, tls_port = o->tls_port;

    if (o->open_fd)
        return true; /* the caller's sockets */
    if (!host && !path && strstr(o->uri, "://")) {
        if (!sc_spice_uri_parse(o->uri, parsed, error))
            return false;
        host = parsed->host, path = parsed->unix_path;
        port = parsed->port, tls_port = parsed->tls_port;
    } else if (!host && !path) {
        path = o->uri;
    }
    c->is_unix = path != NULL;
    if (path) {
        c->addr = G_SOCKET_CONNECTABLE(g_unix_socket_address_new(path));
        return true;
    }
    if (port <= 0 && tls_port <= 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no port for %s", host);
        return false;
    }
    if (port > 0)
        c->addr = g_network_address_new(host, (guint16)port);
    if (tls_port > 0)
        c->tls_addr = g_network_address_new(host, (guint16)tls_port);
    return true;
}

struct sc_client *sc_client_new(const struct sc_client_options *options,
                                const struct sc_client_callbacks *cb, void *data,
                                GError **error)
{
    struct sc_client *c;
    struct sc_spice_uri parsed = { 0 };
    const char *password;

    if (!options || !options->uri) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no URI");
        return NULL;
    }
    c = g_new0(struct sc_client, 1);
    c->cancel = g_cancellable_new();
    c->scanout_fd = -1;
    if (!target_address(c, options, &parsed, error) || !sc_client_tls_setup(c, options, error))
        goto err;
    password = options->password ? options->password : parsed.password;
    if (password && strlen(password) > SC_TICKET_MAX_PASSWORD) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "password longer than %d bytes", SC_TICKET_MAX_PASSWORD);
        goto err;
    }
    c->uri = g_strdup(options->uri);
    c->password = g_strdup(password);
    sc_spice_uri_clear(&parsed);
    c->gl_scanout = options->gl_scanout;
    c->video = options->video;
    c->peer_uid_check = options->peer_uid_check;
    c->open_fd = options->open_fd;
    c->open_fd_data = options->open_fd_data;
    if (cb)
        c->cb = *cb;
    c->data = data;
    return c;
err:
    sc_spice_uri_clear(&parsed);
    sc_client_free(c);
    return NULL;
}

void sc_client_connect(struct sc_client *c)
{
    if (c && !c->main && !c->closed)
        connect_channel(c, SPICE_CHANNEL_MAIN, 0);
}

void sc_client_free(struct sc_client *c)
{
    if (!c)
        return;
    c->closed = true; /* no closed() callback from here */
    g_cancellable_cancel(c->cancel);
    channel_free(c->main);
    channel_free(c->display);
    channel_free(c->inputs);
    channel_free(c->cursor);
    if (c->scanout_fd >= 0)
        close(c->scanout_fd);
    g_free(c->canvas);
    g_object_unref(c->cancel);
    g_clear_object(&c->addr);
    g_clear_object(&c->tls_addr);
    g_clear_object(&c->tls_db);
    g_free(c->host_subject);
    g_free(c->uri);
    if (c->password)
        memset(c->password, 0, strlen(c->password));
    g_free(c->password);
    g_free(c);
}

const uint8_t *sc_client_canvas(struct sc_client *c, uint32_t *width, uint32_t *height,
                                uint32_t *stride)
{
    if (!c || !c->canvas)
        return NULL;
    if (width)
        *width = c->width;
    if (height)
        *height = c->height;
    if (stride)
        *stride = c->stride;
    return c->canvas;
}

void sc_client_gl_draw_done(struct sc_client *c)
{
    if (!c || !c->gl_draw_pending)
        return;
    c->gl_draw_pending = false;
    if (c->display && c->display->state == CH_READY)
        sc_channel_send_empty(c->display, SPICE_MSGC_DISPLAY_GL_DRAW_DONE);
}

static bool inputs_ready(struct sc_client *c)
{
    return c && !c->closed && c->inputs && c->inputs->state == CH_READY;
}

void sc_client_key(struct sc_client *c, uint32_t scancode, bool down)
{
    struct sc_writer w;
    size_t st;

    if (!inputs_ready(c))
        return;
    st = sc_channel_msg_begin(c->inputs, &w,
                              down ? SPICE_MSGC_INPUTS_KEY_DOWN : SPICE_MSGC_INPUTS_KEY_UP);
    sc_key_code_write(&w, sc_key_code_make(scancode, !down));
    sc_channel_msg_end(c->inputs, &w, st);
}

static void send_motion(struct sc_client *c, bool force)
{
    struct sc_channel *ch = c->inputs;
    struct sc_writer w;
    size_t st;

    if (ch->motion_unacked >= MOTION_MAX_UNACKED && !force) {
        ch->motion_pending = true;
        return;
    }
    ch->motion_pending = false;
    if (c->mouse_mode == SPICE_MOUSE_MODE_CLIENT) {
        struct sc_mouse_position m = { (uint32_t)MAX(c->px, 0), (uint32_t)MAX(c->py, 0),
                                       c->buttons, 0 };
        st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_INPUTS_MOUSE_POSITION);
        sc_mouse_position_write(&w, &m);
    } else {
        struct sc_mouse_motion m = { c->px - c->last_px, c->py - c->last_py, c->buttons };
        if (!m.dx && !m.dy)
            return;
        st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_INPUTS_MOUSE_MOTION);
        sc_mouse_motion_write(&w, &m);
    }
    c->last_px = c->px;
    c->last_py = c->py;
    ch->motion_unacked++;
    sc_channel_msg_end(ch, &w, st);
}

void sc_client_pointer(struct sc_client *c, int32_t x, int32_t y, uint32_t buttons)
{
    uint32_t old, changed;

    if (!c)
        return;
    old = c->buttons;
    c->px = x;
    c->py = y;
    if (!inputs_ready(c)) {
        c->buttons = buttons;
        return;
    }
    changed = old ^ buttons;
    if (x != c->last_px || y != c->last_py || c->inputs->motion_pending)
        send_motion(c, changed != 0);
    for (unsigned i = 0; i < 7 && !c->closed; i++) {
        struct sc_mouse_button b;
        struct sc_writer w;
        size_t st;
        if (!(changed & (1u << i)))
            continue;
        c->buttons ^= 1u << i;
        b.button = (uint8_t)(i + 1);
        b.buttons_state = c->buttons;
        st = sc_channel_msg_begin(c->inputs, &w, (c->buttons & (1u << i))
                                                     ? SPICE_MSGC_INPUTS_MOUSE_PRESS
                                                     : SPICE_MSGC_INPUTS_MOUSE_RELEASE);
        sc_mouse_button_write(&w, &b);
        sc_channel_msg_end(c->inputs, &w, st);
    }
    c->buttons = buttons;
}

bool sc_client_server_mouse(const struct sc_client *c)
{
    return c && c->mouse_mode == SPICE_MOUSE_MODE_SERVER;
}
