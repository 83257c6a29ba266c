#include "config.h"

/* The pattern source: determinism, input feedback, accurate damage, cursor,
 * argument errors, input debug logging; spicecast-bench's desktop content
 * is its picture, frame for frame, with the same damage. */

#include <glib.h>
#include <gio/gio.h>
#include <stdlib.h>

#include "bench/content.h"
#include "common/stamp.h"
#include "tests/sources/sources-util.h"

#define SPEC "pattern:320x240,fps=200"

static struct sc_source *make(const char *spec)
{
    GError *err = NULL;
    struct sc_source *s = sc_source_create(spec, &err);
    g_assert_no_error(err);
    g_assert_nonnull(s);
    return s;
}

static const struct got_frame *find_seq(struct collector *c, uint64_t seq)
{
    for (guint i = 0; i < c->frames->len; i++)
        if (collector_get(c, i)->seq == seq)
            return collector_get(c, i);
    return NULL;
}

/* Counts differing pixels; all must lie in [x0,x1)x[y0,y1) or within r of
 * (px,py) (r < 0: no such disc). */
static unsigned diff_outside(const struct got_frame *a, const struct got_frame *b, unsigned *n_diff,
                             int x0, int y0, int x1, int y1, int px, int py, int r)
{
    unsigned outside = 0;
    *n_diff = 0;
    for (uint32_t y = 0; y < a->height; y++)
        for (uint32_t x = 0; x < a->width; x++) {
            if (same_pixel(pixel_at(a, x, y), pixel_at(b, x, y)))
                continue;
            (*n_diff)++;
            int ix = (int)x, iy = (int)y;
            bool in_rect = ix >= x0 && ix < x1 && iy >= y0 && iy < y1;
            bool in_disc = r >= 0 && abs(ix - px) <= r && abs(iy - py) <= r;
            if (!in_rect && !in_disc)
                outside++;
        }
    return outside;
}

/* One desktop: frame n of the bench's "desktop" content is frame n of the
 * pattern source (at the bench's 30 fps), pixels and damage. */
static void test_bench_desktop(void)
{
    struct sc_source *p = make("pattern:320x240,fps=30");
    struct collector c;
    char err[256];
    struct sc_content *content = sc_content_create("desktop", 320, 240, err, sizeof(err));
    struct sc_frame *f = sc_frame_new_memfd(320, 240);
    unsigned compared = 0;

    g_assert_nonnull(content);
    g_assert_nonnull(f);
    collector_init(&c, p);
    sc_source_start(p);
    wait_frames1(&c, 6, 10000);
    for (uint64_t seq = 0; seq < 6; seq++) {
        g_assert_cmpint(sc_content_next(content, f, err, sizeof(err)), ==, 1);
        const struct got_frame *g = find_seq(&c, seq);
        if (!g) /* (a frame the pattern skipped: no free buffer) */
            continue;
        for (uint32_t y = 0; y < 240; y++)
            g_assert_cmpmem(g->pixels + (size_t)y * g->stride, 320 * 4,
                            f->map + (size_t)y * f->stride, 320 * 4);
        g_assert_cmpint(g->full_damage, ==, f->full_damage);
        g_assert_cmpuint(g->n_damage, ==, f->n_damage);
        g_assert_cmpmem(g->damage, g->n_damage * sizeof(struct sc_box), f->damage,
                        f->n_damage * sizeof(struct sc_box));
        compared++;
    }
    g_assert_cmpuint(compared, >=, 4);
    sc_frame_unref(f);
    sc_content_destroy(content);
    sc_source_destroy(p);
    collector_finish(&c);
}

static void test_determinism(void)
{
    struct sc_source *a = make(SPEC), *b = make(SPEC), *plain = make(SPEC), *keyonly = make(SPEC);
    struct collector ca, cb, cp, ck;
    collector_init(&ca, a);
    collector_init(&cb, b);
    collector_init(&cp, plain);
    collector_init(&ck, keyonly);
    struct collector *all[] = { &ca, &cb, &cp, &ck };
    g_assert_cmpuint(a->width, ==, 320);
    g_assert_cmpuint(a->height, ==, 240);

    sc_source_start(a);
    sc_source_start(b);
    wait_frames(all, 2, 5, 10000);
    /* no input yet: frame n is the same everywhere */
    for (uint64_t seq = 0; seq < 5; seq++) {
        const struct got_frame *fa = find_seq(&ca, seq), *fb = find_seq(&cb, seq);
        g_assert_nonnull(fa);
        g_assert_nonnull(fb);
        g_assert_cmpmem(fa->pixels, (gsize)fa->stride * fa->height, fb->pixels, (gsize)fb->stride * fb->height);
    }
    g_assert_true(collector_get(&ca, 0)->full_damage);
    /* and the picture moves */
    g_assert_true(memcmp(find_seq(&ca, 0)->pixels, find_seq(&ca, 4)->pixels,
                         (gsize)find_seq(&ca, 0)->stride * 240) != 0);

    sc_source_start(plain);
    sc_source_start(keyonly);
    const uint8_t key[] = { 0x1e };
    sc_source_key(a, key, 1, true);
    sc_source_pointer(a, 0, 100, 200, 1);
    sc_source_key(keyonly, key, 1, true);
    /* b gets the same input a frame later: the picture after it must not
     * depend on the frames' damage history (the pointer marker used to be
     * cut by the moving window's damage box differently) */
    struct collector *bs[] = { &cb };
    wait_frames(bs, 1, cb.frames->len + 1, 10000);
    sc_source_key(b, key, 1, true);
    sc_source_pointer(b, 0, 100, 200, 1);
    uint64_t after = MAX(collector_get(&ca, ca.frames->len - 1)->seq,
                         collector_get(&cb, cb.frames->len - 1)->seq) + 2;
    wait_frames(all, 4, (guint)after + 1, 10000);

    const struct got_frame *fa = find_seq(&ca, after), *fb = find_seq(&cb, after);
    const struct got_frame *fp = find_seq(&cp, after), *fk = find_seq(&ck, after);
    g_assert_nonnull(fa);
    g_assert_nonnull(fb);
    g_assert_nonnull(fp);
    g_assert_nonnull(fk);
    gsize size = (gsize)fa->stride * fa->height;
    g_assert_cmpmem(fa->pixels, size, fb->pixels, size);

    /* the key changes pixels, only in the info box (top right) */
    unsigned n_diff, outside;
    outside = diff_outside(fk, fp, &n_diff, 160, 0, 320, 80, 0, 0, -1);
    g_assert_cmpuint(n_diff, >, 20);
    g_assert_cmpuint(outside, ==, 0);
    /* key + pointer: the info box and the pointer marker */
    outside = diff_outside(fa, fp, &n_diff, 160, 0, 320, 80, 100, 200, 12);
    g_assert_cmpuint(n_diff, >, 20);
    g_assert_cmpuint(outside, ==, 0);
    unsigned n_marker = 0;
    for (int y = 190; y <= 210; y++)
        for (int x = 90; x <= 110; x++)
            n_marker += !same_pixel(pixel_at(fa, (uint32_t)x, (uint32_t)y), pixel_at(fp, (uint32_t)x, (uint32_t)y));
    g_assert_cmpuint(n_marker, >, 20);

    sc_source_destroy(a);
    sc_source_destroy(b);
    sc_source_destroy(plain);
    sc_source_destroy(keyonly);
    collector_finish(&ca);
    collector_finish(&cb);
    collector_finish(&cp);
    collector_finish(&ck);
}

static bool in_damage(const struct got_frame *g, uint32_t x, uint32_t y)
{
    if (g->full_damage && g->n_damage == 0)
        return true;
    for (uint32_t i = 0; i < g->n_damage; i++) {
        const struct sc_box *b = &g->damage[i];
        if ((int64_t)x >= b->x && (int64_t)y >= b->y && (int64_t)x < b->x + b->w && (int64_t)y < b->y + b->h)
            return true;
    }
    return false;
}

static void test_damage(void)
{
    struct sc_source *s = make("pattern:320x240,fps=240");
    struct collector c;
    collector_init(&c, s);
    struct collector *all[] = { &c };
    sc_source_start(s);
    const uint8_t keys[][2] = { { 0x1e }, { 0xe0, 0x48 }, { 0x39 } };
    guint n = 0;
    /* 130 frames: the window moves, the terminal scrolls once, the clock
     * ticks, and input events come now and then */
    for (guint i = 0; i < 13; i++) {
        n += 10;
        wait_frames(all, 1, n, 10000);
        if (i % 3 == 1)
            sc_source_key(s, keys[i % 3], keys[i % 3][0] == 0xe0 ? 2 : 1, i % 2);
        if (i % 4 == 2)
            sc_source_pointer(s, 0, (int32_t)(i * 23), (int32_t)(i * 17), i % 3);
    }
    g_assert_true(collector_get(&c, 0)->full_damage);
    g_assert_cmpuint(collector_get(&c, 0)->n_damage, ==, 0);
    guint partial = 0;
    for (guint i = 1; i < c.frames->len; i++) {
        const struct got_frame *prev = collector_get(&c, i - 1), *cur = collector_get(&c, i);
        g_assert_cmpuint(cur->seq, >, prev->seq);
        g_assert_cmpuint(cur->n_damage, <=, SC_FRAME_MAX_DAMAGE);
        if (!cur->full_damage) {
            g_assert_cmpuint(cur->n_damage, >, 0);
            partial++;
        }
        for (uint32_t y = 0; y < cur->height; y++)
            for (uint32_t x = 0; x < cur->width; x++)
                if (!same_pixel(pixel_at(prev, x, y), pixel_at(cur, x, y)) && !in_damage(cur, x, y))
                    g_error("frame %" G_GUINT64_FORMAT ": pixel %u,%u changed outside the damage",
                            cur->seq, x, y);
    }
    g_assert_cmpuint(partial, ==, c.frames->len - 1);
    sc_source_destroy(s);
    collector_finish(&c);
}

/* A listener that keeps some frames a while, so that pool frames come back
 * out of order and carry scenes several frames old. */
struct rotator {
    struct collector c;
    struct sc_frame *keep[3];
    unsigned n;
};

static void rotate_frame(struct sc_source *s, struct sc_frame *f, void *data)
{
    struct rotator *h = data;
    collect_frame(s, f, &h->c);
    unsigned slot = h->n % 3;
    if (h->n++ % 5) {
        sc_frame_unref(h->keep[slot]);
        h->keep[slot] = sc_frame_ref(f);
    }
}

/* Reused pool frames are redrawn only where stale: with frames held
 * downstream, every frame still equals the same frame from a source whose
 * listener holds nothing. */
static void test_pool_rotation(void)
{
    struct sc_source *a = make("pattern:320x240,fps=240");
    struct sc_source *b = make("pattern:320x240,fps=240");
    struct rotator h = { 0 };
    collector_init(&h.c, a);
    struct sc_source_listener l = { rotate_frame, collect_cursor, &h };
    sc_source_set_listener(a, &l);
    struct collector cb;
    collector_init(&cb, b);
    struct collector *all[] = { &h.c, &cb };
    sc_source_start(a);
    sc_source_start(b);
    wait_frames(all, 2, 120, 10000);
    guint compared = 0;
    for (guint i = 0; i < h.c.frames->len; i++) {
        const struct got_frame *fa = collector_get(&h.c, i), *fb = find_seq(&cb, fa->seq);
        if (!fb)
            continue;
        compared++;
        for (uint32_t y = 0; y < fa->height; y++)
            if (memcmp(fa->pixels + (size_t)y * fa->stride, fb->pixels + (size_t)y * fb->stride,
                       (size_t)fa->width * 4))
                g_error("frame %" G_GUINT64_FORMAT ": row %u differs", fa->seq, y);
    }
    g_test_message("%u frames compared", compared);
    g_assert_cmpuint(compared, >=, 60);
    for (unsigned i = 0; i < 3; i++)
        sc_frame_unref(h.keep[i]);
    sc_source_destroy(a);
    sc_source_destroy(b);
    collector_finish(&h.c);
    collector_finish(&cb);
}

static void test_cursor_and_restart(void)
{
    struct sc_source *s = make("pattern:128x96,fps=100");
    struct collector c;
    collector_init(&c, s);
    struct collector *all[] = { &c };
    sc_source_start(s);
    g_assert_cmpuint(c.n_cursors, ==, 1);
    g_assert_cmpuint(c.cursor.width, ==, 32);
    g_assert_cmpuint(c.cursor.height, ==, 32);
    g_assert_cmpuint(c.cursor.hot_x, <, 32);
    g_assert_cmpuint(c.cursor.hot_y, <, 32);
    unsigned opaque = 0, clear = 0;
    for (unsigned i = 0; i < 32 * 32; i++) {
        const uint8_t *p = c.cursor.pixels + i * 4;
        g_assert_cmpuint(p[0], <=, p[3]); /* premultiplied */
        g_assert_cmpuint(p[1], <=, p[3]);
        g_assert_cmpuint(p[2], <=, p[3]);
        opaque += p[3] == 255;
        clear += p[3] == 0;
    }
    g_assert_cmpuint(opaque, >, 50);
    g_assert_cmpuint(clear, >, 500);

    wait_frames(all, 1, 3, 10000);
    sc_source_stop(s);
    guint n = c.frames->len;
    run_for(60);
    g_assert_cmpuint(c.frames->len, ==, n); /* stopped: nothing more */
    sc_source_start(s);
    g_assert_cmpuint(c.n_cursors, ==, 2);
    wait_frames(all, 1, n + 1, 10000);
    g_assert_true(collector_get(&c, n)->full_damage); /* first after a restart */
    sc_source_destroy(s);
    collector_finish(&c);
}

/* Frames held downstream: the source skips ticks instead of failing, and
 * the next frame's damage still covers everything since the last one. */
static struct sc_frame *held[8];
static unsigned n_held;
static void hold_frame(struct sc_source *s, struct sc_frame *f, void *data)
{
    (void)s;
    (void)data;
    if (n_held < G_N_ELEMENTS(held))
        held[n_held++] = sc_frame_ref(f);
}

static void test_pool_exhausted(void)
{
    struct sc_source *s = make("pattern:64x64,fps=200");
    struct sc_source_listener l = { hold_frame, NULL, NULL };
    sc_source_set_listener(s, &l);
    sc_source_start(s);
    run_for(100);
    g_assert_cmpuint(n_held, >=, 1);
    g_assert_cmpuint(n_held, <, G_N_ELEMENTS(held)); /* the pool ran dry */
    unsigned before = n_held;
    sc_frame_unref(held[--n_held]);
    /* the freed buffer is used again */
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (n_held < before && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpuint(n_held, ==, before);
    run_for(30);
    g_assert_cmpuint(n_held, ==, before);
    sc_source_destroy(s); /* with frames still held */
    for (unsigned i = 0; i < n_held; i++) {
        g_assert_nonnull(held[i]->map);
        sc_frame_unref(held[i]);
    }
}

/* pattern:...,stamp: each frame carries its number and capture time in a
 * stamp (common/stamp.h) that reads back, inside the frame's damage; the
 * frame's time_us is that capture time; no stamp without the option. */
static void test_stamp(void)
{
    struct sc_source *s = make("pattern:320x200,fps=60,stamp"), *plain = make("pattern:320x200");
    struct collector c, cp;
    struct sc_stamp st;

    collector_init(&c, s);
    collector_init(&cp, plain);
    sc_source_start(s);
    sc_source_start(plain);
    wait_frames1(&c, 4, 10000);
    wait_frames1(&cp, 2, 10000);
    for (guint i = 0; i < 4; i++) {
        const struct got_frame *f = collector_get(&c, i);
        g_assert_cmpint(f->capture_us, >, 0);
        g_assert_cmpint(f->capture_us, <=, f->time_us);
        g_assert_true(sc_stamp_read(f->pixels, f->width, f->height, f->stride, &st));
        g_assert_cmpuint(st.index, ==, f->seq);
        g_assert_cmpint(st.time_us, ==, f->capture_us);
        bool covered = f->full_damage;
        for (uint32_t d = 0; d < f->n_damage; d++)
            covered |= f->damage[d].x <= 0 && f->damage[d].y <= 0 &&
                       f->damage[d].x + f->damage[d].w >= SC_STAMP_WIDTH &&
                       f->damage[d].y + f->damage[d].h >= SC_STAMP_HEIGHT;
        g_assert_true(covered);
    }
    const struct got_frame *f = collector_get(&cp, 1);
    g_assert_false(sc_stamp_read(f->pixels, f->width, f->height, f->stride, &st));
    g_assert_cmpint(f->capture_us, >, 0); /* the source's tick time */
    collector_finish(&c);
    collector_finish(&cp);
    sc_source_destroy(s);
    sc_source_destroy(plain);
    GError *err = NULL;
    g_assert_null(sc_source_create("pattern:200x100,stamp", &err)); /* too small */
    g_assert_nonnull(err);
    g_clear_error(&err);
}

/* heads=2: each head has frames of its own (different pictures), same
 * numbers; first=N: the first frame is N, the same picture as the N-th of
 * a run from 0. */
static void test_heads_first(void)
{
    struct sc_source *s = make("pattern:320x240,fps=200,heads=2");
    struct sc_source *f = make("pattern:320x240,fps=200,heads=2,first=6");
    struct collector c0, c1, cf;
    unsigned n_diff;

    g_assert_cmpuint(sc_source_n_heads(s), ==, 2);
    collector_init(&c0, s);
    collector_init(&cf, f);
    memset(&c1, 0, sizeof(c1));
    c1.frames = g_ptr_array_new_with_free_func(got_frame_free);
    sc_source_set_head_listener(s, 1, &(struct sc_source_listener){ collect_frame, NULL, &c1 });
    sc_source_start(s);
    sc_source_start(f);
    wait_frames(&(struct collector *[]){ &c0, &c1, &cf }[0], 3, 8, 10000);
    const struct got_frame *a = find_seq(&c0, 6), *b = find_seq(&c1, 6), *g = find_seq(&cf, 6);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_nonnull(g);
    g_assert_cmpuint(collector_get(&cf, 0)->seq, ==, 6);
    diff_outside(a, g, &n_diff, 0, 0, 0, 0, 0, 0, -1);
    g_assert_cmpuint(n_diff, ==, 0);
    diff_outside(a, b, &n_diff, 0, 0, 0, 0, 0, 0, -1);
    g_assert_cmpuint(n_diff, >, 1000);
    sc_source_destroy(s);
    sc_source_destroy(f);
    collector_finish(&c0);
    collector_finish(&c1);
    collector_finish(&cf);
}

static void test_bad_args(void)
{
    static const char *const bad[] = {
        "pattern:10x10", "pattern:100000x720", "pattern:foo", "pattern:fps=0", "pattern:fps=x",
        "pattern:640x", "nosuchsource", "", "nosuch:args",
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        g_assert_null(sc_source_create(bad[i], &err));
        g_assert_nonnull(err);
        g_test_message("%s -> %s", bad[i], err->message);
        g_clear_error(&err);
    }
    struct sc_source *s = make("pattern");
    g_assert_cmpuint(s->width, ==, 1280);
    g_assert_cmpuint(s->height, ==, 720);
    sc_source_destroy(s);
    s = make("pattern:fps=60,200x100");
    g_assert_cmpuint(s->width, ==, 200);
    sc_source_destroy(s);
    sc_source_destroy(NULL);

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    sc_source_print_help(out);
    fclose(out);
    g_assert_nonnull(strstr(buf, "pattern"));
    g_assert_nonnull(strstr(buf, "image"));
    g_assert_nonnull(strstr(buf, "y4m"));
    free(buf);
}

/* With SPICECAST_DEBUG=1 each input event is logged. */
static void test_input_log(void)
{
    if (g_test_subprocess()) {
        struct sc_source *s = make("pattern:64x64");
        const uint8_t up[] = { 0xe0, 0x48 };
        const uint8_t a[] = { 0x1e };
        sc_source_key(s, a, 1, true);
        sc_source_key(s, up, 2, false);
        sc_source_pointer(s, 0, 100, 200, 1);
        sc_source_destroy(s);
        return;
    }
    g_setenv("SPICECAST_DEBUG", "1", TRUE);
    g_test_trap_subprocess(NULL, 0, 0);
    g_unsetenv("SPICECAST_DEBUG");
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*input: key 1e down*");
    g_test_trap_assert_stderr("*input: key e0 48 up*");
    g_test_trap_assert_stderr("*input: pointer 100,200 buttons 1*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pattern/determinism", test_determinism);
    g_test_add_func("/pattern/bench-desktop", test_bench_desktop);
    g_test_add_func("/pattern/damage", test_damage);
    g_test_add_func("/pattern/pool-rotation", test_pool_rotation);
    g_test_add_func("/pattern/cursor-restart", test_cursor_and_restart);
    g_test_add_func("/pattern/pool-exhausted", test_pool_exhausted);
    g_test_add_func("/pattern/bad-args", test_bad_args);
    g_test_add_func("/pattern/stamp", test_stamp);
    g_test_add_func("/pattern/input-log", test_input_log);
    g_test_add_func("/pattern/heads-first", test_heads_first);
    return g_test_run();
}
