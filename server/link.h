/* The link stage (server/link.c): a connection until its channel is known. */
#pragma once
#include <stdbool.h>

#include "server/net.h"

struct sc_server;

#define SC_LINK_TIMEOUT_MS 30000

/* addr: the peer's address without its port (the key of sc_limits). */
void sc_link_accept(struct sc_server *server, int fd, bool is_unix, const char *peer,
                    const char *addr);
/* A connection made elsewhere (a WebSocket after its HTTP upgrade). */
void sc_link_accept_conn(struct sc_server *server, struct sc_conn *conn, const char *addr);
/* The same over TLS (server->tls_cert), the handshake first. */
void sc_link_accept_tls(struct sc_server *server, int fd, const char *peer, const char *addr);
void sc_link_free_pending(struct sc_server *server);
