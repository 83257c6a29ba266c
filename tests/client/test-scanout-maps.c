/* A viewer's set of scanout mappings (sc_scanout_maps, scanout-maps.h):
 * another fd of a buffer already mapped gets that mapping, a longer need
 * maps it again, the least recently used goes when the set is full, and a
 * buffer that may shrink is refused as before. */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "client/scanout-maps.h"

#define SIZE (64 * 1024)

static int sealed_memfd(uint8_t fill)
{
    int fd = memfd_create("scanout", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    uint8_t *p;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, SIZE), ==, 0);
    p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true(p != MAP_FAILED);
    memset(p, fill, SIZE);
    munmap(p, SIZE);
    g_assert_cmpint(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);
    return fd;
}

/* Each GL_SCANOUT brings a new fd (a dup) of one of a few buffers. */
static void test_same_buffer_new_fd(void)
{
    struct sc_scanout_maps m = { 0 };
    char why[256];
    int a = sealed_memfd(0xaa), b = sealed_memfd(0xbb);
    int a2 = dup(a);
    const uint8_t *pa = sc_scanout_maps_get(&m, a, SIZE / 2, why, sizeof(why));
    const uint8_t *pb = sc_scanout_maps_get(&m, b, SIZE / 2, why, sizeof(why));

    g_assert_nonnull(pa);
    g_assert_nonnull(pb);
    g_assert_cmpuint(pa[0], ==, 0xaa);
    g_assert_cmpuint(pb[0], ==, 0xbb);
    close(a); /* the mapping outlives the fd it came from */
    g_assert_true(sc_scanout_maps_get(&m, a2, SIZE / 2, why, sizeof(why)) == pa);
    /* more of it than was mapped: mapped again, all of it readable */
    const uint8_t *full = sc_scanout_maps_get(&m, a2, SIZE, why, sizeof(why));
    g_assert_nonnull(full);
    g_assert_cmpuint(full[SIZE - 1], ==, 0xaa);
    /* and the shorter one is still mapped: NV12 in one buffer reads its
     * luma through it after asking for the chroma further on (it was
     * unmapped here once) */
    g_assert_cmpuint(pa[SIZE / 2 - 1], ==, 0xaa);
    g_assert_true(sc_scanout_maps_get(&m, b, SIZE / 2, why, sizeof(why)) == pb);
    sc_scanout_maps_clear(&m);
    for (unsigned i = 0; i < SC_SCANOUT_MAPS; i++)
        g_assert_null(m.e[i].map);
    close(a2);
    close(b);
}

/* SC_SCANOUT_MAPS + 1 buffers: the first, used least recently, is the one
 * that went; the others are still there. */
static void test_eviction(void)
{
    struct sc_scanout_maps m = { 0 };
    char why[256];
    int fds[SC_SCANOUT_MAPS + 1];
    const void *maps[SC_SCANOUT_MAPS + 1];

    for (unsigned i = 0; i <= SC_SCANOUT_MAPS; i++) {
        fds[i] = sealed_memfd((uint8_t)i);
        maps[i] = sc_scanout_maps_get(&m, fds[i], SIZE, why, sizeof(why));
        g_assert_nonnull(maps[i]);
        if (i == SC_SCANOUT_MAPS - 1) /* touch buffer 0 again: buffer 1 is the oldest now */
            g_assert_true(sc_scanout_maps_get(&m, fds[0], SIZE, why, sizeof(why)) == maps[0]);
    }
    unsigned mapped = 0;
    for (unsigned i = 0; i < SC_SCANOUT_MAPS; i++)
        mapped += m.e[i].map != NULL;
    g_assert_cmpuint(mapped, ==, SC_SCANOUT_MAPS);
    for (unsigned i = 0; i <= SC_SCANOUT_MAPS; i++) { /* by inode: an address is reused */
        struct stat st;
        bool kept = false;

        g_assert_cmpint(fstat(fds[i], &st), ==, 0);
        for (unsigned k = 0; k < SC_SCANOUT_MAPS; k++)
            kept = kept || (m.e[k].map && m.e[k].ino == (uint64_t)st.st_ino);
        g_assert_true(kept == (i != 1));
    }
    /* buffer 1 again: mapped anew, in place of buffer 2 (now the oldest) */
    g_assert_nonnull(sc_scanout_maps_get(&m, fds[1], SIZE, why, sizeof(why)));
    sc_scanout_maps_clear(&m);
    for (unsigned i = 0; i <= SC_SCANOUT_MAPS; i++)
        close(fds[i]);
}

/* A memfd that can shrink is refused, as sc_scanout_map refuses it. */
static void test_unsealed_refused(void)
{
    struct sc_scanout_maps m = { 0 };
    char why[256] = "";
    int fd = memfd_create("unsealed", MFD_CLOEXEC);

    g_assert_cmpint(ftruncate(fd, SIZE), ==, 0);
    g_assert_null(sc_scanout_maps_get(&m, fd, SIZE, why, sizeof(why)));
    g_assert_cmpstr(why, !=, "");
    sc_scanout_maps_clear(&m);
    close(fd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/scanout-maps/same-buffer-new-fd", test_same_buffer_new_fd);
    g_test_add_func("/scanout-maps/eviction", test_eviction);
    g_test_add_func("/scanout-maps/unsealed-refused", test_unsealed_refused);
    return g_test_run();
}
