/* The URI parser (client/spice-uri.c) against the forms remote-viewer
 * users type, checked the way spice-gtk parses them: parameters in any
 * order, password=, tls-port=, IPv6 in brackets, spice+unix://,
 * spice+tls://, and the malformed ones refused with a message. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "client/spice-uri.h"

struct good {
    const char *uri;
    const char *host;
    int port, tls_port;
    const char *unix_path, *password, *username;
};

static const struct good goods[] = {
    { "spice://host:5900", "host", 5900, 0, NULL, NULL, NULL },
    { "spice://host?port=5901&tls-port=5902&password=pw", "host", 5901, 5902, NULL, "pw", NULL },
    /* any order: tls-port before port (once taken for 5900), password first */
    { "spice://host?tls-port=5902&port=5901", "host", 5901, 5902, NULL, NULL, NULL },
    { "spice://host?password=pw&tls-port=5902&port=5901", "host", 5901, 5902, NULL, "pw", NULL },
    { "spice://host/?port=5901;password=a%26b%3Dc", "host", 5901, 0, NULL, "a&b=c", NULL },
    { "spice://10.0.0.1:5900?password=p@ss", "10.0.0.1", 5900, 0, NULL, "p@ss", NULL },
    { "spice://[::1]:5930", "::1", 5930, 0, NULL, NULL, NULL },
    { "spice://[fe80::1%25eth0]?port=5930", "fe80::1%25eth0", 5930, 0, NULL, NULL, NULL },
    { "spice://[::1]?tls-port=5931", "::1", 0, 5931, NULL, NULL, NULL },
    { "spice://host?port=5900&tls-port=", "host", 5900, 0, NULL, NULL, NULL }, /* empty: absent */
    { "spice://user@host:5900", "host", 5900, 0, NULL, NULL, "user" },
    { "spice+tls://host:5901", "host", 0, 5901, NULL, NULL, NULL },
    { "spice+tls://host?tls-port=5901&password=x", "host", 0, 5901, NULL, "x", NULL },
    { "spice+unix:///run/vm/spice.sock", NULL, 0, 0, "/run/vm/spice.sock", NULL, NULL },
    { "spice+unix://rel/s.sock", NULL, 0, 0, "rel/s.sock", NULL, NULL },
};

static void test_good(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(goods); i++) {
        const struct good *g = &goods[i];
        struct sc_spice_uri u;
        g_autoptr(GError) error = NULL;

        g_test_message("%s", g->uri);
        g_assert_true(sc_spice_uri_parse(g->uri, &u, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(u.host, ==, g->host);
        g_assert_cmpint(u.port, ==, g->port);
        g_assert_cmpint(u.tls_port, ==, g->tls_port);
        g_assert_cmpstr(u.unix_path, ==, g->unix_path);
        g_assert_cmpstr(u.password, ==, g->password);
        g_assert_cmpstr(u.username, ==, g->username);
        sc_spice_uri_clear(&u);
        g_assert_null(u.host);
    }
}

struct bad {
    const char *uri;
    const char *message; /* part of the error */
};

static const struct bad bads[] = {
    { "spice://host", "missing port or tls-port" },
    { "spice://host?password=pw", "missing port or tls-port" },
    { "vnc://host:5900", "expected spice://" },
    { "host:5900", "expected spice://" },
    { "spice://host?port=5900&foo=1", "unknown key 'foo'" },
    { "spice://host?port=5900&port=5901", "'port' given twice" },
    { "spice://host:5900?port=5901", "port given twice" },
    { "spice://host?port=59x0", "bad port" },
    { "spice://host?port=70000", "bad port" },
    { "spice://host:0", "bad port" },
    { "spice://host?tls-port=-1", "bad tls-port" },
    { "spice://[::1:5900", "missing closing ']'" },
    { "spice://[::1]x:5900", "junk after ']'" },
    { "spice://:5900", "no host" },
    { "spice://host?port", "bad query parameter" },
    { "spice://host?port=5900&password=%zz", "bad %-escape" },
    { "spice+tls://host:5901?port=5900", "a plain port with spice+tls://" },
    { "spice+unix://", "no socket path" },
};

static void test_bad(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bads); i++) {
        struct sc_spice_uri u;
        g_autoptr(GError) error = NULL;

        g_test_message("%s", bads[i].uri);
        g_assert_false(sc_spice_uri_parse(bads[i].uri, &u, &error));
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, bads[i].message));
        g_assert_nonnull(strstr(error->message, bads[i].uri)); /* names the URI */
        g_assert_null(u.host);
        g_assert_null(u.password);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spice-uri/good", test_good);
    g_test_add_func("/spice-uri/bad", test_bad);
    return g_test_run();
}
