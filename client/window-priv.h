/* The viewer window's insides, shared by window.c (renderer, client
 * callbacks, input) and window-ui.c (menus, hotkeys, zoom, grab,
 * reconnect): not for other files. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <gtk/gtk.h>

#include "client/hotkeys.h"
#include "client/renderer.h"
#include "client/window.h"

struct sc_window {
    GtkWidget *window;
    GtkWidget *area; /* GtkGLArea or GtkDrawingArea */
    bool is_gl;
    char *uri;
    char *force;
    struct sc_client *client;
    struct sc_renderer *renderer;
    int exit_status;
    bool closed;
    bool sized; /* the window was sized to the first surface */
    bool full_screen;
    /* pending for the renderer */
    uint32_t surface_w, surface_h;
    bool surface_pending;
    cairo_region_t *damage;
    int scanout_fd; /* dup of the client's, until handed over */
    uint32_t sc_w, sc_h, sc_stride, sc_fourcc;
    bool sc_top_down, scanout_pending, scanout_on;
    struct sc_client_scanout planes; /* GL_SCANOUT2: fds dup'ed, until handed over */
    bool planes_pending;
    bool draw_pending, draw_done_owed;
    bool video_taken, video_told;
    uint32_t draw_x, draw_y, draw_w, draw_h;
    /* input */
    struct sc_viewport vp;
    double vp_unit; /* drawable units per logical pixel (GL: scale factor) */
    uint32_t buttons;
    uint8_t keys_down[512 / 8];
    /* the remote-viewer side (window-ui.c) */
    struct sc_window_options opts; /* strings not kept: see below */
    GtkWidget *box, *menubar;
    struct sc_hotkeys hotkeys;
    guint hotkey_keyval; /* a hotkey's key is down: its release is ours too */
    int zoom;            /* percent of the guest size; 0: fitted to the screen */
    bool grabbed;        /* pointer and keyboard grabbed (server mouse mode) */
    char *title;
    guint reconnect_id;
    /* the stats overlay (window-stats.c) */
    GtkWidget *overlay;     /* GtkOverlay: area, then stats_area over it */
    GtkWidget *stats_area, *stats_item;
    bool stats_on;
    guint stats_timer;
    struct sc_window_stats *stats; /* figures and history; NULL while off */
    /* heads (one window per display channel, as remote-viewer): head 0's
     * window owns the client; head N's shows display channel N of it
     * (sc_client_show_head) and goes when the client goes */
    unsigned head;
    struct sc_window *owner;     /* head N > 0: head 0's window */
    struct sc_window *heads[SC_CLIENT_MAX_HEADS]; /* head 0's: the others' windows */
    GtkWidget *displays_menu;    /* View > Displays: "Display N" per head */
    bool displays_syncing;       /* its check items set from the windows */
};


/* window.c */
/* Closes the other heads' windows (before their client goes). */
void sc_window_close_heads(struct sc_window *win);
void sc_window_send_key(struct sc_window *win, uint32_t scancode, bool down);
void sc_window_release_keys(struct sc_window *win);
/* window-ui.c */
void sc_window_ui_build(struct sc_window *win);
void sc_window_ui_free(struct sc_window *win);
/* a key event: true if it was a hotkey (then it is not sent) */
bool sc_window_ui_key(struct sc_window *win, GdkEventKey *ev);
/* the first surface of a connection: size the window (zoom or fit) */
void sc_window_ui_first_surface(struct sc_window *win, uint32_t w, uint32_t h);
/* a button press on the display: grab the pointer in server mouse mode */
void sc_window_ui_pointer_pressed(struct sc_window *win);
/* Shows or hides head win->head's window (View > Displays, closing it):
 * hiding the last one shown ends the viewer, as closing it; with
 * --auto-resize a hidden head is asked for as a disabled monitor. */
void sc_window_ui_set_visible(struct sc_window *win, bool visible);
/* The heads changed: every window's Displays menu lists them again. */
void sc_window_ui_heads_changed(struct sc_window *win);
/* the connection ended: true if the UI took it (reconnecting) */
bool sc_window_ui_closed(struct sc_window *win, const char *why);
/* window-stats.c: the stats overlay (issue 9 item 5) */
void sc_window_stats_build(struct sc_window *win);
/* shows or hides it (the View menu's check item follows); hidden, nothing
 * runs: no timer, no drawing, the engine records nothing */
void sc_window_stats_show(struct sc_window *win, bool on);
void sc_window_stats_free(struct sc_window *win);
