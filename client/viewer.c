/* viewer: show a SPICE display (spicecast-server, QEMU) in a GTK3 window,
 * taking what remote-viewer takes:
 *   viewer spice://HOST:PORT | spice://HOST?port=P&tls-port=T&password=PW
 *          | spice+tls://HOST:T | spice+unix:///PATH | FILE.vv | PATH
 *   viewer --attach NAME|PATH   (a local spicecast-server; GL scanout)
 *   viewer [-c URI] --attach DOMAIN   (a libvirt domain, through libvirtd,
 *                                      as virt-viewer --attach)
 *   viewer -c URI DOMAIN        (a libvirt domain's listen address) */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "client/client.h"
#include "client/libvirt.h"
#include "client/spice-uri.h"
#include "client/vv-file.h"
#include "client/window.h"
#include "common/log.h"

static char *opt_attach;
static char *opt_connect;
static char *opt_password_file;
static gboolean opt_full_screen;
static char *opt_title;
static char *opt_renderer;
static char *opt_hotkeys;
static int opt_zoom;
static gboolean opt_reconnect;
static gboolean opt_auto_resize;
static gboolean opt_version;
static gboolean opt_stats;

static const GOptionEntry entries[] = {
    { "attach", 'a', 0, G_OPTION_ARG_STRING, &opt_attach,
      N_("Attach to a local spicecast-server by display NAME or socket PATH (GL scanout); "
         "a NAME no spicecast-server uses (or any, with -c) is a libvirt domain, opened "
         "through libvirtd as virt-viewer --attach does"),
      N_("NAME|PATH|DOMAIN") },
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &opt_connect,
      N_("libvirt URI: the argument (or --attach's) is a domain (id, UUID or name) there; "
         "without --attach the viewer connects to the domain's listen address"),
      N_("URI") },
    { "password-file", 'p', 0, G_OPTION_ARG_FILENAME, &opt_password_file,
      N_("Read the password from the first line of FILE"), N_("FILE") },
    { "full-screen", 'f', 0, G_OPTION_ARG_NONE, &opt_full_screen, N_("Start in full screen"),
      NULL },
    { "title", 't', 0, G_OPTION_ARG_STRING, &opt_title, N_("Window title"), N_("TITLE") },
    { "hotkeys", 'H', 0, G_OPTION_ARG_STRING, &opt_hotkeys,
      N_("Customise hotkeys, as remote-viewer: toggle-fullscreen=shift+f11,release-cursor=shift+f12,"
         "secure-attention=ctrl+alt+end,zoom-in=...,zoom-out=...,zoom-reset=..."),
      N_("SPEC") },
    { "zoom", 'z', 0, G_OPTION_ARG_INT, &opt_zoom, N_("Zoom level of the window, in percent (10-400)"),
      N_("ZOOM") },
    { "auto-resize", 0, 0, G_OPTION_ARG_NONE, &opt_auto_resize,
      N_("Ask the server for the window's size whenever it changes (its agent's monitors "
         "config, as remote-viewer's resize-guest)"), NULL },
    { "reconnect", 'r', 0, G_OPTION_ARG_NONE, &opt_reconnect,
      N_("Reconnect whenever the connection ends"), NULL },
    { "renderer", 0, 0, G_OPTION_ARG_STRING, &opt_renderer,
      N_("Renderer: gl or cairo (default: gl where it works)"), N_("NAME") },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &opt_stats,
      N_("Print frame latency per stage (p50/p95/p99) every second and at the end"), NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version and exit"), NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* where to connect, with the strings the options point into */
struct target {
    char *uri; /* for messages and the title */
    struct sc_spice_uri u;
    struct sc_vv_file vv;
    char *password;
    struct sc_client_options copts;
    struct sc_libvirt *lv; /* a libvirt domain's display */
    struct sc_libvirt_address lv_addr;
    const char *domain; /* -c URI DOMAIN */
    char *socket_path;  /* --attach: a spicecast-server's socket */
};

/* NAME -> the socket spicecast-server listens on by default */
static char *attach_path(const char *what)
{
    const char *dir = g_getenv("XDG_RUNTIME_DIR");

    if (g_str_has_prefix(what, "spice+unix://"))
        what += strlen("spice+unix://");
    if (strchr(what, '/'))
        return g_strdup(what);
    if (dir && *dir)
        return g_strdup_printf("%s/spicecast/%s.sock", dir, what);
    return g_strdup_printf("%s/spicecast-%u/%s.sock", g_get_tmp_dir(), (unsigned)getuid(), what);
}

static char *read_password(const char *path, GError **error)
{
    char *contents = NULL;

    if (!g_file_get_contents(path, &contents, NULL, error))
        return NULL;
    contents[strcspn(contents, "\r\n")] = '\0';
    return contents;
}

static void init_i18n(void)
{
    const char *dir = g_getenv("SPICECAST_LOCALEDIR"); /* tests: the build tree's catalogs */

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
}

static void from_vv(struct target *t, const char *path)
{
    struct sc_vv_file *vv = &t->vv;

    t->copts.host = vv->host;
    t->copts.port = vv->port;
    t->copts.tls_port = vv->tls_port;
    t->copts.unix_path = vv->unix_path;
    t->copts.password = vv->password;
    t->copts.ca = vv->ca;
    t->copts.host_subject = vv->host_subject;
    t->copts.secure_channels = (const char *const *)vv->secure_channels;
    if (vv->unix_path)
        t->uri = g_strdup_printf("spice+unix://%s", vv->unix_path);
    else if (strchr(vv->host, ':'))
        t->uri = g_strdup_printf("spice://[%s]:%d", vv->host, vv->port ? vv->port : vv->tls_port);
    else
        t->uri = g_strdup_printf("spice://%s:%d", vv->host, vv->port ? vv->port : vv->tls_port);
    sc_info("%s: %s", path, t->uri);
}

/* the command-line argument: a URI, a .vv file or a socket path */
static bool resolve(struct target *t, const char *arg, GError **error)
{
    if (strstr(arg, "://")) {
        if (!sc_spice_uri_parse(arg, &t->u, error))
            return false;
        t->copts.host = t->u.host;
        t->copts.port = t->u.port;
        t->copts.tls_port = t->u.tls_port;
        t->copts.unix_path = t->u.unix_path;
        t->copts.password = t->u.password;
        t->uri = g_strdup(arg);
        return true;
    }
    if (sc_vv_file_sniff(arg)) {
        if (!sc_vv_file_load(arg, &t->vv, error))
            return false;
        from_vv(t, arg);
        return true;
    }
    t->copts.unix_path = arg;
    t->uri = g_strdup(arg);
    return true;
}

/* --attach ARG: a local spicecast-server (a socket path, spice+unix://PATH,
 * or a NAME whose socket is there), else a libvirt domain (always with -c) */
static bool attach_is_spicecast(const char *arg, const char *path)
{
    struct stat st;

    if (opt_connect)
        return false;
    if (strchr(arg, '/') || !sc_libvirt_available())
        return true;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* a libvirt domain: through libvirtd (--attach) or at its listen address */
static bool from_libvirt(struct target *t, const char *domain, bool attach, GError **error)
{
    struct sc_libvirt_address *a = &t->lv_addr;

    if (!(t->lv = sc_libvirt_open(opt_connect, domain, error)))
        return false;
    if (attach) {
        t->uri = g_strdup(sc_libvirt_name(t->lv));
        t->copts.open_fd = sc_libvirt_open_fd;
        t->copts.open_fd_data = t->lv;
        sc_info("domain %s: its SPICE display through libvirtd", t->uri);
        return true;
    }
    if (!sc_libvirt_address(t->lv, a, error))
        return false;
    t->copts.host = a->host;
    t->copts.port = a->port;
    t->copts.tls_port = a->tls_port;
    t->copts.unix_path = a->unix_path;
    t->copts.password = a->password;
    if (a->unix_path)
        t->uri = g_strdup_printf("spice+unix://%s", a->unix_path);
    else
        t->uri = g_strdup_printf(strchr(a->host, ':') ? "spice://[%s]:%d" : "spice://%s:%d",
                                 a->host, a->port ? a->port : a->tls_port);
    sc_info("domain %s: %s", sc_libvirt_name(t->lv), t->uri);
    return true;
}

/* --attach ARG, or -c URI DOMAIN */
static bool resolve_attach(struct target *t, GError **error)
{
    g_autofree char *path = NULL;
    g_autoptr(GError) lv_error = NULL;

    if (!opt_attach)
        return from_libvirt(t, t->domain, false, error);
    path = attach_path(opt_attach);
    if (!attach_is_spicecast(opt_attach, path)) {
        if (from_libvirt(t, opt_attach, true, &lv_error))
            return true;
        if (opt_connect) {
            g_propagate_error(error, g_steal_pointer(&lv_error));
            return false;
        }
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "%s: no spicecast-server at %s, nor a libvirt domain: %s", opt_attach, path,
                    lv_error->message);
        return false;
    }
    t->uri = g_strdup_printf("spice+unix://%s", path);
    t->copts.unix_path = t->socket_path = g_steal_pointer(&path);
    t->copts.gl_scanout = true;
    t->copts.peer_uid_check = true;
    return true;
}

static void target_clear(struct target *t)
{
    sc_spice_uri_clear(&t->u);
    sc_vv_file_clear(&t->vv);
    if (t->password)
        memset(t->password, 0, strlen(t->password));
    g_free(t->password);
    g_free(t->uri);
    sc_libvirt_address_clear(&t->lv_addr);
    sc_libvirt_close(t->lv);
    g_free(t->socket_path);
}

static struct sc_client *make_client(void *data, struct sc_window *win, GError **error)
{
    struct target *t = data;

    sc_info("connecting to %s", t->uri);
    return sc_client_new(&t->copts, sc_window_callbacks(), win, error);
}

/* options without a display: --help (GTK's group included) and --version */
static int parse_options(int *argc, char ***argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        _("spice://HOST:PORT | spice+unix:///PATH | FILE.vv | -c URI DOMAIN"));
    g_autoptr(GError) error = NULL;

    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_add_group(ctx, gtk_get_option_group(FALSE));
    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        fprintf(stderr, "viewer: %s\n", error->message);
        return 2;
    }
    if (opt_version) {
        printf("viewer (spicecast) %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (opt_stats)
        g_setenv("SPICECAST_STATS", "1", TRUE); /* the engine's switch (common/stats.h) */
    if (opt_renderer && strcmp(opt_renderer, "gl") && strcmp(opt_renderer, "cairo")) {
        fprintf(stderr, "viewer: %s\n", _("--renderer: gl or cairo"));
        return 2;
    }
    if (opt_zoom && (opt_zoom < 10 || opt_zoom > 400)) {
        fprintf(stderr, "viewer: %s\n", _("--zoom: a percentage from 10 to 400"));
        return 2;
    }
    if ((opt_attach && *argc != 1) || (!opt_attach && *argc != 2)) {
        fprintf(stderr, "viewer: %s\n",
                _("give one spice:// or spice+unix:// URI or .vv file, -c URI DOMAIN, "
                  "or --attach NAME|PATH|DOMAIN"));
        return 2;
    }
    return -1;
}

static int run(struct target *t)
{
    g_autoptr(GError) error = NULL;
    struct sc_window_options wopts = { 0 };
    struct sc_window *win;
    int status;

    wopts.uri = t->uri;
    wopts.title = opt_title ? opt_title : t->vv.title;
    wopts.full_screen = opt_full_screen || t->vv.fullscreen;
    wopts.renderer = opt_renderer;
    wopts.hotkeys = opt_hotkeys ? opt_hotkeys : t->vv.hotkeys;
    wopts.zoom = opt_zoom;
    wopts.reconnect = opt_reconnect;
    wopts.auto_resize = opt_auto_resize;
    wopts.connect = make_client;
    wopts.connect_data = t;
    win = sc_window_new(&wopts);
    if (!sc_window_connect(win, &error)) {
        fprintf(stderr, "viewer: %s: %s\n", t->uri, error->message);
        sc_window_free(win);
        return 1;
    }
    gtk_main();
    status = sc_window_exit_status(win);
    sc_window_free(win);
    return status;
}

int main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    struct target t = { 0 };
    int status;

    init_i18n();
    if ((status = parse_options(&argc, &argv)) >= 0)
        return status;
    t.domain = opt_connect && !opt_attach ? argv[1] : NULL;
    if (!(opt_attach || opt_connect ? resolve_attach(&t, &error) : resolve(&t, argv[1], &error))) {
        fprintf(stderr, "viewer: %s\n", error->message);
        target_clear(&t);
        return 1;
    }
    if (opt_password_file && !(t.password = read_password(opt_password_file, &error))) {
        fprintf(stderr, "viewer: %s\n", error->message);
        target_clear(&t);
        return 2;
    }
    if (t.password)
        t.copts.password = t.password;
    t.copts.uri = t.uri;
    t.copts.video = true;
    if (!gtk_init_check(&argc, &argv)) {
        fprintf(stderr, "viewer: %s\n", _("cannot open the display"));
        target_clear(&t);
        return 1;
    }
    status = run(&t);
    target_clear(&t);
    return status;
}
