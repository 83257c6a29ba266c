/* Non-blocking stream connections with a send queue (STYLE.md 7).
 *
 * Input is buffered until the owner consumes it; output is a queue of
 * refcounted chunks gathered into one sendmsg(), MSG_NOSIGNAL, re-armed on
 * EAGAIN.  The owner bounds what it queues by looking at sc_conn_queued():
 * a client that does not read gets its updates coalesced, not memory.
 * Beneath it a transport moves the bytes (net-transport.h): the socket
 * itself, or a TLS stream. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gio/gio.h>
#include <glib.h>

struct sc_conn;

struct sc_conn_callbacks {
    /* New bytes are in the input buffer; return false to close. */
    bool (*input)(struct sc_conn *conn, void *data);
    /* The send queue went below the low-water mark or empty. */
    void (*drained)(struct sc_conn *conn, void *data);
    /* The connection is closed (peer gone, error, or sc_conn_close()).
     * Called once; the owner then calls sc_conn_free(). */
    void (*closed)(struct sc_conn *conn, void *data);
};

/* Takes ownership of fd (made non-blocking).  The bytes go through the
 * socket itself (fd passing on unix sockets). */
struct sc_conn *sc_conn_new(int fd, bool is_unix, const char *peer);
/* Takes ownership of a TCP fd and serves TLS on it as cert (a certificate
 * with its private key): the handshake runs first, asynchronously; sends
 * queue meanwhile.  A failed handshake is logged and closes the
 * connection (the owner bounds it in time: sc_conn_close()). */
struct sc_conn *sc_conn_new_tls(int fd, const char *peer, GTlsCertificate *cert);
/* SPICE in WebSocket binary frames over io (libsoup's, after the HTTP
 * upgrade; referenced).  secure: io is TLS (wss:). */
struct sc_conn *sc_conn_new_ws(GIOStream *io, const char *peer, bool secure);
void sc_conn_set_callbacks(struct sc_conn *conn, const struct sc_conn_callbacks *cb, void *data);
void sc_conn_free(struct sc_conn *conn);
/* Closes from our side (the closed callback runs from an idle). */
void sc_conn_close(struct sc_conn *conn);
/* Closes and runs the closed callback right away (owner teardown). */
void sc_conn_close_now(struct sc_conn *conn);
bool sc_conn_is_closed(const struct sc_conn *conn);
bool sc_conn_is_unix(const struct sc_conn *conn);
/* Encrypted, with the server authenticated (TLS). */
bool sc_conn_is_secure(const struct sc_conn *conn);
const char *sc_conn_peer(const struct sc_conn *conn);

/* Input buffer: the bytes received and not yet consumed. */
const uint8_t *sc_conn_input(const struct sc_conn *conn, size_t *len);
void sc_conn_consume(struct sc_conn *conn, size_t len);

/* Sends bytes (what cannot go out at once is copied and queued) / a GBytes
 * (referenced) / bytes plus one fd to send with SCM_RIGHTS on the first
 * byte (unix only).  With nothing queued before them the bytes go out
 * right away from the caller's buffer, the fd lent for the call; else
 * they wait in the queue, which keeps a dup of the fd until it is sent. */
void sc_conn_send(struct sc_conn *conn, const void *data, size_t len);
void sc_conn_send_bytes(struct sc_conn *conn, GBytes *bytes);
bool sc_conn_send_with_fd(struct sc_conn *conn, const void *data, size_t len, int fd);
/* The same with 1..SC_CONN_MAX_FDS fds in one SCM_RIGHTS (GL_SCANOUT2_UNIX). */
#define SC_CONN_MAX_FDS 4
bool sc_conn_send_with_fds(struct sc_conn *conn, const void *data, size_t len, const int *fds,
                           unsigned nfds);
size_t sc_conn_queued(const struct sc_conn *conn);
/* When the last byte queued so far has been written to the transport,
 * records now - since_us as `stage` (a static string) into stats (now if
 * it is already; never if the connection closes first; stats NULL: not
 * recorded, only kept for sc_conn_last_written).  A later note before that
 * replaces this one.  stats must outlive the connection; since_us 0: none. */
struct sc_stats;
void sc_conn_note_written(struct sc_conn *conn, struct sc_stats *stats, const char *stage,
                          int64_t since_us);
/* The last note whose bytes have all been written: its since_us and
 * now - since_us at that moment; false before the first. */
bool sc_conn_last_written(const struct sc_conn *conn, int64_t *since_us, int64_t *elapsed_us);
/* Byte count above which owners should stop producing (coalesce instead). */
#define SC_CONN_HIGH_WATER (4u * 1024 * 1024)
#define SC_CONN_LOW_WATER (512u * 1024)
