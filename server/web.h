/* The browser listener (server/web.c). */
#pragma once
#include <stdbool.h>

#include <glib.h>

struct sc_server;
struct sc_web;

/* An HTTP server on fd (HTTPS with server->tls_cert when tls) serving
 * spice-html5 and SPICE over WebSocket; NULL + error. */
struct sc_web *sc_web_new(struct sc_server *server, int fd, bool tls, GError **error);
void sc_web_free(struct sc_web *web);
