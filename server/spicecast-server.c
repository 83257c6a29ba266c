/* spicecast-server: serve a scanout source to SPICE clients. */
#include "config.h"

#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <spice/protocol.h>

#include "common/log.h"
#include "server/server.h"

static char *opt_source = NULL;
static char **opt_listen = NULL;
static char *opt_name = NULL;
static char *opt_password_file = NULL;
static gboolean opt_disable_ticketing = FALSE;
static gboolean opt_insecure = FALSE;
static gboolean opt_version = FALSE;
static char *opt_streaming_video = NULL;
static char *opt_video_codecs = NULL;
static gint64 opt_video_bitrate = 0;
static char *opt_gl_scanout = NULL;
static char **opt_allow_uid = NULL;
static gint64 opt_password_expires = 0;
static gint opt_max_clients = 0;
static char *opt_x509_dir = NULL;
static char *opt_secure_channels = NULL;

static const GOptionEntry entries[] = {
    { "source", 's', 0, G_OPTION_ARG_STRING, &opt_source,
      N_("Scanout source: pattern[:WxH][,fps=N], image:PATH, y4m:PATH[,loop=no], "
         "qemu-dbus[:ADDRESS][,console=N] (default: pattern)"),
      N_("SPEC") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &opt_listen,
      N_("Listen on tcp:HOST:PORT ([::1]:PORT for IPv6), tls:HOST:PORT (with --x509-dir), "
         "ws:HOST:PORT / wss:HOST:PORT (a browser page, spice-html5) or unix:PATH; repeatable"),
      N_("ADDR") },
    { "x509-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_x509_dir,
      N_("TLS certificates, as QEMU's x509-dir: ca-cert.pem, server-cert.pem, server-key.pem"),
      N_("DIR") },
    { "secure-channels", 0, 0, G_OPTION_ARG_STRING, &opt_secure_channels,
      N_("Channels refused on plain TCP (clients link them over TLS): "
         "main,display,inputs,cursor or all"), N_("LIST") },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &opt_name,
      N_("Display name, and the unix socket name in $XDG_RUNTIME_DIR/spicecast/ (default: default)"),
      N_("NAME") },
    { "password-file", 'p', 0, G_OPTION_ARG_FILENAME, &opt_password_file,
      N_("Require the password in FILE (first line) from every client"), N_("FILE") },
    { "password-expires", 0, 0, G_OPTION_ARG_INT64, &opt_password_expires,
      N_("The password authenticates no new client after SECONDS (clients connected stay)"),
      N_("SECONDS") },
    { "max-clients", 0, 0, G_OPTION_ARG_INT, &opt_max_clients,
      N_("At most N clients at once (default: no limit)"), N_("N") },
    { "disable-ticketing", 0, 0, G_OPTION_ARG_NONE, &opt_disable_ticketing,
      N_("Accept clients without a password"), NULL },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &opt_insecure,
      N_("Allow listening on a non-loopback address without a password"), NULL },
    { "streaming-video", 0, 0, G_OPTION_ARG_STRING, &opt_streaming_video,
      N_("Video streams for a changing screen: off (lossless only, the default) or all"),
      N_("MODE") },
    { "video-codecs", 0, 0, G_OPTION_ARG_STRING, &opt_video_codecs,
      N_("Video encoders in order of preference, as spice-server: "
         "\"openh264:h264;gstreamer:vp8\" (default: every one that works here)"),
      N_("LIST") },
    { "video-bitrate", 0, 0, G_OPTION_ARG_INT64, &opt_video_bitrate,
      N_("Video bitrate in bits per second (default: 8000000)"), N_("BPS") },
    { "gl-scanout", 0, 0, G_OPTION_ARG_STRING, &opt_gl_scanout,
      N_("Pass the buffer fd to local GL clients: auto (dma-bufs; shared memory to clients "
         "that map it, the default), on (shared memory to all), off"), N_("MODE") },
    { "allow-uid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_allow_uid,
      N_("Accept unix-socket clients of this user (a name or uid) too, besides the server's "
         "own user and root; repeatable"), N_("USER") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version and exit"), NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* The password from FILE's first line, or from $SPICECAST_PASSWORD (path
 * NULL; the variable is then removed from the environment). */
static char *read_password(const char *path, GError **error)
{
    g_autofree char *contents = NULL;
    char *nl;

    if (!path) {
        char *v = getenv("SPICECAST_PASSWORD");

        /* wiped in place: /proc/PID/environ shows the original block */
        contents = g_strdup(v);
        memset(v, 0, strlen(v));
        g_unsetenv("SPICECAST_PASSWORD");
        path = "SPICECAST_PASSWORD";
    } else if (!g_file_get_contents(path, &contents, NULL, error)) {
        return NULL;
    }
    nl = strpbrk(contents, "\r\n");
    if (nl)
        *nl = '\0';
    if (!contents[0] || strlen(contents) > SPICE_MAX_PASSWORD_LENGTH) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    _("%s: the password must be 1 to %d characters on the first line"), path,
                    SPICE_MAX_PASSWORD_LENGTH);
        return NULL;
    }
    return g_steal_pointer(&contents);
}

/* --allow-uid values: user names or numeric uids. */
static GArray *parse_allow_uids(char **values, GError **error)
{
    GArray *uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));

    for (char **v = values; v && *v; v++) {
        struct passwd *pw = getpwnam(*v);
        guint64 n;
        uint32_t uid;

        if (pw) {
            uid = pw->pw_uid;
        } else if (g_ascii_string_to_unsigned(*v, 10, 0, UINT32_MAX - 1, &n, NULL)) {
            uid = (uint32_t)n;
        } else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--allow-uid: no user or uid '%s'"), *v);
            g_array_unref(uids);
            return NULL;
        }
        g_array_append_val(uids, uid);
    }
    return uids;
}

static char *default_unix_path(const char *name)
{
    const char *dir = g_getenv("XDG_RUNTIME_DIR");

    if (dir && *dir)
        return g_strdup_printf("%s/spicecast/%s.sock", dir, name);
    return g_strdup_printf("%s/spicecast-%u/%s.sock", g_get_tmp_dir(), (unsigned)getuid(), name);
}

static gboolean on_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;
}

static void print_how_to_connect(struct sc_server *server)
{
    g_autoptr(GPtrArray) addrs = sc_server_get_addresses(server);

    for (guint i = 0; i < addrs->len; i++)
        printf("listening on %s\n", (char *)g_ptr_array_index(addrs, i));
    for (guint i = 0; i < addrs->len; i++) {
        const char *a = g_ptr_array_index(addrs, i);
        if (g_str_has_prefix(a, "tcp:"))
            printf(_("connect with: remote-viewer spice://%s\n"), a + 4);
        else if (g_str_has_prefix(a, "tls:"))
            printf(_("connect with: remote-viewer spice://%.*s?tls-port=%s "
                     "--spice-ca-file=%s/ca-cert.pem\n"),
                   (int)(strrchr(a, ':') - (a + 4)), a + 4, strrchr(a, ':') + 1, opt_x509_dir);
        else if (g_str_has_prefix(a, "ws:"))
            printf(_("open in a browser: http://%s/\n"), a + 3);
        else if (g_str_has_prefix(a, "wss:"))
            printf(_("open in a browser: https://%s/\n"), a + 4);
        else
            printf(_("connect with: remote-viewer spice+unix://%s\n"), a + 5);
    }
    fflush(stdout);
}

/* What cairo's toy fonts (the pattern source's text, common/scene.c) and
 * fontconfig keep for the life of the process: their caches and
 * fontconfig's parsed configuration, which LeakSanitizer reports at exit as
 * leaks (make soak; tests/server/test-exit-leaks.sh).  Released here, once
 * nothing draws any more, so that a report names only what spicecast lost;
 * in sanitizer builds only: both are debugging calls that abort if a font
 * or pattern is still referenced, which an ordinary exit need not risk. */
#if defined(__SANITIZE_ADDRESS__)
#define SC_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SC_LEAK_CHECKED 1
#endif
#endif
static void release_font_caches(void)
{
#ifdef SC_LEAK_CHECKED
    cairo_debug_reset_static_data();
    FcFini();
#endif
}

int main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *password = NULL;
    g_autoptr(GArray) allow_uids = NULL;
    struct sc_server_options options = { 0 };
    struct sc_server *server = NULL;
    struct sc_source *source = NULL;
    GMainLoop *loop;
    int ret = 1;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    ctx = g_option_context_new(_("- serve a virtual display to SPICE clients"));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_description(ctx,
        _("Without --listen: tcp:127.0.0.1:5900 and unix:$XDG_RUNTIME_DIR/spicecast/NAME.sock.\n"
          "Connect with remote-viewer spice://127.0.0.1:5900 (or spicy, spicy-screenshot)."));
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "spicecast-server: %s\n", error->message);
        return 2;
    }
    if (opt_version) {
        printf("spicecast-server %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (opt_password_file && g_getenv("SPICECAST_PASSWORD")) {
        fprintf(stderr, "spicecast-server: %s\n",
                _("--password-file and SPICECAST_PASSWORD conflict: give one"));
        return 2;
    }
    if ((opt_password_file || g_getenv("SPICECAST_PASSWORD")) && opt_disable_ticketing) {
        fprintf(stderr, "spicecast-server: %s\n",
                _("a password (--password-file or SPICECAST_PASSWORD) and --disable-ticketing conflict"));
        return 2;
    }
    if ((opt_password_file || g_getenv("SPICECAST_PASSWORD")) &&
        !(password = read_password(opt_password_file, &error))) {
        fprintf(stderr, "spicecast-server: %s\n", error->message);
        return 2;
    }
    if (opt_password_expires < 0 || opt_password_expires > UINT32_MAX ||
        (opt_password_expires && !password)) {
        fprintf(stderr, "spicecast-server: %s\n",
                _("--password-expires: SECONDS (0 to 4294967295), and only with a password"));
        return 2;
    }
    if (opt_max_clients < 0) {
        fprintf(stderr, "spicecast-server: %s\n", _("--max-clients: out of range"));
        return 2;
    }
    options.name = opt_name ? opt_name : "default";
    options.password = password;
    options.password_lifetime_s = (uint32_t)opt_password_expires;
    options.max_clients = (unsigned)opt_max_clients;
    options.disable_ticketing = !password;
    options.insecure = opt_insecure;
    options.streaming_video = opt_streaming_video;
    options.video_codecs = opt_video_codecs;
    options.gl_scanout = opt_gl_scanout;
    options.x509_dir = opt_x509_dir;
    options.secure_channels = opt_secure_channels;
    if (opt_video_bitrate < 0 || opt_video_bitrate > 1000000000) {
        fprintf(stderr, "spicecast-server: %s\n", _("--video-bitrate: out of range"));
        return 2;
    }
    options.video_bitrate = (uint32_t)opt_video_bitrate;
    if (!(allow_uids = parse_allow_uids(opt_allow_uid, &error))) {
        fprintf(stderr, "spicecast-server: %s\n", error->message);
        return 2;
    }
    options.allow_uids = (const uint32_t *)(void *)allow_uids->data;
    options.n_allow_uids = allow_uids->len;

    source = sc_source_create(opt_source ? opt_source : "pattern", &error);
    if (!source) {
        fprintf(stderr, "spicecast-server: %s\n", error->message);
        return 2;
    }
    server = sc_server_new(&options, &error);
    if (!server)
        goto out;
    if (opt_listen) {
        for (char **l = opt_listen; *l; l++)
            if (!sc_server_listen(server, *l, &error))
                goto out;
    } else {
        g_autofree char *path = default_unix_path(options.name);
        g_autofree char *spec = g_strdup_printf("unix:%s", path);

        if (!sc_server_listen(server, "tcp:127.0.0.1:5900", &error) ||
            !sc_server_listen(server, spec, &error))
            goto out;
    }
    if (!password)
        printf("%s\n", _("no password: any local client may connect (use --password-file to require one)"));
    print_how_to_connect(server);

    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, on_signal, loop);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    sc_server_set_source(server, source);
    g_main_loop_run(loop);
    g_main_loop_unref(loop);
    printf("%s\n", _("shutting down"));
    ret = 0;

out:
    if (error)
        fprintf(stderr, "spicecast-server: %s\n", error->message);
    sc_server_free(server);
    sc_source_destroy(source);
    release_font_caches();
    if (password)
        memset(password, 0, strlen(password));
    return ret;
}
