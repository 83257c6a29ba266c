/* The client engine's inputs channel: keys and the pointer (the public
 * sc_client_key / sc_client_pointer), with spice-gtk's motion flow
 * control: at most MOTION_MAX_UNACKED motions before the server's acks. */
#include "config.h"

#include "client/client-priv.h"

#define MOTION_MAX_UNACKED 8 /* spice-gtk's 2 x SPICE_INPUT_MOTION_ACK_BUNCH */
#define MOTION_ACK_BUNCH 4

static struct sc_inputs_priv *inputs_priv(struct sc_client *c)
{
    return c->inputs->priv;
}

static bool handle_init(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    uint16_t mods;

    (void)ch;
    return sc_inputs_init_parse(body, len, &mods);
}

static bool handle_modifiers(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    uint16_t mods;

    (void)ch;
    return sc_key_modifiers_parse(body, len, &mods);
}

static bool handle_motion_ack(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client *c = ch->client;
    struct sc_inputs_priv *p = ch->priv;

    (void)body, (void)len;
    p->motion_unacked = p->motion_unacked > MOTION_ACK_BUNCH
                            ? p->motion_unacked - MOTION_ACK_BUNCH : 0;
    if (p->motion_pending) {
        p->motion_pending = false;
        sc_client_pointer(c, c->px, c->py, c->buttons);
    }
    return true;
}

static bool inputs_ready(struct sc_client *c)
{
    return c && c->inputs && sc_channel_ready(c->inputs);
}

void sc_client_key(struct sc_client *c, uint32_t scancode, bool down)
{
    struct sc_writer w;
    size_t st;

    if (!inputs_ready(c))
        return;
    st = sc_channel_msg_begin(c->inputs, &w,
                              down ? SPICE_MSGC_INPUTS_KEY_DOWN : SPICE_MSGC_INPUTS_KEY_UP);
    sc_key_code_write(&w, sc_key_code_make(scancode, !down));
    sc_channel_msg_end(c->inputs, &w, st);
}

static void send_motion(struct sc_client *c, bool force)
{
    struct sc_channel *ch = c->inputs;
    struct sc_inputs_priv *p = ch->priv;
    struct sc_writer w;
    size_t st;

    if (p->motion_unacked >= MOTION_MAX_UNACKED && !force) {
        p->motion_pending = true;
        return;
    }
    p->motion_pending = false;
    if (c->mouse_mode == SPICE_MOUSE_MODE_CLIENT) {
        struct sc_mouse_position m = { (uint32_t)MAX(c->px, 0), (uint32_t)MAX(c->py, 0),
                                       c->buttons, c->pointer_head };
        st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_INPUTS_MOUSE_POSITION);
        sc_mouse_position_write(&w, &m);
    } else {
        struct sc_mouse_motion m = { c->px - c->last_px, c->py - c->last_py, c->buttons };
        if (!m.dx && !m.dy)
            return;
        st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_INPUTS_MOUSE_MOTION);
        sc_mouse_motion_write(&w, &m);
    }
    c->last_px = c->px;
    c->last_py = c->py;
    p->motion_unacked++;
    sc_channel_msg_end(ch, &w, st);
}

static void send_button(struct sc_client *c, unsigned i)
{
    struct sc_mouse_button b;
    struct sc_writer w;
    size_t st;

    c->buttons ^= 1u << i;
    b.button = (uint8_t)(i + 1);
    b.buttons_state = c->buttons;
    st = sc_channel_msg_begin(c->inputs, &w, (c->buttons & (1u << i))
                                                 ? SPICE_MSGC_INPUTS_MOUSE_PRESS
                                                 : SPICE_MSGC_INPUTS_MOUSE_RELEASE);
    sc_mouse_button_write(&w, &b);
    sc_channel_msg_end(c->inputs, &w, st);
}

void sc_client_pointer(struct sc_client *c, int32_t x, int32_t y, uint32_t buttons)
{
    sc_client_head_pointer(c, c ? c->pointer_head : 0, x, y, buttons);
}

/* The position goes with its head's display id (MOUSE_POSITION); a pointer
 * that moves to another head is sent even where x,y did not change. */
void sc_client_head_pointer(struct sc_client *c, unsigned head, int32_t x, int32_t y,
                            uint32_t buttons)
{
    uint32_t changed;
    bool other_head;

    if (!c || head >= SC_CLIENT_MAX_HEADS)
        return;
    other_head = head != c->pointer_head;
    c->pointer_head = (uint8_t)head;
    changed = c->buttons ^ buttons;
    c->px = x;
    c->py = y;
    if (!inputs_ready(c)) {
        c->buttons = buttons;
        return;
    }
    if (other_head || x != c->last_px || y != c->last_py || inputs_priv(c)->motion_pending)
        send_motion(c, changed != 0);
    for (unsigned i = 0; i < 7 && !c->closed; i++)
        if (changed & (1u << i))
            send_button(c, i);
    c->buttons = buttons;
}

bool sc_client_server_mouse(const struct sc_client *c)
{
    return c && c->mouse_mode == SPICE_MOUSE_MODE_SERVER;
}

static bool inputs_init(struct sc_channel *ch)
{
    ch->priv = g_try_new0(struct sc_inputs_priv, 1);
    return ch->priv != NULL;
}

/* a pointer set before the channel came is sent now */
static void inputs_on_ready(struct sc_channel *ch)
{
    struct sc_client *c = ch->client;

    if (c->mouse_mode == SPICE_MOUSE_MODE_CLIENT && (c->buttons || c->px || c->py))
        sc_client_pointer(c, c->px, c->py, c->buttons);
}

static void inputs_destroy(struct sc_channel *ch)
{
    g_free(ch->priv);
    ch->priv = NULL;
}

static const struct sc_client_handler inputs_handlers[] = {
    { SPICE_MSG_INPUTS_INIT, handle_init },
    { SPICE_MSG_INPUTS_KEY_MODIFIERS, handle_modifiers },
    { SPICE_MSG_INPUTS_MOUSE_MOTION_ACK, handle_motion_ack },
    { 0, NULL },
};

const struct sc_channel_class sc_client_inputs_class = {
    .name = "inputs",
    .type = SPICE_CHANNEL_INPUTS,
    .handlers = inputs_handlers,
    .init = inputs_init,
    .ready = inputs_on_ready,
    .destroy = inputs_destroy,
};
