/* The TLS transport in process: a TLS connection that never finishes its
 * handshake is closed by the link timeout; plaintext SPICE on a TLS
 * connection is closed at once; neither leaves a pending link behind, and
 * a plain client linked beside them is not disturbed.  The certificate is
 * made with openssl(1) at run time (exit 77 without it). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tests/server/harness.h"
#include "server/link.h"

static char *x509_dir;

static bool make_x509_dir(void)
{
    g_autofree char *cmd = NULL;
    int status = -1;

    x509_dir = g_dir_make_tmp("sc-test-tls-XXXXXX", NULL);
    if (!x509_dir)
        return false;
    cmd = g_strdup_printf("sh -c 'cd %s && openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
                          "-subj /CN=127.0.0.1 -keyout server-key.pem -out server-cert.pem "
                          ">/dev/null 2>&1 && cp server-cert.pem ca-cert.pem'", x509_dir);
    return g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) &&
           g_spawn_check_wait_status(status, NULL);
}

static void remove_x509_dir(void)
{
    const char *names[] = { "server-key.pem", "server-cert.pem", "ca-cert.pem" };

    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *p = g_build_filename(x509_dir, names[i], NULL);
        g_unlink(p);
    }
    g_rmdir(x509_dir);
    g_free(x509_dir);
}

static void setup(struct fixture *fx)
{
    struct sc_server_options o = { .disable_ticketing = true, .x509_dir = x509_dir };

    fixture_setup_options(fx, &o);
    g_assert_nonnull(fx->server->tls_cert);
}

/* A TLS connection on a socketpair; returns the client's end. */
static int tls_connect(struct fixture *fx)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    sc_link_accept_tls(fx->server, sv[0], "tls-test", "tls-test");
    return sv[1];
}

/* Runs the loop until fd reads EOF (true) or ms pass (false). */
static bool wait_eof(int fd, int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (g_get_monotonic_time() < end) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[4096];

        g_main_context_iteration(NULL, FALSE);
        if (poll(&p, 1, 5) == 1) {
            ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (r == 0 || (r < 0 && errno != EAGAIN))
                return true;
        }
    }
    return false;
}

static void test_silent_client_times_out(void)
{
    struct fixture fx;
    gint64 t0;
    int fd;

    setup(&fx);
    fx.server->link_timeout_ms = 300;
    fd = tls_connect(&fx);
    t0 = g_get_monotonic_time();
    g_assert_false(wait_eof(fd, 150));      /* the handshake waits... */
    g_assert_true(wait_eof(fd, 2000));      /* ...up to the link timeout */
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 290 * 1000);
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
    g_assert_null(fx.server->pending);
    close(fd);
    fixture_teardown(&fx);
}

static void test_plaintext_closed(void)
{
    struct fixture fx;
    struct tc *plain;
    gint64 t0;
    int fd;

    setup(&fx);
    plain = tc_connect(&fx);
    link_main(plain, NULL); /* asserts the link */
    fd = tls_connect(&fx);
    /* a SPICE link header where a TLS ClientHello belongs */
    g_assert_cmpint(write(fd, "REDQ\x02\x00\x00\x00\x02\x00\x00\x00\x40\x00\x00\x00", 16), ==, 16);
    t0 = g_get_monotonic_time();
    g_assert_true(wait_eof(fd, 3000));
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 3000 * 1000);
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
    g_assert_null(fx.server->pending);
    g_assert_cmpuint(sc_server_client_count(fx.server), ==, 1);
    g_assert_false(plain->closed);
    close(fd);
    tc_free(plain);
    fixture_teardown(&fx);
}

int main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
        printf("1..0 # SKIP no GIO TLS backend (glib-networking)\n");
        return 77;
    }
    if (!make_x509_dir()) {
        printf("1..0 # SKIP openssl could not make a certificate\n");
        return 77;
    }
    g_test_add_func("/tls/silent-client-times-out", test_silent_client_times_out);
    g_test_add_func("/tls/plaintext-closed", test_plaintext_closed);
    rc = g_test_run();
    remove_x509_dir();
    return rc;
}
