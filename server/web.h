/* The browser listener (server/web.c). */
#pragma once
#include <stdbool.h>

#include <glib.h>

struct sc_server;
struct sc_web;

/* An HTTP server (HTTPS with server->tls_cert when tls) serving
 * spice-html5 and SPICE over WebSocket; NULL + error when built without
 * libsoup. */
struct sc_web *sc_web_new(struct sc_server *server, bool tls, GError **error);
/* A connection the listener accepted (fd is the web's now); until its
 * WebSocket upgrade it counts as unauthenticated for addr (sc_limits). */
void sc_web_accept(struct sc_web *web, int fd, const char *peer, const char *addr);
void sc_web_free(struct sc_web *web);
