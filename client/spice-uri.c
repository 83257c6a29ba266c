/* SPICE URI parsing, spice-gtk's rules (see spice-uri.h).  One deliberate
 * difference: USER@ is looked for in the authority only, so that a
 * password=a@b in the query is not taken for a user name. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>

#include "client/spice-uri.h"

#define SCHEME_SPICE "spice://"
#define SCHEME_TLS "spice+tls://"
#define SCHEME_UNIX "spice+unix://"

static bool fail(GError **error, const char *uri, const char *what)
{
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s in URI '%s'", what, uri);
    return false;
}

/* "5900" -> 5900; 0 for anything but 1..65535 in decimal */
static int parse_port(const char *s)
{
    guint64 v;

    if (!s || !g_ascii_isdigit(*s) || g_ascii_string_to_unsigned(s, 10, 1, 65535, &v, NULL) == FALSE)
        return 0;
    return (int)v;
}

/* One KEY=VALUE of the query into u; *q moves past it and its separator. */
static bool parse_param(const char *uri, char **q, struct sc_spice_uri *u, char **port_s,
                        char **tls_s, GError **error)
{
    size_t klen = strspn(*q, "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    char **target = NULL;
    char *key, *value;
    size_t vlen;

    if (klen == 0 || klen > 31 || (*q)[klen] != '=')
        return fail(error, uri, "bad query parameter");
    key = *q;
    key[klen] = '\0';
    value = key + klen + 1;
    vlen = strcspn(value, ";&");
    *q = value + vlen + (value[vlen] ? 1 : 0);
    value[vlen] = '\0';
    if (!strcmp(key, "port"))
        target = port_s;
    else if (!strcmp(key, "tls-port"))
        target = tls_s;
    else if (!strcmp(key, "password"))
        target = &u->password;
    else
        return g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "unknown key '%s' in URI '%s' (port, tls-port, password)", key, uri),
               false;
    if (vlen == 0)
        return true; /* "tls-port=": as if not there */
    if (*target)
        return g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "'%s' given twice in URI '%s'", key, uri), false;
    *target = g_uri_unescape_string(value, NULL);
    if (!*target)
        return fail(error, uri, "bad %-escape");
    return true;
}

/* HOST[:PORT] or [V6]:PORT, the user part already gone */
static bool parse_authority(const char *uri, char *auth, struct sc_spice_uri *u, char **port_s,
                            GError **error)
{
    char *colon;

    if (auth[0] == '[') {
        char *end = strchr(auth, ']');
        if (!end)
            return fail(error, uri, "missing closing ']'");
        *end = '\0';
        u->host = g_strdup(auth + 1);
        if (end[1] == ':')
            *port_s = g_strdup(end + 2);
        else if (end[1])
            return fail(error, uri, "junk after ']'");
    } else {
        colon = strchr(auth, ':');
        if (colon) {
            *colon = '\0';
            *port_s = g_strdup(colon + 1);
        }
        u->host = g_uri_unescape_string(auth, NULL);
        if (!u->host)
            return fail(error, uri, "bad %-escape in the host");
    }
    if (!u->host[0])
        return fail(error, uri, "no host");
    return true;
}

/* the port strings into numbers, spice+tls:// rules applied */
static bool set_ports(const char *uri, bool tls, char *auth_port, char *port_s, char *tls_s,
                      struct sc_spice_uri *u, GError **error)
{
    if (auth_port && *auth_port) {
        if (tls ? tls_s != NULL : port_s != NULL)
            return fail(error, uri, "port given twice");
        if (tls)
            tls_s = auth_port;
        else
            port_s = auth_port;
    }
    if (tls && port_s)
        return fail(error, uri, "a plain port with spice+tls://");
    if (!port_s && !tls_s)
        return fail(error, uri, "missing port or tls-port");
    if (port_s && !(u->port = parse_port(port_s)))
        return fail(error, uri, "bad port");
    if (tls_s && !(u->tls_port = parse_port(tls_s)))
        return fail(error, uri, "bad tls-port");
    return true;
}

bool sc_spice_uri_parse(const char *uri, struct sc_spice_uri *out, GError **error)
{
    g_autofree char *copy = NULL, *auth_port = NULL, *port_s = NULL, *tls_s = NULL;
    char *auth, *q, *at, *end;
    bool tls = false;

    memset(out, 0, sizeof(*out));
    if (g_str_has_prefix(uri, SCHEME_UNIX)) {
        if (!uri[strlen(SCHEME_UNIX)])
            return fail(error, uri, "no socket path");
        out->unix_path = g_strdup(uri + strlen(SCHEME_UNIX));
        return true;
    }
    if (g_str_has_prefix(uri, SCHEME_TLS))
        tls = true;
    else if (!g_str_has_prefix(uri, SCHEME_SPICE))
        return fail(error, uri, "expected spice://, spice+tls:// or spice+unix://");
    copy = g_strdup(uri + (tls ? strlen(SCHEME_TLS) : strlen(SCHEME_SPICE)));
    auth = copy;
    end = auth + strcspn(auth, "/?;");
    q = end + strcspn(end, "?;"); /* a /path before the query is ignored */
    if (*q)
        *q++ = '\0';
    *end = '\0';
    at = strchr(auth, '@');
    if (at) {
        *at = '\0';
        out->username = g_uri_unescape_string(auth, NULL);
        auth = at + 1;
    }
    if (!parse_authority(uri, auth, out, &auth_port, error))
        goto err;
    while (*q) {
        if (*q == '&' || *q == ';') {
            q++;
            continue;
        }
        if (!parse_param(uri, &q, out, &port_s, &tls_s, error))
            goto err;
    }
    if (!set_ports(uri, tls, auth_port, port_s, tls_s, out, error))
        goto err;
    return true;
err:
    sc_spice_uri_clear(out);
    return false;
}

void sc_spice_uri_clear(struct sc_spice_uri *u)
{
    if (u->password)
        memset(u->password, 0, strlen(u->password));
    g_free(u->password);
    g_free(u->host);
    g_free(u->unix_path);
    g_free(u->username);
    memset(u, 0, sizeof(*u));
}
