/* Helpers for the source tests: a listener that copies every frame it gets
 * (so the source's pool is never held), main-loop driving, a temporary
 * directory and error checks. */
#pragma once
#include <glib.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "codecs/codec.h"
#include "server/sources/source.h"

struct got_frame {
    uint64_t seq;
    gint64 time_us;    /* when the listener got it */
    int64_t capture_us; /* the frame's own time_us */
    uint32_t width, height, stride;
    bool full_damage;
    uint32_t n_damage;
    struct sc_box damage[SC_FRAME_MAX_DAMAGE];
    uint8_t *pixels; /* stride * height, NULL if the frame had no CPU view */
    /* what the encoders read (sc_codec_frame_pixels): width * 4 * height
     * BGRx, NULL if nothing */
    uint8_t *bgrx;
    /* the planes (n_planes 0 or 1: one): format, modifier, and per plane
     * offset, stride and the inode of its fd (0: in plane 0's buffer) */
    uint32_t fourcc, n_planes;
    uint64_t modifier;
    uint32_t offsets[SC_FRAME_MAX_PLANES], strides[SC_FRAME_MAX_PLANES];
    uint64_t inodes[SC_FRAME_MAX_PLANES];
};

G_GNUC_UNUSED static uint64_t fd_inode(int fd)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

struct collector {
    GPtrArray *frames; /* struct got_frame */
    unsigned n_cursors;
    struct sc_cursor_shape cursor;
    uint8_t *cursor_pixels;
};

G_GNUC_UNUSED static void got_frame_free(gpointer p)
{
    struct got_frame *g = p;
    g_free(g->pixels);
    g_free(g->bgrx);
    g_free(g);
}

G_GNUC_UNUSED static void collect_frame(struct sc_source *s, struct sc_frame *f, void *data)
{
    struct collector *c = data;
    struct got_frame *g = g_new0(struct got_frame, 1);
    g_assert_cmpuint(s->width, ==, f->width);
    g_assert_cmpuint(s->height, ==, f->height);
    g->seq = f->seq;
    g->time_us = g_get_monotonic_time();
    g->capture_us = f->time_us;
    g->width = f->width;
    g->height = f->height;
    g->stride = f->stride;
    g->full_damage = f->full_damage;
    g->n_damage = f->n_damage;
    memcpy(g->damage, f->damage, sizeof(g->damage));
    g->fourcc = f->drm_fourcc;
    g->modifier = f->modifier;
    g->n_planes = f->n_planes;
    g->offsets[0] = f->offset;
    g->strides[0] = f->stride;
    g->inodes[0] = fd_inode(f->fd);
    for (uint32_t i = 1; i < f->n_planes && i < SC_FRAME_MAX_PLANES; i++) {
        g->offsets[i] = f->planes[i - 1].offset;
        g->strides[i] = f->planes[i - 1].stride;
        g->inodes[i] = fd_inode(f->planes[i - 1].fd);
    }
    /* NULL: a buffer without a CPU view (a dma-buf the source cannot map) */
    g->pixels = f->map ? g_memdup2(f->map + f->offset, (gsize)f->stride * f->height) : NULL;
    uint32_t stride = 0;
    const uint8_t *px = sc_codec_frame_pixels(f, &stride);
    if (px) {
        g->bgrx = g_malloc((gsize)f->width * 4 * f->height);
        for (uint32_t y = 0; y < f->height; y++)
            memcpy(g->bgrx + (size_t)y * f->width * 4, px + (size_t)y * stride,
                   (size_t)f->width * 4);
    }
    g_ptr_array_add(c->frames, g);
}

G_GNUC_UNUSED static void collect_cursor(struct sc_source *s, const struct sc_cursor_shape *shape, void *data)
{
    struct collector *c = data;
    (void)s;
    c->n_cursors++;
    c->cursor = *shape;
    g_free(c->cursor_pixels);
    c->cursor_pixels = g_memdup2(shape->pixels, (gsize)shape->width * shape->height * 4);
    c->cursor.pixels = c->cursor_pixels;
}

G_GNUC_UNUSED static void collector_init(struct collector *c, struct sc_source *s)
{
    memset(c, 0, sizeof(*c));
    c->frames = g_ptr_array_new_with_free_func(got_frame_free);
    struct sc_source_listener l = { collect_frame, collect_cursor, c };
    sc_source_set_listener(s, &l);
}

G_GNUC_UNUSED static void collector_finish(struct collector *c)
{
    g_ptr_array_free(c->frames, TRUE);
    g_free(c->cursor_pixels);
}

G_GNUC_UNUSED static struct got_frame *collector_get(struct collector *c, guint i)
{
    return g_ptr_array_index(c->frames, i);
}

G_GNUC_UNUSED static gboolean flag_timeout(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/* Iterates the default main context until every collector has at least n
 * frames; fails the test after timeout_ms. */
G_GNUC_UNUSED static void wait_frames(struct collector **cs, unsigned n_cs, guint n, guint timeout_ms)
{
    gboolean expired = FALSE;
    guint id = g_timeout_add(timeout_ms, flag_timeout, &expired);
    for (;;) {
        bool done = true;
        for (unsigned i = 0; i < n_cs; i++)
            done = done && cs[i]->frames->len >= n;
        if (done)
            break;
        if (expired)
            g_error("timed out waiting for %u frames", n);
        g_main_context_iteration(NULL, TRUE);
    }
    g_source_remove(id);
}

/* wait_frames() for one collector. */
G_GNUC_UNUSED static void wait_frames1(struct collector *c, guint n, guint timeout_ms)
{
    wait_frames(&c, 1, n, timeout_ms);
}

/* Runs the default main context for about ms milliseconds. */
G_GNUC_UNUSED static void run_for(guint ms)
{
    gboolean expired = FALSE;
    g_timeout_add(ms, flag_timeout, &expired);
    while (!expired)
        g_main_context_iteration(NULL, TRUE);
}

G_GNUC_UNUSED static const uint8_t *pixel_at(const struct got_frame *g, uint32_t x, uint32_t y)
{
    return g->pixels + (size_t)y * g->stride + (size_t)x * 4;
}

/* Same B,G,R (X ignored). */
G_GNUC_UNUSED static bool same_pixel(const uint8_t *a, const uint8_t *b)
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

/* sc_source_create(spec printf-style) must fail with an error whose message
 * contains needle. */
G_GNUC_UNUSED G_GNUC_PRINTF(2, 3) static void expect_error(const char *needle, const char *spec_fmt,
                                                           ...)
{
    va_list ap;
    va_start(ap, spec_fmt);
    g_autofree char *spec = g_strdup_vprintf(spec_fmt, ap);
    va_end(ap);
    GError *err = NULL;
    g_assert_null(sc_source_create(spec, &err));
    g_assert_nonnull(err);
    g_test_message("%s -> %s", spec, err->message);
    if (!strstr(err->message, needle))
        g_error("'%s': error '%s' does not mention '%s'", spec, err->message, needle);
    g_clear_error(&err);
}

/* A fresh temporary directory for a test program's files (g_dir_make_tmp
 * template), and its removal with everything in it. */
G_GNUC_UNUSED static char *tmpdir_create(const char *tmpl)
{
    GError *err = NULL;
    char *dir = g_dir_make_tmp(tmpl, &err);
    if (!dir) /* g_error, not an assert: reported even with G_DISABLE_ASSERT */
        g_error("cannot make a temporary directory from '%s': %s", tmpl, err->message);
    return dir;
}

G_GNUC_UNUSED static void tmpdir_remove(char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
}
