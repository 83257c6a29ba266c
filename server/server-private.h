/* The server object (server/server.c), for the files that read its
 * settings or reach its display and streams. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>
#include <glib.h>

#include "common/messages.h"
#include "server/server.h"
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
    struct sc_display *display;
    struct sc_streams *streams;
    enum { SC_GL_SCANOUT_AUTO, SC_GL_SCANOUT_ON, SC_GL_SCANOUT_OFF } gl_scanout;
    uint32_t mm_time_base;
    gint64 start_time;
    struct sc_stats *stats; /* SPICECAST_STATS=1: per-stage latency; else NULL */
};

/* The multimedia clock SPICE clients play video by, in ms (MAIN_INIT
 * sends it once). */
static inline uint32_t sc_server_mm_time(const struct sc_server *server)
{
    return server->mm_time_base + (uint32_t)((g_get_monotonic_time() - server->start_time) / 1000);
}
