/* Main channel: session init, channel list, mouse mode (PROTOCOL.md §3). */
#include "config.h"

#include <errno.h>

#include <spice/vd_agent.h>

#include "server/agent.h"
#include "server/channel.h"
#include "server/display.h"
#include "common/log.h"
#include "server/server-private.h"
#include "server/session.h"

/* AGENT_DATA messages the client may send before we give tokens back, as
 * spice-server's REDS_AGENT_WINDOW_SIZE */
#define AGENT_WINDOW 10

struct main_priv {
    uint16_t mouse_mode;
    struct sc_agent *agent; /* NULL: the source cannot resize, no agent */
    uint32_t agent_credit;  /* AGENT_DATA the client may still send */
    bool credit_warned;     /* "without tokens" said once */
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

/* A display and a cursor channel per head (their id is the head's), as
 * spice-server lists a QXL instance's; one inputs channel. */
static bool handle_attach_channels(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct sc_channels_list list = { .num = 0 };
    unsigned n = cc->server->n_displays;
    size_t start;

    (void)body;
    (void)len;
    for (unsigned i = 0; i < n; i++)
        list.channels[list.num++] = (struct sc_channel_id){ SPICE_CHANNEL_DISPLAY, (uint8_t)i };
    list.channels[list.num++] = (struct sc_channel_id){ SPICE_CHANNEL_INPUTS, 0 };
    for (unsigned i = 0; i < n; i++)
        list.channels[list.num++] = (struct sc_channel_id){ SPICE_CHANNEL_CURSOR, (uint8_t)i };
    start = sc_cc_begin(cc, SPICE_MSG_MAIN_CHANNELS_LIST);
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

static void agent_send(const uint8_t *body, size_t len, void *data)
{
    struct sc_channel_client *cc = data;
    size_t start = sc_cc_begin(cc, SPICE_MSG_MAIN_AGENT_DATA);

    sc_write_bytes(&cc->w, body, len);
    sc_cc_end(cc, start);
}

static int agent_resize(unsigned head, uint32_t width, uint32_t height, void *data)
{
    struct sc_channel_client *cc = data;
    struct sc_display *d = sc_server_display(cc->server, head);

    if (!d)
        return -ENODEV;
    return sc_display_resize(d, width, height) ? 0 : -EINVAL;
}

static const struct sc_agent_ops agent_ops = {
    .send = agent_send,
    .resize = agent_resize,
};

/* AGENT_START, AGENT_TOKEN: a u32; a short one is refused (logged), as
 * malformed agent data, and the session goes on. */
static bool read_u32_body(const uint8_t *body, size_t len, uint32_t *v)
{
    struct sc_reader r;

    sc_reader_init(&r, body, len);
    *v = sc_read_u32(&r);
    return sc_reader_ok(&r);
}

/* AGENT_START, AGENT_TOKEN: tokens for the agent, handed to take() */
static bool agent_tokens(struct sc_channel_client *cc, const uint8_t *body, size_t len,
                         const char *what, void (*take)(struct sc_agent *, uint32_t))
{
    struct main_priv *p = cc->priv;
    uint32_t tokens;

    if (!p->agent)
        return true;
    if (!read_u32_body(body, len, &tokens)) {
        sc_warn("agent: %s: a %zu-byte %s refused", sc_conn_peer(cc->conn), len, what);
        return true;
    }
    take(p->agent, tokens);
    return true;
}

static bool handle_agent_start(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    return agent_tokens(cc, body, len, "AGENT_START", sc_agent_start);
}

static bool handle_agent_token(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    return agent_tokens(cc, body, len, "AGENT_TOKEN", sc_agent_add_tokens);
}

/* Malformed agent data is refused by sc_agent_data (logged); the session
 * goes on.  Tokens go back once half the window is used. */
static bool handle_agent_data(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct main_priv *p = cc->priv;
    size_t start;

    if (!p->agent)
        return true;
    if (p->agent_credit == 0) {
        if (!p->credit_warned)
            sc_warn("agent: %s sends data without tokens: dropped", sc_conn_peer(cc->conn));
        p->credit_warned = true;
        return true;
    }
    p->agent_credit--;
    sc_agent_data(p->agent, body, len);
    if (p->agent_credit <= AGENT_WINDOW / 2) {
        start = sc_cc_begin(cc, SPICE_MSG_MAIN_AGENT_TOKEN);
        sc_write_u32(&cc->w, AGENT_WINDOW - p->agent_credit);
        sc_cc_end(cc, start);
        p->agent_credit = AGENT_WINDOW;
    }
    return true;
}

static bool main_start(struct sc_channel_client *cc)
{
    struct main_priv *p = g_new0(struct main_priv, 1);
    struct sc_main_init init = {
        .session_id = cc->session->id,
        .display_channels_hint = cc->server->n_displays,
        .supported_mouse_modes = SPICE_MOUSE_MODE_SERVER | SPICE_MOUSE_MODE_CLIENT,
        .current_mouse_mode = SPICE_MOUSE_MODE_CLIENT,
        .agent_connected = 0,
        .agent_tokens = AGENT_WINDOW,
        .multi_media_time = sc_server_mm_time(cc->server),
        .ram_hint = 0,
    };
    size_t start;

    cc->priv = p;
    if (sc_display_can_resize(sc_server_display(cc->server, 0))) {
        p->agent = sc_agent_new(&agent_ops, cc);
        p->agent_credit = AGENT_WINDOW;
        init.agent_connected = 1;
    }
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
    if (p)
        sc_agent_free(p->agent);
    g_free(p);
}

static const struct sc_channel_handler main_handlers[] = {
    { SPICE_MSGC_MAIN_ATTACH_CHANNELS, handle_attach_channels, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, handle_mouse_mode_request, SC_MSG_SMALL },
    /* the built-in agent (server/agent.c); without it, agent messages are
     * ignored */
    { SPICE_MSGC_MAIN_AGENT_START, handle_agent_start, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_AGENT_DATA, handle_agent_data, VD_AGENT_MAX_DATA_SIZE },
    { SPICE_MSGC_MAIN_AGENT_TOKEN, handle_agent_token, SC_MSG_SMALL },
    /* no migration: accepted and ignored */
    { SPICE_MSGC_MAIN_CLIENT_INFO, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MIGRATE_CONNECTED, sc_cc_ignore, SC_MSG_SMALL },
    { SPICE_MSGC_MAIN_MIGRATE_CONNECT_ERROR, sc_cc_ignore, SC_MSG_SMALL },
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
