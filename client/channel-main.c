/* The client engine's main channel: the session id, the multimedia clock,
 * the mouse mode, and the list of channels to open (reported up to
 * client.c through c->open_channel). */
#include "config.h"

#include <spice/vd_agent.h>

#include "client/client-priv.h"
#include "common/log.h"

#define RESIZE_DEBOUNCE_MS 300

/* ---- the agent: monitors config only ---------------------------------- */

/* One VDAgentMessage in one AGENT_DATA chunk (ours are all small). */
static void agent_send(struct sc_client *c, uint32_t type, const struct sc_writer *payload)
{
    struct sc_writer w;
    size_t st;

    if (!c->main || c->closed || c->agent_tokens == 0) {
        sc_warn("agent: no tokens, message %u not sent", type);
        return;
    }
    c->agent_tokens--;
    st = sc_channel_msg_begin(c->main, &w, SPICE_MSGC_MAIN_AGENT_DATA);
    sc_write_u32(&w, VD_AGENT_PROTOCOL);
    sc_write_u32(&w, type);
    sc_write_u64(&w, 0);
    sc_write_u32(&w, (uint32_t)payload->size);
    sc_write_bytes(&w, payload->data, payload->size);
    sc_channel_msg_end(c->main, &w, st);
}

/* The heads in the config: with the sparse cap each head up to the last
 * one sized, a closed one 0x0 (disabled); without it entry i is still
 * head i (our server's and spice-server's reading), so only the heads
 * before the first never sized, a closed one with its last size. */
static unsigned monitors_count(const struct sc_client *c, unsigned *enabled)
{
    unsigned n = 0;

    *enabled = 0;
    for (unsigned i = 0; i < SC_CLIENT_MAX_HEADS; i++) {
        bool sized = c->want_w[i] && c->want_h[i];

        if (!sized && !c->agent_sparse)
            break;
        if (sized)
            n = i + 1;
        if (sized && !(c->agent_sparse && c->want_off[i]))
            (*enabled)++;
    }
    return n;
}

static void agent_send_monitors(struct sc_client *c)
{
    struct sc_writer p;
    unsigned enabled, n = monitors_count(c, &enabled);

    if (!c->agent || !c->agent_monitors || enabled == 0)
        return;
    sc_writer_init(&p);
    sc_write_u32(&p, n); /* num_of_monitors */
    sc_write_u32(&p, 0); /* flags */
    for (unsigned i = 0; i < n; i++) {
        bool off = c->agent_sparse && c->want_off[i];

        sc_write_u32(&p, off ? 0 : c->want_h[i]); /* VDAgentMonConfig: height first */
        sc_write_u32(&p, off ? 0 : c->want_w[i]);
        sc_write_u32(&p, off ? 0 : 32);
        sc_write_i32(&p, 0);
        sc_write_i32(&p, 0);
        if (off)
            sc_info("auto-resize: head %u disabled (its window is closed)", i);
        else if (i == 0)
            sc_info("auto-resize: asking the server for %ux%u", c->want_w[i], c->want_h[i]);
        else
            sc_info("auto-resize: asking the server for %ux%u on head %u", c->want_w[i],
                    c->want_h[i], i);
    }
    agent_send(c, VD_AGENT_MONITORS_CONFIG, &p);
    sc_writer_finish(&p);
}

static void agent_start(struct sc_client *c, uint32_t tokens)
{
    struct sc_writer w, p;
    size_t st;

    c->agent = true;
    c->agent_monitors = false;
    c->agent_sparse = false;
    c->agent_tokens = tokens;
    c->agent_skip = 0;
    st = sc_channel_msg_begin(c->main, &w, SPICE_MSGC_MAIN_AGENT_START);
    sc_write_u32(&w, UINT32_MAX); /* we take any number of messages */
    sc_channel_msg_end(c->main, &w, st);
    sc_writer_init(&p);
    sc_write_u32(&p, 1); /* request the agent's caps */
    sc_write_u32(&p, 1u << VD_AGENT_CAP_MONITORS_CONFIG);
    agent_send(c, VD_AGENT_ANNOUNCE_CAPABILITIES, &p);
    sc_writer_finish(&p);
}

static gboolean resize_timeout(gpointer data)
{
    struct sc_client *c = data;

    c->resize_timer = 0;
    agent_send_monitors(c);
    return G_SOURCE_REMOVE;
}

void sc_client_request_head_size(struct sc_client *c, unsigned head, uint32_t width,
                                 uint32_t height)
{
    bool off = width == 0 || height == 0;

    if (!c || head >= SC_CLIENT_MAX_HEADS)
        return;
    if (off == c->want_off[head] &&
        (off || (width == c->want_w[head] && height == c->want_h[head])))
        return;
    c->want_off[head] = off;
    if (!off) {
        c->want_w[head] = width;
        c->want_h[head] = height;
    }
    g_clear_handle_id(&c->resize_timer, g_source_remove);
    c->resize_timer = g_timeout_add(RESIZE_DEBOUNCE_MS, resize_timeout, c);
}

void sc_client_request_size(struct sc_client *c, uint32_t width, uint32_t height)
{
    sc_client_request_head_size(c, 0, width, height);
}

/* A message from the agent: its caps and replies matter, the rest (and a
 * message's later chunks) are skipped. */
static bool handle_agent_data(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_reader r;
    uint32_t protocol, type, size, a, b;

    if (c->agent_skip) {
        c->agent_skip -= (uint32_t)MIN(len, (size_t)c->agent_skip);
        return true;
    }
    sc_reader_init(&r, body, len);
    protocol = sc_read_u32(&r);
    type = sc_read_u32(&r);
    sc_read_u64(&r);
    size = sc_read_u32(&r);
    if (!sc_reader_ok(&r) || protocol != VD_AGENT_PROTOCOL)
        return false;
    if (size > sc_reader_remaining(&r)) {
        c->agent_skip = size - (uint32_t)sc_reader_remaining(&r);
        return true;
    }
    a = sc_read_u32(&r);
    b = sc_read_u32(&r);
    if (type == VD_AGENT_ANNOUNCE_CAPABILITIES && size >= 8) {
        c->agent_monitors = (b >> VD_AGENT_CAP_MONITORS_CONFIG) & 1;
        c->agent_sparse = (b >> VD_AGENT_CAP_SPARSE_MONITORS_CONFIG) & 1;
        sc_debug("agent: monitors config %s%s", c->agent_monitors ? "offered" : "not offered",
                 c->agent_sparse ? " (sparse)" : "");
        agent_send_monitors(c);
    } else if (type == VD_AGENT_REPLY && size >= 8 && a == VD_AGENT_MONITORS_CONFIG &&
               b != VD_AGENT_SUCCESS) {
        sc_warn("auto-resize: the server refused the monitors config (head 0: %ux%u)",
                c->want_w[0], c->want_h[0]);
    }
    return true;
}

static bool handle_agent_token(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_reader r;
    uint32_t n;

    sc_reader_init(&r, body, len);
    n = sc_read_u32(&r);
    if (!sc_reader_ok(&r))
        return false;
    c->agent_tokens = n > UINT32_MAX - c->agent_tokens ? UINT32_MAX : c->agent_tokens + n;
    return true;
}

static bool handle_agent_disconnected(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    (void)body;
    (void)len;
    ch->client->agent = ch->client->agent_monitors = false;
    return true;
}

/* ---- session ------------------------------------------------------------ */

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
    if (m.agent_connected)
        agent_start(c, m.agent_tokens);
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
        /* display and cursor N are head N's (client.c decides which open) */
        if (t == SPICE_CHANNEL_DISPLAY || t == SPICE_CHANNEL_INPUTS || t == SPICE_CHANNEL_CURSOR)
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

/* NAME, UUID, migration: not needed */
static const struct sc_client_handler main_handlers[] = {
    { SPICE_MSG_MAIN_INIT, handle_init },
    { SPICE_MSG_MAIN_CHANNELS_LIST, handle_channels_list },
    { SPICE_MSG_MAIN_MOUSE_MODE, handle_mouse_mode },
    { SPICE_MSG_MAIN_MULTI_MEDIA_TIME, handle_mm_time },
    { SPICE_MSG_MAIN_AGENT_DATA, handle_agent_data },
    { SPICE_MSG_MAIN_AGENT_TOKEN, handle_agent_token },
    { SPICE_MSG_MAIN_AGENT_DISCONNECTED, handle_agent_disconnected },
    { 0, NULL },
};

const struct sc_channel_class sc_client_main_class = {
    .name = "main",
    .type = SPICE_CHANNEL_MAIN,
    .handlers = main_handlers,
};
