/* common/stats and common/stamp: the percentiles are the nearest-rank ones
 * of what was recorded (window lines and the total), lines have the
 * documented format, SPICECAST_STATS gates sc_stats_new_from_env(); a stamp
 * written into a picture reads back exactly (top-down, bottom-up, luma
 * plane), survives noise below the threshold, and a damaged or missing
 * stamp reads as none.  The sink runs without the accumulator's lock: one
 * that records into it (or another thread that records meanwhile) does not
 * deadlock. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "common/stamp.h"
#include "common/stats.h"

static void collect(const char *line, void *data)
{
    g_ptr_array_add(data, g_strdup(line));
}

static void test_percentiles(void)
{
    struct sc_stats *s = sc_stats_new("test");
    struct sc_stats_summary sum;
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

    sc_stats_set_sink(s, collect, lines);
    sc_stats_set_interval(s, 0);
    g_assert_false(sc_stats_get(s, "encode", &sum));
    /* 1000 samples 1..1000 ms, shuffled order */
    for (int i = 0; i < 1000; i++)
        sc_stats_record(s, "encode", (int64_t)((i * 617) % 1000 + 1) * 1000);
    sc_stats_record(s, "send", 240);
    g_assert_true(sc_stats_get(s, "encode", &sum));
    g_assert_cmpuint(sum.n, ==, 1000);
    g_assert_cmpint(sum.p50, ==, 500000);
    g_assert_cmpint(sum.p95, ==, 950000);
    g_assert_cmpint(sum.p99, ==, 990000);
    g_assert_cmpuint(lines->len, ==, 0); /* interval 0: no periodic lines */
    sc_stats_summary(s);
    g_assert_cmpuint(lines->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(lines, 0), ==,
                    "stats: test encode n=1000 p50=500.0ms p95=950.0ms p99=990.0ms total");
    g_assert_cmpstr(g_ptr_array_index(lines, 1), ==,
                    "stats: test send n=1 p50=0.240ms p95=0.240ms p99=0.240ms total");
    sc_stats_set_sink(s, NULL, NULL);
    g_ptr_array_set_size(lines, 0);
    sc_stats_set_sink(s, collect, lines);
    sc_stats_free(s); /* the summary again, on the way out */
    g_assert_cmpuint(lines->len, ==, 2);
}

/* restart: the warm-up's samples are forgotten, the stages' order kept,
 * a stage without samples since is left out of the summary */
static void test_restart(void)
{
    struct sc_stats *s = sc_stats_new("test");
    struct sc_stats_summary sum;
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

    sc_stats_set_sink(s, collect, lines);
    sc_stats_set_interval(s, 0);
    sc_stats_restart(NULL);
    for (int i = 0; i < 10; i++)
        sc_stats_record(s, "present", 700000); /* a slow start */
    sc_stats_record(s, "decode", 5000);
    sc_stats_restart(s);
    g_assert_false(sc_stats_get(s, "present", &sum));
    for (int i = 1; i <= 100; i++)
        sc_stats_record(s, "present", i * 100);
    g_assert_true(sc_stats_get(s, "present", &sum));
    g_assert_cmpuint(sum.n, ==, 100);
    g_assert_cmpint(sum.p99, ==, 9900);
    sc_stats_summary(s);
    g_assert_cmpuint(lines->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(lines, 0), ==,
                    "stats: test present n=100 p50=5.0ms p95=9.5ms p99=9.9ms total");
    sc_stats_set_sink(s, NULL, NULL);
    sc_stats_free(s);
}

static void test_window(void)
{
    struct sc_stats *s = sc_stats_new("viewer");
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

    sc_stats_set_sink(s, collect, lines);
    sc_stats_set_interval(s, 20000); /* 20 ms */
    sc_stats_record(s, "decode", 3000);
    sc_stats_record(s, "decode", 5000);
    g_assert_cmpuint(lines->len, ==, 0);
    g_usleep(30000);
    sc_stats_record(s, "decode", 7000); /* closes the window: 3 samples */
    g_assert_cmpuint(lines->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(lines, 0), ==,
                    "stats: viewer decode n=3 p50=5.0ms p95=7.0ms p99=7.0ms");
    g_usleep(30000);
    sc_stats_record(s, "decode", 1000); /* a fresh window: only this one */
    g_assert_cmpuint(lines->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(lines, 1), ==,
                    "stats: viewer decode n=1 p50=1.0ms p95=1.0ms p99=1.0ms");
    sc_stats_free(s);
    g_assert_cmpuint(lines->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(lines, 2), ==,
                    "stats: viewer decode n=4 p50=3.0ms p95=7.0ms p99=7.0ms total");
}

/* A sink that records into the accumulator whose lines it receives. */
static gint sink_done;

static void record_back(const char *line, void *data)
{
    struct sc_stats *s = data;
    struct sc_stats_summary sum;

    (void)line;
    sc_stats_record(s, "sink", 1);
    if (sc_stats_get(s, "sink", &sum) && sum.n >= 1)
        g_atomic_int_set(&sink_done, 1);
}

static gpointer summary_thread(gpointer data)
{
    sc_stats_summary(data);
    return GINT_TO_POINTER(1);
}

static void test_sink_unlocked(void)
{
    struct sc_stats *s = sc_stats_new("test");
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    sc_stats_set_interval(s, 0);
    sc_stats_record(s, "encode", 1000);
    sc_stats_set_sink(s, record_back, s);
    /* in a thread: with the lock held around the sink it never returns */
    GThread *t = g_thread_new("summary", summary_thread, s);
    while (g_get_monotonic_time() < end && !g_atomic_int_get(&sink_done))
        g_usleep(1000);
    g_assert_cmpint(g_atomic_int_get(&sink_done), ==, 1); /* the sink's record went in */
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(t)), ==, 1);
    sc_stats_set_sink(s, NULL, NULL);
    sc_stats_free(s);
}

static void test_reservoir(void)
{
    struct sc_stats *s = sc_stats_new("big");
    struct sc_stats_summary sum;
    sc_stats_set_interval(s, 0);
    uint64_t n = SC_STATS_MAX_SAMPLES * 2ull;
    for (uint64_t i = 0; i < n; i++)
        sc_stats_record(s, "x", (int64_t)(i % 1000));
    g_assert_true(sc_stats_get(s, "x", &sum));
    g_assert_cmpuint(sum.n, ==, n);
    g_assert_cmpint(sum.p50, >=, 480);
    g_assert_cmpint(sum.p50, <=, 520);
    g_assert_cmpint(sum.p99, >=, 980);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    sc_stats_set_sink(s, collect, lines);
    sc_stats_free(s);
    g_assert_cmpuint(lines->len, ==, 1);
}

static void test_env(void)
{
    g_setenv("SPICECAST_STATS", "0", TRUE);
    g_assert_false(sc_stats_enabled());
    g_assert_null(sc_stats_new_from_env("server"));
    sc_stats_record(NULL, "x", 1); /* off: no-ops */
    sc_stats_record_since(NULL, "x", 1);
    sc_stats_free(NULL);
    g_setenv("SPICECAST_STATS", "1", TRUE);
    struct sc_stats *s = sc_stats_new_from_env("server");
    g_assert_nonnull(s);
    struct sc_stats_summary sum;
    sc_stats_set_interval(s, 0);
    sc_stats_record_since(s, "since", 0); /* no time: not recorded */
    g_assert_false(sc_stats_get(s, "since", &sum));
    sc_stats_record_since(s, "since", sc_stats_now_us() - 2000);
    g_assert_true(sc_stats_get(s, "since", &sum));
    g_assert_cmpint(sum.p50, >=, 2000);
    g_assert_cmpint(sum.p50, <, 2000000);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    sc_stats_set_sink(s, collect, lines);
    sc_stats_free(s);
    g_unsetenv("SPICECAST_STATS");
}

/* ---- stamps ---------------------------------------------------------------- */

#define W 320
#define H 200

static uint8_t *scene(uint32_t seed)
{
    uint8_t *p = g_malloc((size_t)W * H * 4);
    for (size_t i = 0; i < (size_t)W * H * 4; i++)
        p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
    return p;
}

static void test_stamp_roundtrip(void)
{
    g_autofree uint8_t *p = scene(1);
    struct sc_stamp in = { 0xdeadbeef, 0x0123456789abcdefLL }, out = { 0 };

    g_assert_false(sc_stamp_read(p, W, H, W * 4, &out)); /* noise: no stamp */
    g_assert_true(sc_stamp_write(p, W, H, W * 4, &in));
    g_assert_true(sc_stamp_read(p, W, H, W * 4, &out));
    g_assert_cmpuint(out.index, ==, in.index);
    g_assert_cmpint(out.time_us, ==, in.time_us);
    /* bottom-up: pixels at the last row, negative stride */
    g_autofree uint8_t *q = scene(2);
    uint8_t *last = q + (size_t)(H - 1) * W * 4;
    in.index = 7;
    g_assert_true(sc_stamp_write(last, W, H, -(ptrdiff_t)W * 4, &in));
    g_assert_false(sc_stamp_read(q, W, H, W * 4, &out)); /* not at memory's top */
    g_assert_true(sc_stamp_read(last, W, H, -(ptrdiff_t)W * 4, &out));
    g_assert_cmpuint(out.index, ==, 7);
    /* too small */
    g_assert_false(sc_stamp_write(p, SC_STAMP_WIDTH - 1, H, W * 4, &in));
    g_assert_false(sc_stamp_read(p, W, SC_STAMP_HEIGHT - 1, W * 4, &out));
}

static void test_stamp_noise(void)
{
    g_autofree uint8_t *p = scene(3);
    g_autofree uint8_t *y = g_malloc((size_t)W * H);
    struct sc_stamp in = { 42, 1000000 }, out = { 0 };

    g_assert_true(sc_stamp_write(p, W, H, W * 4, &in));
    /* +-100 of noise on every byte, the way a codec rings; and a luma plane */
    for (size_t i = 0; i < (size_t)W * H * 4; i++) {
        int v = p[i] + (int)((i * 7919) % 201) - 100;
        p[i] = (uint8_t)CLAMP(v, 0, 255);
    }
    for (size_t i = 0; i < (size_t)W * H; i++)
        y[i] = (uint8_t)((p[i * 4] + 2 * p[i * 4 + 1] + p[i * 4 + 2]) / 4);
    g_assert_true(sc_stamp_read(p, W, H, W * 4, &out));
    g_assert_cmpuint(out.index, ==, 42);
    memset(&out, 0, sizeof(out));
    g_assert_true(sc_stamp_read_y(y, W, H, W, &out));
    g_assert_cmpuint(out.index, ==, 42);
    g_assert_cmpint(out.time_us, ==, 1000000);
    /* one cell flipped: the CRC catches it */
    for (unsigned r = 0; r < SC_STAMP_CELL; r++)
        for (unsigned c = 0; c < SC_STAMP_CELL; c++)
            y[(size_t)(SC_STAMP_CELL * 2 + r) * W + SC_STAMP_CELL * 5 + c] ^= 0xff;
    g_assert_false(sc_stamp_read_y(y, W, H, W, &out));
    /* flat pictures carry none */
    memset(y, 0, (size_t)W * H);
    g_assert_false(sc_stamp_read_y(y, W, H, W, &out));
    memset(y, 0xff, (size_t)W * H);
    g_assert_false(sc_stamp_read_y(y, W, H, W, &out));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stats/percentiles", test_percentiles);
    g_test_add_func("/stats/window", test_window);
    g_test_add_func("/stats/restart", test_restart);
    g_test_add_func("/stats/reservoir", test_reservoir);
    g_test_add_func("/stats/sink-unlocked", test_sink_unlocked);
    g_test_add_func("/stats/env", test_env);
    g_test_add_func("/stamp/roundtrip", test_stamp_roundtrip);
    g_test_add_func("/stamp/noise", test_stamp_noise);
    return g_test_run();
}
