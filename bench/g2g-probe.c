/* bench/g2g-probe: glass-to-glass latency through spice-gtk (issue 9).
 *
 *   bench/g2g-probe --uri spice://127.0.0.1:PORT [--warmup S] [--seconds S]
 *                   [--samples FILE] [--gl]
 *
 * A spice-client-glib session (what remote-viewer runs on) against a
 * server whose source stamps its frames (pattern:...,stamp; common/stamp.h).
 * Each time spice-gtk invalidates an area of its primary surface that
 * covers the stamp (a stream frame drawn, a lossless draw), the probe reads
 * the stamp from the surface; a new frame index is one frame shown, and
 * now - its capture time (CLOCK_MONOTONIC on both sides: same machine) its
 * glass-to-glass latency, up to the surface (not a monitor's scan-out).
 * After the warm-up it records them for --seconds, then prints
 *   stats: probe shown n=N p50=X.Xms p95=X.Xms p99=X.Xms total
 *   frames_shown=N frames_skipped=N unstamped=N
 * (skipped: indices that never reached the surface, between two shown).
 * --gl (a unix socket server): advertise GL_SCANOUT; at each gl-draw the
 * probe maps the scanout fd, reads the stamp there, then answers
 * GL_DRAW_DONE (the local fd path).
 * --samples writes each latency in ms, one a line.  Exit 0 with samples,
 * 1 without, 2 on bad options. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <spice-client.h>

#include "common/stamp.h"
#include "common/stats.h"

static struct {
    const char *uri;
    double warmup, seconds;
    const char *samples_path;
    gboolean gl;
} opt = { .warmup = 3, .seconds = 10 };

static struct {
    GMainLoop *loop;
    SpiceChannel *display;
    struct sc_stats *stats;
    FILE *samples;
    int64_t start_us, record_from_us;
    bool have_index;
    uint32_t last_index;
    uint64_t shown, skipped, unstamped;
    bool failed;
} g;

static bool covers_stamp(gint x, gint y, gint w, gint h)
{
    return x < SC_STAMP_WIDTH && y < SC_STAMP_HEIGHT && x + w > 0 && y + h > 0;
}

/* a picture on the client: its stamp, if any, counted */
static void seen(const uint8_t *pixels, uint32_t w, uint32_t h, ptrdiff_t stride)
{
    struct sc_stamp st;
    int64_t now = sc_stats_now_us();

    if (!sc_stamp_read(pixels, w, h, stride, &st)) {
        if (now >= g.record_from_us)
            g.unstamped++;
        return;
    }
    if (g.have_index && st.index == g.last_index)
        return; /* the same frame drawn again (a partial update) */
    if (now >= g.record_from_us) {
        if (g.have_index && st.index > g.last_index + 1)
            g.skipped += st.index - g.last_index - 1;
        g.shown++;
        sc_stats_record(g.stats, "shown", now - st.time_us);
        if (g.samples)
            fprintf(g.samples, "%.3f\n", (now - st.time_us) / 1000.0);
    }
    g.have_index = true;
    g.last_index = st.index;
}

static void on_invalidate(SpiceChannel *ch, gint x, gint y, gint w, gint h, gpointer data)
{
    SpiceDisplayPrimary p;

    (void)data;
    if (!covers_stamp(x, y, w, h) || !spice_display_channel_get_primary(ch, 0, &p) || !p.data)
        return;
    /* SPICE_SURFACE_FMT_32_xRGB: bytes B,G,R,X */
    seen(p.data, (uint32_t)p.width, (uint32_t)p.height, p.stride);
}

/* the local path: the scanout buffer itself, mapped for the stamp */
static void on_gl_draw(SpiceDisplayChannel *ch, guint x, guint y, guint w, guint h, gpointer data)
{
    const SpiceGlScanout *so = spice_display_channel_get_gl_scanout(ch);
    size_t size;
    uint8_t *map;

    (void)x, (void)y, (void)w, (void)h, (void)data;
    if (so && so->fd >= 0) {
        size = (size_t)so->stride * so->height;
        map = mmap(NULL, size, PROT_READ, MAP_SHARED, so->fd, 0);
        if (map != MAP_FAILED) {
            if (so->y0top) /* SPICE's Y0TOP: bottom-up rows */
                seen(map + size - so->stride, so->width, so->height, -(ptrdiff_t)so->stride);
            else
                seen(map, so->width, so->height, so->stride);
            munmap(map, size);
        }
    }
    spice_display_channel_gl_draw_done(ch);
}

static void on_channel_event(SpiceChannel *ch, SpiceChannelEvent ev, gpointer data)
{
    (void)ch;
    (void)data;
    if (ev == SPICE_CHANNEL_ERROR_CONNECT || ev == SPICE_CHANNEL_ERROR_LINK ||
        ev == SPICE_CHANNEL_ERROR_IO || ev == SPICE_CHANNEL_ERROR_AUTH ||
        ev == SPICE_CHANNEL_ERROR_TLS) {
        fprintf(stderr, "g2g-probe: channel error %d\n", (int)ev);
        g.failed = true;
        g_main_loop_quit(g.loop);
    }
}

static void on_channel_new(SpiceSession *s, SpiceChannel *ch, gpointer data)
{
    (void)s;
    g_signal_connect(ch, "channel-event", G_CALLBACK(on_channel_event), data);
    if (SPICE_IS_MAIN_CHANNEL(ch))
        return; /* the session connects main itself */
    if (SPICE_IS_DISPLAY_CHANNEL(ch)) {
        int id = 0;
        g_object_get(ch, "channel-id", &id, NULL);
        if (id != 0)
            return;
        g.display = ch;
        g_signal_connect(ch, "display-invalidate", G_CALLBACK(on_invalidate), NULL);
        g_signal_connect(ch, "gl-draw", G_CALLBACK(on_gl_draw), NULL);
    } else if (!SPICE_IS_CURSOR_CHANNEL(ch) && !SPICE_IS_INPUTS_CHANNEL(ch)) {
        return;
    }
    spice_channel_connect(ch);
}

static gboolean on_done(gpointer data)
{
    (void)data;
    g_main_loop_quit(g.loop);
    return G_SOURCE_REMOVE;
}

static void print_line(const char *line, void *data)
{
    (void)data;
    printf("%s\n", line);
}

static bool parse_options(int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "uri", 0, 0, G_OPTION_ARG_STRING, &opt.uri, "spice:// URI", "URI" },
        { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &opt.warmup, "seconds before recording (3)", "S" },
        { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt.seconds, "seconds recorded (10)", "S" },
        { "samples", 0, 0, G_OPTION_ARG_FILENAME, &opt.samples_path, "latencies in ms", "FILE" },
        { "gl", 0, 0, G_OPTION_ARG_NONE, &opt.gl, "advertise GL_SCANOUT (unix socket)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- glass-to-glass latency through spice-gtk");
    GError *err = NULL;
    bool ok;

    g_option_context_add_main_entries(ctx, entries, NULL);
    ok = g_option_context_parse(ctx, &argc, &argv, &err);
    g_option_context_free(ctx);
    if (!ok || !opt.uri || opt.warmup < 0 || opt.seconds <= 0) {
        fprintf(stderr, "g2g-probe: %s\n", err ? err->message : "need --uri and --seconds > 0");
        g_clear_error(&err);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    SpiceSession *session;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!parse_options(argc, argv))
        return 2;
    if (opt.samples_path && !(g.samples = fopen(opt.samples_path, "w"))) {
        perror(opt.samples_path);
        return 2;
    }
    g.stats = sc_stats_new("probe");
    sc_stats_set_sink(g.stats, print_line, NULL);
    sc_stats_set_interval(g.stats, sc_stats_enabled() ? G_USEC_PER_SEC : 0);
    g.loop = g_main_loop_new(NULL, FALSE);
    g.start_us = sc_stats_now_us();
    g.record_from_us = g.start_us + (int64_t)(opt.warmup * 1e6);
    session = spice_session_new();
    g_object_set(session, "uri", opt.uri, "gl-scanout", opt.gl, NULL);
    g_signal_connect(session, "channel-new", G_CALLBACK(on_channel_new), NULL);
    if (!spice_session_connect(session)) {
        fprintf(stderr, "g2g-probe: cannot connect to %s\n", opt.uri);
        return 1;
    }
    g_timeout_add((guint)((opt.warmup + opt.seconds) * 1000), on_done, NULL);
    g_main_loop_run(g.loop);
    spice_session_disconnect(session);
    g_object_unref(session);
    sc_stats_free(g.stats); /* the total line */
    printf("frames_shown=%" G_GUINT64_FORMAT " frames_skipped=%" G_GUINT64_FORMAT
           " unstamped=%" G_GUINT64_FORMAT "\n", g.shown, g.skipped, g.unstamped);
    if (g.samples)
        fclose(g.samples);
    g_main_loop_unref(g.loop);
    return !g.failed && g.shown > 0 ? 0 : 1;
}
