/* Multi-head (issue 10 item 3): a source with two heads is served as two
 * display channels and two cursor channels (id = head, spice-server's
 * model).  CHANNELS_LIST and MAIN_INIT say so; channel ids past the heads
 * are refused; each display channel gets its own head's surface and
 * MONITORS_CONFIG (one monitor, as spice-server's); a pointer position
 * goes to the head its display_id names; the agent's monitor i resizes
 * head i.  A one-head source (the default) lists one of each, as before. */
#include "config.h"

#include <string.h>

#include <spice/vd_agent.h>

#include "common/wire.h"
#include "tests/server/harness.h"

static void two_heads(struct fixture *fx)
{
    fixture_setup(fx, NULL);
    fx->src.base.n_heads = 2;
    sc_server_set_source(fx->server, &fx->src.base); /* again: a display for head 1 */
}

static void check_channels_list(struct tc *m, unsigned heads)
{
    struct sc_channels_list list;
    unsigned n_display = 0, n_cursor = 0, n_inputs = 0;
    GBytes *b;
    gsize n;
    const uint8_t *p;

    tc_send_msg(m, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL);
    b = tc_expect(m, SPICE_MSG_MAIN_CHANNELS_LIST);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_channels_list_parse(p, n, &list));
    g_bytes_unref(b);
    for (unsigned i = 0; i < list.num; i++) {
        const struct sc_channel_id *ch = &list.channels[i];
        if (ch->type == SPICE_CHANNEL_DISPLAY)
            g_assert_cmpuint(ch->id, ==, n_display++);
        else if (ch->type == SPICE_CHANNEL_CURSOR)
            g_assert_cmpuint(ch->id, ==, n_cursor++);
        else if (ch->type == SPICE_CHANNEL_INPUTS)
            g_assert_cmpuint(ch->id, ==, n_inputs++);
    }
    g_assert_cmpuint(n_display, ==, heads);
    g_assert_cmpuint(n_cursor, ==, heads);
    g_assert_cmpuint(n_inputs, ==, 1);
    g_assert_cmpuint(list.num, ==, 2 * heads + 1);
}

static void test_channels_list(void)
{
    struct fixture fx;
    struct tc *m;

    fixture_setup(&fx, NULL);
    m = tc_connect(&fx);
    link_main(m, NULL);
    check_channels_list(m, 1);
    tc_free(m);
    fixture_teardown(&fx);

    two_heads(&fx);
    m = tc_connect(&fx);
    link_main(m, NULL);
    check_channels_list(m, 2);
    tc_free(m);
    fixture_teardown(&fx);
}

static uint32_t link_id(struct fixture *fx, uint32_t session, uint8_t type, uint8_t id)
{
    struct tc *c = tc_connect(fx);
    uint32_t r;

    c->channel_id = id;
    r = tc_link(c, type, session, NULL, UINT32_MAX);
    tc_free(c);
    return r;
}

static void test_channel_ids(void)
{
    struct fixture fx;
    struct tc *m;
    uint32_t session;

    two_heads(&fx);
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    g_assert_cmpuint(link_id(&fx, session, SPICE_CHANNEL_DISPLAY, 1), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpuint(link_id(&fx, session, SPICE_CHANNEL_CURSOR, 1), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpuint(link_id(&fx, session, SPICE_CHANNEL_DISPLAY, 2), ==,
                     SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    g_assert_cmpuint(link_id(&fx, session, SPICE_CHANNEL_CURSOR, 2), ==,
                     SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    g_assert_cmpuint(link_id(&fx, session, SPICE_CHANNEL_INPUTS, 1), ==,
                     SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    tc_free(m);
    fixture_teardown(&fx);
}

/* Display channel `id`'s first surface and monitors config. */
static void expect_surface(struct fixture *fx, uint32_t session, uint8_t id, uint32_t w,
                           uint32_t h)
{
    struct sc_display_init init = { 1, 0, 1, 0 };
    struct sc_surface_create sc;
    struct sc_monitors_config mc;
    struct sc_writer wr;
    struct tc *d = tc_connect(fx);
    GBytes *b;
    gsize n;
    const uint8_t *p;

    d->channel_id = id;
    g_assert_cmpuint(tc_link(d, SPICE_CHANNEL_DISPLAY, session, NULL, UINT32_MAX), ==, 0);
    sc_writer_init(&wr);
    sc_display_init_write(&wr, &init);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_INIT, &wr);
    sc_writer_finish(&wr);
    b = tc_expect(d, SPICE_MSG_DISPLAY_SURFACE_CREATE);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_surface_create_parse(p, n, &sc));
    g_bytes_unref(b);
    g_assert_cmpuint(sc.width, ==, w);
    g_assert_cmpuint(sc.height, ==, h);
    b = tc_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_monitors_config_parse(p, n, &mc));
    g_bytes_unref(b);
    g_assert_cmpuint(mc.count, ==, 1);
    g_assert_cmpuint(mc.heads[0].width, ==, w);
    g_assert_cmpuint(mc.heads[0].height, ==, h);
    g_bytes_unref(tc_expect(d, SPICE_MSG_DISPLAY_DRAW_COPY));
    tc_free(d);
}

static void test_surfaces(void)
{
    struct fixture fx;
    struct tc *m;
    uint32_t session;

    two_heads(&fx);
    sc_source_emit_head_frame(&fx.src.base, 0, make_frame(97, 61, 1));
    sc_source_emit_head_frame(&fx.src.base, 1, make_frame(50, 40, 2));
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    expect_surface(&fx, session, 1, 50, 40);
    expect_surface(&fx, session, 0, 97, 61);
    tc_free(m);
    fixture_teardown(&fx);
}

static void send_position(struct tc *in, uint32_t x, uint32_t y, uint8_t display)
{
    struct sc_mouse_position pos = { .x = x, .y = y, .display_id = display };
    struct sc_writer w;

    sc_writer_init(&w);
    sc_mouse_position_write(&w, &pos);
    tc_send_msg(in, SPICE_MSGC_INPUTS_MOUSE_POSITION, &w);
    sc_writer_finish(&w);
}

static void test_pointer_heads(void)
{
    struct fixture fx;
    struct tc *m, *in;
    uint32_t session;

    two_heads(&fx);
    sc_source_emit_head_frame(&fx.src.base, 0, make_frame(200, 100, 0));
    sc_source_emit_head_frame(&fx.src.base, 1, make_frame(64, 48, 0));
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    in = tc_connect(&fx);
    g_assert_cmpuint(tc_link(in, SPICE_CHANNEL_INPUTS, session, NULL, UINT32_MAX), ==, 0);
    g_bytes_unref(tc_expect(in, SPICE_MSG_INPUTS_INIT));
    send_position(in, 150, 20, 0);
    send_position(in, 150, 20, 1); /* clamped to head 1's 64x48 */
    send_position(in, 5, 5, 7);    /* no head 7: ignored */
    send_position(in, 30, 40, 1);
    tc_fill(in, 1);
    g_assert_cmpstr(fx.src.events->str, ==, "ptr 150,20,0;ptr1 63,20,0;ptr1 30,40,0;");
    tc_free(in);
    tc_free(m);
    fixture_teardown(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/heads/channels-list", test_channels_list);
    g_test_add_func("/heads/channel-ids", test_channel_ids);
    g_test_add_func("/heads/surfaces", test_surfaces);
    g_test_add_func("/heads/pointer", test_pointer_heads);
    return g_test_run();
}
