/* spicecast server: the embedding API.
 *
 * A VMM (or the spicecast-server daemon) creates a server, gives it a scanout
 * source and listening addresses, and runs a GLib main loop.  Everything
 * runs on the thread-default main context of the caller; lossless encoding
 * runs on worker threads and reports back to that context. */
#pragma once
#include <stdbool.h>

#include <glib.h>

#include "source.h"

struct sc_server;

struct sc_server_options {
    const char *name;          /* shown by clients (MAIN NAME); "default" */
    const char *password;      /* NULL: no password */
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
};

struct sc_server *sc_server_new(const struct sc_server_options *options, GError **error);
void sc_server_free(struct sc_server *server);
/* "tcp:HOST:PORT" ("tcp:[::1]:PORT" for IPv6) or "unix:PATH" (mode 0600). */
bool sc_server_listen(struct sc_server *server, const char *spec, GError **error);
/* Where the server listens, one "tcp:HOST:PORT" / "unix:PATH" per entry. */
GPtrArray *sc_server_get_addresses(struct sc_server *server);
/* The server does not own the source; it starts it on the first call. */
void sc_server_set_source(struct sc_server *server, struct sc_source *source);
unsigned sc_server_client_count(struct sc_server *server);
