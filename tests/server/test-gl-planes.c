/* GL_SCANOUT2_UNIX over a unix socketpair: a client that advertised
 * SPICE_DISPLAY_CAP_GL_SCANOUT2 gets a frame of two planes (NV12 in two
 * sealed memfds) as GL_SCANOUT2_UNIX with both fds on one '@' byte, and the
 * fds show the planes; planes in one buffer go as one fd; a plain frame
 * still goes as GL_SCANOUT_UNIX.  A client with GL_SCANOUT alone never gets
 * a GL_SCANOUT2 nor an fd it cannot import, and stays connected. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "tests/server/harness.h"

#define W 64
#define H 32

static const unsigned caps1[] = { SPICE_DISPLAY_CAP_GL_SCANOUT };
static const unsigned caps2[] = { SPICE_DISPLAY_CAP_GL_SCANOUT, SPICE_DISPLAY_CAP_GL_SCANOUT2 };
static const struct sc_server_options gl_on = { .name = "test", .disable_ticketing = true,
                                                 .gl_scanout = "on" };

/* The '@' byte and the fds on it. */
static unsigned read_at(struct tc *c, int *fds, unsigned max)
{
    uint8_t at = 0;
    unsigned nfds = 0;
    ssize_t r = -1;

    for (int i = 0; i < 1000 && r <= 0; i++) {
        while (g_main_context_iteration(NULL, FALSE))
            ;
        r = sc_fd_recvmsg(c->fd, &at, 1, fds, &nfds, max);
        if (r == -EAGAIN)
            g_usleep(1000);
    }
    g_assert_cmpint(r, ==, 1);
    g_assert_cmpint(at, ==, '@');
    return nfds;
}

/* One message; SET_ACK answered; the fds of a scanout (either kind). */
static GBytes *next_msg(struct tc *c, uint16_t *type, int *fds, unsigned *nfds)
{
    uint8_t hdr[SC_MINI_HEADER_SIZE];
    struct sc_data_header h;
    uint8_t *buf;

    *nfds = 0;
    g_assert_true(tc_read_exact(c, hdr, sizeof(hdr)));
    g_assert_true(sc_data_header_parse(hdr, sizeof(hdr), true, &h));
    buf = g_malloc(h.size + 1);
    g_assert_true(tc_read_exact(c, buf, h.size));
    *type = h.type;
    if (h.type == SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX || h.type == SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX)
        *nfds = read_at(c, fds, SC_GL_MAX_PLANES);
    if (h.type == SPICE_MSG_SET_ACK) {
        GBytes *b = g_bytes_new_take(buf, h.size);
        tc_answer_set_ack(c, b);
        g_bytes_unref(b);
        return next_msg(c, type, fds, nfds);
    }
    return g_bytes_new_take(buf, h.size);
}

/* Skips to the next message of type want. */
static GBytes *expect(struct tc *c, uint16_t want, int *fds, unsigned *nfds)
{
    for (;;) {
        uint16_t type;
        GBytes *b = next_msg(c, &type, fds, nfds);
        if (type == want)
            return b;
        g_assert_cmpuint(type, !=, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX);
        g_assert_cmpuint(type, !=, SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX);
        g_bytes_unref(b);
    }
}

static int sealed_memfd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("plane", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, data, size), ==, (ssize_t)size);
    g_assert_cmpint(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);
    return fd;
}

/* An NV12 frame: luma in a memfd frame (stride W), chroma in its own memfd
 * (shared: right after the luma, in the same buffer, at offset W * H). */
static struct sc_frame *nv12_frame(bool shared, uint8_t *uv)
{
    struct sc_frame *f = make_frame(W, H, 7); /* W * 4 * H bytes: room for both */

    for (int i = 0; i < W * H / 2; i++)
        uv[i] = (uint8_t)(i * 7 + 3);
    f->drm_fourcc = DRM_FORMAT_NV12;
    f->stride = W;
    f->n_planes = 2;
    if (shared) {
        memcpy(f->map + W * H, uv, W * H / 2);
        f->planes[0] = (struct sc_frame_plane){ -1, W * H, W };
    } else {
        f->planes[0] = (struct sc_frame_plane){ sealed_memfd(uv, W * H / 2), 0, W };
    }
    return f;
}

static void check_plane(int fd, uint32_t offset, const uint8_t *want, size_t size)
{
    size_t len = offset + size;
    uint8_t *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

    g_assert_true(map != MAP_FAILED);
    g_assert_cmpmem(map + offset, size, want, size);
    munmap(map, len);
}

static void run_planes(bool shared)
{
    struct fixture fx;
    struct tc *m, *d;
    uint8_t uv[W * H / 2];
    struct sc_frame *f = nv12_frame(shared, uv);
    struct sc_gl_scanout2 s;
    int fds[SC_GL_MAX_PLANES];
    unsigned nfds;
    gsize n;
    GBytes *b;
    const uint8_t *p;

    fixture_setup_options(&fx, &gl_on);
    emit(&fx, sc_frame_ref(f));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), caps2, G_N_ELEMENTS(caps2));
    b = expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX, fds, &nfds);
    p = g_bytes_get_data(b, &n);
    g_assert_cmpuint(n, ==, SC_GL_SCANOUT2_UNIX_SIZE);
    g_assert_true(sc_gl_scanout2_unix_parse(p, n, &s));
    g_assert_cmpuint(s.width, ==, W);
    g_assert_cmpuint(s.height, ==, H);
    g_assert_cmpuint(s.fourcc, ==, DRM_FORMAT_NV12);
    g_assert_cmpuint(s.modifier, ==, DRM_FORMAT_MOD_LINEAR);
    g_assert_cmpuint(s.num_planes, ==, 2);
    g_assert_cmpuint(s.num_dmabuf, ==, shared ? 1 : 2);
    g_assert_cmpuint(nfds, ==, s.num_dmabuf);
    g_assert_cmpuint(s.stride[0], ==, W);
    g_assert_cmpuint(s.stride[1], ==, W);
    g_assert_cmpuint(s.offset[0], ==, 0);
    g_assert_cmpuint(s.offset[1], ==, shared ? W * H : 0);
    g_assert_cmpuint(s.flags & SPICE_GL_SCANOUT_FLAGS_Y0TOP, ==, 0);
    check_plane(fds[0], 0, f->map, W * H);
    check_plane(fds[nfds - 1], s.offset[1], uv, W * H / 2);
    for (unsigned i = 0; i < nfds; i++)
        close(fds[i]);
    g_bytes_unref(b);
    g_bytes_unref(expect(d, SPICE_MSG_DISPLAY_GL_DRAW, fds, &nfds));

    /* a plain frame next: GL_SCANOUT_UNIX, as to every GL client */
    emit(&fx, make_frame(W, H, 2));
    tc_send_msg(d, SPICE_MSGC_DISPLAY_GL_DRAW_DONE, NULL);
    g_bytes_unref(expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, fds, &nfds));
    g_assert_cmpuint(nfds, ==, 1);
    close(fds[0]);

    sc_frame_unref(f);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

static void test_two_fds(void)
{
    run_planes(false);
}

static void test_one_buffer(void)
{
    run_planes(true);
}

/* Everything that comes within ~300 ms: no scanout, no fd, not closed. */
static void assert_no_scanout(struct tc *c)
{
    gint64 until = g_get_monotonic_time() + 300000;

    while (g_get_monotonic_time() < until) {
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        int fds[SC_GL_MAX_PLANES];
        unsigned nfds;
        uint16_t type;

        g_main_context_iteration(NULL, FALSE);
        if (c->in->len == 0 && poll(&p, 1, 5) != 1)
            continue;
        g_bytes_unref(next_msg(c, &type, fds, &nfds));
        g_assert_cmpuint(type, !=, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX);
        g_assert_cmpuint(type, !=, SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX);
        g_assert_cmpuint(nfds, ==, 0);
    }
    g_assert_false(c->closed);
}

static void test_no_cap(void)
{
    struct fixture fx;
    struct tc *m, *d;
    uint8_t uv[W * H / 2];
    int fds[SC_GL_MAX_PLANES];
    unsigned nfds;

    fixture_setup_options(&fx, &gl_on);
    emit(&fx, nv12_frame(false, uv));
    m = tc_connect(&fx);
    d = connect_display(&fx, link_main(m, NULL), caps1, G_N_ELEMENTS(caps1));
    assert_no_scanout(d);
    /* a plain frame: GL_SCANOUT_UNIX with its one fd, as before */
    emit(&fx, make_frame(W, H, 3));
    g_bytes_unref(expect(d, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, fds, &nfds));
    g_assert_cmpuint(nfds, ==, 1);
    close(fds[0]);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

/* The parser's bounds: plane counts, fd counts, strides. */
static void test_parse_bounds(void)
{
    struct sc_gl_scanout2 s = { .width = 8, .height = 8, .fourcc = DRM_FORMAT_NV12,
                                .stride = { 8, 8 }, .num_planes = 2, .num_dmabuf = 2 }, out;
    struct sc_writer w;

    sc_writer_init(&w);
    sc_gl_scanout2_unix_write(&w, &s);
    g_assert_cmpuint(w.size, ==, SC_GL_SCANOUT2_UNIX_SIZE);
    g_assert_true(sc_gl_scanout2_unix_parse(w.data, w.size, &out));
    g_assert_false(sc_gl_scanout2_unix_parse(w.data, w.size - 1, &out));
    for (int k = 0; k < 5; k++) {
        struct sc_gl_scanout2 bad = s;
        if (k == 0)
            bad.num_planes = 5;
        if (k == 1)
            bad.num_planes = 0;
        if (k == 2)
            bad.num_dmabuf = 3;
        if (k == 3)
            bad.stride[1] = 0;
        if (k == 4)
            bad.fourcc = 0;
        sc_writer_reset(&w);
        sc_gl_scanout2_unix_write(&w, &bad);
        g_assert_false(sc_gl_scanout2_unix_parse(w.data, w.size, &out));
    }
    sc_writer_finish(&w);
}

/* The body byte by byte as spice.proto's gl_scanout2_unix lays it out
 * (yuq/spice-common 8f8539c9b9eb0bb52672a0be673c8dc205b64fef, the message
 * after quality_indicator = 322): width, height, offset[4], stride[4],
 * fourcc, flags32, modifier u64, num_planes u16, num_dmabuf u16, all
 * little-endian, the fds out of band. */
static void test_wire_layout(void)
{
    struct sc_gl_scanout2 s = {
        .width = 0x01020304, .height = 0x05060708, .offset = { 0x11, 0x12, 0x13, 0x14 },
        .stride = { 0x21, 0x22, 0x23, 0x24 }, .fourcc = DRM_FORMAT_NV12,
        .flags = SPICE_GL_SCANOUT_FLAGS_Y0TOP, .modifier = 0x0102030405060708ULL,
        .num_planes = 2, .num_dmabuf = 1,
    };
    static const uint8_t want[SC_GL_SCANOUT2_UNIX_SIZE] = {
        0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05,             /* width, height */
        0x11, 0, 0, 0, 0x12, 0, 0, 0, 0x13, 0, 0, 0, 0x14, 0, 0, 0, /* offset[4] */
        0x21, 0, 0, 0, 0x22, 0, 0, 0, 0x23, 0, 0, 0, 0x24, 0, 0, 0, /* stride[4] */
        'N', 'V', '1', '2', 0x01, 0, 0, 0,                          /* fourcc, flags */
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,             /* modifier */
        0x02, 0x00, 0x01, 0x00,                                     /* num_planes, num_dmabuf */
    };
    struct sc_writer w;

    g_assert_cmpint(SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX, ==, 323);
    g_assert_cmpint(SPICE_MSG_DISPLAY_QUALITY_INDICATOR + 1, ==, SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX);
    sc_writer_init(&w);
    sc_gl_scanout2_unix_write(&w, &s);
    g_assert_cmpmem(w.data, w.size, want, sizeof(want));
    sc_writer_finish(&w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gl-planes/wire-layout", test_wire_layout);
    g_test_add_func("/gl-planes/two-fds", test_two_fds);
    g_test_add_func("/gl-planes/one-buffer", test_one_buffer);
    g_test_add_func("/gl-planes/no-cap", test_no_cap);
    g_test_add_func("/gl-planes/parse-bounds", test_parse_bounds);
    return g_test_run();
}
