/* The viewer window: a GtkWindow holding the renderer's widget (GtkGLArea
 * or GtkDrawingArea), fed by the client's callbacks, sending keys and the
 * pointer back to it. */
#pragma once
#include <stdbool.h>

#include "client/client.h"

struct sc_window;

struct sc_window_options {
    const char *title;    /* NULL: the URI and the program name */
    const char *uri;      /* shown in the title */
    bool full_screen;
    const char *renderer; /* "gl", "cairo" or NULL (try GL, then cairo) */
};

struct sc_window *sc_window_new(const struct sc_window_options *options);
void sc_window_free(struct sc_window *win);
/* The callbacks to give sc_client_new() with the window as data. */
const struct sc_client_callbacks *sc_window_callbacks(void);
void sc_window_set_client(struct sc_window *win, struct sc_client *client);
/* 0 while connected; non-zero once the connection ended or the window closed. */
int sc_window_exit_status(const struct sc_window *win);
