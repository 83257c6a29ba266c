/* The stream transport (net-transport.h): an sc_conn over a GIOStream,
 * read and written without blocking through its pollable streams.  TLS is
 * a GTlsServerConnection (GIO TLS, glib-networking) over the accepted
 * socket; its handshake runs asynchronously before any byte moves. */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "log.h"
#include "net-transport.h"
#include "net.h"

#define MAX_VEC 64

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
};

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

static gboolean on_writable(GObject *stream, gpointer data)
{
    struct stream_transport *st = data;

    (void)stream;
    sc_conn_transport_ready(st->base.conn, G_IO_OUT);
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
    if (st->want_out && !st->out_src) {
        st->out_src = g_pollable_output_stream_create_source(st->out, NULL);
        g_source_set_callback(st->out_src, G_SOURCE_FUNC(on_writable), st, NULL);
        g_source_attach(st->out_src, NULL);
    } else if (!st->want_out) {
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
static ssize_t stream_recv(struct sc_transport *t, void *buf, size_t len)
{
    struct stream_transport *st = (struct stream_transport *)t;
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
    g_source_set_ready_time(st->in_src, 0); /* full: there may be more */
    return (ssize_t)got;
}

static ssize_t stream_sendv(struct sc_transport *t, const struct iovec *iov, int n, int fd)
{
    struct stream_transport *st = (struct stream_transport *)t;
    GOutputVector v[MAX_VEC];
    GError *err = NULL;
    gsize written = 0;
    GPollableReturn r;

    if (fd >= 0)
        return -EINVAL;
    if (!st->ready)
        return -EAGAIN;
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
    g_free(st->peer);
    g_free(st);
}

static const struct sc_transport_ops tls_ops = {
    .name = "tls", .secure = true, .recv = stream_recv, .sendv = stream_sendv,
    .watch = stream_watch, .shutdown = stream_shutdown, .free = stream_free,
};

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
