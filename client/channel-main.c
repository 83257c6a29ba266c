/* The client engine's main channel: the session id, the multimedia clock,
 * the mouse mode, and the list of channels to open (reported up to
 * client.c through c->open_channel). */
#include "config.h"

#include "client/client-priv.h"

static void mm_time_set(struct sc_client *c, uint32_t mm)
{
    c->mm_base = mm;
    c->mm_local_us = g_get_monotonic_time();
}

static bool handle_init(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_main_init m;
    struct sc_writer w;
    size_t st;

    if (!sc_main_init_parse(body, len, &m))
        return false;
    c->session_id = m.session_id;
    mm_time_set(c, m.multi_media_time);
    c->mouse_mode = (uint16_t)m.current_mouse_mode;
    sc_channel_send_empty(ch, SPICE_MSGC_MAIN_ATTACH_CHANNELS);
    if ((m.supported_mouse_modes & SPICE_MOUSE_MODE_CLIENT) &&
        m.current_mouse_mode != SPICE_MOUSE_MODE_CLIENT) {
        st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST);
        sc_mouse_mode_request_write(&w, SPICE_MOUSE_MODE_CLIENT);
        sc_channel_msg_end(ch, &w, st);
    }
    return true;
}

static bool handle_channels_list(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_channels_list l;

    if (!sc_channels_list_parse(body, len, &l))
        return false;
    for (uint32_t i = 0; i < l.num && !c->closed; i++) {
        uint8_t t = l.channels[i].type, id = l.channels[i].id;
        if (id == 0 && (t == SPICE_CHANNEL_DISPLAY || t == SPICE_CHANNEL_INPUTS ||
                        t == SPICE_CHANNEL_CURSOR))
            c->open_channel(c, t, id);
    }
    return true;
}

static bool handle_mouse_mode(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_mouse_mode m;

    if (!sc_mouse_mode_parse(body, len, &m))
        return false;
    ch->client->mouse_mode = m.current;
    return true;
}

static bool handle_mm_time(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    uint32_t mm;

    if (!sc_multi_media_time_parse(body, len, &mm))
        return false;
    mm_time_set(ch->client, mm);
    return true;
}

/* NAME, UUID, agent, migration: not needed */
static const struct sc_client_handler main_handlers[] = {
    { SPICE_MSG_MAIN_INIT, handle_init },
    { SPICE_MSG_MAIN_CHANNELS_LIST, handle_channels_list },
    { SPICE_MSG_MAIN_MOUSE_MODE, handle_mouse_mode },
    { SPICE_MSG_MAIN_MULTI_MEDIA_TIME, handle_mm_time },
    { 0, NULL },
};

const struct sc_channel_class sc_client_main_class = {
    .name = "main",
    .type = SPICE_CHANNEL_MAIN,
    .handlers = main_handlers,
};
