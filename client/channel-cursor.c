/* The client engine's cursor channel: alpha cursor shapes go to the
 * renderer (cb.cursor); other cursor types are not drawn. */
#include "config.h"

#include "client/client-priv.h"

static bool show(struct sc_channel *ch, const struct sc_cursor *cur)
{
    struct sc_client_head *h = sc_channel_head(ch);

    if (cur->flags & SPICE_CURSOR_FLAGS_NONE || cur->type != SPICE_CURSOR_TYPE_ALPHA)
        return true;
    if ((uint64_t)cur->width * cur->height * 4 > cur->data_size || !cur->data)
        return false;
    if (h->cb.cursor)
        h->cb.cursor(h->data, cur->width, cur->height, cur->hot_spot_x, cur->hot_spot_y,
                     cur->data);
    return true;
}

static bool handle_init(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_cursor_init ini;

    return sc_cursor_init_parse(body, len, &ini) && show(ch, &ini.cursor);
}

static bool handle_set(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_cursor_set set;

    return sc_cursor_set_parse(body, len, &set) && show(ch, &set.cursor);
}

static const struct sc_client_handler cursor_handlers[] = {
    { SPICE_MSG_CURSOR_INIT, handle_init },
    { SPICE_MSG_CURSOR_SET, handle_set },
    { 0, NULL },
};

const struct sc_channel_class sc_client_cursor_class = {
    .name = "cursor",
    .type = SPICE_CHANNEL_CURSOR,
    .handlers = cursor_handlers,
};
