#include "config.h"

/* Frames and the frame pool: memfd seals, refcounts, release callbacks,
 * pool reuse and teardown with frames outstanding, damage clipping and
 * merging. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "common/frame.h"

static void test_memfd(void)
{
    struct sc_frame *f = sc_frame_new_memfd(100, 30);
    g_assert_nonnull(f);
    g_assert_cmpint(f->refcount, ==, 1);
    g_assert_cmpint(f->kind, ==, SC_FRAME_SHM);
    g_assert_cmpuint(f->width, ==, 100);
    g_assert_cmpuint(f->height, ==, 30);
    g_assert_cmpuint(f->stride, >=, 400);
    g_assert_cmpuint(f->stride % 4, ==, 0);
    g_assert_cmpuint(f->drm_fourcc, ==, DRM_FORMAT_XRGB8888);
    g_assert_cmpuint(f->modifier, ==, DRM_FORMAT_MOD_LINEAR);
    g_assert_true(f->top_down);
    g_assert_nonnull(f->map);
    g_assert_cmpuint(f->map_size, >=, (size_t)f->stride * 30);

    int seals = fcntl(f->fd, F_GET_SEALS);
    g_assert_cmpint(seals, >=, 0);
    g_assert_cmpint(seals & F_SEAL_SHRINK, !=, 0);
    g_assert_cmpint(seals & F_SEAL_GROW, !=, 0);
    g_assert_cmpint(seals & F_SEAL_SEAL, !=, 0);
    g_assert_cmpint(seals & F_SEAL_WRITE, ==, 0);
    g_assert_cmpint(ftruncate(f->fd, 10), <, 0);
    g_assert_cmpint(fcntl(f->fd, F_GETFD) & FD_CLOEXEC, !=, 0);

    /* the mapping is writable and shared with the fd */
    memset(f->map, 0xab, f->map_size);
    uint8_t b = 0;
    g_assert_cmpint(pread(f->fd, &b, 1, (off_t)f->map_size - 1), ==, 1);
    g_assert_cmpuint(b, ==, 0xab);

    g_assert_true(sc_frame_ref(f) == f);
    g_assert_cmpint(f->refcount, ==, 2);
    sc_frame_unref(f);
    g_assert_cmpint(f->refcount, ==, 1);
    sc_frame_unref(f);
    sc_frame_unref(NULL);
    sc_frame_destroy(NULL);

    g_assert_null(sc_frame_new_memfd(0, 10));
    g_assert_null(sc_frame_new_memfd(10, 100000));
}

static unsigned released;
static void on_release(struct sc_frame *f, void *data)
{
    g_assert_true(data == &released);
    g_assert_cmpint(f->refcount, ==, 0);
    released++;
}

static void test_release(void)
{
    struct sc_frame *f = sc_frame_new_memfd(16, 16);
    f->release = on_release;
    f->release_data = &released;
    released = 0;
    sc_frame_ref(f);
    sc_frame_unref(f);
    g_assert_cmpuint(released, ==, 0);
    sc_frame_add_damage(f, 1, 1, 2, 2);
    sc_frame_unref(f);
    g_assert_cmpuint(released, ==, 1);
    /* the owner re-arms it */
    sc_frame_reuse(f);
    g_assert_cmpint(f->refcount, ==, 1);
    g_assert_cmpuint(f->n_damage, ==, 0);
    g_assert_false(f->full_damage);
    sc_frame_unref(f);
    g_assert_cmpuint(released, ==, 2);
    sc_frame_destroy(f);
}

static gpointer unref_thread(gpointer data)
{
    sc_frame_unref(data);
    return NULL;
}

static bool fd_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

static void test_pool(void)
{
    struct sc_frame_pool *pool = sc_frame_pool_new(32, 8, 2);
    g_assert_nonnull(pool);
    struct sc_frame *a = sc_frame_pool_get(pool);
    struct sc_frame *b = sc_frame_pool_get(pool);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_true(a != b);
    g_assert_true(a->map != b->map);
    g_assert_cmpuint(a->width, ==, 32);
    g_assert_cmpuint(a->height, ==, 8);
    g_assert_null(sc_frame_pool_get(pool)); /* all in use */

    /* back to the pool when the last reference goes, and only then */
    sc_frame_ref(a);
    sc_frame_unref(a);
    g_assert_null(sc_frame_pool_get(pool));
    sc_frame_add_damage(a, 0, 0, 4, 4);
    a->time_us = 1000;
    a->arrived_us = 2000; /* a display got it */
    sc_frame_unref(a);
    struct sc_frame *c = sc_frame_pool_get(pool);
    g_assert_true(c == a);
    g_assert_cmpint(c->refcount, ==, 1);
    g_assert_cmpuint(c->n_damage, ==, 0);
    g_assert_false(c->full_damage);
    /* a new frame: its capture and arrival are to come (the display keeps
     * a frame's first arrival, so a stale one would stay) */
    g_assert_cmpint(c->time_us, ==, 0);
    g_assert_cmpint(c->arrived_us, ==, 0);

    /* released from another thread (encoders do that) */
    GThread *t = g_thread_new("unref", unref_thread, b);
    g_thread_join(t);
    struct sc_frame *d = sc_frame_pool_get(pool);
    g_assert_true(d == b);

    /* destroy with both frames out: they stay usable, then are freed */
    int fd_c = c->fd, fd_d = d->fd;
    sc_frame_ref(d);
    sc_frame_pool_destroy(pool);
    memset(c->map, 1, c->map_size);
    memset(d->map, 2, d->map_size);
    sc_frame_unref(c);
    g_assert_false(fd_open(fd_c));
    g_assert_true(fd_open(fd_d));
    sc_frame_unref(d);
    g_assert_true(fd_open(fd_d));
    sc_frame_unref(d); /* the last frame frees the pool too (ASan/valgrind check) */
    g_assert_false(fd_open(fd_d));

    /* destroy with nothing out, and a pool that never made a frame */
    pool = sc_frame_pool_new(8, 8, 1);
    sc_frame_unref(sc_frame_pool_get(pool));
    sc_frame_pool_destroy(pool);
    sc_frame_pool_destroy(sc_frame_pool_new(8, 8, 1));
    sc_frame_pool_destroy(NULL);
}

static bool box_eq(const struct sc_box *b, int x, int y, int w, int h)
{
    return b->x == x && b->y == y && b->w == w && b->h == h;
}

static void test_damage_clip(void)
{
    struct sc_frame *f = sc_frame_new_memfd(100, 50);
    sc_frame_reuse(f);
    g_assert_cmpuint(f->n_damage, ==, 0);

    sc_frame_add_damage(f, -10, -5, 20, 10); /* clipped at the top-left */
    g_assert_cmpuint(f->n_damage, ==, 1);
    g_assert_true(box_eq(&f->damage[0], 0, 0, 10, 5));
    sc_frame_add_damage(f, 90, 45, 50, 50); /* clipped at the bottom-right */
    g_assert_true(box_eq(&f->damage[1], 90, 45, 10, 5));
    sc_frame_add_damage(f, 100, 0, 5, 5);   /* outside */
    sc_frame_add_damage(f, -5, 0, 5, 5);    /* outside */
    sc_frame_add_damage(f, 10, 10, 0, 5);   /* empty */
    sc_frame_add_damage(f, 10, 10, 5, -5);  /* negative */
    sc_frame_add_damage(f, INT32_MAX - 1, INT32_MAX - 1, INT32_MAX, INT32_MAX);
    sc_frame_add_damage(f, INT32_MIN, INT32_MIN, 5, 5);
    g_assert_cmpuint(f->n_damage, ==, 2);
    sc_frame_add_damage(f, 1, 1, 2, 2);     /* inside an existing box */
    g_assert_cmpuint(f->n_damage, ==, 2);
    sc_frame_add_damage(f, 0, 0, 20, 20);   /* covers the first box */
    g_assert_cmpuint(f->n_damage, ==, 2);
    g_assert_false(f->full_damage);

    sc_frame_add_damage(f, -1, -1, 200, 200); /* everything */
    g_assert_true(f->full_damage);
    g_assert_cmpuint(f->n_damage, ==, 0);
    sc_frame_add_damage(f, 1, 1, 2, 2);
    g_assert_true(f->full_damage);
    g_assert_cmpuint(f->n_damage, ==, 0);

    sc_frame_reuse(f);
    sc_frame_set_full_damage(f);
    g_assert_true(f->full_damage);
    g_assert_cmpuint(f->n_damage, ==, 0);
    sc_frame_unref(f);
}

static bool covered(const struct sc_frame *f, int x, int y)
{
    if (f->full_damage && f->n_damage == 0)
        return true;
    for (uint32_t i = 0; i < f->n_damage; i++) {
        const struct sc_box *b = &f->damage[i];
        if (x >= b->x && y >= b->y && x < b->x + b->w && y < b->y + b->h)
            return true;
    }
    return false;
}

static void test_damage_merge(void)
{
    struct sc_frame *f = sc_frame_new_memfd(400, 300);
    sc_frame_reuse(f);
    struct sc_box added[40];
    for (int i = 0; i < 40; i++) {
        added[i] = (struct sc_box){ (i * 37) % 390, (i * 53) % 290, 3 + i % 5, 2 + i % 7 };
        sc_frame_add_damage(f, added[i].x, added[i].y, added[i].w, added[i].h);
        g_assert_cmpuint(f->n_damage, <=, SC_FRAME_MAX_DAMAGE);
    }
    g_assert_cmpuint(f->n_damage, ==, SC_FRAME_MAX_DAMAGE);
    g_assert_false(f->full_damage);
    /* every pixel that was damaged is still covered, and every box is
     * inside the frame */
    for (int i = 0; i < 40; i++)
        for (int y = added[i].y; y < added[i].y + added[i].h; y++)
            for (int x = added[i].x; x < added[i].x + added[i].w; x++)
                g_assert_true(covered(f, x, y));
    for (uint32_t i = 0; i < f->n_damage; i++) {
        const struct sc_box *b = &f->damage[i];
        g_assert_cmpint(b->x, >=, 0);
        g_assert_cmpint(b->y, >=, 0);
        g_assert_cmpint(b->w, >, 0);
        g_assert_cmpint(b->h, >, 0);
        g_assert_cmpint(b->x + b->w, <=, 400);
        g_assert_cmpint(b->y + b->h, <=, 300);
    }
    sc_frame_unref(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/frame/memfd", test_memfd);
    g_test_add_func("/frame/release", test_release);
    g_test_add_func("/frame/pool", test_pool);
    g_test_add_func("/frame/damage-clip", test_damage_clip);
    g_test_add_func("/frame/damage-merge", test_damage_merge);
    return g_test_run();
}
