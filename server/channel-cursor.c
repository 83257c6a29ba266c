/* Cursor channel: the source's cursor shape, following the pointer
 * (PROTOCOL.md §7); cursor channel N shows display N's (head N's). */
#include "config.h"

#include <string.h>

#include "server/channel.h"
#include "server/display.h"
#include "common/log.h"
#include "server/server-private.h"

struct cursor_priv {
    struct sc_display *display;
    struct sc_display_listener listener;
    uint64_t unique;
    bool pending_move;
    int32_t x, y;
};

static void on_shape(const struct sc_cursor_shape *shape, void *data);
static void on_pointer(int32_t x, int32_t y, void *data);

static void fill_cursor(struct sc_channel_client *cc, const struct sc_cursor_shape *shape,
                        bool have, struct sc_cursor *c)
{
    struct cursor_priv *p = cc->priv;

    memset(c, 0, sizeof(*c));
    if (!have) {
        c->flags = SPICE_CURSOR_FLAGS_NONE;
        return;
    }
    c->flags = 0;
    c->unique = ++p->unique;
    c->type = SPICE_CURSOR_TYPE_ALPHA;
    c->width = (uint16_t)shape->width;
    c->height = (uint16_t)shape->height;
    c->hot_spot_x = (uint16_t)shape->hot_x;
    c->hot_spot_y = (uint16_t)shape->hot_y;
    c->data = shape->pixels;
    c->data_size = shape->width * shape->height * 4;
}

static bool cursor_start(struct sc_channel_client *cc)
{
    struct sc_cursor_shape shape;
    struct sc_cursor_init init = { 0 };
    int32_t x, y;
    bool have;
    size_t start;

    struct sc_display *display = sc_server_display(cc->server, cc->link.channel_id);
    struct cursor_priv *p;

    if (!display)
        return false;
    p = g_new0(struct cursor_priv, 1);
    p->display = display;
    p->listener = (struct sc_display_listener){ .cursor = on_shape, .pointer = on_pointer,
                                                .data = cc };
    cc->priv = p;
    have = sc_display_get_cursor(display, &shape, &x, &y);
    p->x = x;
    p->y = y;
    init.x = (int16_t)x;
    init.y = (int16_t)y;
    init.visible = 1;
    fill_cursor(cc, &shape, have, &init.cursor);
    start = sc_cc_begin(cc, SPICE_MSG_CURSOR_INIT);
    sc_cursor_init_write(&cc->w, &init);
    sc_cc_end(cc, start);
    sc_display_add_listener(display, &p->listener);
    return true;
}

/* The display's listener: a new shape. */
static void on_shape(const struct sc_cursor_shape *shape, void *data)
{
    struct sc_channel_client *cc = data;
    struct cursor_priv *p = cc->priv;
    struct sc_cursor_set set = { 0 };
    size_t start;

    set.x = (int16_t)p->x;
    set.y = (int16_t)p->y;
    set.visible = 1;
    fill_cursor(cc, shape, true, &set.cursor);
    start = sc_cc_begin(cc, SPICE_MSG_CURSOR_SET);
    sc_cursor_set_write(&cc->w, &set);
    sc_cc_end(cc, start);
}

static void send_move(struct sc_channel_client *cc)
{
    struct cursor_priv *p = cc->priv;
    size_t start = sc_cc_begin(cc, SPICE_MSG_CURSOR_MOVE);

    sc_cursor_move_write(&cc->w, (int16_t)p->x, (int16_t)p->y);
    sc_cc_end(cc, start);
    p->pending_move = false;
}

/* The display's listener: the pointer moved. */
static void on_pointer(int32_t x, int32_t y, void *data)
{
    struct sc_channel_client *cc = data;
    struct cursor_priv *p = cc->priv;

    p->x = x;
    p->y = y;
    p->pending_move = true;
    /* a client that does not read gets the latest position later */
    if (sc_cc_can_send(cc))
        send_move(cc);
}

static void cursor_ready(struct sc_channel_client *cc)
{
    struct cursor_priv *p = cc->priv;

    if (p && p->pending_move && sc_cc_can_send(cc))
        send_move(cc);
}

static void cursor_destroy(struct sc_channel_client *cc)
{
    struct cursor_priv *p = cc->priv;

    if (!p)
        return;
    sc_display_remove_listener(p->display, &p->listener);
    g_free(p);
    cc->priv = NULL;
}

const struct sc_channel_class sc_cursor_channel_class = {
    .name = "cursor",
    .type = SPICE_CHANNEL_CURSOR,
    .handlers = NULL,
    .start = cursor_start,
    .ready = cursor_ready,
    .destroy = cursor_destroy,
};
