/* The local path over a unix socketpair: a client with the GL_SCANOUT cap
 * gets GL_SCANOUT_UNIX with the frame's fd (one '@' byte, SCM_RIGHTS) and
 * GL_DRAW, never pixels; the mapped fd shows the frame exactly; the next
 * draw waits for GL_DRAW_DONE; an unsolicited DONE closes the channel; a
 * TCP client with the same cap gets the ordinary surface. */
#include "config.h"

#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "tests/server/harness.h"
#include "server/link.h"

#define W 160
#define H 96

static const unsigned gl_caps[] = { SPICE_DISPLAY_CAP_GL_SCANOUT };
/* memfd frames stand in for dma-bufs only with gl-scanout "on" */
static const struct sc_server_options gl_on = { .name = "test", .disable_ticketing = true,
                                                 .gl_scanout = "on" };

/* One message; for GL_SCANOUT_UNIX also the fd that follows it. */
static bool gl_recv(struct tc *c, uint16_t *type, GBytes **body, int *fd)
{
    uint8_t hdr[SC_MINI_HEADER_SIZE];
    struct sc_data_header h;
    uint8_t *buf;

    *fd = -1;
    if (!tc_read_exact(c, hdr, sizeof(hdr)))
        return false;
    g_assert_true(sc_data_header_parse(hdr, sizeof(hdr), true, &h));
    buf = g_malloc(h.size + 1);
    if (!tc_read_exact(c, buf, h.size)) {
        g_free(buf);
        return false;
    }
    *type = h.type;
    *body = g_bytes_new_take(buf, h.size);
    if (h.type == SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX) {
        uint8_t at = 0;
        unsigned nfds = 0;
        ssize_t r = -1;

        for (int i = 0; i < 1000 && r <= 0; i++) {
            while (g_main_context_iteration(NULL, FALSE))
                ;
            r = sc_fd_recvmsg(c->fd, &at, 1, fd, &nfds, 1);
            if (r == -EAGAIN)
                g_usleep(1000);
        }
        g_assert_cmpint(r, ==, 1);
        g_assert_cmpint(at, ==, '@');
        g_assert_cmpuint(nfds, ==, 1);
    }
    if (h.type == SPICE_MSG_SET_ACK) {
        tc_answer_set_ack(c, *body);
        g_bytes_unref(*body);
        return gl_recv(c, type, body, fd);
    }
    return true;
}

static GBytes *gl_expect(struct tc *c, uint16_t want, int *fd)
{
    uint16_t type = 0;
    GBytes *b = NULL;
    int dummy;

    g_assert_true(gl_recv(c, &type, &b, fd ? fd : &dummy));
    g_assert_cmpuint(type, ==, want);
    return b;
}

/* Checks the scanout message and that the fd shows frame f exactly. */
static void check_scanout(GBytes *b, int fd, const struct sc_frame *f)
{
    struct sc_gl_scanout m;
    gsize n;
    const uint8_t *p = g_bytes_get_data(b, &n);
    uint8_t *map;

    g_assert_true(sc_gl_scanout_unix_parse(p, n, &m));
    g_assert_cmpuint(m.width, ==, f->width);
    g_assert_cmpuint(m.height, ==, f->height);
    g_assert_cmpuint(m.stride, ==, f->stride);
    g_assert_cmpuint(m.drm_fourcc_format, ==, DRM_FORMAT_XRGB8888);
    g_assert_cmpuint(m.flags & SPICE_GL_SCANOUT_FLAGS_Y0TOP, ==, 0); /* top-down */
    g_assert_cmpint(fd, >=, 0);
    map = mmap(NULL, (size_t)m.stride * m.height, PROT_READ, MAP_SHARED, fd, 0);
    g_assert_true(map != MAP_FAILED);
    g_assert_cmpmem(map, (size_t)m.stride * m.height, f->map + f->offset,
                    (size_t)f->stride * f->height);
    munmap(map, (size_t)m.stride * m.height);
    close(fd);
}

static void send_done(struct tc *d)
{
    tc_send_msg(d, SPICE_MSGC_DISPLAY_GL_DRAW_DONE, NULL);
}

/* Nothing arrives within ~200 ms. */
static bool quiet(struct tc *c)
{
    gint64 until = g_get_monotonic_time() + 200000;

    while (g_get_monotonic_time() < until) {
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        g_main_context_iteration(NULL, FALSE);
        if (c->in->len > 0 || poll(&p, 1, 5) == 1)
            return false;
    }
    return true;
}

static void test_gl_scanout(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *f1 = make_frame(W, H, 1), *f2 = make_frame(W, H, 2);
    struct sc_gl_draw draw;
    GBytes *b;
    gsize n;
    const uint8_t *p;
    int fd;

    fixture_setup_options(&fx, &gl_on);
    emit(&fx, sc_frame_ref(f1));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), gl_caps, G_N_ELEMENTS(gl_caps));

    b = gl_expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, &fd);
    check_scanout(b, fd, f1);
    g_bytes_unref(b);
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG, NULL));
    b = gl_expect(d, SPICE_MSG_DISPLAY_GL_DRAW, NULL);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_gl_draw_parse(p, n, &draw));
    g_assert_cmpuint(draw.w, ==, W);
    g_assert_cmpuint(draw.h, ==, H);
    g_bytes_unref(b);

    /* a new frame waits for DONE */
    emit(&fx, sc_frame_ref(f2));
    g_assert_true(quiet(d));
    send_done(d);
    b = gl_expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, &fd);
    check_scanout(b, fd, f2);
    g_bytes_unref(b);
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_GL_DRAW, NULL));

    /* DONE, then a second, unsolicited DONE: the channel closes */
    send_done(d);
    g_assert_true(quiet(d));
    send_done(d);
    g_assert_false(tc_fill(d, 1));
    g_assert_true(d->closed);

    sc_frame_unref(f1);
    sc_frame_unref(f2);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* A new buffer costs two sendmsg() calls, not three: the scanout message,
 * then the '@' byte carrying the fd with the GL_DRAW behind it.  A stream
 * recvmsg() stops at the end of the kernel buffer that carried fds, so one
 * call returns '@' and the whole GL_DRAW only if they were sent together. */
static void test_gl_draw_with_fd(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *f1 = make_frame(W, H, 1), *f2 = make_frame(W, H, 2);
    uint8_t hdr[SC_MINI_HEADER_SIZE], body[64], buf[256];
    struct sc_data_header h;
    struct sc_gl_draw draw;
    unsigned nfds = 0;
    ssize_t r = -1;
    int fd = -1;

    fixture_setup_options(&fx, &gl_on);
    emit(&fx, sc_frame_ref(f1));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), gl_caps, G_N_ELEMENTS(gl_caps));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, &fd));
    close(fd);
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_GL_DRAW, NULL));
    emit(&fx, sc_frame_ref(f2));
    send_done(d);
    /* the scanout message, read exactly */
    g_assert_true(tc_read_exact(d, hdr, sizeof(hdr)));
    g_assert_true(sc_data_header_parse(hdr, sizeof(hdr), true, &h));
    g_assert_cmpuint(h.type, ==, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX);
    g_assert_cmpuint(h.size, <=, sizeof(body));
    g_assert_true(tc_read_exact(d, body, h.size));
    /* then one recvmsg: '@' with the fd, and the GL_DRAW in the same call */
    fd = -1;
    for (int i = 0; i < 1000 && r <= 0; i++) {
        while (g_main_context_iteration(NULL, FALSE))
            ;
        r = sc_fd_recvmsg(d->fd, buf, sizeof(buf), &fd, &nfds, 1);
        if (r == -EAGAIN)
            g_usleep(1000);
    }
    g_assert_cmpint(r, ==, 1 + SC_MINI_HEADER_SIZE + 16);
    g_assert_cmpint(buf[0], ==, '@');
    g_assert_cmpuint(nfds, ==, 1);
    close(fd);
    g_assert_true(sc_data_header_parse(buf + 1, SC_MINI_HEADER_SIZE, true, &h));
    g_assert_cmpuint(h.type, ==, SPICE_MSG_DISPLAY_GL_DRAW);
    g_assert_true(sc_gl_draw_parse(buf + 1 + SC_MINI_HEADER_SIZE, h.size, &draw));
    g_assert_cmpuint(draw.w, ==, W);

    sc_frame_unref(f1);
    sc_frame_unref(f2);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* A client that reads every byte with a control buffer
 * (SC_DISPLAY_CAP_SCANOUT_FD_FIFO) gets the fd with the scanout message's
 * first byte (so the message, '@', fd and GL_DRAW can go in one sendmsg:
 * the kernel attaches fds to a call's first byte); the fd shows the frame,
 * the '@' byte and the GL_DRAW follow as usual. */
static void test_gl_fd_fifo(void)
{
    static const unsigned caps[] = { SPICE_DISPLAY_CAP_GL_SCANOUT,
                                     SC_DISPLAY_CAP_SCANOUT_FD_FIFO };
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *f = make_frame(W, H, 1);
    uint8_t hdr[SC_MINI_HEADER_SIZE], body[256], at = 0;
    struct sc_data_header h = { 0 };
    unsigned nfds = 0;
    int fd = -1;

    fixture_setup_options(&fx, &gl_on);
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), caps, G_N_ELEMENTS(caps));
    /* what the harness read ahead (no frame yet: no scanout in it) */
    while (d->in->len > 0) {
        g_assert_true(tc_read_exact(d, hdr, sizeof(hdr)));
        g_assert_true(sc_data_header_parse(hdr, sizeof(hdr), true, &h));
        g_assert_cmpuint(h.type, !=, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX);
        g_assert_cmpuint(h.size, <=, sizeof(body));
        g_assert_true(tc_read_exact(d, body, h.size));
    }
    h.type = 0;
    emit(&fx, sc_frame_ref(f));
    while (h.type != SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX) {
        ssize_t r = -1;
        for (int i = 0; i < 1000 && r <= 0; i++) {
            while (g_main_context_iteration(NULL, FALSE))
                ;
            nfds = 0;
            r = sc_fd_recvmsg(d->fd, hdr, 1, &fd, &nfds, 1); /* one byte */
            if (r == -EAGAIN)
                g_usleep(1000);
        }
        g_assert_cmpint(r, ==, 1);
        g_assert_true(tc_read_exact(d, hdr + 1, sizeof(hdr) - 1));
        g_assert_true(sc_data_header_parse(hdr, sizeof(hdr), true, &h));
        g_assert_cmpuint(h.size, <=, sizeof(body));
        g_assert_true(tc_read_exact(d, body, h.size));
        if (h.type != SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX)
            g_assert_cmpuint(nfds, ==, 0);
    }
    g_assert_cmpuint(nfds, ==, 1); /* with the message's first byte */
    GBytes *b = g_bytes_new_static(body, h.size);
    check_scanout(b, fd, f); /* closes fd */
    g_bytes_unref(b);
    g_assert_true(tc_read_exact(d, &at, 1));
    g_assert_cmpint(at, ==, '@');
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_GL_DRAW, NULL));

    sc_frame_unref(f);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* The same cap over TCP (no fd passing possible): the ordinary surface. */
static void test_gl_cap_over_tcp(void)
{
    struct fixture fx;
    struct tc *m, *d = g_new0(struct tc, 1);
    struct sc_display_init init = { 1, 0, 1, 0 };
    struct sc_writer w;
    int sv[2];

    fixture_setup_options(&fx, &gl_on);
    emit(&fx, make_frame(W, H, 3));
    m = tc_connect(&fx);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    sc_link_accept(fx.server, sv[0], false, "tcp-like", "tcp-like");
    d->fd = sv[1];
    d->in = g_byte_array_new();
    g_assert_cmpuint(tc_link_caps(d, SPICE_CHANNEL_DISPLAY, link_main(m, NULL), NULL, gl_caps,
                                  G_N_ELEMENTS(gl_caps)), ==, 0);
    sc_writer_init(&w);
    sc_display_init_write(&w, &init);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_INIT, &w);
    sc_writer_finish(&w);
    g_bytes_unref(tc_expect(d, SPICE_MSG_DISPLAY_SURFACE_CREATE));
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* By default a memfd frame goes as pixels even to a GL client (spice-gtk
 * advertises GL_SCANOUT on unix sockets but imports only dma-bufs); a
 * dma-buf frame goes as the fd. */
static void test_gl_auto(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *dmabuf = make_frame(W, H, 5);
    GBytes *b;
    int fd;

    fixture_setup(&fx, NULL);
    emit(&fx, make_frame(W, H, 4));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), gl_caps, G_N_ELEMENTS(gl_caps));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_SURFACE_CREATE, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_DRAW_COPY, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_MARK, NULL));
    dmabuf->kind = SC_FRAME_DMABUF;
    emit(&fx, sc_frame_ref(dmabuf));
    b = gl_expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, &fd);
    check_scanout(b, fd, dmabuf);
    g_bytes_unref(b);
    sc_frame_unref(dmabuf);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* With gl-scanout "on", a memfd that is not sealed against shrinking (a
 * VMM's own buffer) goes as pixels: a client mapping it could die of
 * SIGBUS if its owner shrank it (our viewer refuses such fds). */
static void test_gl_on_unsealed(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *f = make_frame(W, H, 6);

    f->sealed = false;
    fixture_setup_options(&fx, &gl_on);
    emit(&fx, f);
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), gl_caps, G_N_ELEMENTS(gl_caps));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_SURFACE_CREATE, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_DRAW_COPY, NULL));
    g_bytes_unref(gl_expect(d, SPICE_MSG_DISPLAY_MARK, NULL));
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* With the defaults, a client that maps sealed memfds (our viewer:
 * SC_DISPLAY_CAP_SHM_SCANOUT) gets a memfd frame's fd: zero-copy on the
 * local path without --gl-scanout on. */
static void test_gl_auto_shm_cap(void)
{
    static const unsigned caps[] = { SPICE_DISPLAY_CAP_GL_SCANOUT, SC_DISPLAY_CAP_SHM_SCANOUT };
    struct fixture fx;
    struct tc *m, *d;
    struct sc_frame *f = make_frame(W, H, 7);
    GBytes *b;
    int fd;

    fixture_setup(&fx, NULL);
    emit(&fx, sc_frame_ref(f));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), caps, G_N_ELEMENTS(caps));
    b = gl_expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, &fd);
    check_scanout(b, fd, f);
    g_bytes_unref(b);
    sc_frame_unref(f);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gl/scanout", test_gl_scanout);
    g_test_add_func("/gl/draw-with-fd", test_gl_draw_with_fd);
    g_test_add_func("/gl/fd-fifo-one-sendmsg", test_gl_fd_fifo);
    g_test_add_func("/gl/cap-over-tcp", test_gl_cap_over_tcp);
    g_test_add_func("/gl/auto-memfd-as-pixels", test_gl_auto);
    g_test_add_func("/gl/on-unsealed-as-pixels", test_gl_on_unsealed);
    g_test_add_func("/gl/auto-memfd-to-shm-client", test_gl_auto_shm_cap);
    return g_test_run();
}
