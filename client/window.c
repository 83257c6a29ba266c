/* The viewer window.  The renderer is chosen once the window is realized:
 * GL (a GtkGLArea whose context works and whose shaders build), else cairo
 * in a GtkDrawingArea; SPICECAST_RENDERER=gl|cairo or the option forces
 * one.  Client callbacks only record what changed (surface size, damage,
 * scanout) and queue a redraw; the renderer gets it while drawing, with
 * its GL context current. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <spice/enums.h>

#include "client/keymap.h"
#include "client/renderer.h"
#include "client/window-priv.h"
#include "common/log.h"

static void use_cairo(struct sc_window *win);

/* ---- feeding the renderer -------------------------------------------- */

/* The GL_SCANOUT2 fds not handed to the renderer yet. */
static void drop_planes(struct sc_window *win)
{
    for (unsigned i = 0; i < win->planes.n_planes; i++)
        if (win->planes.fds[i] >= 0)
            close(win->planes.fds[i]);
    win->planes.n_planes = 0;
    win->planes_pending = false;
}

static void sync_renderer(struct sc_window *win)
{
    struct sc_renderer *r = win->renderer;
    const uint8_t *canvas;
    uint32_t w, h, stride;

    if (win->surface_pending) {
        r->impl->surface(r, win->surface_w, win->surface_h);
        cairo_rectangle_int_t all = { 0, 0, (int)win->surface_w, (int)win->surface_h };
        cairo_region_union_rectangle(win->damage, &all);
        win->surface_pending = false;
    }
    canvas = win->client ? sc_client_head_canvas(win->client, win->head, &w, &h, &stride) : NULL;
    if (canvas && !cairo_region_is_empty(win->damage)) {
        cairo_rectangle_int_t all = { 0, 0, (int)w, (int)h };
        int n;
        cairo_region_intersect_rectangle(win->damage, &all);
        n = cairo_region_num_rectangles(win->damage);
        g_autofree cairo_rectangle_int_t *rects = g_new(cairo_rectangle_int_t, n > 0 ? n : 1);
        for (int i = 0; i < n; i++)
            cairo_region_get_rectangle(win->damage, i, &rects[i]);
        if (n > 0)
            r->impl->update(r, canvas, stride, rects, n);
    }
    cairo_region_subtract(win->damage, win->damage);
    if (win->scanout_pending) {
        win->scanout_on = r->impl->gl_scanout(r, win->scanout_fd, win->sc_w, win->sc_h,
                                              win->sc_stride, win->sc_fourcc, win->sc_top_down) &&
                          win->scanout_fd >= 0;
        if (win->scanout_fd >= 0)
            close(win->scanout_fd); /* a mapping or an EGLImage keeps the buffer */
        win->scanout_fd = -1;
        win->scanout_pending = false;
    }
    if (win->planes_pending) {
        win->scanout_on = r->impl->gl_scanout_planes &&
                          r->impl->gl_scanout_planes(r, &win->planes);
        drop_planes(win); /* an EGLImage keeps the buffers */
    }
    if (win->draw_pending) {
        r->impl->gl_draw(r, win->draw_x, win->draw_y, win->draw_w, win->draw_h);
        win->draw_pending = false;
    }
}

static void answer_draw(struct sc_window *win)
{
    if (win->draw_done_owed && win->client) {
        win->draw_done_owed = false;
        sc_client_head_gl_draw_done(win->client, win->head);
    }
}

static void fit(struct sc_window *win, int ww, int wh, double unit)
{
    uint32_t w = win->renderer->width, h = win->renderer->height;

    sc_viewport_fit(&win->vp, ww, wh, w, h);
    win->vp_unit = unit;
}

static gboolean on_gl_render(GtkGLArea *area, GdkGLContext *ctx, gpointer data)
{
    struct sc_window *win = data;
    int scale = gtk_widget_get_scale_factor(GTK_WIDGET(area));

    (void)ctx;
    if (!win->renderer)
        return FALSE;
    sync_renderer(win);
    fit(win, gtk_widget_get_allocated_width(GTK_WIDGET(area)) * scale,
        gtk_widget_get_allocated_height(GTK_WIDGET(area)) * scale, scale);
    win->renderer->impl->draw(win->renderer, NULL, &win->vp);
    answer_draw(win);
    return TRUE;
}

static gboolean on_cairo_draw(GtkWidget *widget, cairo_t *cr, gpointer data)
{
    struct sc_window *win = data;

    if (!win->renderer)
        return FALSE;
    sync_renderer(win);
    fit(win, gtk_widget_get_allocated_width(widget), gtk_widget_get_allocated_height(widget), 1);
    win->renderer->impl->draw(win->renderer, cr, &win->vp);
    answer_draw(win);
    return TRUE;
}

static bool make_current(struct sc_window *win)
{
    if (!win->renderer)
        return false;
    if (win->is_gl) {
        gtk_gl_area_make_current(GTK_GL_AREA(win->area));
        return gtk_gl_area_get_error(GTK_GL_AREA(win->area)) == NULL;
    }
    return true;
}

static void redraw(struct sc_window *win)
{
    if (win->area)
        gtk_widget_queue_draw(win->area);
}

/* ---- choosing the renderer ------------------------------------------- */

static void on_gl_realize(GtkGLArea *area, gpointer data)
{
    struct sc_window *win = data;
    char reason[SC_RENDERER_REASON_SIZE] = "";
    GError *err;

    gtk_gl_area_make_current(area);
    err = gtk_gl_area_get_error(area);
    if (err) {
        sc_info("renderer: GL not usable (%s), using cairo", err->message);
        g_idle_add_full(G_PRIORITY_HIGH, (GSourceFunc)(void (*)(void))use_cairo, win, NULL);
        return;
    }
    win->renderer = sc_renderer_gl.create(reason, sizeof(reason));
    if (!win->renderer) {
        sc_info("renderer: GL not usable (%s), using cairo", reason);
        g_idle_add_full(G_PRIORITY_HIGH, (GSourceFunc)(void (*)(void))use_cairo, win, NULL);
        return;
    }
    sc_info("renderer: gl");
    win->surface_pending = win->surface_w > 0;
    redraw(win);
}

static void on_gl_unrealize(GtkGLArea *area, gpointer data)
{
    struct sc_window *win = data;

    gtk_gl_area_make_current(area);
    if (win->renderer && !gtk_gl_area_get_error(area))
        win->renderer->impl->destroy(win->renderer);
    win->renderer = NULL;
}

static void connect_input(struct sc_window *win, GtkWidget *area);

static void set_area(struct sc_window *win, GtkWidget *area)
{
    if (win->area)
        gtk_widget_destroy(win->area);
    win->area = area;
    gtk_widget_set_hexpand(area, TRUE);
    gtk_widget_set_vexpand(area, TRUE);
    gtk_widget_set_can_focus(area, TRUE);
    connect_input(win, area);
    gtk_container_add(GTK_CONTAINER(win->overlay), area); /* under the stats */
    gtk_widget_show(area);
    gtk_widget_grab_focus(area);
}

static void use_cairo(struct sc_window *win)
{
    char reason[SC_RENDERER_REASON_SIZE] = "";
    GtkWidget *area = gtk_drawing_area_new();

    win->is_gl = false;
    set_area(win, area);
    win->renderer = sc_renderer_cairo.create(reason, sizeof(reason));
    if (!win->renderer) {
        sc_error("renderer: cairo: %s", reason);
        win->exit_status = 1;
        gtk_main_quit();
        return;
    }
    g_signal_connect(area, "draw", G_CALLBACK(on_cairo_draw), win);
    sc_info("renderer: cairo");
    win->surface_pending = win->surface_w > 0;
    redraw(win);
}

static void use_gl(struct sc_window *win)
{
    GtkWidget *area = gtk_gl_area_new();

    win->is_gl = true;
    gtk_gl_area_set_auto_render(GTK_GL_AREA(area), TRUE);
    g_signal_connect(area, "realize", G_CALLBACK(on_gl_realize), win);
    g_signal_connect(area, "unrealize", G_CALLBACK(on_gl_unrealize), win);
    g_signal_connect(area, "render", G_CALLBACK(on_gl_render), win);
    set_area(win, area);
}

/* ---- client callbacks ------------------------------------------------ */

static void cb_surface(void *data, uint32_t width, uint32_t height)
{
    struct sc_window *win = data;

    win->surface_w = width;
    win->surface_h = height;
    win->surface_pending = win->renderer != NULL;
    cairo_region_subtract(win->damage, win->damage);
    if (!win->sized && !win->full_screen) {
        sc_window_ui_first_surface(win, width, height);
        win->sized = true;
    }
    sc_debug("surface %ux%u", width, height);
    redraw(win);
}

static void cb_invalidate(void *data, int32_t x, int32_t y, int32_t w, int32_t h)
{
    struct sc_window *win = data;
    cairo_rectangle_int_t rc = { x, y, w, h };

    if (w <= 0 || h <= 0)
        return;
    cairo_region_union_rectangle(win->damage, &rc);
    redraw(win);
}

static void cb_mark(void *data)
{
    struct sc_window *win = data;

    sc_debug("first picture");
    redraw(win);
}

static bool cb_video_frame(void *data, const struct sc_decoded_frame *frame, int32_t x, int32_t y,
                           int32_t w, int32_t h)
{
    struct sc_window *win = data;
    bool taken;

    if (!win->renderer || !win->renderer->impl->video_frame ||
        !make_current(win))
        return false;
    sync_renderer(win); /* canvas damage first: it would hide the frame */
    taken = win->renderer->impl->video_frame(win->renderer, frame, x, y, w, h);
    if (taken != win->video_taken || !win->video_told) {
        sc_info("video: %s", taken ? "frames drawn by the renderer (YUV shader)"
                                   : "frames composed by the client");
        win->video_taken = taken;
        win->video_told = true;
    }
    if (taken)
        redraw(win);
    return taken;
}

static void cb_gl_scanout(void *data, int fd, uint32_t width, uint32_t height, uint32_t stride,
                          uint32_t fourcc, bool top_down)
{
    struct sc_window *win = data;

    if (win->scanout_fd >= 0)
        close(win->scanout_fd);
    drop_planes(win); /* superseded */
    win->scanout_fd = fd >= 0 ? dup(fd) : -1;
    if (fd >= 0 && win->scanout_fd < 0)
        sc_warn("scanout: dup: %s", g_strerror(errno));
    win->sc_w = width, win->sc_h = height, win->sc_stride = stride, win->sc_fourcc = fourcc;
    win->sc_top_down = top_down;
    win->scanout_pending = true;
    sc_debug("scanout %ux%u stride %u %.4s", width, height, stride, (const char *)&fourcc);
    if (!win->sized && !win->full_screen && fd >= 0)
        cb_surface(win, width, height), win->surface_pending = false;
    redraw(win);
}

static void cb_gl_draw(void *data, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct sc_window *win = data;

    if (win->draw_pending) { /* one rectangle holding both */
        uint32_t x1 = MAX(x + w, win->draw_x + win->draw_w);
        uint32_t y1 = MAX(y + h, win->draw_y + win->draw_h);
        x = MIN(x, win->draw_x), y = MIN(y, win->draw_y);
        w = x1 - x, h = y1 - y;
    }
    win->draw_x = x, win->draw_y = y, win->draw_w = w, win->draw_h = h;
    win->draw_pending = true;
    if (win->draw_done_owed) /* two draws before one frame: answer the older */
        sc_client_head_gl_draw_done(win->client, win->head);
    win->draw_done_owed = true;
    if (!win->renderer || !gtk_widget_get_mapped(win->area)) {
        answer_draw(win); /* nothing will draw: do not hold the server */
        return;
    }
    redraw(win);
}

static void cb_cursor(void *data, uint32_t w, uint32_t h, uint32_t hot_x, uint32_t hot_y,
                      const uint8_t *pixels)
{
    struct sc_window *win = data;
    GdkWindow *gw = win->area ? gtk_widget_get_window(win->area) : NULL;
    cairo_surface_t *s;
    GdkCursor *cursor;

    if (!gw || !w || !h || w > 512 || h > 512)
        return;
    s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)w, (int)h);
    cairo_surface_flush(s);
    for (uint32_t y = 0; y < h; y++)
        memcpy(cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s),
               pixels + (size_t)y * w * 4, (size_t)w * 4);
    cairo_surface_mark_dirty(s);
    cursor = gdk_cursor_new_from_surface(gdk_window_get_display(gw), s, hot_x, hot_y);
    gdk_window_set_cursor(gw, cursor);
    g_object_unref(cursor);
    cairo_surface_destroy(s);
}

static void cb_closed(void *data, const GError *error)
{
    struct sc_window *win = data;
    const char *why = error ? error->message : _("The server closed the connection.");

    if (win->closed)
        return;
    fprintf(stderr, "viewer: %s: %s\n", _("disconnected"), why);
    sc_window_ui_closed(win, why);
}

/* GL_SCANOUT2 (planes, offsets, a modifier): imported through EGL by the GL
 * renderer where it can; the cairo renderer does not show it. */
static void cb_gl_scanout2(void *data, const struct sc_client_scanout *s)
{
    struct sc_window *win = data;

    drop_planes(win);
    win->planes = *s;
    for (unsigned i = 0; i < s->n_planes; i++)
        win->planes.fds[i] = fcntl(s->fds[i], F_DUPFD_CLOEXEC, 0);
    win->planes_pending = true;
    if (win->scanout_fd >= 0) /* a GL_SCANOUT_UNIX not shown yet: superseded */
        close(win->scanout_fd);
    win->scanout_fd = -1;
    win->scanout_pending = false;
    if (!win->sized && !win->full_screen)
        cb_surface(win, s->width, s->height), win->surface_pending = false;
    redraw(win);
}

static void cb_head(void *data, unsigned head);

static const struct sc_client_callbacks callbacks = {
    .surface = cb_surface,
    .invalidate = cb_invalidate,
    .mark = cb_mark,
    .video_frame = cb_video_frame,
    .gl_scanout = cb_gl_scanout,
    .gl_scanout2 = cb_gl_scanout2,
    .gl_draw = cb_gl_draw,
    .cursor = cb_cursor,
    .closed = cb_closed,
    .head = cb_head,
};

/* The server offers head N: a window of its own, as remote-viewer opens
 * one per display channel ("TITLE (N+1)"). */
static void cb_head(void *data, unsigned head)
{
    struct sc_window *win = data, *hw;
    struct sc_window_options o = win->opts;
    g_autofree char *title = NULL;

    if (head >= G_N_ELEMENTS(win->heads) || win->heads[head] || win->owner)
        return;
    title = g_strdup_printf("%s (%u)", win->title, head + 1);
    o.title = title;
    o.uri = win->uri;
    o.renderer = win->force;
    o.full_screen = false;
    hw = sc_window_new(&o);
    hw->head = head;
    hw->owner = win;
    hw->client = win->client;
    hw->stats_on = false;
    win->heads[head] = hw;
    if (!sc_client_show_head(win->client, head, &callbacks, hw))
        sc_warn("viewer: head %u cannot be shown", head);
    sc_window_ui_heads_changed(win); /* View > Displays */
}

void sc_window_close_heads(struct sc_window *win)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(win->heads); i++) {
        if (!win->heads[i])
            continue;
        win->heads[i]->client = NULL; /* the owner's */
        sc_window_free(win->heads[i]);
        win->heads[i] = NULL;
    }
}

const struct sc_client_callbacks *sc_window_callbacks(void)
{
    return &callbacks;
}

/* ---- input ----------------------------------------------------------- */

void sc_window_send_key(struct sc_window *win, uint32_t scancode, bool down)
{
    bool was = win->keys_down[scancode / 8] & (1u << (scancode % 8));

    if (!down && !was)
        return;
    if (down)
        win->keys_down[scancode / 8] |= (uint8_t)(1u << (scancode % 8));
    else
        win->keys_down[scancode / 8] &= (uint8_t)~(1u << (scancode % 8));
    sc_debug("key %x %s", scancode, down ? "down" : "up");
    if (win->client)
        sc_client_key(win->client, scancode, down);
}

static gboolean on_key(GtkWidget *widget, GdkEventKey *ev, gpointer data)
{
    struct sc_window *win = data;
    uint32_t sc = sc_keymap_xkb_to_set1(ev->hardware_keycode);

    (void)widget;
    if (sc_window_ui_key(win, ev))
        return TRUE;
    if (!sc || sc >= 512) {
        sc_debug("key: keycode %u has no scancode", ev->hardware_keycode);
        return TRUE;
    }
    sc_window_send_key(win, sc, ev->type == GDK_KEY_PRESS);
    return TRUE;
}

static gboolean on_focus_out(GtkWidget *widget, GdkEventFocus *ev, gpointer data)
{
    (void)widget, (void)ev;
    sc_window_release_keys(data);
    return FALSE;
}

void sc_window_release_keys(struct sc_window *win)
{
    for (uint32_t sc = 0; sc < 512; sc++)
        sc_window_send_key(win, sc, false); /* release what the server thinks is held */
}

/* widget (logical) coordinates to surface pixels, clamped */
static void to_surface(struct sc_window *win, double wx, double wy, int32_t *sx, int32_t *sy)
{
    const struct sc_viewport *vp = &win->vp;
    uint32_t w = win->renderer ? win->renderer->width : 0;
    uint32_t h = win->renderer ? win->renderer->height : 0;
    double x, y;

    *sx = *sy = 0;
    if (!w || !h || !vp->width || !vp->height)
        return;
    x = (wx * win->vp_unit - vp->x) * w / vp->width;
    y = (wy * win->vp_unit - vp->y) * h / vp->height;
    *sx = (int32_t)CLAMP(x, 0, (double)w - 1);
    *sy = (int32_t)CLAMP(y, 0, (double)h - 1);
}

static void send_pointer(struct sc_window *win, double wx, double wy)
{
    int32_t x, y;

    to_surface(win, wx, wy, &x, &y);
    if (win->client && win->renderer && win->renderer->width)
        sc_client_head_pointer(win->client, win->head, x, y, win->buttons);
}

static gboolean on_motion(GtkWidget *widget, GdkEventMotion *ev, gpointer data)
{
    (void)widget;
    send_pointer(data, ev->x, ev->y);
    return TRUE;
}

static uint32_t button_mask(guint button)
{
    switch (button) {
    case 1: return SPICE_MOUSE_BUTTON_MASK_LEFT;
    case 2: return SPICE_MOUSE_BUTTON_MASK_MIDDLE;
    case 3: return SPICE_MOUSE_BUTTON_MASK_RIGHT;
    case 8: return SPICE_MOUSE_BUTTON_MASK_SIDE;
    case 9: return SPICE_MOUSE_BUTTON_MASK_EXTRA;
    default: return 0;
    }
}

static gboolean on_button(GtkWidget *widget, GdkEventButton *ev, gpointer data)
{
    struct sc_window *win = data;
    uint32_t m = button_mask(ev->button);

    gtk_widget_grab_focus(widget);
    if (ev->type == GDK_BUTTON_PRESS)
        sc_window_ui_pointer_pressed(win);
    if (ev->type == GDK_BUTTON_PRESS)
        win->buttons |= m;
    else if (ev->type == GDK_BUTTON_RELEASE)
        win->buttons &= ~m;
    else
        return TRUE; /* double/triple click: the presses came already */
    send_pointer(win, ev->x, ev->y);
    return TRUE;
}

static gboolean on_scroll(GtkWidget *widget, GdkEventScroll *ev, gpointer data)
{
    struct sc_window *win = data;
    uint32_t m;

    (void)widget;
    if (ev->direction == GDK_SCROLL_UP)
        m = SPICE_MOUSE_BUTTON_MASK_UP;
    else if (ev->direction == GDK_SCROLL_DOWN)
        m = SPICE_MOUSE_BUTTON_MASK_DOWN;
    else
        return TRUE;
    win->buttons |= m; /* a wheel step: press and release */
    send_pointer(win, ev->x, ev->y);
    win->buttons &= ~m;
    send_pointer(win, ev->x, ev->y);
    return TRUE;
}

/* --auto-resize: the server is asked for each head's display area's size */
static void on_size_allocate(GtkWidget *area, GdkRectangle *a, gpointer data)
{
    struct sc_window *win = data;
    int s = gtk_widget_get_scale_factor(area);

    if (win->opts.auto_resize && win->client && a->width > 1 && a->height > 1 &&
        gtk_widget_get_visible(win->window))
        sc_client_request_head_size(win->client, win->head, (uint32_t)(a->width * s),
                                    (uint32_t)(a->height * s));
}

static void connect_input(struct sc_window *win, GtkWidget *area)
{
    g_signal_connect(area, "size-allocate", G_CALLBACK(on_size_allocate), win);
    gtk_widget_add_events(area, GDK_POINTER_MOTION_MASK | GDK_BUTTON_PRESS_MASK |
                                    GDK_BUTTON_RELEASE_MASK | GDK_SCROLL_MASK |
                                    GDK_KEY_PRESS_MASK | GDK_KEY_RELEASE_MASK |
                                    GDK_FOCUS_CHANGE_MASK);
    g_signal_connect(area, "motion-notify-event", G_CALLBACK(on_motion), win);
    g_signal_connect(area, "button-press-event", G_CALLBACK(on_button), win);
    g_signal_connect(area, "button-release-event", G_CALLBACK(on_button), win);
    g_signal_connect(area, "scroll-event", G_CALLBACK(on_scroll), win);
}

/* ---- the window ------------------------------------------------------ */

static gboolean on_delete(GtkWidget *widget, GdkEvent *ev, gpointer data)
{
    struct sc_window *win = data;

    (void)widget, (void)ev;
    /* hidden while another head's window is shown (View > Displays opens
     * it again); the last one: the user closed the viewer, a normal end */
    sc_window_ui_set_visible(win, false);
    return TRUE;
}

static gboolean choose_renderer(gpointer data)
{
    struct sc_window *win = data;

    if (win->force && !strcmp(win->force, "cairo")) {
        sc_info("renderer: cairo asked for");
        use_cairo(win);
    } else {
        use_gl(win); /* falls back to cairo from its realize handler */
    }
    return G_SOURCE_REMOVE;
}

struct sc_window *sc_window_new(const struct sc_window_options *options)
{
    struct sc_window *win = g_new0(struct sc_window, 1);
    const char *env = g_getenv("SPICECAST_RENDERER");

    win->opts = *options;
    win->opts.title = win->opts.uri = win->opts.renderer = win->opts.hotkeys = NULL;
    win->uri = g_strdup(options->uri);
    win->force = g_strdup(options->renderer ? options->renderer : (env && *env ? env : NULL));
    win->full_screen = options->full_screen;
    win->zoom = options->zoom;
    win->scanout_fd = -1;
    win->vp_unit = 1;
    win->damage = cairo_region_create();
    win->window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    win->title = options->title ? g_strdup(options->title)
                                : g_strdup_printf(_("%s - spicecast viewer"), options->uri);
    gtk_window_set_title(GTK_WINDOW(win->window), win->title);
    gtk_window_set_default_size(GTK_WINDOW(win->window), 1024, 768);
    g_signal_connect(win->window, "delete-event", G_CALLBACK(on_delete), win);
    g_signal_connect(win->window, "key-press-event", G_CALLBACK(on_key), win);
    g_signal_connect(win->window, "key-release-event", G_CALLBACK(on_key), win);
    g_signal_connect(win->window, "focus-out-event", G_CALLBACK(on_focus_out), win);
    sc_hotkeys_init_defaults(&win->hotkeys);
    if (options->hotkeys)
        sc_hotkeys_apply(&win->hotkeys, options->hotkeys);
    sc_window_ui_build(win); /* menus; full screen if asked */
    choose_renderer(win);
    gtk_widget_show(win->window);
    sc_window_ui_heads_changed(win); /* View > Displays: this window */
    return win;
}

bool sc_window_connect(struct sc_window *win, GError **error)
{
    struct sc_client *c;

    if (win->owner) /* another head's window: the owner's session */
        return sc_window_connect(win->owner, error);
    c = win->opts.connect(win->opts.connect_data, win, error);

    if (!c)
        return false;
    win->client = c;
    sc_client_set_live_stats(c, win->stats_on); /* the overlay's figures */
    win->closed = false;
    win->exit_status = 0;
    sc_client_connect(c);
    return true;
}

int sc_window_exit_status(const struct sc_window *win)
{
    return win->exit_status;
}

void sc_window_free(struct sc_window *win)
{
    if (!win)
        return;
    sc_window_close_heads(win);
    if (!win->owner)
        sc_client_free(win->client);
    win->client = NULL;
    sc_window_ui_free(win);
    if (win->window)
        gtk_widget_destroy(win->window); /* unrealize: the GL renderer goes */
    if (win->renderer && !win->is_gl)
        win->renderer->impl->destroy(win->renderer);
    if (win->scanout_fd >= 0)
        close(win->scanout_fd);
    drop_planes(win);
    cairo_region_destroy(win->damage);
    sc_hotkeys_clear(&win->hotkeys);
    g_free(win->title);
    g_free(win->uri);
    g_free(win->force);
    g_free(win);
}
