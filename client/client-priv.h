/* Internals of the SPICE client engine, shaped like the server (and as a
 * tree: callers above callees, reports go up by callback):
 *   client.c          the public API, the session (addresses, closing)
 *   channel-main.c    main channel  \
 *   channel-display.c display channel (surfaces, draws, GL scanout), with
 *     channel-display-stream.c, its video streams, decoded on client/decode.c's worker
 *   channel-inputs.c  inputs channel (and the public input calls)
 *   channel-cursor.c  cursor channel /  one state and handler table each
 *   channel.c         the channel core: socket, link, framing, acks, fds
 *   client-tls.c      TLS under the core; client-local.c: fd/peer checks
 *   canvas.c          pixel composition (client/canvas.h)
 * PROTOCOL.md 8.2 is the recipe.  Names: the engine's display channel is
 * sc_client_display_channel (its state), sc_client_display_class and
 * sc_client_stream_msg_* (its stream handlers); sc_display_* and "display"
 * alone name the server's display (server/display.h), never this. */
#pragma once
#include <gio/gio.h>

#include "client/canvas.h"
#include "client/client.h"
#include "common/messages.h"
#include "common/stats.h"
#include "client/live-stats.h"

#define SC_CLIENT_MAX_FDS 16

enum ch_state { CH_CONNECTING, CH_LINK_HEADER, CH_LINK_REPLY, CH_LINK_RESULT, CH_READY, CH_DEAD };

struct sc_channel;

/* A message handler: false when the body is malformed (the core closes
 * the connection with one line that names the message). */
typedef bool (*sc_client_msg_fn)(struct sc_channel *ch, const uint8_t *body, size_t len);

struct sc_client_handler {
    uint16_t type;
    sc_client_msg_fn handle;
};

/* What one channel type is: its handler table and its hooks, all called
 * by the core (channel.c) on the loop thread. */
struct sc_channel_class {
    const char *name;
    uint8_t type;                              /* SPICE_CHANNEL_* */
    const struct sc_client_handler *handlers;  /* ends with a NULL handle; others ignored */
    /* our channel caps for the link (NULL: none) */
    void (*caps)(struct sc_channel *ch, struct sc_caps *caps);
    /* makes ch->priv (NULL: none); false: no memory */
    bool (*init)(struct sc_channel *ch);
    /* the link succeeded (NULL: nothing to send) */
    void (*ready)(struct sc_channel *ch);
    /* the byte the core was told to wait for (sc_channel_expect_fds) came,
     * with the fds passed beside it: n of them (fewer than asked for when
     * fewer came), owned by the callee */
    void (*fd)(struct sc_channel *ch, const int *fds, unsigned n);
    /* frees ch->priv */
    void (*destroy)(struct sc_channel *ch);
};

struct sc_channel {
    struct sc_client *client;
    const struct sc_channel_class *klass;
    uint8_t type, id;
    enum ch_state state;
    void *priv;            /* the channel type's state */
    GSocketConnection *conn;
    GIOStream *tls;        /* the TLS connection over conn; NULL: plain */
    bool use_tls;          /* this channel links over TLS */
    bool tls_more;         /* the last TLS read filled the buffer */
    guint reconnect;       /* LINK_ERR_NEED_SECURED: linking again over TLS */
    int fd;
    guint in_watch, out_watch;
    GByteArray *in;
    GByteArray *out;
    size_t out_off;
    size_t need; /* link stage: bytes wanted in `in` */
    bool mini;
    uint64_t out_serial;
    struct sc_caps caps;   /* ours */
    struct sc_caps scaps;  /* the server's */
    uint32_t ack_window, ack_count;
    unsigned want_fds;     /* a byte with this many fds is next (GL_SCANOUT_UNIX's '@') */
    int fds[SC_CLIENT_MAX_FDS];
    unsigned n_fds;
};

/* One head of the session: display channel N and cursor channel N (the
 * server's head N, spice-server's channel id), its canvas and the renderer
 * it reports to.  Head 0 reports to sc_client_new's callbacks; another head
 * is opened once the caller shows it (sc_client_show_head). */
struct sc_client_head {
    struct sc_client *client;
    unsigned index;
    struct sc_channel *display, *cursor;
    struct sc_canvas canvas;
    struct sc_client_callbacks cb;
    void *data;
    bool shown;                            /* cb set: its channels open when listed */
    bool display_listed, cursor_listed;    /* in CHANNELS_LIST */
};

struct sc_decode_reaper;

struct sc_client {
    char *uri;
    char *password;
    bool gl_scanout, video, peer_uid_check;
    int (*open_fd)(void *data, uint8_t channel_type, GError **error); /* NULL: connect to addr */
    void *open_fd_data;
    struct sc_client_callbacks cb;
    void *data;
    bool is_unix;
    GSocketConnectable *addr;     /* plain TCP/unix; NULL: TLS only */
    GSocketConnectable *tls_addr; /* NULL: no TLS */
    GTlsDatabase *tls_db;         /* ca_file's; NULL: the system's */
    char *host_subject;
    uint32_t tls_channels;        /* 1 << SPICE_CHANNEL_*: linked over TLS first */
    GCancellable *cancel;
    bool closed;
    uint32_t session_id;
    /* the server's multimedia clock: mm_base at local time mm_local_us */
    uint32_t mm_base;
    int64_t mm_local_us;
    uint16_t mouse_mode;
    struct sc_channel *main, *inputs;
    struct sc_client_head heads[SC_CLIENT_MAX_HEADS];
    /* per-frame latency stats (SPICECAST_STATS=1, viewer --stats); NULL: off */
    struct sc_stats *stats;
    /* the agent (channel-main.c), for monitors config (--auto-resize) */
    bool agent;              /* the server has one; AGENT_START sent */
    bool agent_monitors;     /* it announced VD_AGENT_CAP_MONITORS_CONFIG */
    bool agent_sparse;       /* and VD_AGENT_CAP_SPARSE_MONITORS_CONFIG */
    uint32_t agent_tokens;   /* AGENT_DATA we may still send */
    uint32_t agent_skip;     /* bytes left of a message we do not read */
    /* each head's window size (0x0: never sized), sent when the timer
     * fires; want_off: that head's window is closed */
    uint32_t want_w[SC_CLIENT_MAX_HEADS], want_h[SC_CLIENT_MAX_HEADS];
    bool want_off[SC_CLIENT_MAX_HEADS];
    guint resize_timer;
    /* the overlay's figures (client/live-stats.h); NULL: off */
    struct sc_live *live;
    /* video decoders of destroyed streams still finishing a decode off
     * this thread: sc_client_free waits for them (client/decode.h) */
    struct sc_decode_reaper *decoders;
    /* pointer */
    int32_t px, py, last_px, last_py;
    uint32_t buttons;
    uint8_t pointer_head; /* the head px,py are on */
    /* reports up, set by client.c: the session ends (error NULL: a clean
     * end; taken) / the main channel lists a channel to open */
    void (*close)(struct sc_client *c, GError *error);
    void (*open_channel)(struct sc_client *c, uint8_t type, uint8_t id);
};

/* The server's multimedia time now, as spice-gtk keeps it: the last
 * MAIN_INIT / MULTI_MEDIA_TIME value plus the local time since. */
static inline uint32_t sc_client_mm_now(const struct sc_client *c)
{
    return c->mm_base + (uint32_t)((g_get_monotonic_time() - c->mm_local_us) / 1000);
}

/* ---- channel.c: the core ---------------------------------------------------- */

/* A channel of klass, connecting (asynchronously); NULL: no memory for its
 * state (the session is closed then). */
struct sc_channel *sc_channel_new(struct sc_client *c, const struct sc_channel_class *klass,
                                  uint8_t id);
/* Closes the socket and drops queued fds; the state stays. */
void sc_channel_shutdown(struct sc_channel *ch);
void sc_channel_free(struct sc_channel *ch);
/* Ends the session with this message (c->close). */
void sc_channel_fail(struct sc_channel *ch, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
bool sc_channel_ready(const struct sc_channel *ch);
/* Starts a message on ch in w (initialised here); fill the body, then
 * sc_channel_msg_end queues it and finishes w. */
size_t sc_channel_msg_begin(struct sc_channel *ch, struct sc_writer *w, uint16_t type);
void sc_channel_msg_end(struct sc_channel *ch, struct sc_writer *w, size_t start);
void sc_channel_send_empty(struct sc_channel *ch, uint16_t type);
/* Queues the link message (done when the channel connects; the fuzz
 * harnesses call it on a channel they made). */
void sc_channel_send_link(struct sc_channel *ch);
/* The next byte on the wire carries an fd: klass->fd() gets it. */
void sc_channel_expect_fd(struct sc_channel *ch);
/* ... with n (1..SC_GL_MAX_PLANES) fds: GL_SCANOUT2_UNIX's '@'. */
void sc_channel_expect_fds(struct sc_channel *ch, unsigned n);
/* Feeds the bytes in ch->in through the link stage and the handlers. */
void sc_channel_process(struct sc_channel *ch);

/* ---- client-tls.c: TLS over a connected channel socket ----------------------- */

/* The handshake runs asynchronously, then done(ch, NULL) or done(ch, why);
 * nothing when cancelled. */
void sc_channel_tls_start(struct sc_channel *ch, void (*done)(struct sc_channel *ch,
                                                              const char *error));
/* Non-blocking I/O through ch->tls: bytes, 0 at the end, -EAGAIN, -errno. */
gssize sc_channel_tls_recv(struct sc_channel *ch, void *buf, size_t len);
gssize sc_channel_tls_send(struct sc_channel *ch, const void *buf, size_t len);
/* A source calling fn(ch) when ch->tls is readable (out false) / writable. */
guint sc_channel_tls_watch(struct sc_channel *ch, bool out, gboolean (*fn)(gpointer ch));
/* The CA (ca_file, or ca's PEM text), host subject and secure channels
 * of the options, when c->tls_addr is set; false + error. */
bool sc_client_tls_setup(struct sc_client *c, const struct sc_client_options *o, GError **error);

/* ---- the channel types -------------------------------------------------------- */

extern const struct sc_channel_class sc_client_main_class;
extern const struct sc_channel_class sc_client_display_class;
extern const struct sc_channel_class sc_client_inputs_class;
extern const struct sc_channel_class sc_client_cursor_class;

/* channel-display.c: the answer to a GL_DRAW */
void sc_client_display_channel_gl_draw_done(struct sc_channel *ch);

/* The inputs channel's state (channel-inputs.c) */
struct sc_inputs_priv {
    uint32_t motion_unacked; /* motions sent, not acked yet */
    bool motion_pending;     /* one held back until the next ack */
};

/* The display channel's state (channel-display.c; its streams in
 * channel-display-stream.c) */
struct sc_client_streams;
struct sc_client_display_channel {
    struct sc_gl_scanout pending_scanout;
    struct sc_gl_scanout2 pending_scanout2; /* if pending_is2 */
    bool pending_is2;
    int scanout_fd;        /* the last one passed, owned; -1: none */
    /* GL_SCANOUT2_UNIX: the other fds of the last one (fds 1..), owned */
    int scanout_fds[SC_GL_MAX_PLANES - 1];
    unsigned n_scanout_fds;
    bool gl_draw_pending;
    struct sc_decoder *lz4; /* the codec layer's LZ4 image decoder, for its size */
    struct sc_client_streams *streams;
    /* the overlay's figures of lossless updates (live_copy) */
    int64_t live_last_copy_us;
    uint32_t stamp_index; /* the last frame stamp read, if stamp_seen */
    bool stamp_seen;
};

/* ---- channel-display-stream.c: video streams ---------------------------------- */

struct sc_client_streams *sc_client_streams_new(struct sc_channel *ch);
void sc_client_streams_free(struct sc_client_streams *s);
/* STREAM_* message handlers */
bool sc_client_stream_msg_create(struct sc_channel *ch, const uint8_t *body, size_t len);
bool sc_client_stream_msg_data(struct sc_channel *ch, const uint8_t *body, size_t len);
bool sc_client_stream_msg_data_sized(struct sc_channel *ch, const uint8_t *body, size_t len);
bool sc_client_stream_msg_clip(struct sc_channel *ch, const uint8_t *body, size_t len);
bool sc_client_stream_msg_destroy(struct sc_channel *ch, const uint8_t *body, size_t len);
bool sc_client_stream_msg_destroy_all(struct sc_channel *ch, const uint8_t *body, size_t len);
bool sc_client_stream_msg_activate_report(struct sc_channel *ch, const uint8_t *body, size_t len);

/* The head a display or cursor channel belongs to (its id; client.c opens
 * none past SC_CLIENT_MAX_HEADS). */
static inline struct sc_client_head *sc_channel_head(const struct sc_channel *ch)
{
    return &ch->client->heads[ch->id < SC_CLIENT_MAX_HEADS ? ch->id : 0];
}
