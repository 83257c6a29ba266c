/* A channel connection after the link stage (server/channel.c): framing,
 * the ack window, dispatch by message type; and the four channel classes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "common/messages.h"
#include "server/net.h"

struct sc_server;
struct sc_session;
struct sc_channel_client;

typedef bool (*sc_msg_handler)(struct sc_channel_client *cc, const uint8_t *body, size_t len);
/* Called once when a channel client has closed, just before it is freed. */
typedef void (*sc_cc_closed_fn)(struct sc_channel_client *cc, void *data);

/* A client message type the channel takes: its handler, and the largest
 * body it accepts (a longer one closes the connection before its body is
 * buffered, with one log line).  Every client message of SPICE is small;
 * the largest we take is AGENT_DATA's 2 KiB (SPICE_AGENT_MAX_DATA_SIZE). */
struct sc_channel_handler {
    uint16_t type;
    sc_msg_handler handle;
    uint32_t max_size;
};

#define SC_MSG_SMALL 64 /* fixed-size messages: every one is under this */

struct sc_channel_class {
    const char *name;
    uint8_t type; /* SPICE_CHANNEL_* */
    const struct sc_channel_handler *handlers; /* terminated by type 0 */
    /* Called after the link succeeded (send the channel's init messages). */
    bool (*start)(struct sc_channel_client *cc);
    /* The peer drained our send queue below the low-water mark / acked. */
    void (*ready)(struct sc_channel_client *cc);
    void (*destroy)(struct sc_channel_client *cc);
};

struct sc_channel_client {
    const struct sc_channel_class *klass;
    struct sc_server *server;
    struct sc_session *session;
    struct sc_conn *conn;
    struct sc_link_mess link;
    bool mini_header;
    uint64_t out_serial;
    uint64_t in_serial;
    /* ack window */
    uint32_t ack_generation;
    uint32_t ack_window;
    uint32_t unacked;
    bool ack_synced;
    struct sc_writer w; /* scratch for building messages */
    void *priv;         /* the channel's own state */
    bool closing;
    sc_cc_closed_fn closed;
    void *closed_data;
};

/* Framing: begin a message in cc->w; end queues it. */
size_t sc_cc_begin(struct sc_channel_client *cc, uint16_t type);
void sc_cc_end(struct sc_channel_client *cc, size_t start);
/* Several messages (and raw bytes, as the local path's '@') built in one
 * buffer and sent together: the first begun with sc_cc_begin(), each
 * further one with sc_cc_begin_next(), each ended with sc_cc_finish()
 * (counted, not sent); then sc_cc_send_range() sends cc->w's bytes
 * [from, to), with fds (nfds may be 0) riding on the first byte
 * (sc_conn_send_with_fds).  false: a message could not be built or the
 * fds cannot be passed (the caller closes the channel, and says why). */
size_t sc_cc_begin_next(struct sc_channel_client *cc, uint16_t type);
void sc_cc_finish(struct sc_channel_client *cc, size_t start);
bool sc_cc_send_range(struct sc_channel_client *cc, size_t from, size_t to, const int *fds,
                      unsigned nfds);
/* Queues a message whose body is already built (a worker's output). */
void sc_cc_send_body(struct sc_channel_client *cc, uint16_t type, GBytes *body);
/* The same with the body in two parts: head, then tail (a payload queued
 * as is, without a copy). */
void sc_cc_send_body_parts(struct sc_channel_client *cc, uint16_t type, GBytes *head, GBytes *tail);
void sc_cc_send_empty(struct sc_channel_client *cc, uint16_t type);
/* True when the client can take more: ack window open, queue below water. */
bool sc_cc_can_send(const struct sc_channel_client *cc);
void sc_cc_close(struct sc_channel_client *cc);
/* A handler for known messages the channel does not act on. */
bool sc_cc_ignore(struct sc_channel_client *cc, const uint8_t *body, size_t len);
/* Takes over a linked connection; closed() tells its owner when it ends. */
struct sc_channel_client *sc_cc_new(struct sc_server *server, struct sc_session *session,
                                    struct sc_conn *conn, const struct sc_link_mess *link,
                                    const struct sc_channel_class *klass, sc_cc_closed_fn closed,
                                    void *closed_data);
/* Closes without telling its owner (the owner is closing it). */
void sc_cc_close_silently(struct sc_channel_client *cc);

extern const struct sc_channel_class sc_main_channel_class;
extern const struct sc_channel_class sc_display_channel_class;
extern const struct sc_channel_class sc_inputs_channel_class;
extern const struct sc_channel_class sc_cursor_channel_class;
