/* The client engine's TLS: the CA (file or PEM text), the host subject and
 * the channels wanted secure; the GTlsClientConnection over a channel's
 * socket (the CA, the host name or the host subject checked); non-blocking
 * I/O through its pollable streams.  channel.c keeps the plain fd path; failures
 * go back to it through done(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "client/client-priv.h"
#include "common/log.h"

/* ---- set-up ------------------------------------------------------------------- */

static void close_fd(gpointer fd)
{
    close(GPOINTER_TO_INT(fd));
}

/* A database of the CAs in PEM text (a .vv file's ca=): GIO reads a
 * database from a file only, and reads it again at every handshake
 * (glib-networking's GnuTLS backend).  The file is unlinked at once and
 * named through /proc/self/fd while the database holds its fd: nothing is
 * left behind, however the process ends. */
static GTlsDatabase *database_from_pem(const char *pem, GError **error)
{
    g_autofree char *path = NULL, *fd_path = NULL;
    GTlsDatabase *db = NULL;
    int fd = g_file_open_tmp("sc-ca-XXXXXX.pem", &path, error);
    size_t len = strlen(pem), off = 0;

    if (fd < 0)
        return NULL;
    g_unlink(path);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    while (off < len) {
        ssize_t n = write(fd, pem + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", path,
                        g_strerror(errno));
            close(fd);
            return NULL;
        }
        off += (size_t)n;
    }
    fd_path = g_strdup_printf("/proc/self/fd/%d", fd);
    db = g_tls_file_database_new(fd_path, error);
    if (!db) {
        close(fd);
        return NULL;
    }
    g_object_set_data_full(G_OBJECT(db), "sc-ca-fd", GINT_TO_POINTER(fd), close_fd);
    return db;
}

static uint32_t channel_mask(const char *const *names)
{
    static const struct { const char *name; uint8_t type; } types[] = {
        { "main", SPICE_CHANNEL_MAIN }, { "display", SPICE_CHANNEL_DISPLAY },
        { "inputs", SPICE_CHANNEL_INPUTS }, { "cursor", SPICE_CHANNEL_CURSOR },
    };
    uint32_t mask = 0;

    for (; names && *names; names++)
        for (unsigned i = 0; i < G_N_ELEMENTS(types); i++)
            if (!strcmp(*names, "all") || !strcmp(*names, types[i].name))
                mask |= 1u << types[i].type;
    return mask;
}

bool sc_client_tls_setup(struct sc_client *c, const struct sc_client_options *o, GError **error)
{
    if (!c->tls_addr)
        return true;
    if (o->ca_file && !(c->tls_db = g_tls_file_database_new(o->ca_file, error))) {
        g_prefix_error(error, "%s: ", o->ca_file);
        return false;
    }
    if (!o->ca_file && o->ca && !(c->tls_db = database_from_pem(o->ca, error))) {
        g_prefix_error(error, "the CA certificate (ca=): ");
        return false;
    }
    c->host_subject = g_strdup(o->host_subject);
    c->tls_channels = channel_mask(o->secure_channels);
    return true;
}

/* ---- the handshake -------------------------------------------------------- */

/* "C=IL, O=Red Hat, CN=x" and RFC 4514's "CN=x,O=Red Hat,C=IL" name the
 * same subject: compared as sets of trimmed KEY=VALUE parts. */
static bool subject_equal(const char *a, const char *b)
{
    g_auto(GStrv) pa = g_strsplit(a ? a : "", ",", -1);
    g_auto(GStrv) pb = g_strsplit(b ? b : "", ",", -1);
    guint n = 0;

    if (g_strv_length(pa) != g_strv_length(pb))
        return false;
    for (char **p = pa; *p; p++)
        g_strstrip(*p);
    for (char **p = pb; *p; p++) {
        if (!g_strv_contains((const char *const *)pa, g_strstrip(*p)))
            return false;
        n++;
    }
    return n > 0;
}

static bool subject_ok(struct sc_client *c, GTlsCertificate *cert)
{
    g_autofree char *subject = NULL;

    g_object_get(cert, "subject-name", &subject, NULL);
    if (subject_equal(subject, c->host_subject))
        return true;
    sc_warn("client: the server certificate's subject is '%s', not '%s'",
            subject ? subject : "?", c->host_subject);
    return false;
}

/* With a host subject the subject stands for the host name: the chain
 * must verify (no identity), and the subject match. */
static gboolean on_accept_certificate(GTlsConnection *conn, GTlsCertificate *cert,
                                      GTlsCertificateFlags errors, gpointer p)
{
    struct sc_channel *ch = p;
    GTlsDatabase *db = g_tls_connection_get_database(conn);
    GTlsCertificateFlags flags;

    (void)errors;
    if (!db)
        return FALSE;
    flags = g_tls_database_verify_chain(db, cert, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                        NULL, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
    return flags == 0 && subject_ok(ch->client, cert);
}

struct handshake {
    struct sc_channel *ch;
    void (*done)(struct sc_channel *ch, const char *error);
};

static void handshake_done(GObject *src, GAsyncResult *res, gpointer p)
{
    struct handshake *h = p;
    struct sc_channel *ch = h->ch;
    GError *err = NULL;
    bool ok = g_tls_connection_handshake_finish(G_TLS_CONNECTION(src), res, &err);
    void (*done)(struct sc_channel *, const char *) = h->done;
    char *why = NULL;

    g_free(h);
    if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_error_free(err); /* the client is gone: ch with it */
        return;
    }
    if (!ok)
        why = g_strdup_printf("channel %u: TLS handshake with %s failed: %s", ch->type,
                              ch->client->uri, err->message);
    else if (ch->client->host_subject &&
             !subject_ok(ch->client,
                         g_tls_connection_get_peer_certificate(G_TLS_CONNECTION(src))))
        why = g_strdup_printf("channel %u: the server certificate is not '%s'", ch->type,
                              ch->client->host_subject);
    g_clear_error(&err);
    done(ch, why);
    g_free(why);
}

void sc_channel_tls_start(struct sc_channel *ch, void (*done)(struct sc_channel *ch,
                                                              const char *error))
{
    struct sc_client *c = ch->client;
    GError *err = NULL;
    struct handshake *h;
    GIOStream *tls = g_tls_client_connection_new(G_IO_STREAM(ch->conn), c->tls_addr, &err);

    if (!tls) {
        char *why = g_strdup_printf("channel %u: no TLS: %s", ch->type, err->message);
        g_error_free(err);
        done(ch, why);
        g_free(why);
        return;
    }
    if (c->tls_db)
        g_tls_connection_set_database(G_TLS_CONNECTION(tls), c->tls_db);
    if (c->host_subject)
        g_signal_connect(tls, "accept-certificate", G_CALLBACK(on_accept_certificate), ch);
    ch->tls = tls;
    h = g_new0(struct handshake, 1);
    h->ch = ch;
    h->done = done;
    g_tls_connection_handshake_async(G_TLS_CONNECTION(tls), G_PRIORITY_DEFAULT, c->cancel,
                                     handshake_done, h);
}

/* ---- I/O ------------------------------------------------------------------------ */

static gssize tls_result(gssize r, GError *err)
{
    if (r >= 0)
        return r;
    r = g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ? -EAGAIN : -ECONNRESET;
    if (r != -EAGAIN)
        sc_debug("client: TLS: %s", err->message);
    g_error_free(err);
    return r;
}

/* Reads until len bytes or nothing more: a TLS record read in part stays
 * in the TLS layer, where the socket's readiness does not show it. */
gssize sc_channel_tls_recv(struct sc_channel *ch, void *buf, size_t len)
{
    GPollableInputStream *in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(ch->tls));
    size_t got = 0;

    ch->tls_more = false;
    while (got < len) {
        GError *err = NULL;
        gssize r = g_pollable_input_stream_read_nonblocking(in, (char *)buf + got, len - got,
                                                            NULL, &err);

        r = tls_result(r, err);
        if (r <= 0)
            return got ? (gssize)got : r;
        got += (size_t)r;
    }
    ch->tls_more = true;
    return (gssize)got;
}

gssize sc_channel_tls_send(struct sc_channel *ch, const void *buf, size_t len)
{
    GError *err = NULL;
    GOutputStream *out = g_io_stream_get_output_stream(ch->tls);
    gssize r = g_pollable_output_stream_write_nonblocking(G_POLLABLE_OUTPUT_STREAM(out), buf, len,
                                                          NULL, &err);

    return tls_result(r, err);
}

struct watch {
    gboolean (*fn)(gpointer ch);
    struct sc_channel *ch;
};

/* a GPollableSourceFunc takes the stream first */
static gboolean watch_cb(GObject *stream, gpointer p)
{
    struct watch *w = p;

    (void)stream;
    return w->fn(w->ch);
}

guint sc_channel_tls_watch(struct sc_channel *ch, bool out, gboolean (*fn)(gpointer ch))
{
    struct watch *w = g_new(struct watch, 1);
    GSource *src = out ? g_pollable_output_stream_create_source(
                             G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(ch->tls)), NULL)
                       : g_pollable_input_stream_create_source(
                             G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(ch->tls)), NULL);
    guint id;

    w->fn = fn;
    w->ch = ch;
    g_source_set_callback(src, G_SOURCE_FUNC(watch_cb), w, g_free);
    id = g_source_attach(src, NULL);
    g_source_unref(src);
    return id;
}
