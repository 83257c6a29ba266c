/* spicecast: the embedding API (the one public header).
 *
 * A VMM links libspicecast, creates a server, listens, and hands the server
 * its guest's scanout buffers (dma-bufs, or shared memory fds) as they
 * change.  The server shows them to SPICE clients: local clients on the
 * unix socket get the buffer fd itself, remote ones lossless updates or
 * video.  Everything runs on the caller's thread-default GLib main context;
 * encoders run on worker threads and report back to that context.
 *
 *   struct sc_server *s = sc_server_new(&(struct sc_server_options){
 *       .name = "vm1", .disable_ticketing = true }, &error);
 *   sc_server_listen(s, "unix:/run/vm1.sock", &error);
 *   struct sc_vmm_source *src = sc_vmm_source_new(&callbacks, vmm);
 *   sc_server_set_vmm_source(s, src);
 *   ... per guest flip: sc_vmm_source_scanout(src, &buffer, damage, n, cookie, &error);
 *   ... callbacks.release(vmm, cookie) says when a buffer is free again. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#if defined(__GNUC__)
#define SC_EXPORT __attribute__((visibility("default")))
#else
#define SC_EXPORT
#endif

struct sc_server;

struct sc_server_options {
    const char *name;          /* shown by clients (MAIN NAME); "default" */
    const char *password;      /* NULL: no password */
    /* The password authenticates no new client after this many seconds
     * (0: it does not expire); clients already connected stay. */
    uint32_t password_lifetime_s;
    /* At most this many clients (sessions) at once; 0: no limit. */
    unsigned max_clients;
    bool disable_ticketing;    /* accept any ticket */
    bool insecure;             /* allow no password on non-loopback TCP */
    /* Video streams for moving content, as spice-server's streaming-video:
     * "off" (default: lossless updates only) or "all" (a changing screen
     * is sent as video to clients that can decode one of video_codecs). */
    const char *streaming_video;
    /* spice-server syntax, "encoder:codec;..." in order of preference;
     * NULL: every built-in video encoder that works here. */
    const char *video_codecs;
    uint32_t video_bitrate; /* bits per second; 0: 8 Mbit/s */
    /* Local clients (unix socket, GL_SCANOUT cap) and the buffer fd itself:
     * "auto" (NULL: dma-buf frames to every GL client, what spice-gtk can
     * import; sealed shared-memory frames to clients that map them, as
     * spicecast's viewer says it does), "on" (sealed shared-memory frames
     * to every GL client), "off". */
    const char *gl_scanout;
    /* Clients on a unix socket are accepted from the server's own uid and
     * root (the peer's SO_PEERCRED); these uids too (NULL/0: no others). */
    const uint32_t *allow_uids;
    unsigned n_allow_uids;
    /* TLS, as QEMU's x509-dir: a directory with ca-cert.pem, server-cert.pem
     * (signed by that CA) and server-key.pem; needed by "tls:" listeners.
     * NULL: no TLS.  sc_server_new() fails with a message naming the file
     * when one is missing, unreadable, mismatched or expired. */
    const char *x509_dir;
    /* Channels refused on plain TCP with SPICE_LINK_ERR_NEED_SECURED (a
     * client then links them on the TLS port): "main,display,inputs,cursor"
     * or "all"; NULL: none.  Unix sockets are local and exempt. */
    const char *secure_channels;
};

SC_EXPORT struct sc_server *sc_server_new(const struct sc_server_options *options,
                                          GError **error);
/* Closes every client; NULL is fine. */
SC_EXPORT void sc_server_free(struct sc_server *server);
/* "tcp:HOST:PORT" ("tcp:[::1]:PORT" for IPv6), "tls:HOST:PORT" (SPICE in
 * TLS; options.x509_dir), "ws:HOST:PORT" / "wss:HOST:PORT" (HTTP(S):
 * spice-html5 at / and SPICE over WebSocket; needs libsoup-3.0 at build
 * time, wss the x509 dir) or "unix:PATH" (mode 0600). */
SC_EXPORT bool sc_server_listen(struct sc_server *server, const char *spec, GError **error);
/* A new password from now on, for lifetime_s seconds (0: no expiry), as
 * spice-server's set_ticket: clients already connected stay.  It turns
 * ticketing on if the server was created with disable_ticketing.  false for
 * an empty or too long password (SPICE allows 60 bytes). */
SC_EXPORT bool sc_server_set_password(struct sc_server *server, const char *password,
                                      uint32_t lifetime_s, GError **error);
/* The password authenticates no new client from now on. */
SC_EXPORT void sc_server_expire_password(struct sc_server *server);
/* Where the server listens, one "tcp:HOST:PORT" / "tls:HOST:PORT" /
 * "unix:PATH" per entry. */
SC_EXPORT GPtrArray *sc_server_get_addresses(struct sc_server *server);
/* Connected clients (SPICE sessions). */
SC_EXPORT unsigned sc_server_client_count(struct sc_server *server);

/* ---- a scanout source driven by the VMM ------------------------------ */

struct sc_vmm_source;

/* A guest scanout buffer.  The fd is dup'ed; the VMM keeps its own and must
 * not write the buffer again until release(cookie) (triple-buffer, or copy). */
struct sc_vmm_buffer {
    int fd;
    bool dmabuf;        /* a dma-buf (else shared memory: memfd, shm) */
    uint32_t width, height;
    uint32_t stride;    /* bytes per row */
    uint32_t offset;    /* of the first pixel */
    uint32_t drm_fourcc; /* DRM_FORMAT_XRGB8888 ('XR24') is what every path takes */
    uint64_t modifier;  /* DRM_FORMAT_MOD_LINEAR for local and CPU paths */
    bool top_down;      /* true: the first row is the top row */
    /* More planes (NV12's chroma plane, a modifier's metadata plane): 0 or
     * 1 is the one plane above, at most 4.  planes[i] is plane i + 1; its fd
     * is dup'ed like fd, -1 for a plane in the first plane's buffer.  A
     * buffer of several planes (or at an offset, or with a modifier other
     * than linear) can be any DRM format; it goes as its fds to local
     * clients that take GL_SCANOUT2_UNIX (spicecast's viewer).  Other
     * clients (spice-gtk 0.42, any over TCP) see it only if it is linear
     * NV12 in buffers that cannot shrink (memfds sealed with F_SEAL_SHRINK,
     * dma-bufs): the server reads that converted to BGRx (BT.601 limited
     * range), as for a one-plane XRGB8888 buffer.  Other multi-plane
     * buffers are logged once and shown to local GL_SCANOUT2 clients only. */
    uint32_t n_planes;
    struct sc_vmm_plane { int fd; uint32_t offset, stride; } planes[3];
};

struct sc_vmm_damage { int32_t x, y, w, h; };

struct sc_vmm_source_callbacks {
    /* Input from clients: PC set-1 scancode bytes (E0-prefixed keys have 2,
     * a release has bit 7 set on the last byte), and the absolute pointer in
     * scanout pixels with SPICE's button mask (1 left, 2 middle, 4 right). */
    void (*key)(void *data, const uint8_t *scancode, unsigned len, bool down);
    void (*pointer)(void *data, int32_t x, int32_t y, uint32_t buttons);
    /* No client and no encoder uses the buffer of `cookie` any more. */
    void (*release)(void *data, uint64_t cookie);
    /* Optional, for several heads: the pointer on head `head` (then
     * pointer() is not called); NULL: pointer() gets head 0's only. */
    void (*head_pointer)(void *data, unsigned head, int32_t x, int32_t y, uint32_t buttons);
};

SC_EXPORT struct sc_vmm_source *sc_vmm_source_new(const struct sc_vmm_source_callbacks *cb,
                                                  void *data);
/* Heads (monitors): a VMM with several scanouts says how many before
 * sc_server_set_vmm_source (1 to 16; 1 by default).  Each head is a display
 * channel of its own (its id is the head's, as spice-server's QXL
 * instances), with its own frames, size and clients' windows. */
SC_EXPORT bool sc_vmm_source_set_heads(struct sc_vmm_source *source, unsigned n_heads,
                                       GError **error);
/* The server shows this source (a server shows one source at a time). */
SC_EXPORT void sc_server_set_vmm_source(struct sc_server *server, struct sc_vmm_source *source);
/* A new frame: the buffer and what changed since the previous frame
 * (damage NULL or n_damage 0: everything).  false with an error for a
 * buffer the server cannot use (bad fd, absurd size, unknown format). */
SC_EXPORT bool sc_vmm_source_scanout(struct sc_vmm_source *source,
                                     const struct sc_vmm_buffer *buffer,
                                     const struct sc_vmm_damage *damage, unsigned n_damage,
                                     uint64_t cookie, GError **error);
/* The same for head `head` (sc_vmm_source_scanout is head 0's); false
 * with an error for a head the source does not have. */
SC_EXPORT bool sc_vmm_source_scanout_head(struct sc_vmm_source *source, unsigned head,
                                          const struct sc_vmm_buffer *buffer,
                                          const struct sc_vmm_damage *damage,
                                          unsigned n_damage, uint64_t cookie, GError **error);
/* The guest cursor, on every head: premultiplied B,G,R,A, width*height*4 bytes. */
SC_EXPORT void sc_vmm_source_cursor(struct sc_vmm_source *source, uint32_t width,
                                    uint32_t height, uint32_t hot_x, uint32_t hot_y,
                                    const uint8_t *pixels);
/* After sc_server_free() or sc_server_set_vmm_source(server, NULL).  No
 * release callback comes after this; once the server is freed as well,
 * every buffer the VMM handed in is its own again. */
SC_EXPORT void sc_vmm_source_destroy(struct sc_vmm_source *source);
