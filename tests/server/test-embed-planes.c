/* A VMM embedding libspicecast (spicecast.h alone) hands in a scanout of
 * two planes, NV12 in two sealed memfds: our viewer (viewer-headless --gl,
 * which advertises SPICE_DISPLAY_CAP_GL_SCANOUT2) gets both fds in a
 * GL_SCANOUT2_UNIX, maps them and shows the picture.  A viewer that does
 * not advertise the cap gets a one-plane XRGB scanout as GL_SCANOUT_UNIX,
 * and the two-plane one never as an fd; the server stays up.  A plane in a
 * memfd that is not sealed against shrinking is not passed (the viewer
 * would refuse it and close the channel).  Over TCP spice-gtk's probe
 * sees the NV12 picture too (/embed/planes-tcp). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "server/spicecast.h"
#include "tests/server/embed-util.h"

#define W 64
#define H 32

struct run {
    char **argv;
    char *out;  /* stdout */
    char *err;  /* stderr */
    int status;
    gint done;
};

static gpointer run_thread(gpointer data)
{
    struct run *r = data;

    g_spawn_sync(NULL, r->argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &r->out, &r->err,
                 &r->status, NULL);
    g_atomic_int_set(&r->done, 1);
    return NULL;
}

/* top_builddir/rel (the build tree's program rel). */
static char *built(const char *rel)
{
    const char *top = g_getenv("top_builddir");

    return g_build_filename(top ? top : ".", rel, NULL);
}

/* Program rel of the build tree with args, bounded, while our loop serves
 * it; its stdout in *out, its stderr in *err (NULL: printed and dropped). */
static bool serve_run(const char *rel, const char *const *args, char **out, char **err)
{
    g_autofree char *bin = built(rel);
    GPtrArray *argv = g_ptr_array_new();
    struct run r = { 0 };
    GThread *t;

    g_ptr_array_add(argv, "timeout");
    g_ptr_array_add(argv, "-k");
    g_ptr_array_add(argv, "5");
    g_ptr_array_add(argv, "20");
    g_ptr_array_add(argv, bin);
    for (; *args; args++)
        g_ptr_array_add(argv, (char *)*args);
    g_ptr_array_add(argv, NULL);
    r.argv = (char **)argv->pdata;
    t = g_thread_new("headless", run_thread, &r);
    while (!g_atomic_int_get(&r.done))
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    g_thread_join(t);
    g_ptr_array_free(argv, TRUE);
    *out = r.out;
    if (err)
        *err = r.err;
    else
        fputs(r.err, stderr), g_free(r.err);
    return g_spawn_check_wait_status(r.status, NULL);
}

static bool headless_err(const char *const *args, char **out, char **err)
{
    return serve_run("client/viewer-headless", args, out, err);
}

static bool headless(const char *const *args, char **out)
{
    return headless_err(args, out, NULL);
}

static int sealed_memfd(size_t size, uint8_t **map)
{
    int fd = memfd_create("plane", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
    g_assert_cmpint(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);
    *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true(*map != MAP_FAILED);
    return fd;
}

/* NV12: the left half white (Y 235), the right half black (Y 16); rows 16..
 * of the left half Y 81, red (U 90, V 240: BT.601 limited range) in the
 * first 16 columns, grey after. */
static void fill_nv12(uint8_t *y, uint8_t *uv)
{
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
            y[r * W + c] = c < W / 2 ? (r >= 16 ? 81 : 235) : 16;
    for (int r = 0; r < H / 2; r++)
        for (int c = 0; c < W / 2; c++) {
            bool red = c < W / 8 && r >= 8;
            uv[r * W + c * 2] = red ? 90 : 128;
            uv[r * W + c * 2 + 1] = red ? 240 : 128;
        }
}

/* The PPM's pixel at (x, y) is within 6 of r, g, b. */
static void check_px(const char *ppm, int x, int y, int r, int g, int b)
{
    g_autofree char *data = NULL;
    gsize len;
    int w, h, max, n = 0;
    const uint8_t *p;

    g_assert_true(g_file_get_contents(ppm, &data, &len, NULL));
    g_assert_cmpint(sscanf(data, "P6 %d %d %d%n", &w, &h, &max, &n), ==, 3);
    g_assert_cmpint(w, ==, W);
    g_assert_cmpint(h, ==, H);
    p = (const uint8_t *)data + n + 1 + ((size_t)y * W + x) * 3;
    if (abs(p[0] - r) > 6 || abs(p[1] - g) > 6 || abs(p[2] - b) > 6)
        g_error("pixel %d,%d is %d,%d,%d, not %d,%d,%d", x, y, p[0], p[1], p[2], r, g, b);
}

/* NV12 in two memfds, W x H, rows of W bytes; XRGB8888 in one. */
static struct sc_vmm_buffer nv12_buffer(int fy, int fuv)
{
    return (struct sc_vmm_buffer){
        .fd = fy, .width = W, .height = H, .stride = W, .drm_fourcc = DRM_FORMAT_NV12,
        .modifier = DRM_FORMAT_MOD_LINEAR, .top_down = true, .n_planes = 2,
        .planes = { { fuv, 0, W } },
    };
}

static struct sc_vmm_buffer xrgb_buffer(int fd)
{
    return (struct sc_vmm_buffer){ .fd = fd, .width = W, .height = H, .stride = W * 4,
                                   .drm_fourcc = DRM_FORMAT_XRGB8888,
                                   .modifier = DRM_FORMAT_MOD_LINEAR, .top_down = true };
}

/* viewer-headless is there (run from the build tree), else the test skips */
static bool have_headless(void)
{
    if (!g_file_test("client/viewer-headless", G_FILE_TEST_EXISTS) && !g_getenv("top_builddir")) {
        g_test_skip("viewer-headless not built here (run from the build tree)");
        return false;
    }
    return true;
}

static void test_planes(void)
{
    if (!have_headless())
        return;
    g_autofree char *dir = embed_tmp_dir();
    g_autofree char *sock = g_build_filename(dir, "vm.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s", sock);
    g_autofree char *uri = g_strdup_printf("spice+unix://%s", sock);
    g_autofree char *ppm = g_build_filename(dir, "gl.ppm", NULL);
    struct sc_server_options o = { .name = "vm", .disable_ticketing = true };
    struct sc_vmm_source_callbacks cb = { 0 };
    GError *error = NULL;
    uint8_t *y, *uv, *x;
    int fy = sealed_memfd(W * H, &y), fuv = sealed_memfd(W * H / 2, &uv);
    int fx = sealed_memfd(W * H * 4, &x);
    struct sc_vmm_buffer nv12 = nv12_buffer(fy, fuv), xrgb = xrgb_buffer(fx);
    char *out = NULL;

    fill_nv12(y, uv);
    memset(x, 0x80, W * H * 4);
    struct sc_server *server = sc_server_new(&o, &error);
    g_assert_no_error(error);
    g_assert_true(sc_server_listen(server, spec, &error));
    struct sc_vmm_source *src = sc_vmm_source_new(&cb, NULL);
    sc_server_set_vmm_source(server, src);

    /* bad layouts are refused: 5 planes; a chroma plane past its memfd */
    struct sc_vmm_buffer bad = nv12;
    bad.n_planes = 5;
    g_assert_false(sc_vmm_source_scanout(src, &bad, NULL, 0, 1, &error));
    g_clear_error(&error);
    bad = nv12;
    bad.planes[0].offset = W * H;
    g_assert_false(sc_vmm_source_scanout(src, &bad, NULL, 0, 2, &error));
    g_assert_nonnull(strstr(error->message, "plane 1"));
    g_clear_error(&error);

    g_assert_true(sc_vmm_source_scanout(src, &nv12, NULL, 0, 3, &error));
    g_assert_true(headless((const char *const[]){ "--gl", "--screenshot", ppm, uri, NULL }, &out));
    g_assert_nonnull(strstr(out, "scanout2 64x32 planes 2 fourcc 0x3231564e"));
    g_free(out);
    check_px(ppm, 4, 4, 255, 255, 255);    /* white */
    check_px(ppm, W - 4, 4, 0, 0, 0);      /* black */
    check_px(ppm, 4, H - 4, 255, 0, 0);    /* red (within rounding) */
    check_px(ppm, W / 4 + 4, H - 4, 76, 76, 76); /* Y 81: (81 - 16) * 255 / 219 */

    /* a chroma plane that could shrink: not passed, not refused */
    {
        int fu = memfd_create("unsealed", MFD_CLOEXEC);
        struct sc_vmm_buffer b = nv12;
        char *err = NULL;
        g_assert_cmpint(ftruncate(fu, W * H / 2), ==, 0);
        b.planes[0].fd = fu;
        g_assert_true(sc_vmm_source_scanout(src, &b, NULL, 0, 5, &error));
        g_assert_false(headless_err((const char *const[]){ "--gl", "--timeout", "2",
                                                           "--screenshot", ppm, uri, NULL },
                                    &out, &err));
        g_assert_null(strstr(err, "refused"));
        g_assert_nonnull(strstr(err, "timed out"));
        g_free(out);
        g_free(err);
        close(fu);
        g_assert_true(sc_vmm_source_scanout(src, &nv12, NULL, 0, 6, &error));
    }
    /* without the cap: the two-plane scanout is never an fd to it ... */
    g_assert_false(headless((const char *const[]){ "--gl", "--no-planes", "--timeout", "2",
                                                   "--screenshot", ppm, uri, NULL }, &out));
    g_assert_null(strstr(out, "scanout"));
    g_free(out);
    /* ... a one-plane one is GL_SCANOUT_UNIX, as to spice-gtk */
    g_assert_true(sc_vmm_source_scanout(src, &xrgb, NULL, 0, 4, &error));
    g_assert_true(headless((const char *const[]){ "--gl", "--no-planes", "--screenshot", ppm,
                                                  uri, NULL }, &out));
    g_assert_nonnull(strstr(out, "scanout 64x32 stride 256"));
    g_free(out);
    check_px(ppm, 1, 1, 0x80, 0x80, 0x80);

    sc_server_free(server);
    sc_vmm_source_destroy(src);
    munmap(y, W * H);
    munmap(uv, W * H / 2);
    munmap(x, W * H * 4);
    close(fy);
    close(fuv);
    close(fx);
    unlink(ppm);
    rmdir(dir);
}

/* Every pixel of the PPM within 6 of r, g, b (a one-colour buffer). */
static void check_all(const char *ppm, int r, int g, int b)
{
    for (int y = 0; y < H; y += 3)
        for (int x = 0; x < W; x += 3)
            check_px(ppm, x, y, r, g, b);
}

static void test_planes_head1(void)
{
    if (!have_headless())
        return;
    g_autofree char *dir = embed_tmp_dir();
    g_autofree char *sock = g_build_filename(dir, "vm.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s", sock);
    g_autofree char *uri = g_strdup_printf("spice+unix://%s", sock);
    g_autofree char *ppm = g_build_filename(dir, "gl.ppm", NULL);
    g_autofree char *ppm1 = g_build_filename(dir, "gl.head1.ppm", NULL);
    struct sc_server_options o = { .name = "vm", .disable_ticketing = true };
    struct sc_vmm_source_callbacks cb = { 0 };
    GError *error = NULL;
    uint8_t *y, *uv, *x0, *x1;
    int fy = sealed_memfd(W * H, &y), fuv = sealed_memfd(W * H / 2, &uv);
    int fx0 = sealed_memfd(W * H * 4, &x0), fx1 = sealed_memfd(W * H * 4, &x1);
    struct sc_vmm_buffer nv12 = nv12_buffer(fy, fuv), xrgb0 = xrgb_buffer(fx0),
                         xrgb1 = xrgb_buffer(fx1);
    char *out = NULL;

    fill_nv12(y, uv);
    memset(x0, 0x80, W * H * 4); /* head 0: grey */
    memset(x1, 0x30, W * H * 4); /* head 1's one-plane buffer: dark grey */
    struct sc_server *server = sc_server_new(&o, &error);
    g_assert_no_error(error);
    g_assert_true(sc_server_listen(server, spec, &error));
    struct sc_vmm_source *src = sc_vmm_source_new(&cb, NULL);
    g_assert_true(sc_vmm_source_set_heads(src, 2, &error));
    sc_server_set_vmm_source(server, src);
    g_assert_true(sc_vmm_source_scanout(src, &xrgb0, NULL, 0, 1, &error));

    /* head 1: two planes, GL_SCANOUT2_UNIX to head 1 only */
    g_assert_true(sc_vmm_source_scanout_head(src, 1, &nv12, NULL, 0, 2, &error));
    g_assert_true(headless((const char *const[]){ "--gl", "--heads", "2", "--screenshot", ppm,
                                                  uri, NULL }, &out));
    g_assert_nonnull(strstr(out, "head 1 scanout2 64x32 planes 2 fourcc 0x3231564e"));
    g_assert_nonnull(strstr(out, "\nscanout 64x32 stride 256")); /* head 0: its own, one plane */
    g_free(out);
    check_px(ppm1, 4, 4, 255, 255, 255);
    check_px(ppm1, W - 4, 4, 0, 0, 0);
    check_px(ppm1, 4, H - 4, 255, 0, 0);
    check_px(ppm1, W / 4 + 4, H - 4, 76, 76, 76);
    check_all(ppm, 0x80, 0x80, 0x80);

    /* head 1: one plane, GL_SCANOUT_UNIX (no GL_SCANOUT2 cap, as spice-gtk) */
    g_assert_true(sc_vmm_source_scanout_head(src, 1, &xrgb1, NULL, 0, 3, &error));
    g_assert_true(headless((const char *const[]){ "--gl", "--no-planes", "--heads", "2",
                                                  "--screenshot", ppm, uri, NULL }, &out));
    g_assert_nonnull(strstr(out, "head 1 scanout 64x32 stride 256"));
    g_assert_nonnull(strstr(out, "\nscanout 64x32 stride 256"));
    g_free(out);
    check_all(ppm1, 0x30, 0x30, 0x30);
    check_all(ppm, 0x80, 0x80, 0x80);

    sc_server_free(server);
    sc_vmm_source_destroy(src);
    munmap(y, W * H);
    munmap(uv, W * H / 2);
    munmap(x0, W * H * 4);
    munmap(x1, W * H * 4);
    close(fy);
    close(fuv);
    close(fx0);
    close(fx1);
    unlink(ppm);
    unlink(ppm1);
    rmdir(dir);
}

/* The same NV12 scanout (two sealed memfds) to spice-gtk over TCP: no fd
 * can go there, so the server reads the planes converted to BGRx (BT.601
 * limited range) and sends them as lossless updates.  The probe's
 * screenshot shows the picture, each checked pixel within 6 of the
 * expected value per channel; before, the remote client got a surface and
 * nothing in it (the lossless encoder refused the frame). */
static void test_planes_tcp(void)
{
    GError *error = NULL;
    g_autofree char *ppm = NULL, *probe = built("tests/interop/probe");
    struct sc_server_options o = { .name = "vm", .disable_ticketing = true };
    uint8_t *y, *uv;
    int fy, fuv;
    char *out = NULL;

    if (!g_file_test(probe, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("tests/interop/probe not built (spice-client-glib-2.0 missing at configure "
                    "time)");
        return;
    }
    g_autofree char *dir = embed_tmp_dir();
    ppm = g_build_filename(dir, "tcp.ppm", NULL);
    fy = sealed_memfd(W * H, &y);
    fuv = sealed_memfd(W * H / 2, &uv);
    fill_nv12(y, uv);
    struct sc_vmm_buffer nv12 = nv12_buffer(fy, fuv);
    struct sc_server *server = sc_server_new(&o, &error);
    g_assert_no_error(error);
    g_assert_true(sc_server_listen(server, "tcp:127.0.0.1:0", &error));
    g_autoptr(GPtrArray) addrs = sc_server_get_addresses(server);
    g_assert_cmpuint(addrs->len, ==, 1);
    g_autofree char *uri = g_strdup_printf("spice://%s", (const char *)addrs->pdata[0] + 4);
    struct sc_vmm_source *src = sc_vmm_source_new(NULL, NULL);
    sc_server_set_vmm_source(server, src);
    g_assert_true(sc_vmm_source_scanout(src, &nv12, NULL, 0, 1, &error));
    g_assert_no_error(error);

    g_assert_true(serve_run("tests/interop/probe",
                            (const char *const[]){ "--uri", uri, "--timeout", "15",
                                                   "--screenshot", ppm, NULL },
                            &out, NULL));
    g_free(out);
    check_px(ppm, 4, 4, 255, 255, 255);
    check_px(ppm, W - 4, 4, 0, 0, 0);
    check_px(ppm, 4, H - 4, 255, 0, 0);
    check_px(ppm, W / 4 + 4, H - 4, 76, 76, 76);

    sc_server_free(server);
    sc_vmm_source_destroy(src);
    munmap(y, W * H);
    munmap(uv, W * H / 2);
    close(fy);
    close(fuv);
    unlink(ppm);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/embed/planes", test_planes);
    g_test_add_func("/embed/planes-head1", test_planes_head1);
    g_test_add_func("/embed/planes-tcp", test_planes_tcp);
    return g_test_run();
}
