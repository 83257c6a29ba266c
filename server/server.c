/* The server: listening sockets, passwords, top-level state. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include <spice/protocol.h>

#include "server/display.h"
#include "server/link-limits.h"
#include "server/link.h"
#include "common/log.h"
#include "server/server-private.h"
#include "server/session.h"
#include "server/stream.h"
#include "server/tls.h"
#include "server/web.h"
#include "common/stats.h"

struct sc_listener {
    struct sc_server *server;
    int fd;
    bool is_unix;
    bool tls;
    struct sc_web *web; /* ws:, wss: (we accept, libsoup serves) */
    char *address; /* "tcp:HOST:PORT", "tls:HOST:PORT" or "unix:PATH" */
    char *unix_path;
    guint watch;
    guint resume; /* accepting paused: out of file descriptors */
    gint64 last_pause_warn;
};

#define ACCEPT_PAUSE_MS 100

static gboolean listener_accept(gint fd, GIOCondition cond, gpointer data);

static gboolean listener_resume(gpointer data)
{
    struct sc_listener *l = data;

    l->resume = 0;
    l->watch = g_unix_fd_add(l->fd, G_IO_IN, listener_accept, l);
    return G_SOURCE_REMOVE;
}

/* Out of fds (EMFILE, ENFILE) or kernel memory: the pending connection
 * stays in the backlog and the socket stays readable, so accepting again
 * at once would spin and starve the closes that free fds.  Stop watching
 * the socket for a moment; the backlog is served when fds are back. */
static void listener_pause(struct sc_listener *l, int err)
{
    gint64 now = g_get_monotonic_time();

    if (now - l->last_pause_warn > G_USEC_PER_SEC) {
        sc_warn("accept on %s: %s; pausing new connections", l->address, g_strerror(err));
        l->last_pause_warn = now;
    }
    l->watch = 0;
    l->resume = g_timeout_add(ACCEPT_PAUSE_MS, listener_resume, l);
}

/* A unix peer's uid (SO_PEERCRED) must be ours, root's or allowed. */
static bool unix_peer_allowed(struct sc_server *server, int fd, char *peer, size_t peer_size,
                              char *addr, size_t addr_size)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        sc_warn("unix client: SO_PEERCRED: %s; refused", g_strerror(errno));
        return false;
    }
    g_snprintf(peer, peer_size, "unix:uid=%u,pid=%d", (unsigned)cred.uid, (int)cred.pid);
    g_snprintf(addr, addr_size, "unix:uid=%u", (unsigned)cred.uid);
    if (cred.uid == geteuid() || cred.uid == 0)
        return true;
    for (guint i = 0; i < server->allow_uids->len; i++) {
        if (g_array_index(server->allow_uids, uint32_t, i) == cred.uid)
            return true;
    }
    sc_info("%s: refused: uid %u is not allowed on the unix socket (--allow-uid)", peer,
            (unsigned)cred.uid);
    return false;
}

static gboolean listener_accept(gint fd, GIOCondition cond, gpointer data)
{
    struct sc_listener *l = data;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char peer[128] = "unix", addr[NI_MAXHOST + 16] = "unix";
    int cfd;

    (void)cond;
    cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (cfd < 0) {
        int err = errno;

        if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
            listener_pause(l, err);
            return G_SOURCE_REMOVE;
        }
        /* ECONNABORTED and the like: that connection is gone, not us */
        if (err != EAGAIN && err != EINTR)
            sc_warn("accept on %s: %s", l->address, g_strerror(err));
        return G_SOURCE_CONTINUE;
    }
    if (l->is_unix && !unix_peer_allowed(l->server, cfd, peer, sizeof(peer), addr, sizeof(addr))) {
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    if (!l->is_unix) {
        char host[NI_MAXHOST], serv[NI_MAXSERV];
        int one = 1;

        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv, sizeof(serv),
                        NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
            g_snprintf(peer, sizeof(peer), "%s:%s", host, serv);
            g_strlcpy(addr, host, sizeof(addr));
        }
    }
    sc_debug("connection from %s on %s", peer, l->address);
    if (l->web)
        sc_web_accept(l->web, cfd, peer, addr);
    else if (l->tls)
        sc_link_accept_tls(l->server, cfd, peer, addr);
    else
        sc_link_accept(l->server, cfd, l->is_unix, peer, addr);
    return G_SOURCE_CONTINUE;
}

static void listener_free(struct sc_listener *l)
{
    if (l->watch)
        g_source_remove(l->watch);
    if (l->resume)
        g_source_remove(l->resume);
    sc_web_free(l->web);
    if (l->fd >= 0)
        close(l->fd);
    if (l->unix_path)
        unlink(l->unix_path);
    g_free(l->unix_path);
    g_free(l->address);
    g_free(l);
}

static bool parse_tcp(const char *spec, char **host, char **port, GError **error)
{
    const char *colon;

    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':')
            goto bad;
        *host = g_strndup(spec + 1, end - spec - 1);
        *port = g_strdup(end + 2);
        return true;
    }
    colon = strrchr(spec, ':');
    if (!colon || colon == spec)
        goto bad;
    *host = g_strndup(spec, colon - spec);
    *port = g_strdup(colon + 1);
    return true;
bad:
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "bad TCP address '%s' (expected HOST:PORT or [IPV6]:PORT)", spec);
    return false;
}

static bool is_loopback(const struct addrinfo *ai)
{
    if (ai->ai_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)ai->ai_addr;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (ai->ai_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)ai->ai_addr;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

static int listen_tcp(struct sc_server *server, const char *spec, char **address,
                      GError **error)
{
    g_autofree char *host = NULL, *port = NULL;
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL;
    int fd = -1, r, one = 1;

    if (!parse_tcp(spec, &host, &port, error))
        return -1;
    r = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (r != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", spec, gai_strerror(r));
        return -1;
    }
    if (!server->password && !server->insecure && !is_loopback(res)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "refusing to listen on %s without a password: anyone on the network "
                    "could see and control the display (use --password-file, or --insecure)",
                    spec);
        goto out;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        goto err_errno;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (res->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0)
        goto err_errno;
    {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        char h[NI_MAXHOST], s[NI_MAXSERV];

        getsockname(fd, (struct sockaddr *)&ss, &sl);
        getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), s, sizeof(s),
                    NI_NUMERICHOST | NI_NUMERICSERV);
        *address = ss.ss_family == AF_INET6 ? g_strdup_printf("tcp:[%s]:%s", h, s)
                                             : g_strdup_printf("tcp:%s:%s", h, s);
    }
    freeaddrinfo(res);
    return fd;

err_errno:
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "listen on %s: %s", spec,
                g_strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return -1;
}

/* A socket file left by a crashed server is removed; a live server's
 * socket, or anything that is not a socket, is left alone and refused. */
static bool remove_stale_socket(const struct sockaddr_un *sun, GError **error)
{
    struct stat st;
    int fd, r, err;

    if (lstat(sun->sun_path, &st) < 0)
        return true; /* nothing there */
    if (!S_ISSOCK(st.st_mode)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                    "unix:%s exists and is not a socket: not replacing it", sun->sun_path);
        return false;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); /* blocking: a full backlog waits */
    if (fd < 0)
        return true;
    r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
    err = errno;
    close(fd);
    if (r == 0 || err != ECONNREFUSED) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                    "unix:%s is in use by a running server", sun->sun_path);
        return false;
    }
    unlink(sun->sun_path);
    return true;
}

/* The socket's directory must not let another user replace the socket:
 * not a symlink, owned by us or root, and not writable by others unless
 * sticky (as /tmp).  A /tmp/spicecast-UID made by another user (mode 777)
 * is refused, not used. */
static bool check_socket_dir(const char *dir, GError **error)
{
    struct stat st;

    if (lstat(dir, &st) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", dir,
                    g_strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s is not a directory (a symlink?): not putting a socket there", dir);
        return false;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s belongs to uid %u, not to us: it could replace our socket", dir,
                    (unsigned)st.st_uid);
        return false;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s is writable by other users (mode %o): they could replace our socket",
                    dir, (unsigned)(st.st_mode & 07777));
        return false;
    }
    return true;
}

static int listen_unix(const char *path, GError **error)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    g_autofree char *dir = g_path_get_dirname(path);
    int fd;
    mode_t old;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "socket path too long: %s",
                    path);
        return -1;
    }
    if (g_mkdir_with_parents(dir, 0700) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "mkdir %s: %s", dir,
                    g_strerror(errno));
        return -1;
    }
    if (!check_socket_dir(dir, error))
        return -1;
    strcpy(sun.sun_path, path);
    if (!remove_stale_socket(&sun, error))
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        goto err;
    old = umask(0177);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        umask(old);
        goto err;
    }
    umask(old);
    chmod(path, 0600);
    if (listen(fd, 64) < 0)
        goto err;
    return fd;
err:
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "listen on unix:%s: %s", path,
                g_strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

bool sc_server_listen(struct sc_server *server, const char *spec, GError **error)
{
    struct sc_listener *l = g_new0(struct sc_listener, 1);

    l->server = server;
    if (g_str_has_prefix(spec, "tcp:")) {
        l->fd = listen_tcp(server, spec + 4, &l->address, error);
    } else if ((g_str_has_prefix(spec, "ws:") || g_str_has_prefix(spec, "wss:"))) {
        bool tls = spec[2] == 's';

        if (tls && !server->tls_cert) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "%s: wss needs a certificate (--x509-dir / options.x509_dir)", spec);
            l->fd = -1;
        } else {
            l->fd = listen_tcp(server, spec + (tls ? 4 : 3), &l->address, error);
        }
        if (l->fd >= 0) {
            char *a = g_strdup_printf("%s%s", tls ? "wss" : "ws", l->address + 3);

            g_free(l->address);
            l->address = a;
            if (!(l->web = sc_web_new(server, tls, error))) {
                close(l->fd);
                l->fd = -1;
            }
        }
    } else if (g_str_has_prefix(spec, "tls:") && !server->tls_cert) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "%s: TLS needs a certificate (--x509-dir / options.x509_dir)", spec);
        l->fd = -1;
    } else if (g_str_has_prefix(spec, "tls:")) {
        l->tls = true;
        l->fd = listen_tcp(server, spec + 4, &l->address, error);
        if (l->fd >= 0)
            memcpy(l->address, "tls", 3); /* "tcp:HOST:PORT" -> "tls:HOST:PORT" */
    } else if (g_str_has_prefix(spec, "unix:") && spec[5]) {
        l->is_unix = true;
        l->fd = listen_unix(spec + 5, error);
        if (l->fd >= 0) {
            l->unix_path = g_strdup(spec + 5);
            l->address = g_strdup(spec);
        }
    } else {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "bad listen address '%s' (expected tcp:, tls:, ws:, wss:HOST:PORT or unix:PATH)",
                    spec);
        l->fd = -1;
    }
    if (l->fd < 0) {
        listener_free(l);
        return false;
    }
    l->watch = g_unix_fd_add(l->fd, G_IO_IN, listener_accept, l);
    server->listeners = g_list_append(server->listeners, l);
    return true;
}

GPtrArray *sc_server_get_addresses(struct sc_server *server)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

    for (GList *l = server->listeners; l; l = l->next)
        g_ptr_array_add(a, g_strdup(((struct sc_listener *)l->data)->address));
    return a;
}

unsigned sc_server_client_count(struct sc_server *server)
{
    return sc_session_count(server);
}

/* ---- password ------------------------------------------------------------ */

bool sc_server_set_password(struct sc_server *server, const char *password, uint32_t lifetime_s,
                            GError **error)
{
    size_t len = password ? strlen(password) : 0;

    if (len == 0 || len > SPICE_MAX_PASSWORD_LENGTH) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "a password is 1 to %d bytes", SPICE_MAX_PASSWORD_LENGTH);
        return false;
    }
    if (server->password)
        memset(server->password, 0, strlen(server->password));
    g_free(server->password);
    server->password = g_strdup(password);
    server->disable_ticketing = false;
    server->password_expires =
        lifetime_s ? g_get_monotonic_time() + (gint64)lifetime_s * G_USEC_PER_SEC : 0;
    sc_info("a new password is set%s", lifetime_s ? "" : " (no expiry)");
    return true;
}

void sc_server_expire_password(struct sc_server *server)
{
    server->password_expires = g_get_monotonic_time();
    sc_info("the password has been expired: no new client can authenticate");
}

/* ---- lifetime -------------------------------------------------------------- */

static bool add_displays(struct sc_server *server, unsigned n, GError **error);

struct sc_server *sc_server_new(const struct sc_server_options *options, GError **error)
{
    struct sc_server *server = g_new0(struct sc_server, 1);

    server->name = g_strdup(options->name ? options->name : "default");
    server->password = g_strdup(options->password);
    server->disable_ticketing = options->disable_ticketing;
    server->insecure = options->insecure;
    for (unsigned i = 0; i < sizeof(server->uuid); i++)
        server->uuid[i] = (uint8_t)g_random_int();
    server->ticket_key = sc_ticket_key_new();
    if (!server->ticket_key || !sc_ticket_key_get_pubkey(server->ticket_key, server->pubkey)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not create the RSA ticket key");
        sc_server_free(server);
        return NULL;
    }
    server->sessions = g_hash_table_new(g_direct_hash, g_direct_equal);
    server->link_timeout_ms = SC_LINK_TIMEOUT_MS;
    server->limits = sc_limits_new();
    server->max_clients = options->max_clients;
    if (options->password_lifetime_s)
        server->password_expires =
            g_get_monotonic_time() + (gint64)options->password_lifetime_s * G_USEC_PER_SEC;
    server->allow_uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    if (options->n_allow_uids)
        g_array_append_vals(server->allow_uids, options->allow_uids, options->n_allow_uids);
    if (options->x509_dir && !(server->tls_cert = sc_tls_load_x509_dir(options->x509_dir, error))) {
        sc_server_free(server);
        return NULL;
    }
    if (!sc_parse_secure_channels(options->secure_channels, &server->secure_channels, error)) {
        sc_server_free(server);
        return NULL;
    }
    if (server->secure_channels && !server->tls_cert) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "secure channels without TLS: give an x509 dir and a tls: listener");
        sc_server_free(server);
        return NULL;
    }
    server->start_time = g_get_monotonic_time();
    server->stats = sc_stats_new_from_env("server");
    server->mm_time_base = 1000 + g_random_int_range(0, 1 << 20);
    if (!options->gl_scanout || !strcmp(options->gl_scanout, "auto")) {
        server->gl_scanout = SC_GL_SCANOUT_AUTO;
    } else if (!strcmp(options->gl_scanout, "on")) {
        server->gl_scanout = SC_GL_SCANOUT_ON;
    } else if (!strcmp(options->gl_scanout, "off")) {
        server->gl_scanout = SC_GL_SCANOUT_OFF;
    } else {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "unknown gl-scanout mode '%s' (auto, on or off)", options->gl_scanout);
        sc_server_free(server);
        return NULL;
    }
    server->streaming_video = g_strdup(options->streaming_video);
    server->video_codecs = g_strdup(options->video_codecs);
    server->video_bitrate = options->video_bitrate;
    if (!add_displays(server, 1, error)) {
        sc_server_free(server);
        return NULL;
    }
    return server;
}

/* Displays for heads up to n (the first one checks the stream options). */
static bool add_displays(struct sc_server *server, unsigned n, GError **error)
{
    for (unsigned i = server->n_displays; i < n && i < SC_MAX_HEADS; i++) {
        server->displays[i] = sc_display_new(server, i, server->streaming_video,
                                             server->video_codecs, server->video_bitrate, error);
        if (!server->displays[i])
            return false;
        server->n_displays = i + 1;
    }
    return true;
}

/* Each head of the source to its display (displays made for heads it has
 * beyond the current ones); the source is started once its heads are
 * listened to. */
void sc_server_set_source(struct sc_server *server, struct sc_source *source)
{
    unsigned n = source ? sc_source_n_heads(source) : 0;
    g_autoptr(GError) error = NULL;

    if (server->source)
        sc_source_stop(server->source);
    server->source = source;
    if (!add_displays(server, n, &error))
        sc_warn("display for head %u: %s", server->n_displays, error->message);
    for (unsigned i = 0; i < server->n_displays; i++)
        sc_display_set_source(server->displays[i], i < n ? source : NULL);
    if (!source)
        return;
    if (n > 1)
        sc_info("source %s has %u heads: display channels 0 to %u", source->impl->name, n,
                server->n_displays - 1);
    sc_source_start(source);
}

void sc_server_free(struct sc_server *server)
{
    if (!server)
        return;
    g_list_free_full(server->listeners, (GDestroyNotify)listener_free);
    sc_link_free_pending(server);
    /* tear every client down now: nothing may run after the server is gone */
    if (server->sessions)
        sc_session_close_all(server);
    if (server->source)
        sc_source_stop(server->source);
    for (unsigned i = 0; i < server->n_displays; i++)
        sc_display_free(server->displays[i]);
    g_free(server->streaming_video);
    g_free(server->video_codecs);
    sc_stats_free(server->stats); /* after the encode workers: they record */
    if (server->sessions)
        g_hash_table_unref(server->sessions);
    if (server->allow_uids)
        g_array_unref(server->allow_uids);
    sc_ticket_key_free(server->ticket_key);
    sc_limits_free(server->limits);
    g_clear_object(&server->tls_cert);
    if (server->password)
        memset(server->password, 0, strlen(server->password));
    g_free(server->password);
    g_free(server->name);
    g_free(server);
}
