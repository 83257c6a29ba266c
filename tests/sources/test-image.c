#include "config.h"

/* The image source: exact pixels from generated PNG (with and without
 * alpha) and PPM files, one frame per start, clear errors. */

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "tests/sources/sources-util.h"

#define W 13
#define H 7

static char *tmpdir;

static uint8_t chan(int x, int y, int c)
{
    return (uint8_t)((x * 19 + y * 31 + c * 85) & 0xff);
}

static char *write_png(const char *name, bool alpha)
{
    GdkPixbuf *pb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, alpha, 8, W, H);
    int n = alpha ? 4 : 3, rs = gdk_pixbuf_get_rowstride(pb);
    guint8 *px = gdk_pixbuf_get_pixels(pb);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < n; c++)
                px[y * rs + x * n + c] = c == 3 ? (uint8_t)(x * 20 + y) : chan(x, y, c);
    char *path = g_build_filename(tmpdir, name, NULL);
    GError *err = NULL;
    g_assert_true(gdk_pixbuf_save(pb, path, "png", &err, NULL));
    g_assert_no_error(err);
    g_object_unref(pb);
    return path;
}

static char *write_file(const char *name, const void *data, gsize len)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    GError *err = NULL;
    g_assert_true(g_file_set_contents(path, data, (gssize)len, &err));
    g_assert_no_error(err);
    return path;
}

static char *write_ppm(const char *name)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "P6\n# a comment\n%d %d\n255\n", W, H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                g_string_append_c(s, (char)chan(x, y, c));
    char *path = write_file(name, s->str, s->len);
    g_string_free(s, TRUE);
    return path;
}

/* Creates image:PATH, starts it and returns its one frame. */
static struct got_frame *run_image(const char *path, struct collector *c, struct sc_source **out)
{
    g_autofree char *spec = g_strdup_printf("image:%s", path);
    GError *err = NULL;
    struct sc_source *s = sc_source_create(spec, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(s->width, ==, W);
    g_assert_cmpuint(s->height, ==, H);
    collector_init(c, s);
    sc_source_start(s);
    wait_frames1(c, 1, 5000);
    *out = s;
    struct got_frame *g = collector_get(c, 0);
    g_assert_true(g->full_damage);
    g_assert_cmpuint(g->n_damage, ==, 0);
    g_assert_cmpuint(g->width, ==, W);
    g_assert_cmpuint(g->height, ==, H);
    return g;
}

static void check_exact(const struct got_frame *g, bool alpha)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const uint8_t *p = pixel_at(g, (uint32_t)x, (uint32_t)y);
            unsigned a = alpha ? (unsigned)(x * 20 + y) : 255;
            for (int c = 0; c < 3; c++) {
                unsigned want = (chan(x, y, c) * a + 127) / 255;
                if (p[2 - c] != want) /* memory order is B,G,R,X */
                    g_error("pixel %d,%d channel %d: %u, expected %u", x, y, c, p[2 - c], want);
            }
        }
}

static void test_png(void)
{
    g_autofree char *path = write_png("rgb.png", false);
    struct collector c;
    struct sc_source *s;
    check_exact(run_image(path, &c, &s), false);

    /* static: nothing more until it is started again */
    run_for(80);
    g_assert_cmpuint(c.frames->len, ==, 1);
    sc_source_stop(s);
    sc_source_start(s);
    wait_frames1(&c, 2, 5000);
    check_exact(collector_get(&c, 1), false);
    g_assert_true(collector_get(&c, 1)->full_damage);
    sc_source_destroy(s);
    collector_finish(&c);
}

static void test_png_alpha(void)
{
    g_autofree char *path = write_png("rgba.png", true);
    struct collector c;
    struct sc_source *s;
    check_exact(run_image(path, &c, &s), true);
    sc_source_destroy(s);
    collector_finish(&c);
}

static void test_ppm(void)
{
    g_autofree char *path = write_ppm("img.ppm");
    struct collector c;
    struct sc_source *s;
    check_exact(run_image(path, &c, &s), false);
    sc_source_destroy(s);
    collector_finish(&c);
}

static void test_jpeg(void)
{
    GdkPixbuf *pb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, W, H);
    gdk_pixbuf_fill(pb, 0x3080c000);
    g_autofree char *path = g_build_filename(tmpdir, "img.jpg", NULL);
    GError *err = NULL;
    if (!gdk_pixbuf_save(pb, path, "jpeg", &err, "quality", "100", NULL)) {
        g_test_skip(err->message);
        g_clear_error(&err);
        g_object_unref(pb);
        return;
    }
    g_object_unref(pb);
    struct collector c;
    struct sc_source *s;
    const struct got_frame *g = run_image(path, &c, &s);
    const uint8_t *p = pixel_at(g, W / 2, H / 2);
    g_assert_cmpint(abs(p[2] - 0x30), <=, 4);
    g_assert_cmpint(abs(p[1] - 0x80), <=, 4);
    g_assert_cmpint(abs(p[0] - 0xc0), <=, 4);
    sc_source_destroy(s);
    collector_finish(&c);
}

static void test_errors(void)
{
    expect_error("no such file", "image:%s/missing.png", tmpdir);
    expect_error("file is needed", "image");
    expect_error("file is needed", "image:");

    g_autofree char *text = write_file("text.png", "hello, world\n", 13);
    expect_error("unsupported", "image:%s", text);

    static const char huge[] = "P6\n20000 10\n255\n";
    g_autofree char *big = write_file("huge.ppm", huge, sizeof(huge) - 1);
    expect_error("too large", "image:%s", big);

    /* a PNG cut in half */
    g_autofree char *png = write_png("full.png", false);
    g_autofree char *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(png, &data, &len, NULL));
    g_autofree char *cut = write_file("cut.png", data, len / 2);
    expect_error(cut, "image:%s", cut);

    expect_error("not a regular file", "image:%s", tmpdir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = tmpdir_create("spicecast-image-XXXXXX");
    g_test_add_func("/image/png", test_png);
    g_test_add_func("/image/png-alpha", test_png_alpha);
    g_test_add_func("/image/ppm", test_ppm);
    g_test_add_func("/image/jpeg", test_jpeg);
    g_test_add_func("/image/errors", test_errors);
    int ret = g_test_run();
    tmpdir_remove(tmpdir);
    return ret;
}
