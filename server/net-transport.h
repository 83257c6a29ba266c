/* The transport beneath a connection (net.c's sc_conn): what moves its
 * bytes and tells it when to move them.
 *
 * sc_conn keeps the input buffer, the send queue, the water marks and the
 * owner's callbacks; a transport only reads, writes and watches.  Two
 * transports exist:
 *   - the fd transport (net.c): recv()/sendmsg() on the socket itself, one
 *     GSource on the fd, SCM_RIGHTS fd passing on unix sockets: the
 *     zero-copy path every plain TCP and unix client takes;
 *   - the stream transport (net-stream.c): a GIOStream read and written
 *     through GPollableInputStream / GPollableOutputStream, for streams
 *     that transform the bytes (TLS).  No fd passing.
 *
 * Contract:
 *   recv()  fills at most len bytes: >0 bytes read, 0 at the end of the
 *           stream, -EAGAIN when nothing is there now, another -errno on
 *           failure.  It never blocks.
 *   sendv() writes from the head of iov[0..n): bytes written (possibly
 *           fewer than asked), -EAGAIN, or -errno.  fds[0..nfds) go with
 *           the first byte, in one SCM_RIGHTS (only when can_pass_fds).  The caller retries with
 *           the same head bytes after -EAGAIN (TLS needs that).
 *   watch() says whether the connection wants to know about writability
 *           (readability is always wanted while open).  The transport then
 *           calls sc_conn_transport_ready() with G_IO_IN and/or G_IO_OUT
 *           (G_IO_HUP / G_IO_ERR count as readable: recv() tells).
 *   shutdown() stops every callback and stops the peer's traffic (the
 *           connection is closing); free() releases what is left (and the
 *           fd).  Neither blocks: a TLS close_notify is not waited for. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <glib.h>

struct sc_conn;
struct sc_transport;

struct sc_transport_ops {
    const char *name; /* "tcp", "unix", "tls" */
    bool can_pass_fds;
    bool secure; /* the bytes are encrypted and the server authenticated */
    ssize_t (*recv)(struct sc_transport *t, void *buf, size_t len);
    ssize_t (*sendv)(struct sc_transport *t, const struct iovec *iov, int n, const int *fds,
                     unsigned nfds);
    void (*watch)(struct sc_transport *t, bool want_out);
    void (*shutdown)(struct sc_transport *t);
    void (*free)(struct sc_transport *t);
};

/* Every transport starts with this. */
struct sc_transport {
    const struct sc_transport_ops *ops;
    struct sc_conn *conn; /* set by sc_conn_new_with_transport() */
};

/* A connection over a transport the caller made (it takes it over). */
struct sc_conn *sc_conn_new_with_transport(struct sc_transport *t, bool is_unix,
                                           const char *peer);
/* The transport can move bytes in the directions of cond. */
void sc_conn_transport_ready(struct sc_conn *conn, GIOCondition cond);
