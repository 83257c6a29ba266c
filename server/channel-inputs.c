/* Inputs channel: keys and pointer to the source (PROTOCOL.md §6). */
#include "config.h"

#include "server/channel.h"
#include "server/display.h"
#include "common/log.h"
#include "server/server-private.h"

struct inputs_priv {
    uint16_t modifiers;
    unsigned motions;
    uint32_t buttons;
    unsigned head; /* the display the pointer is on: the last position's */
};

/* Keys go to the source through head 0 (the keyboard is the source's);
 * the pointer to the display it was last positioned on. */
static struct sc_display *display_of(struct sc_channel_client *cc)
{
    struct inputs_priv *p = cc->priv;

    return sc_server_display(cc->server, p->head);
}

/* Feeds a byte stream of set-1 scancodes as key events (E0 prefixes kept
 * with the byte they prefix; bit 7 of the last byte marks a release). */
static void feed_scancodes(struct sc_channel_client *cc, const uint8_t *b, unsigned n)
{
    unsigned i = 0;

    while (i < n) {
        uint8_t seq[2];
        unsigned len = 0;

        if (b[i] == 0xe0 && i + 1 < n)
            seq[len++] = b[i++];
        seq[len++] = b[i++];
        sc_display_key(sc_server_display(cc->server, 0), seq, len, !(seq[len - 1] & 0x80));
    }
}

static bool handle_key(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    uint32_t code;
    uint8_t bytes[4];
    unsigned n;

    if (!sc_key_code_parse(body, len, &code))
        return false;
    n = sc_key_code_bytes(code, bytes);
    feed_scancodes(cc, bytes, n);
    return true;
}

static bool handle_key_scancode(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    if (len > 64)
        return false;
    feed_scancodes(cc, body, (unsigned)len);
    return true;
}

static bool handle_modifiers(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct inputs_priv *p = cc->priv;
    uint16_t m;

    if (!sc_key_modifiers_parse(body, len, &m))
        return false;
    p->modifiers = m;
    return true;
}

static void count_motion(struct sc_channel_client *cc)
{
    struct inputs_priv *p = cc->priv;

    if (++p->motions % SPICE_INPUT_MOTION_ACK_BUNCH == 0)
        sc_cc_send_empty(cc, SPICE_MSG_INPUTS_MOUSE_MOTION_ACK);
}

static bool handle_position(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct sc_mouse_position m;

    if (!sc_mouse_position_parse(body, len, &m))
        return false;
    if (!sc_server_display(cc->server, m.display_id)) {
        sc_debug("input: pointer on display %u, which does not exist: ignored", m.display_id);
        count_motion(cc);
        return true;
    }
    ((struct inputs_priv *)cc->priv)->head = m.display_id;
    sc_display_pointer(display_of(cc), (int32_t)m.x, (int32_t)m.y, m.buttons_state);
    count_motion(cc);
    return true;
}

static bool handle_motion(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct sc_mouse_motion m;

    if (!sc_mouse_motion_parse(body, len, &m))
        return false;
    sc_display_pointer_relative(display_of(cc), m.dx, m.dy, m.buttons_state);
    count_motion(cc);
    return true;
}

static bool handle_button(struct sc_channel_client *cc, const uint8_t *body, size_t len)
{
    struct sc_mouse_button m;

    if (!sc_mouse_button_parse(body, len, &m))
        return false;
    /* buttons change where the pointer is */
    sc_display_pointer_relative(display_of(cc), 0, 0, m.buttons_state);
    return true;
}

static bool inputs_start(struct sc_channel_client *cc)
{
    struct inputs_priv *p = g_new0(struct inputs_priv, 1);
    size_t start;

    cc->priv = p;
    start = sc_cc_begin(cc, SPICE_MSG_INPUTS_INIT);
    sc_inputs_init_write(&cc->w, p->modifiers);
    sc_cc_end(cc, start);
    return true;
}

static void inputs_destroy(struct sc_channel_client *cc)
{
    g_free(cc->priv);
    cc->priv = NULL;
}

static const struct sc_channel_handler inputs_handlers[] = {
    { SPICE_MSGC_INPUTS_KEY_DOWN, handle_key, SC_MSG_SMALL },
    { SPICE_MSGC_INPUTS_KEY_UP, handle_key, SC_MSG_SMALL },
    { SPICE_MSGC_INPUTS_KEY_SCANCODE, handle_key_scancode, SC_MSG_SMALL },
    { SPICE_MSGC_INPUTS_KEY_MODIFIERS, handle_modifiers, SC_MSG_SMALL },
    { SPICE_MSGC_INPUTS_MOUSE_POSITION, handle_position, SC_MSG_SMALL },
    { SPICE_MSGC_INPUTS_MOUSE_MOTION, handle_motion, SC_MSG_SMALL },
    { SPICE_MSGC_INPUTS_MOUSE_PRESS, handle_button, SC_MSG_SMALL },
    { SPICE_MSGC_INPUTS_MOUSE_RELEASE, handle_button, SC_MSG_SMALL },
    { 0, NULL, 0 },
};

const struct sc_channel_class sc_inputs_channel_class = {
    .name = "inputs",
    .type = SPICE_CHANNEL_INPUTS,
    .handlers = inputs_handlers,
    .start = inputs_start,
    .destroy = inputs_destroy,
};
