/* The viewer's stats overlay (issue 9 item 5), as Looking Glass and
 * Moonlight have one: a GtkDrawingArea over the display area inside a
 * GtkOverlay, drawn with cairo, so it shows over both renderers (GTK
 * composites the GL area's framebuffer under it).  Once a second it takes
 * the engine's last-second figures (sc_client_live_stats) and redraws:
 * fps, codec, kbit/s, decode p50/p95, the latency of each stage (the
 * server's too, from capture, when it sends them: our server to our
 * viewer, SC_DISPLAY_CAP_FRAME_TIMES), and a graph of the last 60 s of
 * p50 latency.  Hidden, it costs nothing: the
 * widget is not drawn, the timer is stopped and the engine records nothing. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "client/client.h"
#include "client/window-priv.h"
#include "common/log.h"

#define HISTORY 60    /* seconds in the graph */
#define PANEL_W 320
#define PANEL_H 234
#define LINE_H 14
#define GRAPH_H 40

struct sc_window_stats {
    struct sc_client_live_stats now;
    double history[HISTORY]; /* p50 latency in ms; < 0: none */
    unsigned head;           /* next slot */
};

/* the latency graphed: capture -> present when frames are stamped, else
 * receive -> present */
static double graph_ms(const struct sc_client_live_stats *s)
{
    const int64_t *p = s->p50_us;

    if (p[SC_CLIENT_LIVE_CAPTURE_PRESENT] >= 0)
        return p[SC_CLIENT_LIVE_CAPTURE_PRESENT] / 1000.0;
    if (p[SC_CLIENT_LIVE_RECV_DECODED] >= 0 && p[SC_CLIENT_LIVE_DECODED_PRESENT] >= 0)
        return (p[SC_CLIENT_LIVE_RECV_DECODED] + p[SC_CLIENT_LIVE_DECODED_PRESENT]) / 1000.0;
    return -1;
}

static gboolean on_tick(gpointer data)
{
    struct sc_window *win = data;
    struct sc_window_stats *st = win->stats;

    if (!sc_client_live_stats(win->client, &st->now))
        return G_SOURCE_CONTINUE; /* no second yet (or no connection) */
    st->history[st->head] = graph_ms(&st->now);
    st->head = (st->head + 1) % HISTORY;
    gtk_widget_queue_draw(win->stats_area);
    return G_SOURCE_CONTINUE;
}

/* "p50 / p95 ms" of a stage, "-" without samples */
static void stage_text(char *buf, size_t size, const struct sc_client_live_stats *s, int stage)
{
    if (!s->valid || s->p50_us[stage] < 0)
        g_strlcpy(buf, "-", size);
    else
        g_snprintf(buf, size, "%.1f / %.1f ms", s->p50_us[stage] / 1000.0,
                   s->p95_us[stage] / 1000.0);
}

static void text_lines(cairo_t *cr, const struct sc_window_stats *st)
{
    const struct sc_client_live_stats *s = &st->now;
    static const struct { const char *label; int stage; } stages[] = {
        { N_("decode"), SC_CLIENT_LIVE_DECODE },
        { N_("receive -> decoded"), SC_CLIENT_LIVE_RECV_DECODED },
        { N_("decoded -> present"), SC_CLIENT_LIVE_DECODED_PRESENT },
        { N_("capture -> present"), SC_CLIENT_LIVE_CAPTURE_PRESENT },
        /* the server's stages (our server sends them), from capture too */
        { N_("server: capture -> source"), SC_CLIENT_LIVE_SERVER_SOURCE },
        { N_("server: -> to the encoder"), SC_CLIENT_LIVE_SERVER_DISPLAY },
        { N_("server: -> encode start"), SC_CLIENT_LIVE_SERVER_ENCODE_START },
        { N_("server: -> encoded"), SC_CLIENT_LIVE_SERVER_ENCODE_END },
        { N_("server: -> queued"), SC_CLIENT_LIVE_SERVER_QUEUED },
        { N_("server: -> written"), SC_CLIENT_LIVE_SERVER_WRITTEN },
    };
    char line[128], v[48];
    double y = 16;

    g_snprintf(line, sizeof(line), _("%.1f fps  %s  %.0f kbit/s"), s->valid ? s->fps : 0.0,
               s->valid && *s->codec ? s->codec : "-", s->valid ? s->kbit_s : 0.0);
    cairo_move_to(cr, 8, y);
    cairo_show_text(cr, line);
    for (size_t i = 0; i < G_N_ELEMENTS(stages); i++) {
        y += LINE_H;
        stage_text(v, sizeof(v), s, stages[i].stage);
        g_snprintf(line, sizeof(line), "%s: %s", _(stages[i].label), v);
        cairo_move_to(cr, 8, y);
        cairo_show_text(cr, line);
    }
}

static void graph(cairo_t *cr, const struct sc_window_stats *st, double x0, double y0, double w)
{
    double top = 1; /* ms at the top of the graph: the largest, at least 1 */
    char label[48];

    for (int i = 0; i < HISTORY; i++)
        top = MAX(top, st->history[i]);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.25);
    cairo_rectangle(cr, x0, y0, w, GRAPH_H);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.3, 1, 0.4);
    for (int i = 0; i < HISTORY; i++) {
        double v = st->history[(st->head + (unsigned)i) % HISTORY];
        double h = v > 0 ? v / top * (GRAPH_H - 2) : 0;

        if (h > 0)
            cairo_rectangle(cr, x0 + 1 + i * (w - 2) / HISTORY, y0 + GRAPH_H - 1 - h,
                            (w - 2) / HISTORY, h);
    }
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    g_snprintf(label, sizeof(label), _("latency p50, 60 s (max %.1f ms)"), top);
    cairo_move_to(cr, x0, y0 - 4);
    cairo_show_text(cr, label);
}

static gboolean on_draw(GtkWidget *widget, cairo_t *cr, gpointer data)
{
    struct sc_window *win = data;

    (void)widget;
    if (!win->stats)
        return FALSE;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.7);
    cairo_rectangle(cr, 0, 0, PANEL_W, PANEL_H);
    cairo_fill(cr);
    cairo_select_font_face(cr, "monospace", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    cairo_set_source_rgb(cr, 1, 1, 1);
    text_lines(cr, win->stats);
    graph(cr, win->stats, 8, PANEL_H - GRAPH_H - 8, PANEL_W - 16);
    return TRUE;
}

void sc_window_stats_build(struct sc_window *win)
{
    GtkWidget *a = gtk_drawing_area_new();

    win->stats_area = a;
    gtk_widget_set_size_request(a, PANEL_W, PANEL_H);
    gtk_widget_set_halign(a, GTK_ALIGN_START);
    gtk_widget_set_valign(a, GTK_ALIGN_START);
    gtk_widget_set_no_show_all(a, TRUE); /* hidden until asked for */
    g_signal_connect(a, "draw", G_CALLBACK(on_draw), win);
    gtk_overlay_add_overlay(GTK_OVERLAY(win->overlay), a);
    gtk_overlay_set_overlay_pass_through(GTK_OVERLAY(win->overlay), a, TRUE);
}

void sc_window_stats_show(struct sc_window *win, bool on)
{
    if (on == win->stats_on)
        return;
    win->stats_on = on;
    sc_info("stats overlay %s", on ? "on" : "off");
    sc_client_set_live_stats(win->client, on);
    if (on) {
        win->stats = g_new0(struct sc_window_stats, 1);
        for (int i = 0; i < HISTORY; i++)
            win->stats->history[i] = -1;
        win->stats_timer = g_timeout_add(1000, on_tick, win);
        gtk_widget_show(win->stats_area);
    } else {
        gtk_widget_hide(win->stats_area);
        g_clear_handle_id(&win->stats_timer, g_source_remove);
        g_clear_pointer(&win->stats, g_free);
    }
    /* the menu's check item follows a hotkey (its toggled handler lands
     * back here and returns at once) */
    if (win->stats_item &&
        gtk_check_menu_item_get_active(GTK_CHECK_MENU_ITEM(win->stats_item)) != on)
        gtk_check_menu_item_set_active(GTK_CHECK_MENU_ITEM(win->stats_item), on);
}

void sc_window_stats_free(struct sc_window *win)
{
    g_clear_handle_id(&win->stats_timer, g_source_remove);
    g_clear_pointer(&win->stats, g_free);
    win->stats_on = false;
}
