/* Main channel: session init, channel list, mouse mode (PROTOCOL.md §3). */
#include "config.h"

#include <spice/vd_agent.h>

#include "channel.h"
#include "log.h"
#include "server-private.h"
#include "session.h"

struct main_priv {
    uint16_t mouse_mode;
};

static void send_mouse_mode(struct sc_channel_client *cc)
{
    struct main_priv *p = cc->priv;
    struct sc_mouse_mode m = {
        .supported = SPICE_MOUSE_MODE_SERVER | SPICE_MOUSE_MODE_CLIENT,
        .current = p->mouse_mode,
    };
    size_t start = sc_cc_begin(cc, SPICE_MSG_MAIN_MOUSE_MODE);

    sc_mouse_mode_write(&cc->w, &m);
    sc_cc_end(cc, start);
}

static bool handle_attach_channels(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct sc_channels_list list = {
        .num = 3,
        .channels = { { SPICE_CHANNEL_DISPLAY, 0 }, { SPICE_CHANNEL_INPUTS, 0 },
                      { SPICE_CHANNEL_CURSOR, 0 } },
    };
    size_t start = sc_cc_begin(cc, SPICE_MSG_MAIN_CHANNELS_LIST);

    (void)body;
    (void)len;
    sc_channels_list_write(&cc->w, &list);
    sc_cc_end(cc, start);
    return true;
}

static bool handle_mouse_mode_request(struct sc_channel_client *cc, const uint8_t *body,
                                      size_t len)
{
    struct main_priv *p = cc->priv;
    uint16_t mode;

    if (!sc_mouse_mode_request_parse(body, len, &mode))
        return false;
    if (mode == SPICE_MOUSE_MODE_SERVER || mode == SPICE_MOUSE_MODE_CLIENT)
        p->mouse_mode = mode;
    send_mouse_mode(cc);
    return true;
}

static bool main_start(struct sc_channel_client *cc)
{
    struct main_priv *p = g_new0(struct main_priv, 1);
    struct sc_main_init init = {
        .session_id = cc->session->id,
        .display_channels_hint = 1,
        .supported_mouse_modes = SPICE_MOUSE_MODE_SERVER | SPICE_MOUSE_MODE_CLIENT,
        .current_mouse_mode = SPICE_MOUSE_MODE_CLIENT,
        .agent_connected = 0,
        .agent_tokens = 0,
        .multi_media_time = sc_server_mm_time(cc->server),
        .ram_hint = 0,
    };
    size_t start;

    cc->priv = p;
    p->mouse_mode = SPICE_MOUSE_MODE_CLIENT;
    start = sc_cc_begin(cc, SPICE_MSG_MAIN_INIT);
    sc_main_init_write(&cc->w, &init);
    sc_cc_end(cc, start);
    if (sc_caps_has_channel(&cc->link.caps, SPICE_MAIN_CAP_NAME_AND_UUID)) {
        start = sc_cc_begin(cc, SPICE_MSG_MAIN_NAME);
        sc_main_name_write(&cc->w, cc->server->name);
        sc_cc_end(cc, start);
        start = sc_cc_begin(cc, SPICE_MSG_MAIN_UUID);
        sc_main_uuid_write(&cc->w, cc->server->uuid);
        sc_cc_end(cc, start);
    }
    /* the clock goes once, in MAIN_INIT, as spice-server does: a periodic
     * MULTI_MEDIA_TIME queued behind a stalled client arrives late and
     * turns the client's clock back */
    sc_info("client %s connected (session %08x)", sc_conn_peer(cc->conn), cc->session->id);
    return true;
}

static void main_destroy(struct sc_channel_client *cc)
{
    struct main_priv *p = cc->priv;

    sc_info("client %s disconnected", sc_conn_peer(cc->conn));
    g_free(p);
}

static const struct sc_channel_handler main_handlers[] = {
    { SPICE_MSGC_MAIN_ATTACH_CHANNELS, handle_attach_channels, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, handle_mouse_mode_request, SC_MSG_SMALL },
    /* no agent, no migration: accepted and ignored */
    { SPICE_MSGC_MAIN_CLIENT_INFO, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MIGRATE_CONNECTED, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MIGRATE_CONNECT_ERROR, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_AGENT_START, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_AGENT_DATA, sc_cc_ignore, VD_AGENT_MAX_DATA_SIZE },
    { SPICE_MSGC_MAIN_AGENT_TOKEN, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MIGRATE_END, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MIGRATE_DST_DO_SEAMLESS, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MIGRATE_CONNECTED_SEAMLESS, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_QUALITY_INDICATOR, sc_cc_ignore, SC_MSG_SMALL },
    { 0, NULL, 0 },
};

const struct sc_channel_class sc_main_channel_class = {
    .name = "main",
    .type = SPICE_CHANNEL_MAIN,
    .handlers = main_handlers,
    .start = main_start,
    .destroy = main_destroy,
};
