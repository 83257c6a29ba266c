/* A libvirt domain's SPICE display (client/libvirt.h): the domain looked up
 * as virt-viewer does (id, UUID, name), its <graphics type='spice'> read
 * from the live XML with GMarkup, sockets through virDomainOpenGraphicsFD. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "client/libvirt.h"

/* ---- the domain XML (GLib only: tested in every build) ---- */

/* the domain's first <graphics type='spice'>, from its XML */
struct spice_gfx {
    int index; /* among the domain's <graphics>, for virDomainOpenGraphicsFD; -1: none */
    int n_graphics;
    char *other;    /* the type of another <graphics>, for the message */
    char *port, *tls_port, *listen, *passwd;
    char *listen_type, *listen_address, *listen_socket;
    bool have_listen_child;
};

static void spice_gfx_clear(struct spice_gfx *g)
{
    g_free(g->other);
    g_free(g->port);
    g_free(g->tls_port);
    g_free(g->listen);
    if (g->passwd)
        memset(g->passwd, 0, strlen(g->passwd));
    g_free(g->passwd);
    g_free(g->listen_type);
    g_free(g->listen_address);
    g_free(g->listen_socket);
}

static const char *attr(const char **names, const char **values, const char *name)
{
    for (; *names; names++, values++)
        if (!strcmp(*names, name))
            return *values;
    return NULL;
}

static void on_start(GMarkupParseContext *ctx, const char *element, const char **names,
                     const char **values, gpointer data, GError **error)
{
    const GSList *stack = g_markup_parse_context_get_element_stack(ctx);
    struct spice_gfx *g = data;
    guint depth = g_slist_length((GSList *)stack);
    const char *parent = stack->next ? stack->next->data : "";
    const char *type = attr(names, values, "type");

    (void)error;
    if (depth == 3 && !strcmp(element, "graphics") && !strcmp(parent, "devices")) {
        int idx = g->n_graphics++;

        if (g->index >= 0 || !type || strcmp(type, "spice")) {
            if (!g->other && type && g->index < 0)
                g->other = g_strdup(type);
            return;
        }
        g->index = idx;
        g->port = g_strdup(attr(names, values, "port"));
        g->tls_port = g_strdup(attr(names, values, "tlsPort"));
        g->listen = g_strdup(attr(names, values, "listen"));
        g->passwd = g_strdup(attr(names, values, "passwd"));
    } else if (depth == 4 && !strcmp(element, "listen") && !strcmp(parent, "graphics") &&
               g->index == g->n_graphics - 1 && !g->have_listen_child) {
        g->have_listen_child = true;
        g->listen_type = g_strdup(type);
        g->listen_address = g_strdup(attr(names, values, "address"));
        g->listen_socket = g_strdup(attr(names, values, "socket"));
    }
}

/* the domain's SPICE <graphics> in xml; false + error when the XML does
 * not parse or has none */
static bool parse_graphics(const char *xml, const char *name, struct spice_gfx *g,
                           GError **error)
{
    static const GMarkupParser parser = { .start_element = on_start };
    GMarkupParseContext *ctx;
    bool ok;

    memset(g, 0, sizeof(*g));
    g->index = -1;
    ctx = g_markup_parse_context_new(&parser, 0, g, NULL);
    ok = g_markup_parse_context_parse(ctx, xml, -1, error) &&
         g_markup_parse_context_end_parse(ctx, error);
    g_markup_parse_context_free(ctx);
    if (ok && g->index < 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "domain '%s' has no SPICE display%s%s%s", name,
                    g->other ? " (its <graphics> is '" : "", g->other ? g->other : "",
                    g->other ? "')" : "");
        ok = false;
    }
    if (!ok)
        spice_gfx_clear(g);
    return ok;
}

static bool is_wildcard(const char *addr)
{
    return !addr || !*addr || !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::") ||
           !strcmp(addr, "[::]");
}

/* a wildcard listen address: the host libvirt runs on, as virt-viewer */
static char *uri_host(const char *uri)
{
    g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_NON_DNS, NULL);
    const char *host = u ? g_uri_get_host(u) : NULL;

    return g_strdup(host && *host ? host : "localhost");
}

static int port_value(const char *s)
{
    char *end;
    long v;

    if (!s)
        return 0;
    v = strtol(s, &end, 10);
    return *s && !*end && v > 0 && v <= 65535 ? (int)v : 0;
}

/* g's listen address; uri: the libvirt connection's, for a wildcard */
static bool gfx_address(const struct spice_gfx *g, const char *name, const char *uri,
                        struct sc_libvirt_address *a, GError **error)
{
    const char *type, *host;

    memset(a, 0, sizeof(*a));
    type = g->listen_type ? g->listen_type : "address";
    if (!strcmp(type, "none")) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "the SPICE display of domain '%s' listens nowhere (<listen type='none'/>): "
                    "use --attach",
                    name);
        goto err;
    }
    a->password = g_strdup(g->passwd);
    if (!strcmp(type, "socket") && g->listen_socket) {
        a->unix_path = g_strdup(g->listen_socket);
        return true;
    }
    a->port = port_value(g->port);
    a->tls_port = port_value(g->tls_port);
    if (!a->port && !a->tls_port) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "the SPICE display of domain '%s' has no port", name);
        goto err;
    }
    host = g->listen_address ? g->listen_address : g->listen;
    a->host = is_wildcard(host) ? uri_host(uri) : g_strdup(host);
    return true;
err:
    sc_libvirt_address_clear(a);
    return false;
}

bool sc_libvirt_xml_address(const char *xml, const char *name, const char *uri,
                            struct sc_libvirt_address *a, GError **error)
{
    struct spice_gfx g;
    bool ok;

    memset(a, 0, sizeof(*a));
    if (!parse_graphics(xml, name, &g, error))
        return false;
    ok = gfx_address(&g, name, uri, a, error);
    spice_gfx_clear(&g);
    return ok;
}

/* ---- libvirt ---- */

#ifdef HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct sc_libvirt {
    virConnectPtr conn;
    virDomainPtr dom;
    char *uri;  /* as libvirt names the connection */
    char *name;
    int gfx_index; /* of the SPICE <graphics>, for virDomainOpenGraphicsFD */
};

/* libvirt prints its errors on stderr unless told otherwise: ours say it */
static void quiet(void *data, virErrorPtr err)
{
    (void)data;
    (void)err;
}

static const char *last_error(void)
{
    const char *msg = virGetLastErrorMessage();

    return msg && *msg ? msg : "unknown libvirt error";
}

bool sc_libvirt_available(void)
{
    return true;
}

static bool read_graphics(struct sc_libvirt *lv, struct spice_gfx *g, GError **error)
{
    char *xml;
    bool ok;

    /* passwd= only comes with VIR_DOMAIN_XML_SECURE, which a read-only
     * or unprivileged connection may not ask for */
    if (!(xml = virDomainGetXMLDesc(lv->dom, VIR_DOMAIN_XML_SECURE)) &&
        !(xml = virDomainGetXMLDesc(lv->dom, 0))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read the XML of domain '%s': %s",
                    lv->name, last_error());
        return false;
    }
    ok = parse_graphics(xml, lv->name, g, error);
    free(xml);
    return ok;
}

static virDomainPtr lookup(virConnectPtr conn, const char *what)
{
    virDomainPtr dom = NULL;
    char *end;
    long id;

    id = strtol(what, &end, 10);
    if (*what && !*end && id >= 0 && id <= G_MAXINT)
        dom = virDomainLookupByID(conn, (int)id);
    if (!dom && strlen(what) >= 32)
        dom = virDomainLookupByUUIDString(conn, what);
    if (!dom)
        dom = virDomainLookupByName(conn, what);
    return dom;
}

struct sc_libvirt *sc_libvirt_open(const char *uri, const char *domain, GError **error)
{
    struct sc_libvirt *lv = g_new0(struct sc_libvirt, 1);
    struct spice_gfx g;
    char *u;

    virSetErrorFunc(NULL, quiet);
    /* read-write: virDomainOpenGraphicsFD is refused on a read-only one */
    if (!(lv->conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                    "cannot connect to libvirt%s%s: %s (is libvirtd running?)", uri ? " at " : "",
                    uri ? uri : "", last_error());
        goto err;
    }
    u = virConnectGetURI(lv->conn);
    lv->uri = g_strdup(u ? u : uri ? uri : "libvirt");
    free(u);
    if (!(lv->dom = lookup(lv->conn, domain))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no domain '%s' at %s", domain,
                    lv->uri);
        goto err;
    }
    lv->name = g_strdup(virDomainGetName(lv->dom));
    if (virDomainIsActive(lv->dom) != 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                    "domain '%s' at %s is not running", lv->name, lv->uri);
        goto err;
    }
    if (!read_graphics(lv, &g, error))
        goto err;
    lv->gfx_index = g.index;
    spice_gfx_clear(&g);
    return lv;
err:
    sc_libvirt_close(lv);
    return NULL;
}

void sc_libvirt_close(struct sc_libvirt *lv)
{
    if (!lv)
        return;
    if (lv->dom)
        virDomainFree(lv->dom);
    if (lv->conn)
        virConnectClose(lv->conn);
    g_free(lv->uri);
    g_free(lv->name);
    g_free(lv);
}

const char *sc_libvirt_name(const struct sc_libvirt *lv)
{
    return lv->name;
}

int sc_libvirt_open_fd(void *p, uint8_t channel_type, GError **error)
{
    (void)channel_type; /* each call makes a new connection to the one SPICE port */
    struct sc_libvirt *lv = p;
    int fd = virDomainOpenGraphicsFD(lv->dom, (unsigned)lv->gfx_index,
                                     VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);

    if (fd < 0)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "libvirt cannot open the SPICE display of domain '%s': %s", lv->name,
                    last_error());
    return fd;
}

bool sc_libvirt_address(struct sc_libvirt *lv, struct sc_libvirt_address *a, GError **error)
{
    struct spice_gfx g;
    bool ok;

    memset(a, 0, sizeof(*a));
    if (!read_graphics(lv, &g, error))
        return false;
    ok = gfx_address(&g, lv->name, lv->uri, a, error);
    spice_gfx_clear(&g);
    return ok;
}

#else /* !HAVE_LIBVIRT */

struct sc_libvirt {
    int unused;
};

static void no_libvirt(GError **error)
{
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                "this viewer was built without libvirt (libvirt-dev was missing at configure time)");
}

bool sc_libvirt_available(void)
{
    return false;
}

struct sc_libvirt *sc_libvirt_open(const char *uri, const char *domain, GError **error)
{
    (void)uri;
    (void)domain;
    no_libvirt(error);
    return NULL;
}

void sc_libvirt_close(struct sc_libvirt *lv)
{
    g_free(lv);
}

const char *sc_libvirt_name(const struct sc_libvirt *lv)
{
    (void)lv;
    return "";
}

int sc_libvirt_open_fd(void *lv, uint8_t channel_type, GError **error)
{
    (void)lv;
    (void)channel_type;
    no_libvirt(error);
    return -1;
}

bool sc_libvirt_address(struct sc_libvirt *lv, struct sc_libvirt_address *a, GError **error)
{
    (void)lv;
    memset(a, 0, sizeof(*a));
    no_libvirt(error);
    return false;
}

#endif

void sc_libvirt_address_clear(struct sc_libvirt_address *a)
{
    g_free(a->host);
    g_free(a->unix_path);
    if (a->password)
        memset(a->password, 0, strlen(a->password));
    g_free(a->password);
    memset(a, 0, sizeof(*a));
}
