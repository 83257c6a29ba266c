/* The viewer's SPICE client: connects to a SPICE server (ours or QEMU's),
 * keeps the primary surface as a BGRX canvas, and hands video frames and
 * local scanout buffers to the renderer.  GLib main loop, non-blocking;
 * wire messages only through common/messages.h.  No GTK here: the same
 * client runs headless (tests) and under the GTK window. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "codecs/codec.h"

struct sc_client;

/* The most heads (display channels) a session shows, ids 0..15. */
#define SC_CLIENT_MAX_HEADS 16
/* The most planes of a scanout (GL_SCANOUT2_UNIX's SC_GL_MAX_PLANES). */
#define SC_CLIENT_MAX_PLANES 4

/* What the renderer is told.  All calls come on the client's main context. */
/* A GL_SCANOUT2_UNIX scanout: plane i is fds[i] at offsets[i], strides[i]
 * bytes a row (fds may repeat: planes in one buffer). */
struct sc_client_scanout {
    uint32_t width, height, fourcc;
    uint64_t modifier; /* DRM_FORMAT_MOD_* (LINEAR, INVALID: implicit) */
    bool top_down;     /* as gl_scanout's */
    unsigned n_planes; /* 1..SC_CLIENT_MAX_PLANES */
    int fds[SC_CLIENT_MAX_PLANES];
    uint32_t offsets[SC_CLIENT_MAX_PLANES], strides[SC_CLIENT_MAX_PLANES];
};

struct sc_client_callbacks {
    /* The primary surface was (re)created: the canvas is width x height BGRX. */
    void (*surface)(void *data, uint32_t width, uint32_t height);
    /* Canvas pixels changed in this rectangle (DRAW_COPY, DRAW_FILL, a video
     * frame composed into the canvas). */
    void (*invalidate)(void *data, int32_t x, int32_t y, int32_t w, int32_t h);
    /* MARK: the first complete picture is there. */
    void (*mark)(void *data);
    /* A decoded video frame for dest (decoded off the loop, handed over as
     * soon as it is done; its planes are valid during the call only),
     * before it is composed into the canvas
     * (NULL: the renderer does not take frames, the client composes them
     * with libyuv and calls invalidate).  Return true if the renderer drew
     * it itself (YUV shader); the client then skips composing. */
    bool (*video_frame)(void *data, const struct sc_decoded_frame *frame, int32_t x, int32_t y,
                        int32_t w, int32_t h);
    /* Local path: the server passed its scanout buffer (fd owned by the
     * client until the next gl_scanout or the end; dup it to keep it).
     * top_down: row 0 in memory is the top row (QEMU's console, our
     * server), as frame.h's top_down; false: row 0 is the bottom row
     * (GL-rendered buffers).  On the wire that is SPICE's
     * GL_SCANOUT_FLAGS_Y0TOP clear and set (PROTOCOL.md 5.12). */
    void (*gl_scanout)(void *data, int fd, uint32_t width, uint32_t height, uint32_t stride,
                       uint32_t fourcc, bool top_down);
    /* Local path, GL_SCANOUT2_UNIX: a scanout of several planes, at an
     * offset or with a modifier (struct sc_client_scanout; its fds owned by
     * the client until the next scanout or the end).  NULL: the client does
     * not advertise SPICE_DISPLAY_CAP_GL_SCANOUT2, so the server never sends
     * it one. */
    void (*gl_scanout2)(void *data, const struct sc_client_scanout *scanout);
    /* Draw the scanout; answer with sc_client_gl_draw_done() (exactly once). */
    void (*gl_draw)(void *data, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
    /* Cursor shape (BGRA premultiplied, valid during the call) / position. */
    void (*cursor)(void *data, uint32_t w, uint32_t h, uint32_t hot_x, uint32_t hot_y,
                   const uint8_t *pixels);
    /* The connection ended; error NULL for a clean end. */
    void (*closed)(void *data, const GError *error);
    /* The server offers head `head` (> 0): a display channel of that id,
     * as spice-server offers one per QXL head.  The caller shows it (a
     * window of its own: sc_client_show_head) or leaves it unlinked.
     * Only sc_client_new's callbacks get this. */
    void (*head)(void *data, unsigned head);
};

struct sc_client_options {
    /* spice://..., spice+tls://..., spice+unix:///PATH (parsed as spice-gtk
     * does: client/spice-uri.h) or a socket PATH; only named in messages
     * when host or unix_path below is set */
    const char *uri;
    const char *password;  /* NULL: the URI's password=, else an empty ticket */
    /* Where to connect, when the caller parsed it (viewer: a URI or a .vv
     * file): unix_path, or host with port and/or tls_port.  Both NULL: the
     * uri is parsed. */
    const char *host;         /* name or address, IPv6 without brackets */
    int port;                 /* plain TCP port, 0: none */
    /* TLS port, 0: none.  Without a plain port every channel links over
     * TLS; with one, channels go plain first and one the server wants
     * secured (LINK_ERR_NEED_SECURED) links again over TLS, as spice-gtk */
    int tls_port;
    const char *unix_path;
    const char *ca_file;      /* TLS: PEM file of the CAs to trust; NULL: the system's */
    const char *ca;           /* TLS: PEM text of the CAs (a .vv file's ca=), or NULL */
    /* TLS: the certificate subject to require ("C=..,O=..,CN=..") instead
     * of the host name */
    const char *host_subject;
    /* channel names ("main", "display", "inputs", "cursor", ... or "all")
     * that must go over TLS (a .vv file's secure-channels); NULL-ended */
    const char *const *secure_channels;
    bool gl_scanout;       /* advertise GL_SCANOUT (unix sockets only) */
    bool video;            /* advertise the video codecs our decoders handle */
    /* unix sockets: talk only to a server running as our uid or root
     * (SO_PEERCRED); viewer --attach sets it, so that a socket another
     * user put in our place is refused */
    bool peer_uid_check;
    /* Instead of an address: the caller hands over a connected stream
     * socket for each channel as it opens (libvirt's
     * virDomainOpenGraphicsFD, a socketpair, an inherited fd): type is
     * SPICE_CHANNEL_*, the fd is the engine's from then on; -1 ends the
     * session, with the reason in error.  The URI, if any, only names the
     * server in messages.  Called with open_fd_data, on the client's main
     * context. */
    int (*open_fd)(void *data, uint8_t channel_type, GError **error);
    void *open_fd_data;
};

struct sc_client *sc_client_new(const struct sc_client_options *options,
                                const struct sc_client_callbacks *cb, void *data,
                                GError **error);
/* Opens head `head` (> 0; its display and cursor channels), reporting to
 * cb/data: surface, invalidate, mark, video_frame, gl_scanout, gl_scanout2,
 * gl_draw and cursor (closed and head stay sc_client_new's).  false for head 0 or one
 * past the most (16). */
bool sc_client_show_head(struct sc_client *client, unsigned head,
                         const struct sc_client_callbacks *cb, void *data);
/* Connects (asynchronously); errors arrive through closed(). */
void sc_client_connect(struct sc_client *client);
void sc_client_free(struct sc_client *client);

/* The primary surface canvas (BGRX, top-down) or NULL before surface(). */
const uint8_t *sc_client_canvas(struct sc_client *client, uint32_t *width, uint32_t *height,
                                uint32_t *stride);
void sc_client_gl_draw_done(struct sc_client *client);
/* The same for head `head` (the functions above are head 0's). */
const uint8_t *sc_client_head_canvas(struct sc_client *client, unsigned head, uint32_t *width,
                                     uint32_t *height, uint32_t *stride);
void sc_client_head_gl_draw_done(struct sc_client *client, unsigned head);
/* Whether the peer of a connected unix socket runs as our uid or root
 * (the peer_uid_check option); false + reason (one line). */
bool sc_client_peer_uid_check(int fd, char *reason, size_t reason_size);

/* Input: a PC set-1 scancode (E0 keys as 0x100 | code), pressed or not;
 * the pointer in surface pixels with SPICE's button mask. */
void sc_client_key(struct sc_client *client, uint32_t scancode, bool down);
void sc_client_pointer(struct sc_client *client, int32_t x, int32_t y, uint32_t buttons);
/* The pointer on head `head` (sc_client_pointer: on the head it was last). */
void sc_client_head_pointer(struct sc_client *client, unsigned head, int32_t x, int32_t y,
                            uint32_t buttons);
/* Whether the server runs the pointer in server mode (relative motion):
 * the viewer then grabs the pointer, as remote-viewer does. */
bool sc_client_server_mouse(const struct sc_client *client);
/* The window's display area is WxH: once it has not changed for 300 ms,
 * the server's agent is asked for that size (VD_AGENT_MONITORS_CONFIG, as
 * remote-viewer's resize-guest).  Without an agent offering monitors
 * config, nothing is sent. */
void sc_client_request_size(struct sc_client *client, uint32_t width, uint32_t height);
/* The same for head `head`'s window; 0x0: that window is closed (a
 * disabled monitor where the agent has VD_AGENT_CAP_SPARSE_MONITORS_CONFIG,
 * else its last size stays asked for). */
void sc_client_request_head_size(struct sc_client *client, unsigned head, uint32_t width,
                                 uint32_t height);

/* Live figures for the viewer's stats overlay (issue 9 item 5): the last
 * complete second, from what the engine sees of each frame.  Off by
 * default; sc_client_set_live_stats(c, true) starts recording (a second
 * later the first figures are there), false stops it and frees what it
 * kept: off, the frame path pays one NULL test per hook.  Independent of
 * SPICECAST_STATS.  The caller owns the struct it passes (plain values,
 * nothing to free); main context only. */
enum sc_client_live_stage {
    SC_CLIENT_LIVE_DECODE,          /* the decoder's call, start -> end */
    SC_CLIENT_LIVE_RECV_DECODED,    /* message received -> decoded */
    SC_CLIENT_LIVE_DECODED_PRESENT, /* decoded -> handed to the renderer */
    SC_CLIENT_LIVE_CAPTURE_PRESENT, /* capture (frame stamp) -> handed over */
    /* the server's stages of a streamed frame, from capture (our server's
     * SC_MSG_DISPLAY_FRAME_TIMES): its display got it, handed to the
     * encoder, encode start and end, first byte queued, last byte written */
    SC_CLIENT_LIVE_SERVER_SOURCE,
    SC_CLIENT_LIVE_SERVER_DISPLAY,
    SC_CLIENT_LIVE_SERVER_ENCODE_START,
    SC_CLIENT_LIVE_SERVER_ENCODE_END,
    SC_CLIENT_LIVE_SERVER_QUEUED,
    SC_CLIENT_LIVE_SERVER_WRITTEN,
    SC_CLIENT_LIVE_STAGES
};
struct sc_client_live_stats {
    bool valid;      /* false: no complete second recorded yet */
    uint32_t frames; /* handed to the renderer in that second */
    double fps;
    double kbit_s;   /* bytes received on every channel */
    /* the video codec ("h264", "vp8", ...), "lossless" (DRAW_COPY
     * updates), "local fd" (GL_DRAW of a scanout); "": no frame */
    char codec[16];
    /* per stage, microseconds; -1: no sample in that second (the capture
     * stage needs stamped frames, the decode ones the video path) */
    int64_t p50_us[SC_CLIENT_LIVE_STAGES], p95_us[SC_CLIENT_LIVE_STAGES];
};
void sc_client_set_live_stats(struct sc_client *client, bool on);
/* SPICECAST_STATS: forgets the samples so far (a warm-up's): the final
 * summary covers what comes after. */
void sc_client_restart_stats(struct sc_client *client);
/* Copies the last second's figures into out; false (out->valid false)
 * when off or before the first second has passed. */
bool sc_client_live_stats(struct sc_client *client, struct sc_client_live_stats *out);
