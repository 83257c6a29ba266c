/* A VMM embedding libspicecast through spicecast.h alone: it listens on a
 * unix socket, hands in its own shared-memory scanout buffers, and a real
 * client (spicy-screenshot) sees exactly its pixels; a replaced buffer is
 * released back to the VMM; input callbacks are wired. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "spicecast.h"
#include "tests/server/embed-util.h"

#define W 200
#define H 120

struct vmm {
    int fd[2];
    uint8_t *map[2];
    GArray *released;
};

static void on_release(void *data, uint64_t cookie)
{
    struct vmm *v = data;
    g_array_append_val(v->released, cookie);
}

static void fill(uint8_t *p, uint32_t seed)
{
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *px = p + (y * W + x) * 4;
            px[0] = (uint8_t)(x + seed);
            px[1] = (uint8_t)(y * 2);
            px[2] = (uint8_t)((x / 10) * 25 + seed);
            px[3] = 0xff;
        }
}

static struct sc_vmm_buffer buffer(int fd)
{
    return (struct sc_vmm_buffer){ .fd = fd, .width = W, .height = H, .stride = W * 4,
                                   .drm_fourcc = DRM_FORMAT_XRGB8888,
                                   .modifier = DRM_FORMAT_MOD_LINEAR, .top_down = true };
}

/* Runs spicy-screenshot against the socket, on a thread, while we spin. */
static gpointer screenshot(gpointer data)
{
    char **argv = data;
    int status = -1;

    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL);
    return GINT_TO_POINTER(g_spawn_check_wait_status(status, NULL));
}

static void check_ppm(const char *path, const uint8_t *bgrx)
{
    g_autofree char *contents = NULL;
    gsize len;
    const char *p;
    int w, h, max, n = 0;

    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    g_assert_cmpint(sscanf(contents, "P6 %d %d %d%n", &w, &h, &max, &n), ==, 3);
    g_assert_cmpint(w, ==, W);
    g_assert_cmpint(h, ==, H);
    p = contents + n + 1;
    for (int i = 0; i < W * H; i++)
        if (p[i * 3] != (char)bgrx[i * 4 + 2] || p[i * 3 + 1] != (char)bgrx[i * 4 + 1] ||
            p[i * 3 + 2] != (char)bgrx[i * 4])
            g_error("pixel %d differs", i);
}

/* spicy-screenshot of the server at uri into out, the loop spinning. */
static void shoot(struct sc_server *server, char *uri, char *out)
{
    g_autofree char *shot = g_find_program_in_path("spicy-screenshot");
    /* bounded: were the loop below to give up, the join must not hang */
    char *argv[] = { "timeout", "-k", "5", "30", shot, "--uri", uri, "-o", out, NULL };
    GThread *t = g_thread_new("shot", screenshot, argv);
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;

    while (!g_file_test(out, G_FILE_TEST_EXISTS) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, FALSE);
    while (sc_server_client_count(server) > 0 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, FALSE);
    g_assert_true(GPOINTER_TO_INT(g_thread_join(t)));
}

static void test_embed(void)
{
    g_autofree char *dir = embed_tmp_dir();
    g_autofree char *sock = g_build_filename(dir, "vm.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s", sock);
    g_autofree char *uri = g_strdup_printf("spice+unix://%s", sock);
    g_autofree char *out = g_build_filename(dir, "shot.ppm", NULL);
    g_autofree char *shot = g_find_program_in_path("spicy-screenshot");
    struct sc_server_options o = { .name = "vm", .disable_ticketing = true };
    struct sc_vmm_source_callbacks cb = { .release = on_release };
    struct vmm v = { .released = g_array_new(FALSE, FALSE, sizeof(uint64_t)) };
    struct sc_vmm_damage dmg = { 10, 10, 20, 20 };
    GError *error = NULL;
    struct sc_server *server;
    struct sc_vmm_source *src;
    struct sc_vmm_buffer bad;
    gint64 deadline;

    if (!shot) {
        g_test_skip("spicy-screenshot (spice-client-gtk) is not installed");
        return;
    }
    for (int i = 0; i < 2; i++) {
        v.fd[i] = memfd_create("vmm-scanout", MFD_CLOEXEC);
        g_assert_cmpint(v.fd[i], >=, 0);
        g_assert_cmpint(ftruncate(v.fd[i], W * H * 4), ==, 0);
        v.map[i] = mmap(NULL, W * H * 4, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd[i], 0);
        g_assert_true(v.map[i] != MAP_FAILED);
        fill(v.map[i], i * 40);
    }
    server = sc_server_new(&o, &error);
    g_assert_no_error(error);
    g_assert_true(sc_server_listen(server, spec, &error));
    src = sc_vmm_source_new(&cb, &v);
    sc_server_set_vmm_source(server, src);

    /* a bad buffer is refused with a reason */
    bad = buffer(v.fd[0]);
    bad.stride = 4;
    g_assert_false(sc_vmm_source_scanout(src, &bad, NULL, 0, 99, &error));
    g_assert_nonnull(strstr(error->message, "stride"));
    g_clear_error(&error);

    /* buffer 0, then buffer 1 with damage: 0 comes back released */
    bad = buffer(-1);
    g_assert_false(sc_vmm_source_scanout(src, &bad, NULL, 0, 98, &error));
    g_clear_error(&error);
    {
        struct sc_vmm_buffer b0 = buffer(v.fd[0]), b1 = buffer(v.fd[1]);
        g_assert_true(sc_vmm_source_scanout(src, &b0, NULL, 0, 100, &error));
        g_assert_true(sc_vmm_source_scanout(src, &b1, &dmg, 1, 101, &error));
    }
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (v.released->len == 0 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, FALSE);
    g_assert_cmpuint(v.released->len, ==, 1);
    g_assert_cmpuint(g_array_index(v.released, uint64_t, 0), ==, 100);

    /* a real client sees buffer 1 exactly */
    shoot(server, uri, out);
    check_ppm(out, v.map[1]);

    sc_server_free(server);
    sc_vmm_source_destroy(src);
    for (int i = 0; i < 2; i++) {
        munmap(v.map[i], W * H * 4);
        close(v.fd[i]);
    }
    g_array_unref(v.released);
    unlink(out);
    rmdir(dir);
}

/* Two heads: each scanout goes to its own head; head 0 (display channel 0,
 * what spicy-screenshot shows) keeps its buffer when head 1 gets another;
 * a head the source does not have is refused. */
static void test_heads(void)
{
    g_autofree char *dir = embed_tmp_dir();
    g_autofree char *sock = g_build_filename(dir, "vm.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s", sock);
    g_autofree char *uri = g_strdup_printf("spice+unix://%s", sock);
    g_autofree char *out = g_build_filename(dir, "shot.ppm", NULL);
    g_autofree char *shot = g_find_program_in_path("spicy-screenshot");
    struct sc_server_options o = { .name = "vm", .disable_ticketing = true };
    struct sc_vmm_source_callbacks cb = { .release = on_release };
    struct vmm v = { .released = g_array_new(FALSE, FALSE, sizeof(uint64_t)) };
    GError *error = NULL;
    struct sc_server *server;
    struct sc_vmm_source *src;

    if (!shot) {
        g_test_skip("spicy-screenshot (spice-client-gtk) is not installed");
        return;
    }
    for (int i = 0; i < 2; i++) {
        v.fd[i] = memfd_create("vmm-scanout", MFD_CLOEXEC);
        g_assert_cmpint(ftruncate(v.fd[i], W * H * 4), ==, 0);
        v.map[i] = mmap(NULL, W * H * 4, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd[i], 0);
        g_assert_true(v.map[i] != MAP_FAILED);
        fill(v.map[i], i * 40 + 7);
    }
    server = sc_server_new(&o, &error);
    g_assert_no_error(error);
    g_assert_true(sc_server_listen(server, spec, &error));
    src = sc_vmm_source_new(&cb, &v);
    g_assert_false(sc_vmm_source_set_heads(src, 0, &error));
    g_clear_error(&error);
    g_assert_false(sc_vmm_source_set_heads(src, 17, &error));
    g_clear_error(&error);
    g_assert_true(sc_vmm_source_set_heads(src, 2, &error));
    sc_server_set_vmm_source(server, src);
    {
        struct sc_vmm_buffer b0 = buffer(v.fd[0]), b1 = buffer(v.fd[1]);
        g_assert_false(sc_vmm_source_scanout_head(src, 2, &b1, NULL, 0, 102, &error));
        g_assert_nonnull(strstr(error->message, "head 2"));
        g_clear_error(&error);
        g_assert_true(sc_vmm_source_scanout(src, &b0, NULL, 0, 100, &error));
        g_assert_true(sc_vmm_source_scanout_head(src, 1, &b1, NULL, 0, 101, &error));
    }
    shoot(server, uri, out);
    check_ppm(out, v.map[0]);
    g_assert_cmpuint(v.released->len, ==, 0); /* both heads still show theirs */
    sc_server_free(server);
    sc_vmm_source_destroy(src);
    for (int i = 0; i < 2; i++) {
        munmap(v.map[i], W * H * 4);
        close(v.fd[i]);
    }
    g_array_unref(v.released);
    unlink(out);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/embed/vmm-source", test_embed);
    g_test_add_func("/embed/heads", test_heads);
    return g_test_run();
}
