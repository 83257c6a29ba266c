/* The stream transport (net-transport.h): an sc_conn over a GIOStream,
 * read and written without blocking through its pollable streams.  TLS is
 * a GTlsServerConnection (GIO TLS, glib-networking) over the accepted
 * socket; its handshake runs asynchronously before any byte moves.
 * WebSocket (ws:, wss:) is a stream libsoup handed over after its HTTP
 * upgrade, with RFC 6455 framing (net-ws.c) between it and the conn: at
 * most one frame of ours waits in `pend` beyond the conn's queue, so the
 * conn's water marks still bound what a slow browser costs. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "server/net-transport.h"
#include "server/net-ws.h"
#include "server/net.h"

#define MAX_VEC 64
#define WS_READ 65536

struct stream_transport {
    struct sc_transport base;
    char *peer;
    int fd;                  /* the socket beneath, for shutdown() */
    GIOStream *io;           /* what the bytes go through */
    GPollableInputStream *in;
    GPollableOutputStream *out;
    GSource *in_src, *out_src;
    GCancellable *cancel;    /* the handshake; data "transport" points back */
    bool ready;              /* the handshake is done */
    bool want_out;
    bool shut;
    /* WebSocket */
    bool ws;
    bool ws_closed;          /* a CLOSE came: the end of the stream */
    GByteArray *raw;         /* frames read, not yet decoded */
    GByteArray *dec;         /* payload decoded, not yet taken */
    GByteArray *pend;        /* framed bytes to write */
    size_t pend_off;
};

static bool ws_flush(struct stream_transport *st);

static gboolean on_readable(GObject *stream, gpointer data)
{
    struct stream_transport *st = data;

    (void)stream;
    /* a read that filled the buffer may have left bytes in the TLS layer,
     * which the socket's readiness does not show: look again soon */
    g_source_set_ready_time(st->in_src, -1);
    sc_conn_transport_ready(st->base.conn, G_IO_IN);
    return G_SOURCE_CONTINUE;
}

static void arm(struct stream_transport *st);

static gboolean on_writable(GObject *stream, gpointer data)
{
    struct stream_transport *st = data;

    (void)stream;
    if (st->ws && !ws_flush(st)) {
        sc_conn_close(st->base.conn);
        return G_SOURCE_CONTINUE;
    }
    if (st->ws && st->pend->len > st->pend_off)
        return G_SOURCE_CONTINUE;
    sc_conn_transport_ready(st->base.conn, G_IO_OUT);
    arm(st);
    return G_SOURCE_CONTINUE;
}

static void drop_source(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

static void arm(struct stream_transport *st)
{
    if (!st->ready || st->shut)
        return;
    if (!st->in_src) {
        st->in_src = g_pollable_input_stream_create_source(st->in, NULL);
        g_source_set_callback(st->in_src, G_SOURCE_FUNC(on_readable), st, NULL);
        g_source_attach(st->in_src, NULL);
    }
    if ((st->want_out || (st->ws && st->pend->len > st->pend_off)) && !st->out_src) {
        st->out_src = g_pollable_output_stream_create_source(st->out, NULL);
        g_source_set_callback(st->out_src, G_SOURCE_FUNC(on_writable), st, NULL);
        g_source_attach(st->out_src, NULL);
    } else if (!st->want_out && !(st->ws && st->pend->len > st->pend_off)) {
        drop_source(&st->out_src);
    }
}

static ssize_t error_code(struct stream_transport *st, GError *err)
{
    ssize_t r = -ECONNRESET;

    if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        r = -EAGAIN;
    else
        sc_debug("%s: %s", st->peer, err->message);
    g_error_free(err);
    return r;
}

/* Reads until len bytes or nothing more is there. */
static ssize_t raw_recv(struct stream_transport *st, void *buf, size_t len)
{
    size_t got = 0;

    if (!st->ready)
        return -EAGAIN;
    while (got < len) {
        GError *err = NULL;
        gssize r = g_pollable_input_stream_read_nonblocking(st->in, (char *)buf + got,
                                                            len - got, NULL, &err);
        if (r == 0)
            return got ? (ssize_t)got : 0;
        if (r < 0) {
            ssize_t e = error_code(st, err);
            return got ? (ssize_t)got : e;
        }
        got += (size_t)r;
    }
    if (st->in_src)
        g_source_set_ready_time(st->in_src, 0); /* full: there may be more */
    return (ssize_t)got;
}

/* ---- WebSocket ----------------------------------------------------------- */

/* Writes what waits in pend; false on a write error. */
static bool ws_flush(struct stream_transport *st)
{
    while (st->pend->len > st->pend_off) {
        GError *err = NULL;
        gssize r = g_pollable_output_stream_write_nonblocking(
            st->out, st->pend->data + st->pend_off, st->pend->len - st->pend_off, NULL, &err);

        if (r < 0)
            return error_code(st, err) == -EAGAIN;
        st->pend_off += (size_t)r;
    }
    g_byte_array_set_size(st->pend, 0);
    st->pend_off = 0;
    return true;
}

static void ws_queue(struct stream_transport *st, uint8_t opcode, const uint8_t *p, size_t len)
{
    uint8_t h[SC_WS_HEADER_MAX];

    g_byte_array_append(st->pend, h, (guint)sc_ws_header(h, opcode, len));
    g_byte_array_append(st->pend, p, (guint)len);
}

/* Decodes the whole frames in raw; false on a protocol error. */
static bool ws_decode(struct stream_transport *st)
{
    struct sc_ws_frame f;
    const char *why = NULL;
    int r;

    while (!st->ws_closed && (r = sc_ws_parse(st->raw->data, st->raw->len, &f, &why)) == 1) {
        uint8_t *p = st->raw->data + f.header_size;

        sc_ws_unmask(p, f.payload_size, f.mask);
        switch (f.opcode) {
        case SC_WS_BINARY:
        case SC_WS_CONTINUATION:
            g_byte_array_append(st->dec, p, (guint)f.payload_size);
            break;
        case SC_WS_PING:
            ws_queue(st, SC_WS_PONG, p, f.payload_size);
            break;
        case SC_WS_CLOSE:
            ws_queue(st, SC_WS_CLOSE, p, MIN(f.payload_size, 2));
            st->ws_closed = true;
            break;
        case SC_WS_PONG:
            break;
        default:
            why = "a text frame (SPICE goes in binary frames)";
            r = -1;
            goto out;
        }
        g_byte_array_remove_range(st->raw, 0, (guint)(f.header_size + f.payload_size));
    }
out:
    if (r < 0)
        sc_info("%s: WebSocket: %s; closed", st->peer, why);
    return r >= 0;
}

static ssize_t ws_recv(struct stream_transport *st, void *buf, size_t len)
{
    while (st->dec->len == 0 && !st->ws_closed) {
        guint old = st->raw->len;
        ssize_t r;

        g_byte_array_set_size(st->raw, old + WS_READ);
        r = raw_recv(st, st->raw->data + old, WS_READ);
        g_byte_array_set_size(st->raw, old + (r > 0 ? (guint)r : 0));
        if (r <= 0)
            return r;
        if (!ws_decode(st))
            return -EPROTO;
        if (st->pend->len > st->pend_off) {
            if (!ws_flush(st))
                return -ECONNRESET;
            arm(st);
        }
    }
    if (st->dec->len == 0)
        return 0; /* CLOSE */
    len = MIN(len, st->dec->len);
    memcpy(buf, st->dec->data, len);
    g_byte_array_remove_range(st->dec, 0, (guint)len);
    if (st->dec->len && st->in_src)
        g_source_set_ready_time(st->in_src, 0);
    return (ssize_t)len;
}

/* Takes up to one frame's worth of iov as a binary frame. */
static ssize_t ws_sendv(struct stream_transport *st, const struct iovec *iov, int n)
{
    size_t total = 0;
    uint8_t h[SC_WS_HEADER_MAX];

    if (!ws_flush(st))
        return -ECONNRESET;
    if (st->pend->len > st->pend_off)
        return -EAGAIN;
    for (int i = 0; i < n && total < SC_WS_OUT_FRAME; i++)
        total += MIN(iov[i].iov_len, SC_WS_OUT_FRAME - total);
    g_byte_array_append(st->pend, h, (guint)sc_ws_header(h, SC_WS_BINARY, total));
    for (size_t i = 0, left = total; left > 0; i++) {
        size_t k = MIN(iov[i].iov_len, left);

        g_byte_array_append(st->pend, iov[i].iov_base, (guint)k);
        left -= k;
    }
    if (!ws_flush(st))
        return -ECONNRESET;
    arm(st);
    return (ssize_t)total;
}

static ssize_t stream_recv(struct sc_transport *t, void *buf, size_t len)
{
    struct stream_transport *st = (struct stream_transport *)t;

    return st->ws ? ws_recv(st, buf, len) : raw_recv(st, buf, len);
}

static ssize_t stream_sendv(struct sc_transport *t, const struct iovec *iov, int n,
                            const int *fds G_GNUC_UNUSED, unsigned nfds)
{
    struct stream_transport *st = (struct stream_transport *)t;
    GOutputVector v[MAX_VEC];
    GError *err = NULL;
    gsize written = 0;
    GPollableReturn r;

    if (nfds)
        return -EINVAL;
    if (!st->ready)
        return -EAGAIN;
    if (st->ws)
        return ws_sendv(st, iov, n);
    if (n > MAX_VEC)
        n = MAX_VEC;
    for (int i = 0; i < n; i++) {
        v[i].buffer = iov[i].iov_base;
        v[i].size = iov[i].iov_len;
    }
    r = g_pollable_output_stream_writev_nonblocking(st->out, v, (gsize)n, &written, NULL, &err);
    if (r == G_POLLABLE_RETURN_WOULD_BLOCK)
        return -EAGAIN;
    if (r != G_POLLABLE_RETURN_OK)
        return error_code(st, err);
    return (ssize_t)written;
}

static void stream_watch(struct sc_transport *t, bool want_out)
{
    struct stream_transport *st = (struct stream_transport *)t;

    st->want_out = want_out;
    arm(st);
}

static void stream_shutdown(struct sc_transport *t)
{
    struct stream_transport *st = (struct stream_transport *)t;

    st->shut = true;
    drop_source(&st->in_src);
    drop_source(&st->out_src);
    if (st->cancel) {
        g_object_set_data(G_OBJECT(st->cancel), "transport", NULL);
        g_cancellable_cancel(st->cancel);
        g_clear_object(&st->cancel);
    }
    /* no close_notify: writes fail at once from here, nothing blocks */
    shutdown(st->fd, SHUT_RDWR);
}

static void stream_free(struct sc_transport *t)
{
    struct stream_transport *st = (struct stream_transport *)t;

    stream_shutdown(t);
    /* the GSocket beneath closes the fd when the last reference goes */
    g_clear_object(&st->io);
    if (st->ws) {
        g_byte_array_unref(st->raw);
        g_byte_array_unref(st->dec);
        g_byte_array_unref(st->pend);
    }
    g_free(st->peer);
    g_free(st);
}

static const struct sc_transport_ops tls_ops = {
    .name = "tls", .secure = true, .recv = stream_recv, .sendv = stream_sendv,
    .watch = stream_watch, .shutdown = stream_shutdown, .free = stream_free,
};

static const struct sc_transport_ops ws_ops = {
    .name = "ws", .recv = stream_recv, .sendv = stream_sendv,
    .watch = stream_watch, .shutdown = stream_shutdown, .free = stream_free,
};

static const struct sc_transport_ops wss_ops = {
    .name = "wss", .secure = true, .recv = stream_recv, .sendv = stream_sendv,
    .watch = stream_watch, .shutdown = stream_shutdown, .free = stream_free,
};

/* The socket beneath a stream: through a TLS connection's base stream,
 * or libsoup's SoupIOStream's. */
static int stream_fd(GIOStream *io)
{
    static const char *const props[] = { "base-io-stream", "base-iostream" };

    if (G_IS_SOCKET_CONNECTION(io))
        return g_socket_get_fd(g_socket_connection_get_socket(G_SOCKET_CONNECTION(io)));
    for (unsigned i = 0; i < G_N_ELEMENTS(props); i++) {
        GObjectClass *klass = G_OBJECT_GET_CLASS(io);
        GParamSpec *ps = g_object_class_find_property(klass, props[i]);
        GIOStream *base = NULL;
        int fd;

        if (!ps || !g_type_is_a(ps->value_type, G_TYPE_IO_STREAM))
            continue;
        g_object_get(io, props[i], &base, NULL);
        fd = base ? stream_fd(base) : -1;
        g_clear_object(&base);
        return fd;
    }
    return -1;
}

struct sc_conn *sc_conn_new_ws(GIOStream *io, const char *peer, bool secure)
{
    struct stream_transport *st = g_new0(struct stream_transport, 1);
    struct sc_conn *conn;

    st->base.ops = secure ? &wss_ops : &ws_ops;
    st->peer = g_strdup(peer ? peer : "?");
    st->io = g_object_ref(io);
    st->fd = stream_fd(io);
    st->ws = true;
    st->raw = g_byte_array_new();
    st->dec = g_byte_array_new();
    st->pend = g_byte_array_new();
    conn = sc_conn_new_with_transport(&st->base, false, peer);
    if (!G_IS_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(io)) ||
        !G_IS_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(io))) {
        sc_warn("%s: WebSocket: the stream cannot be polled; closed", st->peer);
        sc_conn_close(conn);
        return conn;
    }
    st->in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(io));
    st->out = G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(io));
    st->ready = true;
    arm(st);
    return conn;
}

static void handshake_done(GObject *src, GAsyncResult *res, gpointer data)
{
    GCancellable *cancel = data;
    struct stream_transport *st = g_object_get_data(G_OBJECT(cancel), "transport");
    GError *err = NULL;
    bool ok = g_tls_connection_handshake_finish(G_TLS_CONNECTION(src), res, &err);

    g_object_unref(cancel);
    if (!st) {
        g_clear_error(&err); /* closed meanwhile: st is gone */
        return;
    }
    g_clear_object(&st->cancel);
    if (!ok) {
        sc_info("%s: TLS handshake failed: %s; closed", st->peer, err->message);
        g_error_free(err);
        sc_conn_close(st->base.conn);
        return;
    }
    sc_debug("%s: TLS handshake done", st->peer);
    st->ready = true;
    arm(st);
    sc_conn_transport_ready(st->base.conn, G_IO_IN | G_IO_OUT);
}

struct sc_conn *sc_conn_new_tls(int fd, const char *peer, GTlsCertificate *cert)
{
    struct stream_transport *st = g_new0(struct stream_transport, 1);
    GError *err = NULL;
    GSocket *sock = g_socket_new_from_fd(fd, &err);
    GSocketConnection *base = NULL;
    struct sc_conn *conn;

    st->base.ops = &tls_ops;
    st->peer = g_strdup(peer ? peer : "?");
    st->fd = fd;
    if (sock) {
        base = g_socket_connection_factory_create_connection(sock);
        g_object_unref(sock);
        st->io = g_tls_server_connection_new(G_IO_STREAM(base), cert, &err);
        g_object_unref(base);
    }
    conn = sc_conn_new_with_transport(&st->base, false, peer);
    if (!st->io) {
        sc_warn("%s: no TLS: %s", st->peer, err ? err->message : "?");
        g_clear_error(&err);
        if (!sock)
            close(fd); /* else the GSocket closed it with base */
        st->fd = -1;
        sc_conn_close(conn);
        return conn;
    }
    st->in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(st->io));
    st->out = G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(st->io));
    st->cancel = g_cancellable_new();
    g_object_set_data(G_OBJECT(st->cancel), "transport", st);
    g_tls_connection_handshake_async(G_TLS_CONNECTION(st->io), G_PRIORITY_DEFAULT, st->cancel,
                                     handshake_done, g_object_ref(st->cancel));
    return conn;
}
