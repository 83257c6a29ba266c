/* The viewer window as remote-viewer users know it: a menu bar (File:
 * Reconnect, Disconnect; View: Full screen, Zoom in/out/1:1/fit; Send
 * key: Ctrl+Alt+Del, Ctrl+Alt+Backspace, Ctrl+Alt+F1..F12, PrintScreen),
 * remote-viewer's hotkeys, zoom as a percentage of the guest's size
 * (10..400, steps of 10, as virt-viewer), the pointer grabbed in server
 * mouse mode with "(Press Shift+F12 to release pointer)" in the title,
 * and reconnecting. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "client/window-priv.h"
#include "common/log.h"

#define ZOOM_MIN 10
#define ZOOM_MAX 400
#define ZOOM_STEP 10

/* PC set-1 scancodes (E0 keys as 0x100 | code) */
#define K_CTRL 0x1d
#define K_ALT 0x38
#define K_BACKSPACE 0x0e
#define K_DELETE 0x153
#define K_PRINT 0x137

/* ---- sending keys ----------------------------------------------------- */

static void send_combo(struct sc_window *win, const uint32_t *codes, size_t n)
{
    if (!win->client)
        return;
    for (size_t i = 0; i < n; i++)
        sc_client_key(win->client, codes[i], true);
    for (size_t i = n; i-- > 0;)
        sc_client_key(win->client, codes[i], false);
    sc_debug("sent %zu-key combination", n);
}

static void send_ctrl_alt(struct sc_window *win, uint32_t key)
{
    uint32_t codes[] = { K_CTRL, K_ALT, key };
    send_combo(win, codes, G_N_ELEMENTS(codes));
}

/* F1..F12 */
static uint32_t fkey(int n)
{
    return n <= 10 ? 0x3b + (uint32_t)(n - 1) : 0x57 + (uint32_t)(n - 11);
}

/* ---- full screen, zoom -------------------------------------------------- */

static int menubar_height(struct sc_window *win)
{
    int nat = 0;

    if (win->menubar && gtk_widget_get_visible(win->menubar))
        gtk_widget_get_preferred_height(win->menubar, NULL, &nat);
    return nat;
}

static bool guest_size(struct sc_window *win, uint32_t *w, uint32_t *h)
{
    *w = win->scanout_on ? win->sc_w : win->surface_w;
    *h = win->scanout_on ? win->sc_h : win->surface_h;
    return *w && *h;
}

static void resize_display(struct sc_window *win, int w, int h)
{
    gtk_window_resize(GTK_WINDOW(win->window), MAX(w, 1), MAX(h, 1) + menubar_height(win));
}

static void apply_zoom(struct sc_window *win)
{
    uint32_t w, h;

    if (win->full_screen || !guest_size(win, &w, &h))
        return;
    sc_info("zoom %d%%: %ux%u", win->zoom, w * (uint32_t)win->zoom / 100,
            h * (uint32_t)win->zoom / 100);
    resize_display(win, (int)(w * (uint32_t)win->zoom / 100), (int)(h * (uint32_t)win->zoom / 100));
}

/* the largest size keeping the aspect within 90% of the work area */
static void zoom_fit(struct sc_window *win)
{
    GdkRectangle geo = { 0, 0, 1280, 800 };
    GdkMonitor *mon = gdk_display_get_primary_monitor(gdk_display_get_default());
    struct sc_viewport vp;
    uint32_t w, h;

    if (win->full_screen || !guest_size(win, &w, &h))
        return;
    if (mon)
        gdk_monitor_get_workarea(mon, &geo);
    geo.height -= menubar_height(win);
    vp.width = (int)w, vp.height = (int)h;
    if ((int)w > geo.width * 9 / 10 || (int)h > geo.height * 9 / 10)
        sc_viewport_fit(&vp, geo.width * 9 / 10, geo.height * 9 / 10, w, h);
    win->zoom = 0;
    sc_info("zoom to fit: %dx%d", vp.width, vp.height);
    resize_display(win, vp.width, vp.height);
}

/* the zoom shown now, in percent (after a fit or a user resize) */
static int current_zoom(struct sc_window *win)
{
    uint32_t w, h;

    if (win->zoom)
        return win->zoom;
    if (!guest_size(win, &w, &h) || !win->vp.width)
        return 100;
    return (int)((double)win->vp.width / win->vp_unit * 100 / w + 0.5);
}

static void zoom_by(struct sc_window *win, int step)
{
    int z = step ? current_zoom(win) : 100;

    if (step > 0)
        z = MIN(ZOOM_MAX, (z / ZOOM_STEP + 1) * ZOOM_STEP);
    else if (step < 0)
        z = MAX(ZOOM_MIN, ((z + ZOOM_STEP - 1) / ZOOM_STEP - 1) * ZOOM_STEP);
    win->zoom = z;
    apply_zoom(win);
}

static void set_full_screen(struct sc_window *win, bool on)
{
    GdkMonitor *mon = gdk_display_get_primary_monitor(gdk_display_get_default());
    GdkRectangle geo;

    win->full_screen = on;
    sc_info("full screen %s", on ? "on" : "off");
    if (on) {
        gtk_widget_hide(win->menubar);
        /* the monitor's size too: without a window manager nothing else happens */
        if (mon) {
            gdk_monitor_get_geometry(mon, &geo);
            gtk_window_move(GTK_WINDOW(win->window), geo.x, geo.y);
            if (gtk_widget_get_realized(win->window))
                gtk_window_resize(GTK_WINDOW(win->window), geo.width, geo.height);
            else
                gtk_window_set_default_size(GTK_WINDOW(win->window), geo.width, geo.height);
        }
        gtk_window_set_decorated(GTK_WINDOW(win->window), FALSE);
        gtk_window_fullscreen(GTK_WINDOW(win->window));
        return;
    }
    gtk_window_unfullscreen(GTK_WINDOW(win->window));
    gtk_window_set_decorated(GTK_WINDOW(win->window), TRUE);
    gtk_widget_show(win->menubar);
    if (win->zoom)
        apply_zoom(win);
    else
        zoom_fit(win);
}

void sc_window_ui_first_surface(struct sc_window *win, uint32_t w, uint32_t h)
{
    (void)w, (void)h; /* guest_size() has them */
    if (win->zoom)
        apply_zoom(win);
    else
        zoom_fit(win);
}

/* ---- pointer grab ------------------------------------------------------ */

static void set_grab_title(struct sc_window *win)
{
    g_autofree char *key = NULL, *title = NULL;
    const char *accel = win->hotkeys.accels[SC_HOTKEY_RELEASE_CURSOR][0];
    guint k = 0;
    GdkModifierType m = 0;

    if (!win->grabbed) {
        gtk_window_set_title(GTK_WINDOW(win->window), win->title);
        return;
    }
    if (accel)
        gtk_accelerator_parse(accel, &k, &m);
    key = k ? gtk_accelerator_get_label(k, m) : g_strdup(_("the release-cursor hotkey"));
    title = g_strdup_printf(_("(Press %s to release pointer) %s"), key, win->title);
    gtk_window_set_title(GTK_WINDOW(win->window), title);
}

static void ungrab(struct sc_window *win)
{
    GdkSeat *seat = gdk_display_get_default_seat(gdk_display_get_default());

    if (!win->grabbed)
        return;
    gdk_seat_ungrab(seat);
    win->grabbed = false;
    sc_info("pointer released");
    set_grab_title(win);
}

void sc_window_ui_pointer_pressed(struct sc_window *win)
{
    GdkSeat *seat = gdk_display_get_default_seat(gdk_display_get_default());
    GdkWindow *gw = win->area ? gtk_widget_get_window(win->area) : NULL;
    g_autoptr(GdkCursor) blank = NULL;

    if (win->grabbed || !gw || !win->client || !sc_client_server_mouse(win->client))
        return;
    blank = gdk_cursor_new_for_display(gdk_display_get_default(), GDK_BLANK_CURSOR);
    /* the keyboard with it, as remote-viewer: Alt+Tab, Super... go to the
     * guest, not to the desktop, until the release-cursor hotkey */
    if (gdk_seat_grab(seat, gw, GDK_SEAT_CAPABILITY_ALL, TRUE, blank, NULL, NULL, NULL) !=
        GDK_GRAB_SUCCESS) {
        sc_warn("pointer and keyboard grab failed");
        return;
    }
    win->grabbed = true;
    sc_info("pointer grabbed (server mouse mode), the keyboard too");
    set_grab_title(win);
}

/* ---- hotkeys ------------------------------------------------------------ */

static void run_hotkey(struct sc_window *win, enum sc_hotkey k)
{
    sc_info("hotkey %s", sc_hotkey_name(k));
    switch (k) {
    case SC_HOTKEY_TOGGLE_FULLSCREEN: set_full_screen(win, !win->full_screen); break;
    case SC_HOTKEY_RELEASE_CURSOR: ungrab(win); break;
    case SC_HOTKEY_SECURE_ATTENTION: send_ctrl_alt(win, K_DELETE); break;
    case SC_HOTKEY_ZOOM_IN: zoom_by(win, 1); break;
    case SC_HOTKEY_ZOOM_OUT: zoom_by(win, -1); break;
    case SC_HOTKEY_ZOOM_RESET: zoom_by(win, 0); break;
    case SC_HOTKEY_TOGGLE_STATS: sc_window_stats_show(win, !win->stats_on); break;
    default: break;
    }
}

/* the modifiers of a key event that did not choose its keyval: Ctrl+plus
 * typed as Ctrl+Shift+= is Ctrl (as GTK matches accelerators) */
static GdkModifierType event_mods(GdkEventKey *ev)
{
    GdkKeymap *km = gdk_keymap_get_for_display(gdk_display_get_default());
    GdkModifierType consumed = 0;

    if (!gdk_keymap_translate_keyboard_state(km, ev->hardware_keycode, ev->state, ev->group,
                                             NULL, NULL, NULL, &consumed))
        consumed = 0;
    return ev->state & ~consumed & gtk_accelerator_get_default_mod_mask();
}

bool sc_window_ui_key(struct sc_window *win, GdkEventKey *ev)
{
    guint kv = gdk_keyval_to_lower(ev->keyval);
    GdkModifierType state = event_mods(ev);

    if (ev->type == GDK_KEY_RELEASE) {
        if (!win->hotkey_keyval || kv != win->hotkey_keyval)
            return false;
        win->hotkey_keyval = 0; /* the hotkey's own release */
        return true;
    }
    for (int k = 0; k < SC_HOTKEY_COUNT; k++) {
        for (int i = 0; win->hotkeys.accels[k][i]; i++) {
            guint key = 0;
            GdkModifierType mods = 0;

            gtk_accelerator_parse(win->hotkeys.accels[k][i], &key, &mods);
            if (!key || gdk_keyval_to_lower(key) != kv || mods != state)
                continue;
            win->hotkey_keyval = kv;
            run_hotkey(win, (enum sc_hotkey)k);
            return true;
        }
    }
    return false;
}

/* ---- reconnecting, the end ---------------------------------------------- */

static gboolean reconnect_now(gpointer data)
{
    struct sc_window *win = data;
    g_autoptr(GError) error = NULL;

    win->reconnect_id = 0;
    sc_window_close_heads(win);
    gtk_widget_show(win->window); /* head 0's, if it was closed */
    sc_window_ui_heads_changed(win);
    sc_client_free(win->client); /* not from inside its own callback */
    win->client = NULL;
    win->draw_pending = win->draw_done_owed = false;
    memset(win->keys_down, 0, sizeof(win->keys_down));
    sc_info("reconnecting to %s", win->uri);
    if (!sc_window_connect(win, &error)) {
        fprintf(stderr, "viewer: %s\n", error->message);
        win->exit_status = 1;
        gtk_main_quit();
    }
    return G_SOURCE_REMOVE;
}

static void schedule_reconnect(struct sc_window *win, guint ms)
{
    if (!win->reconnect_id)
        win->reconnect_id = g_timeout_add(ms, reconnect_now, win);
}

enum { RESPONSE_RECONNECT = 1 };

static void on_dialog_response(GtkDialog *dialog, int response, gpointer data)
{
    struct sc_window *win = data;

    gtk_widget_destroy(GTK_WIDGET(dialog));
    if (response == RESPONSE_RECONNECT)
        schedule_reconnect(win, 0);
    else
        gtk_main_quit();
}

bool sc_window_ui_closed(struct sc_window *win, const char *why)
{
    GtkWidget *dialog;

    win->closed = true;
    win->exit_status = 1;
    ungrab(win);
    gtk_widget_show(win->window); /* head 0's, if it was closed */
    if (win->opts.reconnect) {
        sc_info("connection ended (%s): reconnecting in 1 s", why);
        schedule_reconnect(win, 1000);
        return true;
    }
    dialog = gtk_message_dialog_new(GTK_WINDOW(win->window), GTK_DIALOG_MODAL, GTK_MESSAGE_ERROR,
                                    GTK_BUTTONS_NONE, "%s", _("Disconnected from the display"));
    gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "%s", why);
    gtk_dialog_add_buttons(GTK_DIALOG(dialog), _("_Reconnect"), RESPONSE_RECONNECT, _("_Close"),
                           GTK_RESPONSE_CLOSE, NULL);
    gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_CLOSE);
    g_signal_connect(dialog, "response", G_CALLBACK(on_dialog_response), win);
    gtk_widget_show(dialog);
    return true;
}

/* ---- menus -------------------------------------------------------------- */

static void on_reconnect(GtkMenuItem *item, gpointer data)
{
    struct sc_window *win = data;

    (void)item;
    win->closed = true; /* no dialog for the old connection */
    schedule_reconnect(win, 0);
}

static void on_disconnect(GtkMenuItem *item, gpointer data)
{
    struct sc_window *win = data;

    (void)item;
    sc_info("disconnect asked for");
    win->closed = true;
    win->exit_status = 0;
    gtk_main_quit();
}

static void on_full_screen(GtkMenuItem *i, gpointer d) { (void)i; run_hotkey(d, SC_HOTKEY_TOGGLE_FULLSCREEN); }
static void on_zoom_in(GtkMenuItem *i, gpointer d) { (void)i; run_hotkey(d, SC_HOTKEY_ZOOM_IN); }
static void on_zoom_out(GtkMenuItem *i, gpointer d) { (void)i; run_hotkey(d, SC_HOTKEY_ZOOM_OUT); }
static void on_zoom_reset(GtkMenuItem *i, gpointer d) { (void)i; run_hotkey(d, SC_HOTKEY_ZOOM_RESET); }
static void on_zoom_fit(GtkMenuItem *i, gpointer d) { (void)i; zoom_fit(d); }
static void on_stats(GtkCheckMenuItem *i, gpointer d)
{
    sc_window_stats_show(d, gtk_check_menu_item_get_active(i));
}
static void on_cad(GtkMenuItem *i, gpointer d) { (void)i; send_ctrl_alt(d, K_DELETE); }
static void on_cab(GtkMenuItem *i, gpointer d) { (void)i; send_ctrl_alt(d, K_BACKSPACE); }

static void on_print(GtkMenuItem *i, gpointer d)
{
    uint32_t code = K_PRINT;

    (void)i;
    send_combo(d, &code, 1);
}

static void on_ctrl_alt_f(GtkMenuItem *item, gpointer data)
{
    int n = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(item), "fkey"));
    send_ctrl_alt(data, fkey(n));
}

/* ---- heads: View > Displays, as remote-viewer's ------------------------- */

static struct sc_window *group_owner(struct sc_window *win)
{
    return win->owner ? win->owner : win;
}

/* head N's window of win's group; NULL if none */
static struct sc_window *head_window(struct sc_window *win, unsigned head)
{
    struct sc_window *o = group_owner(win);

    if (head == 0)
        return o;
    return head < G_N_ELEMENTS(o->heads) ? o->heads[head] : NULL;
}

static unsigned visible_windows(struct sc_window *win)
{
    unsigned n = 0;

    for (unsigned i = 0; i < G_N_ELEMENTS(win->heads); i++) {
        struct sc_window *w = head_window(win, i);

        n += w && w->window && gtk_widget_get_visible(w->window);
    }
    return n;
}

/* every window's check items follow the windows shown */
static void sync_displays(struct sc_window *win)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(win->heads); i++) {
        struct sc_window *w = head_window(win, i);
        g_autoptr(GList) items = NULL;

        if (!w || !w->displays_menu)
            continue;
        items = gtk_container_get_children(GTK_CONTAINER(w->displays_menu));
        w->displays_syncing = true;
        for (GList *l = items; l; l = l->next) {
            unsigned head = GPOINTER_TO_UINT(g_object_get_data(l->data, "head"));
            struct sc_window *hw = head_window(win, head);

            gtk_check_menu_item_set_active(l->data,
                                           hw && hw->window && gtk_widget_get_visible(hw->window));
        }
        w->displays_syncing = false;
    }
}

void sc_window_ui_set_visible(struct sc_window *win, bool visible)
{
    GtkAllocation a;
    int s;

    if (!visible && visible_windows(win) <= 1) { /* the last one: as closing it */
        group_owner(win)->closed = true;
        gtk_main_quit();
        return;
    }
    if (visible) {
        gtk_window_present(GTK_WINDOW(win->window));
    } else {
        gtk_widget_hide(win->window);
        sc_window_release_keys(win);
    }
    sync_displays(win);
    if (!win->opts.auto_resize || !win->client || !win->area)
        return;
    gtk_widget_get_allocation(win->area, &a);
    s = gtk_widget_get_scale_factor(win->area);
    if (!visible)
        sc_client_request_head_size(win->client, win->head, 0, 0);
    else if (a.width > 1 && a.height > 1)
        sc_client_request_head_size(win->client, win->head, (uint32_t)(a.width * s),
                                    (uint32_t)(a.height * s));
}

static void on_display_toggled(GtkCheckMenuItem *item, gpointer data)
{
    struct sc_window *win = data, *hw;

    if (win->displays_syncing)
        return;
    hw = head_window(win, GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(item), "head")));
    if (hw && gtk_check_menu_item_get_active(item) != gtk_widget_get_visible(hw->window))
        sc_window_ui_set_visible(hw, gtk_check_menu_item_get_active(item));
    sync_displays(win); /* refused (the last one): checked again */
}

static void destroy_widget(GtkWidget *widget, gpointer data)
{
    (void)data;
    gtk_widget_destroy(widget);
}

void sc_window_ui_heads_changed(struct sc_window *win)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(win->heads); i++) {
        struct sc_window *w = head_window(win, i);

        if (!w || !w->displays_menu)
            continue;
        gtk_container_foreach(GTK_CONTAINER(w->displays_menu), destroy_widget, NULL);
        for (unsigned h = 0; h < G_N_ELEMENTS(win->heads); h++) {
            g_autofree char *label = NULL;
            GtkWidget *item;

            if (!head_window(win, h))
                continue;
            label = g_strdup_printf(_("Display %u"), h + 1);
            item = gtk_check_menu_item_new_with_label(label);
            g_object_set_data(G_OBJECT(item), "head", GUINT_TO_POINTER(h));
            g_signal_connect(item, "toggled", G_CALLBACK(on_display_toggled), w);
            gtk_menu_shell_append(GTK_MENU_SHELL(w->displays_menu), item);
            gtk_widget_show(item);
        }
    }
    sync_displays(win);
}

static GtkWidget *add_item(GtkWidget *menu, const char *label, GCallback cb, void *data)
{
    GtkWidget *item = gtk_menu_item_new_with_mnemonic(label);

    g_signal_connect(item, "activate", cb, data);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
    return item;
}

static GtkWidget *add_menu(GtkWidget *bar, const char *label)
{
    GtkWidget *top = gtk_menu_item_new_with_mnemonic(label);
    GtkWidget *menu = gtk_menu_new();

    gtk_menu_item_set_submenu(GTK_MENU_ITEM(top), menu);
    gtk_menu_shell_append(GTK_MENU_SHELL(bar), top);
    return menu;
}

static void build_send_key(struct sc_window *win, GtkWidget *menu)
{
    add_item(menu, _("Ctrl+Alt+_Del"), G_CALLBACK(on_cad), win);
    add_item(menu, _("Ctrl+Alt+_Backspace"), G_CALLBACK(on_cab), win);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), gtk_separator_menu_item_new());
    for (int n = 1; n <= 12; n++) {
        g_autofree char *label = g_strdup_printf(_("Ctrl+Alt+F_%d"), n);
        GtkWidget *item = add_item(menu, label, G_CALLBACK(on_ctrl_alt_f), win);
        g_object_set_data(G_OBJECT(item), "fkey", GINT_TO_POINTER(n));
    }
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), gtk_separator_menu_item_new());
    add_item(menu, _("_PrintScreen"), G_CALLBACK(on_print), win);
}

void sc_window_ui_build(struct sc_window *win)
{
    GtkWidget *menu;

    win->box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
    gtk_container_add(GTK_CONTAINER(win->window), win->box);
    win->menubar = gtk_menu_bar_new();
    menu = add_menu(win->menubar, _("_File"));
    add_item(menu, _("_Reconnect"), G_CALLBACK(on_reconnect), win);
    add_item(menu, _("_Disconnect"), G_CALLBACK(on_disconnect), win);
    menu = add_menu(win->menubar, _("_View"));
    add_item(menu, _("_Full screen"), G_CALLBACK(on_full_screen), win);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), gtk_separator_menu_item_new());
    add_item(menu, _("Zoom _in"), G_CALLBACK(on_zoom_in), win);
    add_item(menu, _("Zoom _out"), G_CALLBACK(on_zoom_out), win);
    add_item(menu, _("_Normal size"), G_CALLBACK(on_zoom_reset), win);
    add_item(menu, _("Zoom to _fit"), G_CALLBACK(on_zoom_fit), win);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), gtk_separator_menu_item_new());
    win->stats_item = gtk_check_menu_item_new_with_mnemonic(_("S_tats"));
    g_signal_connect(win->stats_item, "toggled", G_CALLBACK(on_stats), win);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), win->stats_item);
    win->displays_menu = add_menu(menu, _("_Displays"));
    build_send_key(win, add_menu(win->menubar, _("_Send key")));
    gtk_box_pack_start(GTK_BOX(win->box), win->menubar, FALSE, FALSE, 0);
    win->overlay = gtk_overlay_new(); /* the display area and the stats over it */
    gtk_box_pack_end(GTK_BOX(win->box), win->overlay, TRUE, TRUE, 0);
    sc_window_stats_build(win);
    gtk_widget_show_all(win->box);
    if (win->full_screen)
        set_full_screen(win, true);
}

void sc_window_ui_free(struct sc_window *win)
{
    if (win->reconnect_id)
        g_source_remove(win->reconnect_id);
    win->reconnect_id = 0;
    ungrab(win);
    sc_window_stats_free(win);
}
