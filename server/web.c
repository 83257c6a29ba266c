/* The browser listener (ws:HOST:PORT, wss:HOST:PORT): libsoup's HTTP server
 * serves Debian's spice-html5 client (/usr/share/spice-html5; "/" is its
 * spice_auto.html) and upgrades WebSocket requests (subprotocol "binary",
 * as spice-html5 and websockify speak it) to SPICE connections.
 *
 * libsoup does the HTTP, TLS and the RFC 6455 handshake.  Its
 * SoupWebsocketConnection is not used for the data: it queues every
 * message without bound and cannot say how much waits, while a SPICE
 * client that does not read must get its updates coalesced (STYLE.md 7).
 * The upgraded stream is taken over (soup_server_message_steal_connection)
 * and framed by net-stream.c, under sc_conn's send queue and water marks. */
#include "config.h"

#include <string.h>

#include "link.h"
#include "log.h"
#include "server-private.h"
#include "web.h"

#ifdef HAVE_SOUP
#include <libsoup/soup.h>

#define WEB_ROOT "/usr/share/spice-html5"

struct sc_web {
    struct sc_server *server;
    SoupServer *soup;
    bool tls;
    char *root;
};

static char *ws_protocols[] = { "binary", NULL };

static const char *content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript" },
        { ".css", "text/css" }, { ".png", "image/png" }, { ".ico", "image/x-icon" },
        { ".svg", "image/svg+xml" },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(types); i++)
        if (g_str_has_suffix(path, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* A file under the root; no "..", no hidden files, regular files only. */
static void serve_file(struct sc_web *web, SoupServerMessage *msg, const char *path)
{
    g_autofree char *file = NULL;
    char *contents = NULL;
    gsize len = 0;

    if (strcmp(soup_server_message_get_method(msg), "GET") &&
        strcmp(soup_server_message_get_method(msg), "HEAD")) {
        soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
        return;
    }
    if (!strcmp(path, "/"))
        path = "/spice_auto.html";
    if (strstr(path, "/.") || !g_file_test(web->root, G_FILE_TEST_IS_DIR)) {
        soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
        return;
    }
    file = g_build_filename(web->root, path, NULL);
    if (!g_file_test(file, G_FILE_TEST_IS_REGULAR) ||
        !g_file_get_contents(file, &contents, &len, NULL)) {
        soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
        return;
    }
    soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
    soup_server_message_set_response(msg, content_type(file), SOUP_MEMORY_TAKE, contents, len);
}

/* The 101 went out: the stream is ours from here. */
static void on_upgraded(SoupServerMessage *msg, gpointer data)
{
    struct sc_web *web = data;
    const char *host = soup_server_message_get_remote_host(msg);
    GSocketAddress *sa = soup_server_message_get_remote_address(msg);
    g_autofree char *peer = NULL;
    GIOStream *io;

    peer = G_IS_INET_SOCKET_ADDRESS(sa)
               ? g_strdup_printf("%s:%u (websocket)", host ? host : "?",
                                 g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(sa)))
               : g_strdup("? (websocket)");
    io = soup_server_message_steal_connection(msg);
    if (!io)
        return;
    sc_debug("%s: WebSocket upgraded (%s)", peer, G_OBJECT_TYPE_NAME(io));
    sc_link_accept_conn(web->server, sc_conn_new_ws(io, peer, web->tls), host ? host : "?");
    g_object_unref(io);
}

static void on_request(SoupServer *soup, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer data)
{
    struct sc_web *web = data;
    GError *err = NULL;
    const char *upgrade =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Upgrade");

    (void)soup;
    (void)query;
    if (!upgrade || g_ascii_strcasecmp(upgrade, "websocket")) {
        serve_file(web, msg, path);
        return;
    }
    if (!soup_websocket_server_check_handshake(msg, NULL, ws_protocols, NULL, &err)) {
        sc_info("%s: WebSocket handshake refused: %s",
                soup_server_message_get_remote_host(msg), err->message);
        g_error_free(err);
        soup_server_message_set_status(msg, SOUP_STATUS_BAD_REQUEST, NULL);
        return;
    }
    soup_websocket_server_process_handshake(msg, NULL, ws_protocols, NULL, NULL);
    g_signal_connect(msg, "wrote-informational", G_CALLBACK(on_upgraded), web);
}

struct sc_web *sc_web_new(struct sc_server *server, int fd, bool tls, GError **error)
{
    struct sc_web *web = g_new0(struct sc_web, 1);
    const char *root = g_getenv("SPICECAST_WEB_ROOT");
    GSocket *sock;

    web->server = server;
    web->tls = tls;
    web->root = g_strdup(root && *root ? root : WEB_ROOT);
    web->soup = soup_server_new("server-header", "spicecast", NULL);
    if (tls)
        g_object_set(web->soup, "tls-certificate", server->tls_cert, NULL);
    soup_server_add_handler(web->soup, NULL, on_request, web, NULL);
    sock = g_socket_new_from_fd(fd, error);
    if (!sock || !soup_server_listen_socket(web->soup, sock,
                                            tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error)) {
        if (!sock)
            close(fd);
        g_clear_object(&sock);
        sc_web_free(web);
        return NULL;
    }
    g_object_unref(sock);
    if (!g_file_test(web->root, G_FILE_TEST_IS_DIR))
        sc_warn("%s: no spice-html5 there (Debian package spice-html5): the page will be "
                "missing, WebSocket clients still work", web->root);
    return web;
}

void sc_web_free(struct sc_web *web)
{
    if (!web)
        return;
    soup_server_disconnect(web->soup);
    g_object_unref(web->soup);
    g_free(web->root);
    g_free(web);
}

#else /* !HAVE_SOUP */

struct sc_web *sc_web_new(struct sc_server *server, int fd, bool tls, GError **error)
{
    (void)server;
    (void)tls;
    close(fd);
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                "built without libsoup-3.0: no ws: or wss: listeners");
    return NULL;
}

void sc_web_free(struct sc_web *web)
{
    (void)web;
}

#endif
