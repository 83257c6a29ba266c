/* A display: one head of the source, its latest frame, cursor and pointer,
 * published to its listeners (display channel clients, cursor channel
 * clients, its streams' motion detection).  It knows none of them: each
 * display client routes a frame itself (GL, video or lossless).  Frames are
 * referenced until replaced. */
#include "config.h"

#include <string.h>

#include "server/display.h"
#include "common/log.h"
#include "server/server-private.h"
#include "common/stats.h"
#include "server/stream.h"

struct sc_display {
    struct sc_server *server;
    unsigned head;
    struct sc_source *source;
    struct sc_streams *streams; /* its motion detection: the first listener */
    struct sc_frame *frame;
    GList *listeners; /* const struct sc_display_listener *, in order */
    struct sc_cursor_shape cursor;
    uint8_t *cursor_pixels;
    int32_t x, y;
    uint32_t buttons;
    bool resize_logged; /* "cannot resize" said once */
};

static void on_frame(struct sc_source *source, struct sc_frame *frame, void *data)
{
    struct sc_display *d = data;
    struct sc_frame *old = d->frame;
    bool first = false;

    (void)source;
    /* a frame emitted again keeps its first arrival: an encoder may be
     * working on it, and its stages are measured from that one */
    if (!frame->arrived_us) {
        first = true;
        frame->arrived_us = sc_stats_now_us();
    }
    d->frame = sc_frame_ref(frame);
    for (GList *l = d->listeners; l;) {
        const struct sc_display_listener *dl = l->data;
        l = l->next; /* a listener may remove itself */
        if (dl->frame)
            dl->frame(frame, dl->data);
    }
    /* after the frame went on: a record may write the second's stats lines */
    if (first && frame->time_us)
        sc_stats_record(d->server->stats, "source", frame->arrived_us - frame->time_us);
    sc_frame_unref(old);
}

static void on_cursor(struct sc_source *source, const struct sc_cursor_shape *shape, void *data)
{
    struct sc_display *d = data;
    size_t size = (size_t)shape->width * shape->height * 4;

    (void)source;
    if (shape->width > 512 || shape->height > 512)
        return;
    g_free(d->cursor_pixels);
    d->cursor_pixels = g_memdup2(shape->pixels, size);
    d->cursor = *shape;
    d->cursor.pixels = d->cursor_pixels;
    for (GList *l = d->listeners; l;) {
        const struct sc_display_listener *dl = l->data;
        l = l->next;
        if (dl->cursor)
            dl->cursor(&d->cursor, dl->data);
    }
}

static const struct sc_source_listener display_listener_template = {
    .frame = on_frame,
    .cursor = on_cursor,
};

struct sc_display *sc_display_new(struct sc_server *server, unsigned head,
                                  const char *streaming_video, const char *video_codecs,
                                  uint32_t video_bitrate, GError **error)
{
    struct sc_display *d = g_new0(struct sc_display, 1);

    d->server = server;
    d->head = head;
    d->streams = sc_streams_new(server, streaming_video, video_codecs, video_bitrate, error);
    if (!d->streams) {
        g_free(d);
        return NULL;
    }
    /* first: motion detection decides before any client routes a frame */
    sc_display_add_listener(d, sc_streams_display_listener(d->streams));
    return d;
}

void sc_display_free(struct sc_display *d)
{
    if (!d)
        return;
    sc_display_set_source(d, NULL);
    sc_frame_unref(d->frame);
    g_list_free(d->listeners);
    sc_streams_free(d->streams);
    g_free(d->cursor_pixels);
    g_free(d);
}

void sc_display_set_source(struct sc_display *d, struct sc_source *source)
{
    struct sc_source_listener l = display_listener_template;

    if (d->source)
        sc_source_set_head_listener(d->source, d->head, NULL);
    d->source = source;
    if (!source)
        return;
    l.data = d;
    sc_source_set_head_listener(source, d->head, &l);
}

unsigned sc_display_head(const struct sc_display *d) { return d->head; }

struct sc_streams *sc_display_streams(struct sc_display *d) { return d->streams; }

struct sc_frame *sc_display_get_frame(struct sc_display *d) { return d->frame; }

void sc_display_add_listener(struct sc_display *d, const struct sc_display_listener *l)
{
    d->listeners = g_list_append(d->listeners, (gpointer)l);
}

void sc_display_remove_listener(struct sc_display *d, const struct sc_display_listener *l)
{
    d->listeners = g_list_remove(d->listeners, l);
}

bool sc_display_get_cursor(struct sc_display *d, struct sc_cursor_shape *shape, int32_t *x,
                           int32_t *y)
{
    *x = d->x;
    *y = d->y;
    if (!d->cursor_pixels)
        return false;
    *shape = d->cursor;
    return true;
}

void sc_display_key(struct sc_display *d, const uint8_t *scancode, unsigned len, bool down)
{
    if (d->source)
        sc_source_key(d->source, scancode, len, down);
}

bool sc_display_can_resize(struct sc_display *d)
{
    if (!d->source)
        return false;
    if (sc_source_can_resize(d->source))
        return true;
    if (!d->resize_logged)
        sc_info("source %s cannot resize: no agent (monitors config) offered",
                d->source->impl->name);
    d->resize_logged = true;
    return false;
}

bool sc_display_resize(struct sc_display *d, uint32_t width, uint32_t height)
{
    return d->source && sc_source_resize(d->source, d->head, width, height);
}

static void pointer_moved(struct sc_display *d)
{
    for (GList *l = d->listeners; l;) {
        const struct sc_display_listener *dl = l->data;
        l = l->next;
        if (dl->pointer)
            dl->pointer(d->x, d->y, dl->data);
    }
}

/* Positions from clients are clamped to the screen: a client may send any
 * 32-bit value (0xffffffff arrives as -1), and neither the cursor channel
 * nor the source takes a pointer off the screen. */
void sc_display_pointer(struct sc_display *d, int32_t x, int32_t y, uint32_t buttons)
{
    int32_t w = d->frame ? (int32_t)d->frame->width : 1;
    int32_t h = d->frame ? (int32_t)d->frame->height : 1;
    bool moved;

    x = CLAMP(x, 0, w - 1);
    y = CLAMP(y, 0, h - 1);
    moved = x != d->x || y != d->y;
    d->x = x;
    d->y = y;
    d->buttons = buttons;
    if (d->source)
        sc_source_pointer(d->source, d->head, x, y, buttons);
    if (moved)
        pointer_moved(d);
}

void sc_display_pointer_relative(struct sc_display *d, int32_t dx, int32_t dy, uint32_t buttons)
{
    /* in 64 bits: a delta of INT32_MAX must not overflow */
    int64_t x = (int64_t)d->x + dx, y = (int64_t)d->y + dy;

    sc_display_pointer(d, (int32_t)CLAMP(x, INT32_MIN, INT32_MAX),
                       (int32_t)CLAMP(y, INT32_MIN, INT32_MAX), buttons);
}
