/* A display (server/display.c): one head of the source, its latest frame,
 * cursor, pointer and video streams, published to listeners.  The server
 * has one display per head; display channel N and cursor channel N show
 * display N (spice-server's model: channel id = head). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "common/frame.h"
#include "server/sources/source.h"

struct sc_server;
struct sc_display;
struct sc_streams;

/* Head `head`'s display, with its own streams (motion detection and
 * encoder groups: sc_streams_new's arguments); NULL + error if those are
 * bad. */
struct sc_display *sc_display_new(struct sc_server *server, unsigned head,
                                  const char *streaming_video, const char *video_codecs,
                                  uint32_t video_bitrate, GError **error);
void sc_display_free(struct sc_display *display);
/* Shows head `head` of source (NULL: none); the server starts and stops
 * the source, the display only listens to its head. */
void sc_display_set_source(struct sc_display *display, struct sc_source *source);
unsigned sc_display_head(const struct sc_display *display);
struct sc_streams *sc_display_streams(struct sc_display *display);
/* Latest frame (no reference taken) or NULL. */
struct sc_frame *sc_display_get_frame(struct sc_display *display);
/* What the display publishes, to whoever listens: the display channel
 * clients, the cursor channel clients, the streams' motion detection.
 * Listeners are called in the order they were added; any member may be
 * NULL.  The listener's memory is the caller's until removed. */
struct sc_display_listener {
    /* a new current frame (its damage in frame->damage) */
    void (*frame)(struct sc_frame *frame, void *data);
    /* a new cursor shape (pixels valid during the call) */
    void (*cursor)(const struct sc_cursor_shape *shape, void *data);
    /* the pointer moved (clamped to the screen) */
    void (*pointer)(int32_t x, int32_t y, void *data);
    void *data;
};
void sc_display_add_listener(struct sc_display *display, const struct sc_display_listener *l);
void sc_display_remove_listener(struct sc_display *display, const struct sc_display_listener *l);
/* Cursor state for new cursor channels. */
bool sc_display_get_cursor(struct sc_display *display, struct sc_cursor_shape *shape,
                           int32_t *x, int32_t *y);
/* Input from a client, forwarded to the source; pointer also moves cursors. */
void sc_display_key(struct sc_display *display, const uint8_t *scancode, unsigned len, bool down);
/* Whether the source can follow the client's window size (logged once if
 * not), and asking it to. */
bool sc_display_can_resize(struct sc_display *display);
bool sc_display_resize(struct sc_display *display, uint32_t width, uint32_t height);
void sc_display_pointer(struct sc_display *display, int32_t x, int32_t y, uint32_t buttons);
void sc_display_pointer_relative(struct sc_display *display, int32_t dx, int32_t dy,
                                 uint32_t buttons);
