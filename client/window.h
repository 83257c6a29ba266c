/* The viewer window: a GtkWindow holding a menu bar and the renderer's
 * widget (GtkGLArea or GtkDrawingArea), fed by the client's callbacks,
 * sending keys and the pointer back to it.  As remote-viewer: its hotkeys
 * (--hotkeys), Send key, full screen, zoom, pointer grab in server mouse
 * mode, reconnect. */
#pragma once
#include <stdbool.h>

#include <glib.h>

#include "client/client.h"

struct sc_window;

struct sc_window_options {
    const char *title;    /* NULL: the URI and the program name */
    const char *uri;      /* shown in the title */
    bool full_screen;
    const char *renderer; /* "gl", "cairo" or NULL (try GL, then cairo) */
    const char *hotkeys;  /* remote-viewer's --hotkeys string; NULL: its defaults */
    int zoom;             /* percent (10..400) of the guest's size; 0: fit the screen */
    bool reconnect;       /* reconnect by itself when the connection ends */
    bool auto_resize;     /* ask the server for the display area's size */
    /* Makes a client with sc_window_callbacks() and the window as data
     * (not yet connected): at start and at each reconnect.  NULL + error. */
    struct sc_client *(*connect)(void *data, struct sc_window *win, GError **error);
    void *connect_data;
};

struct sc_window *sc_window_new(const struct sc_window_options *options);
/* frees the client too */
void sc_window_free(struct sc_window *win);
/* The callbacks to give sc_client_new() with the window as data. */
const struct sc_client_callbacks *sc_window_callbacks(void);
/* Makes a client through options->connect and connects it. */
bool sc_window_connect(struct sc_window *win, GError **error);
/* 0 while connected or after a normal end; non-zero once the connection
 * failed or ended on the server's side. */
int sc_window_exit_status(const struct sc_window *win);
