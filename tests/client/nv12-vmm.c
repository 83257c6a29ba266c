/* nv12-vmm SOCKET SECONDS: a VMM embedding libspicecast (spicecast.h) that
 * scans out one NV12 picture in two sealed memfds and serves it on the unix
 * socket SOCKET for SECONDS seconds.  The picture, 320x200 in BT.601
 * limited range: red (Y 81, U 90, V 240) top left, green (145, 54, 34) top
 * right, blue (41, 240, 110) bottom left, white (235, 128, 128) bottom
 * right.  Prints "listening" once clients may connect.  Exit 0, or 1 with
 * a message. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "server/spicecast.h"

#define W 320
#define H 200

static const uint8_t yuv[4][3] = {
    { 81, 90, 240 }, { 145, 54, 34 }, { 41, 240, 110 }, { 235, 128, 128 },
};

static int sealed_memfd(size_t size, uint8_t **map)
{
    int fd = memfd_create("nv12-plane", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0 || ftruncate(fd, (off_t)size) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
        return -1;
    *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return *map == MAP_FAILED ? -1 : fd;
}

static void fill(uint8_t *y, uint8_t *uv)
{
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
            y[r * W + c] = yuv[(r >= H / 2) * 2 + (c >= W / 2)][0];
    for (int r = 0; r < H / 2; r++)
        for (int c = 0; c < W / 2; c++) {
            const uint8_t *q = yuv[(r >= H / 4) * 2 + (c >= W / 4)];
            uv[r * W + 2 * c] = q[1];
            uv[r * W + 2 * c + 1] = q[2];
        }
}

static gboolean quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    struct sc_server_options o = { .name = "nv12", .disable_ticketing = true };
    GError *error = NULL;
    uint8_t *y, *uv;
    int fy, fuv;

    if (argc != 3) {
        fprintf(stderr, "usage: nv12-vmm SOCKET SECONDS\n");
        return 1;
    }
    fy = sealed_memfd(W * H, &y);
    fuv = sealed_memfd(W * H / 2, &uv);
    if (fy < 0 || fuv < 0) {
        perror("nv12-vmm: memfd");
        return 1;
    }
    fill(y, uv);
    struct sc_vmm_buffer b = {
        .fd = fy, .width = W, .height = H, .stride = W, .drm_fourcc = DRM_FORMAT_NV12,
        .modifier = DRM_FORMAT_MOD_LINEAR, .top_down = true, .n_planes = 2,
        .planes = { { fuv, 0, W } },
    };
    g_autofree char *spec = g_strdup_printf("unix:%s", argv[1]);
    struct sc_server *server = sc_server_new(&o, &error);
    struct sc_vmm_source *src = sc_vmm_source_new(NULL, NULL);
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);

    if (!server || !sc_server_listen(server, spec, &error)) {
        fprintf(stderr, "nv12-vmm: %s\n", error->message);
        return 1;
    }
    sc_server_set_vmm_source(server, src);
    if (!sc_vmm_source_scanout(src, &b, NULL, 0, 1, &error)) {
        fprintf(stderr, "nv12-vmm: %s\n", error->message);
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    g_timeout_add_seconds((guint)atoi(argv[2]), quit, loop);
    g_main_loop_run(loop);
    sc_server_free(server);
    sc_vmm_source_destroy(src);
    g_main_loop_unref(loop);
    munmap(y, W * H);
    munmap(uv, W * H / 2);
    close(fy);
    close(fuv);
    return 0;
}
