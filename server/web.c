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
 * and framed by net-stream.c, under sc_conn's send queue and water marks.
 *
 * Connections are accepted by server.c's listener, not libsoup's: from the
 * accept to the upgrade (the TLS handshake included) a connection counts as
 * unauthenticated in sc_limits, as a SPICE link does (at most
 * SC_LIMITS_PENDING_PER_ADDR per address, the server's link timeout), so a
 * flood of slow HTTP requests from one address does not starve others.
 * libsoup gets each one through soup_server_accept_iostream(): with no
 * listener of its own it closes a connection after one response (browsers
 * open another), which keeps the count per connection exact. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "server/link-limits.h"
#include "server/link.h"
#include "common/log.h"
#include "server/server-private.h"
#include "server/web.h"

#ifdef HAVE_SOUP
#include <libsoup/soup.h>

#define WEB_ROOT "/usr/share/spice-html5"

struct sc_web {
    struct sc_server *server;
    SoupServer *soup;
    bool tls;
    char *root;
    GHashTable *conns; /* struct web_conn, not yet upgraded or gone */
};

/* A connection from its accept until libsoup lets it go or it upgrades. */
struct web_conn {
    struct sc_web *web;
    GSocketConnection *sock; /* weak: libsoup (or the stolen stream) holds it */
    GSocketAddress *remote;  /* carries "sc-web-conn" -> this, for on_upgraded */
    GCancellable *cancel;    /* the TLS handshake; data "wc" points back */
    char *peer, *addr;
    guint timeout;
    bool counted;            /* in sc_limits' pending count */
};

#define WC_KEY "sc-web-conn"

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

/* Out of the pending count (upgraded, or gone); the entry stays until its
 * socket goes. */
static void wc_release(struct web_conn *wc)
{
    if (!wc)
        return;
    if (wc->timeout)
        g_source_remove(wc->timeout);
    wc->timeout = 0;
    if (wc->counted)
        sc_limits_link_done(wc->web->server->limits, wc->addr);
    wc->counted = false;
}

static void wc_free(struct web_conn *wc)
{
    wc_release(wc);
    if (wc->cancel) {
        g_object_set_data(G_OBJECT(wc->cancel), "wc", NULL);
        g_cancellable_cancel(wc->cancel);
        g_clear_object(&wc->cancel);
    }
    if (wc->remote)
        g_object_set_data(G_OBJECT(wc->remote), WC_KEY, NULL);
    g_clear_object(&wc->remote);
    g_free(wc->peer);
    g_free(wc->addr);
    g_free(wc);
}

/* The socket is gone (libsoup closed it, or the WebSocket ended). */
static void wc_gone(gpointer data, GObject *where)
{
    struct web_conn *wc = data;

    (void)where;
    wc->sock = NULL;
    g_hash_table_remove(wc->web->conns, wc);
}

/* No upgrade within the link timeout: an HTTP request, or a TLS
 * handshake, that slow holds a pending slot; closed. */
static gboolean wc_timeout(gpointer data)
{
    struct web_conn *wc = data;

    wc->timeout = 0;
    sc_info("%s: HTTP: no WebSocket within %u s; closed", wc->peer,
            wc->web->server->link_timeout_ms / 1000);
    if (wc->cancel)
        g_cancellable_cancel(wc->cancel);
    if (wc->sock)
        g_socket_shutdown(g_socket_connection_get_socket(wc->sock), TRUE, TRUE, NULL);
    wc_release(wc);
    return G_SOURCE_REMOVE;
}

static void wc_to_soup(struct web_conn *wc, GIOStream *io)
{
    GSocketAddress *local = g_socket_connection_get_local_address(wc->sock, NULL);
    GError *err = NULL;

    wc->remote = g_socket_connection_get_remote_address(wc->sock, NULL);
    /* before libsoup sees it: a request already there is served, and
     * upgraded, inside soup_server_accept_iostream() */
    if (wc->remote)
        g_object_set_data(G_OBJECT(wc->remote), WC_KEY, wc);
    if (!local || !wc->remote ||
        !soup_server_accept_iostream(wc->web->soup, io, local, wc->remote, &err)) {
        sc_info("%s: HTTP: %s; closed", wc->peer, err ? err->message : "no socket address");
        g_clear_error(&err);
        g_socket_shutdown(g_socket_connection_get_socket(wc->sock), TRUE, TRUE, NULL);
    }
    g_clear_object(&local);
}

static void wc_handshake_done(GObject *src, GAsyncResult *res, gpointer data)
{
    GCancellable *cancel = data;
    struct web_conn *wc = g_object_get_data(G_OBJECT(cancel), "wc");
    GError *err = NULL;
    bool ok = g_tls_connection_handshake_finish(G_TLS_CONNECTION(src), res, &err);

    if (wc) {
        g_clear_object(&wc->cancel);
        if (ok)
            wc_to_soup(wc, G_IO_STREAM(src));
        else
            sc_info("%s: TLS handshake failed: %s; closed", wc->peer, err->message);
    }
    g_clear_error(&err);
    g_object_unref(cancel);
    g_object_unref(src); /* ours; libsoup took its own */
}

static void wc_start_tls(struct web_conn *wc)
{
    GError *err = NULL;
    GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(wc->sock),
                                                 wc->web->server->tls_cert, &err);

    if (!tls) {
        sc_warn("%s: TLS: %s; closed", wc->peer, err->message);
        g_error_free(err);
        return;
    }
    g_object_set(tls, "require-close-notify", FALSE, NULL);
    wc->cancel = g_cancellable_new();
    g_object_set_data(G_OBJECT(wc->cancel), "wc", wc);
    g_tls_connection_handshake_async(G_TLS_CONNECTION(tls), G_PRIORITY_DEFAULT, wc->cancel,
                                     wc_handshake_done, g_object_ref(wc->cancel));
}

void sc_web_accept(struct sc_web *web, int fd, const char *peer, const char *addr)
{
    struct web_conn *wc;
    GSocket *gs;
    GError *err = NULL;

    if (!sc_limits_link_start(web->server->limits, addr)) {
        close(fd);
        return;
    }
    if (!(gs = g_socket_new_from_fd(fd, &err))) {
        sc_warn("%s: %s; closed", peer, err->message);
        g_error_free(err);
        close(fd);
        sc_limits_link_done(web->server->limits, addr);
        return;
    }
    wc = g_new0(struct web_conn, 1);
    wc->web = web;
    wc->peer = g_strdup(peer);
    wc->addr = g_strdup(addr);
    wc->counted = true;
    wc->sock = g_socket_connection_factory_create_connection(gs);
    g_object_unref(gs);
    g_object_weak_ref(G_OBJECT(wc->sock), wc_gone, wc);
    g_hash_table_add(web->conns, wc);
    wc->timeout = g_timeout_add(web->server->link_timeout_ms, wc_timeout, wc);
    if (web->tls)
        wc_start_tls(wc);
    else
        wc_to_soup(wc, G_IO_STREAM(wc->sock));
    g_object_unref(wc->sock); /* the weak reference clears it when it goes */
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
    wc_release(sa ? g_object_get_data(G_OBJECT(sa), WC_KEY) : NULL);
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

struct sc_web *sc_web_new(struct sc_server *server, bool tls, GError **error)
{
    struct sc_web *web = g_new0(struct sc_web, 1);
    const char *root = g_getenv("SPICECAST_WEB_ROOT");

    (void)error;
    web->server = server;
    web->tls = tls;
    web->root = g_strdup(root && *root ? root : WEB_ROOT);
    web->conns = g_hash_table_new_full(NULL, NULL, (GDestroyNotify)wc_free, NULL);
    web->soup = soup_server_new("server-header", "spicecast", NULL);
    soup_server_add_handler(web->soup, NULL, on_request, web, NULL);
    if (!g_file_test(web->root, G_FILE_TEST_IS_DIR))
        sc_warn("%s: no spice-html5 there (Debian package spice-html5): the page will be "
                "missing, WebSocket clients still work", web->root);
    return web;
}

static void wc_unwatch(gpointer key, gpointer value, gpointer data)
{
    struct web_conn *wc = key;

    (void)value;
    (void)data;
    if (wc->sock)
        g_object_weak_unref(G_OBJECT(wc->sock), wc_gone, wc);
}

void sc_web_free(struct sc_web *web)
{
    if (!web)
        return;
    /* the entries first: libsoup letting its connections go must not
     * call back into a freed web */
    g_hash_table_foreach(web->conns, wc_unwatch, NULL);
    g_hash_table_unref(web->conns);
    soup_server_disconnect(web->soup);
    g_object_unref(web->soup);
    g_free(web->root);
    g_free(web);
}

#else /* !HAVE_SOUP */

struct sc_web *sc_web_new(struct sc_server *server, bool tls, GError **error)
{
    (void)server;
    (void)tls;
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                "built without libsoup-3.0: no ws: or wss: listeners");
    return NULL;
}

void sc_web_accept(struct sc_web *web, int fd, const char *peer, const char *addr)
{
    (void)web;
    (void)peer;
    (void)addr;
    close(fd);
}

void sc_web_free(struct sc_web *web)
{
    (void)web;
}

#endif
