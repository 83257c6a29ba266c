/* The server object (server/server.c), for the files that read its
 * settings or reach its display and streams. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>
#include <glib.h>

#include "common/messages.h"
#include "server/server.h"
#include "server/sources/source.h"
#include "common/ticket.h"

struct sc_listener;
struct sc_limits;
struct sc_display;
struct sc_streams;

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
    /* one display per head of the source (display 0 always), each with its
     * own streams; n_displays grows with a source of more heads, never
     * shrinks (clients of a head the source lost keep a still display) */
    struct sc_display *displays[SC_MAX_HEADS];
    unsigned n_displays;
    struct sc_source *source; /* started; not ours */
    char *streaming_video, *video_codecs; /* for the displays' streams */
    uint32_t video_bitrate;
    enum { SC_GL_SCANOUT_AUTO, SC_GL_SCANOUT_ON, SC_GL_SCANOUT_OFF } gl_scanout;
    uint32_t mm_time_base;
    gint64 start_time;
    struct sc_stats *stats; /* SPICECAST_STATS=1: per-stage latency; else NULL */
};

/* Head `head`'s display, NULL if there is none (a channel id from a client
 * is checked against n_displays when it links). */
static inline struct sc_display *sc_server_display(const struct sc_server *server, unsigned head)
{
    return head < server->n_displays ? server->displays[head] : NULL;
}

/* The multimedia clock SPICE clients play video by, in ms (MAIN_INIT
 * sends it once). */
static inline uint32_t sc_server_mm_time(const struct sc_server *server)
{
    return server->mm_time_base + (uint32_t)((g_get_monotonic_time() - server->start_time) / 1000);
}
