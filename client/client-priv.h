/* Internals of the SPICE client engine (client.c: connection, link, framing,
 * main/inputs/cursor channels; client-display.c: the display channel). */
#pragma once
#include <gio/gio.h>

#include "client/client.h"
#include "common/messages.h"

#define SC_CLIENT_MAX_STREAMS 64
#define SC_CLIENT_MAX_FDS 16

enum ch_state { CH_CONNECTING, CH_LINK_HEADER, CH_LINK_REPLY, CH_LINK_RESULT, CH_READY, CH_DEAD };

struct sc_client_stream {
    bool used;
    uint32_t id;
    uint8_t codec;
    uint8_t flags;
    uint32_t width, height;
    struct sc_rect dest;
    struct sc_clip clip;
    struct sc_decoder *dec; /* NULL: no decoder could be made */
    uint32_t frames, report_window, report_unique;
    bool report_active;
    uint32_t report_start_mm;
};

struct sc_channel {
    struct sc_client *client;
    uint8_t type, id;
    enum ch_state state;
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
    bool want_at;          /* a GL_SCANOUT_UNIX waits for its '@' byte */
    struct sc_gl_scanout pending_scanout;
    int fds[SC_CLIENT_MAX_FDS];
    unsigned n_fds;
    /* display */
    struct sc_client_stream streams[SC_CLIENT_MAX_STREAMS];
    uint8_t *scratch;
    size_t scratch_size;
    /* inputs */
    uint32_t motion_unacked;
    bool motion_pending;
};

struct sc_client {
    char *uri;
    char *password;
    bool gl_scanout, video, peer_uid_check;
    int (*open_fd)(void *data, GError **error); /* options.open_fd */
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
    uint32_t mm_time;
    uint16_t mouse_mode;
    struct sc_channel *main, *display, *inputs, *cursor;
    /* canvas */
    uint8_t *canvas;
    uint32_t width, height, stride;
    int scanout_fd;
    bool gl_draw_pending;
    /* pointer */
    int32_t px, py, last_px, last_py;
    uint32_t buttons;
};

/* client.c */
void sc_client_fail(struct sc_client *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Starts a message on ch in w (initialised here); fill the body, then
 * sc_channel_msg_end queues it and finishes w. */
size_t sc_channel_msg_begin(struct sc_channel *ch, struct sc_writer *w, uint16_t type);
void sc_channel_msg_end(struct sc_channel *ch, struct sc_writer *w, size_t start);
void sc_channel_send_empty(struct sc_channel *ch, uint16_t type);

/* client-tls.c: TLS over a connected channel socket.  The handshake runs
 * asynchronously, then done(ch) (or sc_client_fail). */
void sc_channel_tls_start(struct sc_channel *ch, void (*done)(struct sc_channel *ch));
/* Non-blocking I/O through ch->tls: bytes, 0 at the end, -EAGAIN, -errno. */
gssize sc_channel_tls_recv(struct sc_channel *ch, void *buf, size_t len);
gssize sc_channel_tls_send(struct sc_channel *ch, const void *buf, size_t len);
/* A source calling fn(ch) when ch->tls is readable (out false) / writable. */
guint sc_channel_tls_watch(struct sc_channel *ch, bool out, gboolean (*fn)(gpointer ch));
/* The CA (ca_file, or ca's PEM text), host subject and secure channels
 * of the options, when c->tls_addr is set; false + error. */
bool sc_client_tls_setup(struct sc_client *c, const struct sc_client_options *o, GError **error);

/* client-display.c */
void sc_display_caps(struct sc_client *c, struct sc_caps *caps);
void sc_display_ready(struct sc_channel *ch);
/* false: malformed (the caller closes with an error) */
bool sc_display_handle(struct sc_channel *ch, uint16_t type, const uint8_t *body, size_t len);
/* The '@' byte of GL_SCANOUT_UNIX arrived with fd (-1: none). */
void sc_display_scanout_fd(struct sc_channel *ch, int fd);
void sc_display_finish(struct sc_channel *ch);
