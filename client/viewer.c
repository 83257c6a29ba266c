/* viewer: show a SPICE display (spicecast-server, QEMU) in a GTK3 window.
 *   viewer spice://HOST:PORT | spice+unix:///PATH
 *   viewer --attach NAME|PATH   (a local spicecast-server; GL scanout) */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "client/client.h"
#include "client/window.h"
#include "common/log.h"

static char *opt_attach;
static char *opt_password_file;
static gboolean opt_full_screen;
static char *opt_title;
static char *opt_renderer;
static gboolean opt_version;

static const GOptionEntry entries[] = {
    { "attach", 'a', 0, G_OPTION_ARG_STRING, &opt_attach,
      N_("Attach to a local spicecast-server by display NAME or socket PATH (GL scanout)"),
      N_("NAME|PATH") },
    { "password-file", 'p', 0, G_OPTION_ARG_FILENAME, &opt_password_file,
      N_("Read the password from the first line of FILE"), N_("FILE") },
    { "full-screen", 'f', 0, G_OPTION_ARG_NONE, &opt_full_screen, N_("Start in full screen"),
      NULL },
    { "title", 't', 0, G_OPTION_ARG_STRING, &opt_title, N_("Window title"), N_("TITLE") },
    { "renderer", 0, 0, G_OPTION_ARG_STRING, &opt_renderer,
      N_("Renderer: gl or cairo (default: gl where it works)"), N_("NAME") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version and exit"), NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* NAME -> the socket spicecast-server listens on by default */
static char *attach_path(const char *what)
{
    const char *dir = g_getenv("XDG_RUNTIME_DIR");

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
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
}

int main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *password = NULL;
    struct sc_client_options copts = { 0 };
    struct sc_window_options wopts = { 0 };
    struct sc_client *client;
    struct sc_window *win;
    int status;

    init_i18n();
    if (!gtk_init_with_args(&argc, &argv, _("spice://HOST:PORT | spice+unix:///PATH"), entries,
                            GETTEXT_PACKAGE, &error)) {
        fprintf(stderr, "viewer: %s\n", error ? error->message : _("cannot open the display"));
        return 2;
    }
    if (opt_version) {
        printf("viewer (spicecast) %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (opt_attach && argc == 1) {
        g_autofree char *path = attach_path(opt_attach);
        uri = g_strdup_printf("spice+unix://%s", path);
        copts.gl_scanout = true;
        copts.peer_uid_check = true;
    } else if (!opt_attach && argc == 2) {
        uri = g_strdup(argv[1]);
    } else {
        fprintf(stderr, "viewer: %s\n",
                _("give one spice:// or spice+unix:// URI, or --attach NAME|PATH"));
        return 2;
    }
    if (opt_renderer && strcmp(opt_renderer, "gl") && strcmp(opt_renderer, "cairo")) {
        fprintf(stderr, "viewer: %s\n", _("--renderer: gl or cairo"));
        return 2;
    }
    if (opt_password_file && !(password = read_password(opt_password_file, &error))) {
        fprintf(stderr, "viewer: %s\n", error->message);
        return 2;
    }
    copts.uri = uri;
    copts.password = password;
    copts.video = true;

    wopts.uri = uri;
    wopts.title = opt_title;
    wopts.full_screen = opt_full_screen;
    wopts.renderer = opt_renderer;
    win = sc_window_new(&wopts);
    client = sc_client_new(&copts, sc_window_callbacks(), win, &error);
    if (password)
        memset(password, 0, strlen(password));
    if (!client) {
        fprintf(stderr, "viewer: %s: %s\n", uri, error->message);
        sc_window_free(win);
        return 1;
    }
    sc_window_set_client(win, client);
    sc_info("connecting to %s", uri);
    sc_client_connect(client);
    gtk_main();
    status = sc_window_exit_status(win);
    sc_window_set_client(win, NULL);
    sc_client_free(client);
    sc_window_free(win);
    return status;
}
