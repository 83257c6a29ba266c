/* Internals shared by the server's channel files. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <cairo.h>
#include <glib.h>

#include "frame.h"
#include "codecs/codec.h"
#include "messages.h"
#include "net.h"
#include "server.h"
#include "ticket.h"

struct sc_session;
struct sc_channel_client;

/* ---- a channel connection after the link stage ------------------------ */

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
/* Queues a message whose body is already built (a worker's output). */
void sc_cc_send_body(struct sc_channel_client *cc, uint16_t type, GBytes *body);
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

/* ---- sessions: one main channel and the channels linked to it ---------- */

struct sc_session {
    uint32_t id;
    struct sc_server *server;
    struct sc_channel_client *main;
    GList *channels; /* the other channel clients */
};

/* server/session.c; the sessions live in server->sessions. */
struct sc_session *sc_session_find(struct sc_server *server, uint32_t id);
struct sc_session *sc_session_new(struct sc_server *server);
unsigned sc_session_count(const struct sc_server *server);
/* Takes over a linked connection as one of the session's channels (the
 * main channel when klass is main's). */
struct sc_channel_client *sc_session_add_channel(struct sc_session *session,
                                                 struct sc_conn *conn,
                                                 const struct sc_link_mess *link,
                                                 const struct sc_channel_class *klass);
/* Closes every client of every session now (the server is going). */
void sc_session_close_all(struct sc_server *server);

/* ---- the server --------------------------------------------------------- */

struct sc_listener;
struct sc_web;

struct sc_server {
    char *name;
    char *password;
    bool disable_ticketing;
    bool insecure;
    uint8_t uuid[16];
    struct sc_ticket_key *ticket_key;
    uint8_t pubkey[SC_TICKET_PUBKEY_SIZE];
    GList *listeners;
    GList *pending; /* connections in the link stage */
    guint link_timeout_ms; /* a link not done by then is closed */
    struct sc_limits *limits; /* per-address link attempts */
    gint64 password_expires; /* monotonic us; 0: never */
    unsigned max_clients;    /* 0: no limit */
    GArray *allow_uids; /* uint32_t: unix peers besides our uid and root */
    GTlsCertificate *tls_cert; /* the x509 dir's certificate + key; NULL: no TLS */
    uint32_t secure_channels;  /* 1 << SPICE_CHANNEL_*: refused on plain TCP */
    GHashTable *sessions; /* id -> sc_session */
    struct sc_display *display;
    struct sc_streams *streams;
    enum { SC_GL_SCANOUT_AUTO, SC_GL_SCANOUT_ON, SC_GL_SCANOUT_OFF } gl_scanout;
    uint32_t mm_time_base;
    gint64 start_time;
};

/* The multimedia clock SPICE clients play video by, in ms (MAIN_INIT
 * sends it once). */
static inline uint32_t sc_server_mm_time(const struct sc_server *server)
{
    return server->mm_time_base + (uint32_t)((g_get_monotonic_time() - server->start_time) / 1000);
}

/* ---- link stage ---------------------------------------------------------- */

#define SC_LINK_TIMEOUT_MS 30000

/* addr: the peer's address without its port (the key of sc_limits). */
void sc_link_accept(struct sc_server *server, int fd, bool is_unix, const char *peer,
                    const char *addr);
/* A connection made elsewhere (a WebSocket after its HTTP upgrade). */
void sc_link_accept_conn(struct sc_server *server, struct sc_conn *conn, const char *addr);
/* server/web.c: an HTTP server on fd (HTTPS with server->tls_cert when
 * tls) serving spice-html5 and SPICE over WebSocket; NULL + error. */
struct sc_web *sc_web_new(struct sc_server *server, int fd, bool tls, GError **error);
void sc_web_free(struct sc_web *web);
/* The same over TLS (server->tls_cert), the handshake first. */
void sc_link_accept_tls(struct sc_server *server, int fd, const char *peer, const char *addr);
/* server/tls.c: the x509 dir's certificate and key (checked against its CA)
 * and the --secure-channels list; false + error that says what is wrong. */
GTlsCertificate *sc_tls_load_x509_dir(const char *dir, GError **error);
bool sc_parse_secure_channels(const char *list, uint32_t *mask, GError **error);
void sc_link_free_pending(struct sc_server *server);

/* ---- display: the source, the latest frame, the clients ---------------- */

struct sc_display;
struct sc_display *sc_display_new(struct sc_server *server);
void sc_display_free(struct sc_display *display);
void sc_display_set_source(struct sc_display *display, struct sc_source *source);
/* Latest frame (no reference taken) or NULL. */
struct sc_frame *sc_display_get_frame(struct sc_display *display);
/* What the display publishes, to whoever listens: the display channel
 * clients, the cursor channel clients, the streams' motion detection.
 * Listeners are called in the order they were added; any member may be
 * NULL.  The listener's memory is the caller's until removed. */
struct sc_display_listener {
    /* a new current frame (its damage in frame->damage) */
    void (*frame)(struct sc_frame *frame, void *data);
    /* a new cursor shape (pixels valid during the call) */
    void (*cursor)(const struct sc_cursor_shape *shape, void *data);
    /* the pointer moved (clamped to the screen) */
    void (*pointer)(int32_t x, int32_t y, void *data);
    void *data;
};
void sc_display_add_listener(struct sc_display *display, const struct sc_display_listener *l);
void sc_display_remove_listener(struct sc_display *display, const struct sc_display_listener *l);
/* Cursor state for new cursor channels. */
bool sc_display_get_cursor(struct sc_display *display, struct sc_cursor_shape *shape,
                           int32_t *x, int32_t *y);
/* Input from a client, forwarded to the source; pointer also moves cursors. */
void sc_display_key(struct sc_display *display, const uint8_t *scancode, unsigned len, bool down);
void sc_display_pointer(struct sc_display *display, int32_t x, int32_t y, uint32_t buttons);
void sc_display_pointer_relative(struct sc_display *display, int32_t dx, int32_t dy,
                                 uint32_t buttons);

/* ---- lossless encoding off the main loop ------------------------------- */

struct sc_encode_job;
/* bodies: GBytes DRAW_COPY bodies; lz4_poor: LZ4 did not pay off (the
 * content is noise-like: the caller may send raw for a while) */
typedef void (*sc_lossless_done_fn)(GPtrArray *bodies, bool lz4_poor, void *data);
/* Encodes the given rectangles of frame as DRAW_COPY bodies (LZ4 if lz4,
 * raw bitmap otherwise) on a worker thread; done runs on the main context.
 * The job holds a frame reference until it is done. */
void sc_encode_submit(struct sc_frame *frame, const cairo_rectangle_int_t *rects, int n_rects,
                      bool lz4, sc_lossless_done_fn done, void *data);
/* Synchronous version (tests, benchmarks). */
GPtrArray *sc_encode_rects(struct sc_frame *frame, const cairo_rectangle_int_t *rects,
                           int n_rects, bool lz4, bool *lz4_poor);

/* ---- video streams (server/stream.c) ------------------------------------ */

struct sc_streams;
struct sc_stream_client; /* a display client's stream state, private to stream.c */

struct sc_streams *sc_streams_new(struct sc_server *server, const char *mode,
                                  const char *codecs, uint32_t bitrate, GError **error);
void sc_streams_free(struct sc_streams *s);
bool sc_streams_enabled(const struct sc_streams *s);
/* Motion detection: the display listener to add first (it decides, per
 * frame, whether the display is in video mode before clients route it). */
const struct sc_display_listener *sc_streams_display_listener(struct sc_streams *s);
/* Whether the display is in video mode (for the current frame). */
bool sc_streams_video(const struct sc_streams *s);
/* Encoder groups open now (tests and figures). */
unsigned sc_streams_n_groups(const struct sc_streams *s);

/* A display client's streams (NULL when s is NULL); refresh(data) is
 * called when its stream has ended and the client needs the whole surface
 * losslessly again (a failed encoder, the screen gone still, a codec it
 * cannot decode). */
struct sc_stream_client *sc_stream_client_new(struct sc_streams *s, struct sc_channel_client *cc,
                                              void (*refresh)(void *data), void *data);
/* Leaves the stream without a word to the client (it is going). */
void sc_stream_client_free(struct sc_stream_client *sc);
/* In video mode: hands frame to the client's stream (joining or creating a
 * group); false when it cannot stream it (the lossless path takes it then).
 * The caller's surface must have the frame's size. */
bool sc_streams_take(struct sc_stream_client *sc, struct sc_frame *frame);
/* Leaves the current stream (STREAM_DESTROY sent if send and it can be). */
void sc_stream_client_stop(struct sc_stream_client *sc, bool send);
void sc_stream_client_report(struct sc_stream_client *sc, const struct sc_stream_report *r);
/* PREFERRED_VIDEO_CODEC_TYPE: takes effect with the next stream. */
void sc_stream_client_prefer(struct sc_stream_client *sc, const uint8_t *codecs, unsigned n);

/* ---- the local GL path (server/display-gl.c) ------------------------------ */

struct sc_gl_state {
    struct sc_frame *shown; /* the buffer the client has, referenced */
    struct sc_frame *next;  /* the latest frame not yet drawn */
    bool pending;           /* a GL_DRAW awaits its DONE */
    bool monitors_sent;
    uint32_t w, h;
};

/* A unix-socket client that advertised GL_SCANOUT. */
bool sc_gl_client_wanted(struct sc_channel_client *cc);
void sc_gl_frame(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *frame);
/* Draws the next frame (or `latest` if nothing was shown yet) if it can. */
void sc_gl_push(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *latest);
/* false: a protocol error (DONE without DRAW). */
bool sc_gl_draw_done(struct sc_channel_client *cc, struct sc_gl_state *gl);
void sc_gl_finish(struct sc_gl_state *gl);
