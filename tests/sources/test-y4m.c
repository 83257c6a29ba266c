#include "config.h"

/* The y4m source: exact conversion (checked against libyuv called
 * directly) for each supported chroma layout, frame rate, looping and
 * loop=no, and clear errors for malformed files. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libyuv.h>
#include <stdlib.h>

#include "tests/sources/sources-util.h"

static char *tmpdir;

enum layout { L420, L422, L444, L444A, LMONO };

struct clip {
    uint32_t w, h;
    enum layout layout;
    bool full_range;
    unsigned n_frames;
    GPtrArray *planes; /* per frame: raw planes */
    GPtrArray *argb;   /* per frame: expected XRGB, stride w*4 */
    size_t frame_size;
};

static void chroma_size(const struct clip *c, uint32_t *cw, uint32_t *ch)
{
    switch (c->layout) {
    case L420: *cw = (c->w + 1) / 2; *ch = (c->h + 1) / 2; break;
    case L422: *cw = (c->w + 1) / 2; *ch = c->h; break;
    case L444:
    case L444A: *cw = c->w; *ch = c->h; break;
    case LMONO: *cw = 0; *ch = 0; break;
    }
}

/* Fills n frames with patterns that differ per frame and compute the
 * expected pixels with libyuv. */
static void clip_make(struct clip *c, uint32_t w, uint32_t h, enum layout layout, bool full, unsigned n)
{
    memset(c, 0, sizeof(*c));
    c->w = w;
    c->h = h;
    c->layout = layout;
    c->full_range = full;
    c->n_frames = n;
    uint32_t cw, ch;
    chroma_size(c, &cw, &ch);
    size_t luma = (size_t)w * h, chroma = (size_t)cw * ch;
    c->frame_size = luma + 2 * chroma + (layout == L444A ? luma : 0);
    c->planes = g_ptr_array_new_with_free_func(g_free);
    c->argb = g_ptr_array_new_with_free_func(g_free);
    for (unsigned f = 0; f < n; f++) {
        uint8_t *p = g_malloc(c->frame_size);
        for (size_t i = 0; i < luma; i++)
            p[i] = (uint8_t)(16 + (i * 7 + f * 60) % 220);
        for (size_t i = 0; i < chroma; i++) {
            p[luma + i] = (uint8_t)(64 + (i * 5 + f * 30) % 128);
            p[luma + chroma + i] = (uint8_t)(200 - (i * 3 + f * 20) % 128);
        }
        if (layout == L444A)
            memset(p + luma + 2 * chroma, 0x80, luma);
        uint8_t *out = g_malloc((size_t)w * 4 * h);
        const uint8_t *u = p + luma, *v = p + luma + chroma;
        int iw = (int)w, ih = (int)h, icw = (int)cw, ds = iw * 4;
        switch (layout) {
        case L420: (full ? J420ToARGB : I420ToARGB)(p, iw, u, icw, v, icw, out, ds, iw, ih); break;
        case L422: (full ? J422ToARGB : I422ToARGB)(p, iw, u, icw, v, icw, out, ds, iw, ih); break;
        case L444:
        case L444A: (full ? J444ToARGB : I444ToARGB)(p, iw, u, icw, v, icw, out, ds, iw, ih); break;
        case LMONO: (full ? J400ToARGB : I400ToARGB)(p, iw, out, ds, iw, ih); break;
        }
        g_ptr_array_add(c->planes, p);
        g_ptr_array_add(c->argb, out);
    }
}

static void clip_clear(struct clip *c)
{
    g_ptr_array_free(c->planes, TRUE);
    g_ptr_array_free(c->argb, TRUE);
}

/* Writes header + frames, then drops `cut` bytes from the end. */
static char *clip_write(const struct clip *c, const char *name, const char *header, size_t cut)
{
    GString *s = g_string_new(header);
    g_string_append_c(s, '\n');
    for (unsigned f = 0; f < c->n_frames; f++) {
        g_string_append(s, f == 1 ? "FRAME Ixyz\n" : "FRAME\n"); /* frame params are allowed */
        g_string_append_len(s, g_ptr_array_index(c->planes, f), (gssize)c->frame_size);
    }
    g_assert_cmpuint(cut, <=, s->len);
    char *path = g_build_filename(tmpdir, name, NULL);
    g_assert_true(g_file_set_contents(path, s->str, (gssize)(s->len - cut), NULL));
    g_string_free(s, TRUE);
    return path;
}

/* Which expected frame a got frame shows, or -1. */
static int which_frame(const struct clip *c, const struct got_frame *g)
{
    g_assert_cmpuint(g->width, ==, c->w);
    g_assert_cmpuint(g->height, ==, c->h);
    for (unsigned f = 0; f < c->n_frames; f++) {
        const uint8_t *exp = g_ptr_array_index(c->argb, f);
        bool same = true;
        for (uint32_t y = 0; y < c->h && same; y++)
            for (uint32_t x = 0; x < c->w && same; x++)
                same = same_pixel(pixel_at(g, x, y), exp + ((size_t)y * c->w + x) * 4);
        if (same)
            return (int)f;
    }
    return -1;
}

/* Creates y4m:PATH[OPTS], starts it and waits for its first n frames. */
static struct sc_source *play(const char *path, const char *opts, struct collector *col, guint n,
                              guint timeout_ms)
{
    g_autofree char *spec = g_strdup_printf("y4m:%s%s", path, opts ? opts : "");
    GError *err = NULL;
    struct sc_source *s = sc_source_create(spec, &err);
    g_assert_no_error(err);
    g_assert_nonnull(s);
    collector_init(col, s);
    sc_source_start(s);
    wait_frames1(col, n, timeout_ms);
    return s;
}

/* Plays a clip once (loop=no) and checks every frame is exact. */
static void play_exact(uint32_t w, uint32_t h, enum layout layout, bool full, const char *tags)
{
    struct clip c;
    clip_make(&c, w, h, layout, full, 3);
    g_autofree char *header = g_strdup_printf("YUV4MPEG2 W%u H%u F100:1 Ip A1:1%s", w, h, tags);
    g_autofree char *path = clip_write(&c, "clip.y4m", header, 0);
    struct collector col;
    struct sc_source *s = play(path, ",loop=no", &col, 3, 10000);
    g_assert_cmpuint(s->width, ==, w);
    g_assert_cmpuint(s->height, ==, h);
    for (unsigned f = 0; f < 3; f++) {
        const struct got_frame *g = collector_get(&col, f);
        g_assert_true(g->full_damage);
        g_assert_cmpuint(g->n_damage, ==, 0);
        g_assert_cmpuint(g->seq, ==, f);
        g_assert_cmpint(which_frame(&c, g), ==, (int)f);
    }
    sc_source_destroy(s);
    collector_finish(&col);
    clip_clear(&c);
}

static void test_420(void)
{
    play_exact(18, 10, L420, false, " C420jpeg");
    play_exact(17, 9, L420, false, " C420mpeg2"); /* odd sizes */
    play_exact(16, 8, L420, false, "");           /* no C tag: 420jpeg */
    play_exact(16, 8, L420, false, " C420paldv");
    play_exact(16, 8, L420, false, " C420 XYSCSS=420 Q7"); /* unknown tags are ignored */
    play_exact(16, 8, L420, true, " C420jpeg XCOLORRANGE=FULL");
}

static void test_other_chroma(void)
{
    play_exact(18, 10, L422, false, " C422");
    play_exact(18, 10, L444, false, " C444");
    play_exact(18, 10, L444A, false, " C444alpha");
    play_exact(18, 10, LMONO, false, " Cmono");
}

static void test_gray_levels(void)
{
    /* limited range: Y 16 is black, Y 235 white, neutral chroma is gray */
    struct clip c;
    clip_make(&c, 8, 4, L420, false, 2);
    for (unsigned f = 0; f < 2; f++) {
        uint8_t *p = g_ptr_array_index(c.planes, f);
        memset(p, f ? 235 : 16, 32);
        memset(p + 32, 128, 16);
    }
    g_autofree char *path = clip_write(&c, "gray.y4m", "YUV4MPEG2 W8 H4 F100:1 C420jpeg", 0);
    struct collector col;
    struct sc_source *s = play(path, ",loop=no", &col, 2, 10000);
    for (unsigned f = 0; f < 2; f++) {
        const uint8_t *px = pixel_at(collector_get(&col, f), 3, 2);
        for (int k = 0; k < 3; k++)
            g_assert_cmpint(abs(px[k] - (f ? 255 : 0)), <=, 2);
    }
    sc_source_destroy(s);
    collector_finish(&col);
    clip_clear(&c);
}

static void test_rate_and_loop(void)
{
    struct clip c;
    clip_make(&c, 16, 8, L420, false, 3);
    g_autofree char *path = clip_write(&c, "loop.y4m", "YUV4MPEG2 W16 H8 F50:1 Ip C420jpeg", 0);
    struct collector col;
    struct sc_source *s = play(path, NULL, &col, 10, 20000);
    for (unsigned i = 0; i < 10; i++)
        g_assert_cmpint(which_frame(&c, collector_get(&col, i)), ==, (int)(i % 3));
    /* 50 fps: 9 intervals take at least ~180 ms (only a lower bound: a
     * loaded machine may be slower, never faster) */
    gint64 span = collector_get(&col, 9)->time_us - collector_get(&col, 0)->time_us;
    g_test_message("10 frames at 50 fps in %" G_GINT64_FORMAT " us", span);
    g_assert_cmpint(span, >=, 9 * 20000 * 9 / 10);
    sc_source_destroy(s);
    collector_finish(&col);
    clip_clear(&c);
}

static void test_no_loop(void)
{
    struct clip c;
    clip_make(&c, 16, 8, L420, false, 3);
    /* a comma in the file name: options are taken off the end */
    g_autofree char *path = clip_write(&c, "no,loop.y4m", "YUV4MPEG2 W16 H8 F200:1 C420jpeg", 0);
    struct collector col;
    struct sc_source *s = play(path, ",loop=no", &col, 3, 10000);
    run_for(100); /* 20 more ticks' worth: nothing comes */
    g_assert_cmpuint(col.frames->len, ==, 3);
    g_assert_cmpint(which_frame(&c, collector_get(&col, 2)), ==, 2);
    /* started again after the end: plays from the start once more */
    sc_source_stop(s);
    sc_source_start(s);
    wait_frames1(&col, 6, 10000);
    run_for(50);
    g_assert_cmpuint(col.frames->len, ==, 6);
    g_assert_cmpint(which_frame(&c, collector_get(&col, 3)), ==, 0);
    sc_source_destroy(s);
    collector_finish(&col);

    /* loop=yes is the default spelled out */
    s = play(path, ",loop=yes", &col, 5, 10000);
    g_assert_cmpint(which_frame(&c, collector_get(&col, 4)), ==, 1);
    sc_source_destroy(s);
    collector_finish(&col);
    clip_clear(&c);
}

static void expect_file_error(const char *name, const char *header, unsigned n_frames, size_t cut,
                              const char *needle)
{
    struct clip c;
    clip_make(&c, 16, 8, L420, false, n_frames);
    g_autofree char *path = clip_write(&c, name, header, cut);
    expect_error(needle, "y4m:%s", path);
    clip_clear(&c);
}

static void test_errors(void)
{
    const char *ok = "YUV4MPEG2 W16 H8 F30:1 C420jpeg";
    expect_file_error("trunc-last.y4m", ok, 3, 10, "truncated");
    expect_file_error("trunc-first.y4m", ok, 1, 1, "truncated");
    expect_file_error("trunc-hdr.y4m", ok, 2, 16 * 8 * 3 / 2 + 3, "frame 1");
    expect_file_error("noframes.y4m", ok, 0, 0, "no frames");
    expect_file_error("c411.y4m", "YUV4MPEG2 W16 H8 F30:1 C411", 1, 0, "chroma");
    expect_file_error("c10.y4m", "YUV4MPEG2 W16 H8 F30:1 C420p10", 1, 0, "chroma");
    expect_file_error("wide.y4m", "YUV4MPEG2 W20000 H8 F30:1", 1, 0, "width");
    expect_file_error("tall.y4m", "YUV4MPEG2 W16 H99999999999 F30:1", 1, 0, "height");
    expect_file_error("zero.y4m", "YUV4MPEG2 W0 H8 F30:1", 1, 0, "width");
    expect_file_error("nof.y4m", "YUV4MPEG2 W16 H8", 1, 0, "frame rate");
    expect_file_error("f0.y4m", "YUV4MPEG2 W16 H8 F0:1", 1, 0, "frame rate");
    expect_file_error("fden0.y4m", "YUV4MPEG2 W16 H8 F30:0", 1, 0, "frame rate");
    expect_file_error("fast.y4m", "YUV4MPEG2 W16 H8 F100000:1", 1, 0, "frame rate");
    expect_file_error("interlaced.y4m", "YUV4MPEG2 W16 H8 F30:1 It", 1, 0, "interlaced");
    expect_file_error("now.y4m", "YUV4MPEG2 H8 F30:1", 1, 0, "width");
    expect_file_error("magic.y4m", "YUV4MPEG3 W16 H8 F30:1", 1, 0, "not a YUV4MPEG2");

    g_autofree char *nonl = g_build_filename(tmpdir, "nonl.y4m", NULL);
    g_assert_true(g_file_set_contents(nonl, "YUV4MPEG2 W16 H8", -1, NULL));
    expect_error("header", "y4m:%s", nonl);

    g_autofree char *badframe = g_build_filename(tmpdir, "badframe.y4m", NULL);
    GString *s = g_string_new("YUV4MPEG2 W2 H2 F30:1 Cmono\nFRAME\nabcdFRAMX\nabcd");
    g_assert_true(g_file_set_contents(badframe, s->str, (gssize)s->len, NULL));
    g_string_free(s, TRUE);
    expect_error("frame 1", "y4m:%s", badframe);

    expect_error("loop", "y4m:%s,loop=maybe", badframe);
    expect_error("No such file", "y4m:%s/missing.y4m", tmpdir);
    expect_error("not a regular file", "y4m:%s", tmpdir);
    expect_error("file is needed", "y4m");
    expect_error("file is needed", "y4m:,loop=no");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = tmpdir_create("spicecast-y4m-XXXXXX");
    g_test_add_func("/y4m/420", test_420);
    g_test_add_func("/y4m/other-chroma", test_other_chroma);
    g_test_add_func("/y4m/gray-levels", test_gray_levels);
    g_test_add_func("/y4m/rate-and-loop", test_rate_and_loop);
    g_test_add_func("/y4m/no-loop", test_no_loop);
    g_test_add_func("/y4m/errors", test_errors);
    int ret = g_test_run();
    tmpdir_remove(tmpdir);
    return ret;
}
