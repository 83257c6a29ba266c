#include "config.h"
#include "server/net.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "common/log.h"
#include "server/net-transport.h"
#include "common/stats.h"

#define READ_CHUNK 65536
#define MAX_IOV 64

struct out_chunk {
    GBytes *bytes;
    size_t off;
    int fds[SC_CONN_MAX_FDS]; /* sent with the chunk's first byte */
    unsigned n_fds;
    /* sc_conn_note_written(): recorded when the chunk's last byte is out */
    struct sc_stats *stats;
    const char *stage;
    int64_t since_us;
};

struct sc_conn {
    struct sc_transport *t;
    bool is_unix;
    bool closed;
    char *peer;
    guint close_idle;
    GByteArray *in;
    GQueue out;
    size_t out_bytes;
    bool want_out;
    const struct sc_conn_callbacks *cb;
    void *cb_data;
    /* the last note whose bytes are all written (sc_conn_last_written) */
    int64_t written_since_us, written_us;
};

/* ---- the fd transport: recv/sendmsg on the socket ------------------------- */

struct fd_transport {
    struct sc_transport base;
    int fd;
    GSource *source;
    gpointer tag;
};

struct fd_source {
    GSource base;
    struct fd_transport *ft;
};

static gboolean fd_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    struct fd_transport *ft = ((struct fd_source *)source)->ft;

    (void)callback;
    (void)data;
    sc_conn_transport_ready(ft->base.conn, g_source_query_unix_fd(source, ft->tag));
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs fd_source_funcs = {
    .dispatch = fd_dispatch,
};

static ssize_t fd_recv(struct sc_transport *t, void *buf, size_t len)
{
    ssize_t r = recv(((struct fd_transport *)t)->fd, buf, len, 0);

    return r < 0 ? -errno : r;
}

static ssize_t fd_sendv(struct sc_transport *t, const struct iovec *iov, int n, const int *fds,
                        unsigned nfds)
{
    struct fd_transport *ft = (struct fd_transport *)t;
    struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
    ssize_t r;

    if (nfds)
        return sc_fd_sendmsg(ft->fd, iov, n, fds, nfds);
    r = sendmsg(ft->fd, &msg, MSG_NOSIGNAL);
    return r < 0 ? -errno : r;
}

static void fd_watch(struct sc_transport *t, bool want_out)
{
    struct fd_transport *ft = (struct fd_transport *)t;

    if (ft->source)
        g_source_modify_unix_fd(ft->source, ft->tag,
                                G_IO_IN | G_IO_HUP | G_IO_ERR | (want_out ? G_IO_OUT : 0));
}

static void fd_shutdown(struct sc_transport *t)
{
    struct fd_transport *ft = (struct fd_transport *)t;

    if (ft->source) {
        g_source_destroy(ft->source);
        g_source_unref(ft->source);
        ft->source = NULL;
    }
    shutdown(ft->fd, SHUT_RDWR);
}

static void fd_free(struct sc_transport *t)
{
    struct fd_transport *ft = (struct fd_transport *)t;

    fd_shutdown(t);
    close(ft->fd);
    g_free(ft);
}

static const struct sc_transport_ops fd_tcp_ops = {
    .name = "tcp", .recv = fd_recv, .sendv = fd_sendv, .watch = fd_watch,
    .shutdown = fd_shutdown, .free = fd_free,
};

static const struct sc_transport_ops fd_unix_ops = {
    .name = "unix", .can_pass_fds = true, .recv = fd_recv, .sendv = fd_sendv,
    .watch = fd_watch, .shutdown = fd_shutdown, .free = fd_free,
};

static struct sc_transport *fd_transport_new(int fd, bool is_unix)
{
    struct fd_transport *ft = g_new0(struct fd_transport, 1);
    int flags = fcntl(fd, F_GETFL);

    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    ft->base.ops = is_unix ? &fd_unix_ops : &fd_tcp_ops;
    ft->fd = fd;
    ft->source = g_source_new(&fd_source_funcs, sizeof(struct fd_source));
    ((struct fd_source *)ft->source)->ft = ft;
    ft->tag = g_source_add_unix_fd(ft->source, fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    return &ft->base;
}

/* ---- the connection --------------------------------------------------------- */

static void conn_update_events(struct sc_conn *conn)
{
    bool want_out = conn->out.length > 0;

    if (conn->closed || want_out == conn->want_out)
        return;
    conn->want_out = want_out;
    conn->t->ops->watch(conn->t, want_out);
}

static gboolean conn_close_idle(gpointer data)
{
    struct sc_conn *conn = data;

    conn->close_idle = 0;
    if (conn->cb && conn->cb->closed)
        conn->cb->closed(conn, conn->cb_data);
    return G_SOURCE_REMOVE;
}

/* a note's bytes are all written: its stage recorded (stats may be NULL),
 * and kept for sc_conn_last_written() */
static void note_done(struct sc_conn *conn, struct sc_stats *stats, const char *stage,
                      int64_t since_us)
{
    int64_t now = sc_stats_now_us();

    sc_stats_record(stats, stage, now - since_us);
    conn->written_since_us = since_us;
    conn->written_us = now - since_us;
}

static void chunk_free(struct out_chunk *c)
{
    for (unsigned i = 0; i < c->n_fds; i++)
        close(c->fds[i]);
    g_bytes_unref(c->bytes);
    g_free(c);
}

void sc_conn_close(struct sc_conn *conn)
{
    if (conn->closed)
        return;
    conn->closed = true;
    conn->t->ops->shutdown(conn->t);
    g_queue_clear_full(&conn->out, (GDestroyNotify)chunk_free);
    conn->out_bytes = 0;
    /* at the loop's default priority, not idle: a busy loop (a flood of
     * connections, a fast source) must not keep the fd from being freed */
    conn->close_idle = g_idle_add_full(G_PRIORITY_DEFAULT, conn_close_idle, conn, NULL);
}

void sc_conn_close_now(struct sc_conn *conn)
{
    sc_conn_close(conn);
    if (conn->close_idle) {
        g_source_remove(conn->close_idle);
        conn_close_idle(conn);
    }
}

/* Gathers queued chunks into one sendmsg.  A chunk carrying an fd starts
 * a sendmsg of its own (the fd travels with its first byte: the kernel
 * attaches it to the first buffer of the call), and the chunks after it
 * join it: GL_SCANOUT_UNIX's '@' byte and the GL_DRAW behind it go in one
 * call (PROTOCOL.md 5.12: a reader gets the fd with the '@' and reads the
 * rest as usual). */
static bool conn_flush(struct sc_conn *conn)
{
    while (conn->out.length > 0) {
        struct iovec iov[MAX_IOV];
        struct out_chunk *first = g_queue_peek_head(&conn->out);
        int n = 0;
        ssize_t r;

        for (GList *l = conn->out.head; l && n < MAX_IOV; l = l->next) {
            struct out_chunk *c = l->data;
            gsize size;
            const uint8_t *p = g_bytes_get_data(c->bytes, &size);

            if (n > 0 && c->n_fds)
                break;
            iov[n].iov_base = (void *)(p + c->off);
            iov[n].iov_len = size - c->off;
            n++;
        }
        r = conn->t->ops->sendv(conn->t, iov, n, first->fds, first->n_fds);
        if (r > 0 && first->n_fds) {
            for (unsigned i = 0; i < first->n_fds; i++)
                close(first->fds[i]);
            first->n_fds = 0;
        }
        if (r == -EAGAIN || r == -EINTR)
            break;
        if (r < 0) {
            sc_debug("%s: send: %s", conn->peer, g_strerror((int)-r));
            return false;
        }
        conn->out_bytes -= (size_t)r;
        while (r > 0) {
            struct out_chunk *c = g_queue_peek_head(&conn->out);
            gsize size = g_bytes_get_size(c->bytes);
            size_t left = size - c->off;

            if ((size_t)r < left) {
                c->off += (size_t)r;
                r = 0;
            } else {
                r -= (ssize_t)left;
                if (c->since_us)
                    note_done(conn, c->stats, c->stage, c->since_us);
                chunk_free(g_queue_pop_head(&conn->out));
            }
        }
    }
    conn_update_events(conn);
    return true;
}

/* One read buffer per thread, shared by its connections: each conn->in
 * holds only the bytes not consumed yet (a partial message, usually none),
 * not READ_CHUNK of mostly unused space per connection grown by a copy
 * whenever a read follows a partial message. */
static uint8_t *read_scratch(void)
{
    static GPrivate key = G_PRIVATE_INIT(g_free);
    uint8_t *buf = g_private_get(&key);

    if (!buf) {
        buf = g_malloc(READ_CHUNK);
        g_private_set(&key, buf);
    }
    return buf;
}

static bool conn_read(struct sc_conn *conn)
{
    uint8_t *buf = read_scratch();

    for (int i = 0; i < 16; i++) {
        ssize_t r = conn->t->ops->recv(conn->t, buf, READ_CHUNK);

        if (r > 0)
            g_byte_array_append(conn->in, buf, (guint)r);
        if (r == 0)
            return false;
        if (r < 0) {
            if (r == -EAGAIN || r == -EINTR)
                return true;
            sc_debug("%s: recv: %s", conn->peer, g_strerror((int)-r));
            return false;
        }
        if (conn->cb && conn->cb->input && !conn->cb->input(conn, conn->cb_data))
            return false;
        if (conn->closed)
            return true;
        if (r < READ_CHUNK)
            return true;
    }
    return true;
}

void sc_conn_transport_ready(struct sc_conn *conn, GIOCondition rev)
{
    size_t before = conn->out_bytes;

    if (conn->closed)
        return;
    if (rev & G_IO_OUT) {
        if (!conn_flush(conn))
            goto err;
        if (before >= SC_CONN_LOW_WATER && conn->out_bytes < SC_CONN_LOW_WATER) {
            if (conn->cb && conn->cb->drained)
                conn->cb->drained(conn, conn->cb_data);
        } else if (before > 0 && conn->out_bytes == 0 && conn->cb && conn->cb->drained) {
            conn->cb->drained(conn, conn->cb_data);
        }
    }
    if (conn->closed)
        return;
    if (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        if (!conn_read(conn))
            goto err;
    }
    return;

err:
    sc_conn_close(conn);
}

struct sc_conn *sc_conn_new_with_transport(struct sc_transport *t, bool is_unix,
                                           const char *peer)
{
    struct sc_conn *conn = g_new0(struct sc_conn, 1);

    conn->t = t;
    t->conn = conn;
    conn->is_unix = is_unix;
    conn->peer = g_strdup(peer ? peer : "?");
    conn->in = g_byte_array_new();
    g_queue_init(&conn->out);
    return conn;
}

struct sc_conn *sc_conn_new(int fd, bool is_unix, const char *peer)
{
    struct sc_transport *t = fd_transport_new(fd, is_unix);
    struct sc_conn *conn = sc_conn_new_with_transport(t, is_unix, peer);

    g_source_attach(((struct fd_transport *)t)->source, NULL);
    return conn;
}

void sc_conn_set_callbacks(struct sc_conn *conn, const struct sc_conn_callbacks *cb, void *data)
{
    conn->cb = cb;
    conn->cb_data = data;
}

void sc_conn_free(struct sc_conn *conn)
{
    if (!conn)
        return;
    if (conn->close_idle)
        g_source_remove(conn->close_idle);
    g_queue_clear_full(&conn->out, (GDestroyNotify)chunk_free);
    g_byte_array_unref(conn->in);
    conn->t->ops->free(conn->t);
    g_free(conn->peer);
    g_free(conn);
}

bool sc_conn_is_closed(const struct sc_conn *conn) { return conn->closed; }
bool sc_conn_is_unix(const struct sc_conn *conn) { return conn->is_unix; }
bool sc_conn_is_secure(const struct sc_conn *conn) { return conn->t->ops->secure; }
const char *sc_conn_peer(const struct sc_conn *conn) { return conn->peer; }
size_t sc_conn_queued(const struct sc_conn *conn) { return conn->out_bytes; }

const uint8_t *sc_conn_input(const struct sc_conn *conn, size_t *len)
{
    *len = conn->in->len;
    return conn->in->data;
}

void sc_conn_consume(struct sc_conn *conn, size_t len)
{
    if (len >= conn->in->len)
        g_byte_array_set_size(conn->in, 0);
    else
        g_byte_array_remove_range(conn->in, 0, (guint)len);
}

/* Takes over fds[0..nfds) (nfds <= SC_CONN_MAX_FDS). */
static void conn_queue(struct sc_conn *conn, GBytes *bytes, const int *fds, unsigned nfds)
{
    struct out_chunk *c;

    if (conn->closed || g_bytes_get_size(bytes) == 0) {
        for (unsigned i = 0; i < nfds; i++)
            close(fds[i]);
        g_bytes_unref(bytes);
        return;
    }
    c = g_new0(struct out_chunk, 1);
    c->bytes = bytes;
    for (unsigned i = 0; i < nfds; i++)
        c->fds[i] = fds[i];
    c->n_fds = nfds;
    conn->out_bytes += g_bytes_get_size(bytes);
    g_queue_push_tail(&conn->out, c);
    /* try right away: most sends complete without waiting for POLLOUT */
    if (conn->out.length == 1 && !conn_flush(conn))
        sc_conn_close(conn);
    else
        conn_update_events(conn);
}

/* With nothing queued before them, bytes go out at once from the caller's
 * buffer: no copy, no chunk, and fds only lent for the call (they travel
 * with the first byte).  The bytes sent (0: none, the caller queues them
 * all); -1: the connection failed and is closed. */
static ssize_t conn_send_direct(struct sc_conn *conn, const void *data, size_t len,
                                const int *fds, unsigned nfds)
{
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    ssize_t r;

    if (conn->closed)
        return -1;
    /* TLS: a write that would block must be retried from the same buffer
     * (OpenSSL without ACCEPT_MOVING_WRITE_BUFFER), which the queue's copy
     * is and the caller's is not; TLS costs the copy anyway */
    if (conn->out.length > 0 || conn->t->ops->secure)
        return 0;
    r = conn->t->ops->sendv(conn->t, &iov, 1, fds, nfds);
    if (r == -EAGAIN || r == -EINTR)
        return 0;
    if (r < 0) {
        sc_debug("%s: send: %s", conn->peer, g_strerror((int)-r));
        sc_conn_close(conn);
        return -1;
    }
    return r;
}

void sc_conn_send(struct sc_conn *conn, const void *data, size_t len)
{
    ssize_t r = len ? conn_send_direct(conn, data, len, NULL, 0) : 0;

    if (r < 0 || (size_t)r == len)
        return;
    conn_queue(conn, g_bytes_new((const uint8_t *)data + r, len - (size_t)r), NULL, 0);
}

void sc_conn_send_bytes(struct sc_conn *conn, GBytes *bytes)
{
    conn_queue(conn, g_bytes_ref(bytes), NULL, 0);
}

bool sc_conn_send_with_fds(struct sc_conn *conn, const void *data, size_t len, const int *fds,
                           unsigned nfds)
{
    int dup_fds[SC_CONN_MAX_FDS];
    ssize_t r;

    if (!conn->t->ops->can_pass_fds || len == 0 || nfds == 0 || nfds > SC_CONN_MAX_FDS)
        return false;
    r = conn_send_direct(conn, data, len, fds, nfds);
    if (r < 0) /* closed, as a send queued on a closed connection */
        return true;
    if (r > 0) { /* the fds went with the first byte */
        if ((size_t)r < len)
            conn_queue(conn, g_bytes_new((const uint8_t *)data + r, len - (size_t)r), NULL, 0);
        return true;
    }
    /* queued: the queue keeps its own copies of the fds until they are sent */
    for (unsigned i = 0; i < nfds; i++) {
        dup_fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
        if (dup_fds[i] < 0) {
            while (i > 0)
                close(dup_fds[--i]);
            return false;
        }
    }
    conn_queue(conn, g_bytes_new(data, len), dup_fds, nfds);
    return true;
}

bool sc_conn_send_with_fd(struct sc_conn *conn, const void *data, size_t len, int fd)
{
    return sc_conn_send_with_fds(conn, data, len, &fd, 1);
}

void sc_conn_note_written(struct sc_conn *conn, struct sc_stats *stats, const char *stage,
                          int64_t since_us)
{
    struct out_chunk *c = g_queue_peek_tail(&conn->out);

    if (since_us == 0)
        return;
    if (!c) { /* everything queued is written already */
        if (!conn->closed)
            note_done(conn, stats, stage, since_us);
        return;
    }
    c->stats = stats;
    c->stage = stage;
    c->since_us = since_us;
}

bool sc_conn_last_written(const struct sc_conn *conn, int64_t *since_us, int64_t *elapsed_us)
{
    if (!conn->written_since_us)
        return false;
    *since_us = conn->written_since_us;
    *elapsed_us = conn->written_us;
    return true;
}
