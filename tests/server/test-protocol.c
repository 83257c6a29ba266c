/* Protocol tests of the server core over socketpair(): a scripted SPICE
 * client (common/ writers and parsers) against the real server code in the
 * same process, with a test source whose frames and input we control. */
#include "config.h"

#include <string.h>

#include <sys/socket.h>

#include "server/display.h"
#include "tests/server/harness.h"
#include "server/link-limits.h"

/* ---- tests ------------------------------------------------------------ */

static void test_main_channel(void)
{
    struct fixture fx;
    struct tc *c;
    struct sc_channels_list list;
    GBytes *b;
    gsize n;
    const uint8_t *p;

    fixture_setup(&fx, NULL);
    c = tc_connect(&fx);
    link_main(c, NULL);
    tc_send_msg(c, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL);
    b = tc_expect(c, SPICE_MSG_MAIN_CHANNELS_LIST);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_channels_list_parse(p, n, &list));
    g_bytes_unref(b);
    g_assert_cmpuint(list.num, ==, 3);
    g_assert_cmpuint(list.channels[0].type, ==, SPICE_CHANNEL_DISPLAY);
    g_assert_cmpuint(sc_server_client_count(fx.server), ==, 1);
    tc_free(c);
    g_assert_cmpuint(sc_server_client_count(fx.server), ==, 0);
    fixture_teardown(&fx);
}

static void test_password(void)
{
    struct fixture fx;
    struct tc *good, *bad;

    fixture_setup(&fx, "s3cret");
    bad = tc_connect(&fx);
    g_assert_cmpuint(tc_link(bad, SPICE_CHANNEL_MAIN, 0, "wrong", SPICE_MAIN_CAP_NAME_AND_UUID),
                     ==, SPICE_LINK_ERR_PERMISSION_DENIED);
    g_assert_false(tc_fill(bad, 1)); /* and closed */
    good = tc_connect(&fx);
    link_main(good, "s3cret");
    tc_free(bad);
    tc_free(good);
    fixture_teardown(&fx);
}

static void test_bad_connection_id(void)
{
    struct fixture fx;
    struct tc *c;

    fixture_setup(&fx, NULL);
    c = tc_connect(&fx);
    g_assert_cmpuint(tc_link(c, SPICE_CHANNEL_DISPLAY, 0x1234, NULL, UINT32_MAX), ==,
                     SPICE_LINK_ERR_BAD_CONNECTION_ID);
    tc_free(c);
    fixture_teardown(&fx);
}

/* Reads DRAW_COPY messages until MARK or `count` draws; paints them. */
static void paint_draw(GBytes *b, uint8_t *canvas, uint32_t cw)
{
    struct sc_draw_copy d;
    gsize n;
    const uint8_t *p = g_bytes_get_data(b, &n);
    uint32_t w, h;

    g_assert_true(sc_draw_copy_parse(p, n, &d));
    w = d.width;
    h = d.height;
    g_assert_cmpint(d.box.right - d.box.left, ==, (int)w);
    g_assert_cmpint(d.box.bottom - d.box.top, ==, (int)h);
    if (d.image_type == SPICE_IMAGE_TYPE_LZ4) {
        g_autofree uint8_t *tmp = g_malloc((gsize)w * h * 4);
        g_assert_true(sc_lz4_image_decode(d.data, d.data_size, w, h, tmp, w * 4));
        for (uint32_t y = 0; y < h; y++)
            memcpy(canvas + ((d.box.top + y) * cw + d.box.left) * 4, tmp + y * w * 4, w * 4);
    } else {
        g_assert_cmpuint(d.image_type, ==, SPICE_IMAGE_TYPE_BITMAP);
        g_assert_cmpuint(d.bitmap_format, ==, SPICE_BITMAP_FMT_32BIT);
        g_assert_true(d.bitmap_flags & SPICE_BITMAP_FLAGS_TOP_DOWN);
        for (uint32_t y = 0; y < h; y++)
            memcpy(canvas + ((d.box.top + y) * cw + d.box.left) * 4, d.data + y * d.stride, w * 4);
    }
}

static void assert_canvas(const uint8_t *canvas, const struct sc_frame *f)
{
    for (uint32_t y = 0; y < f->height; y++)
        for (uint32_t x = 0; x < f->width; x++) {
            const uint8_t *a = canvas + (y * f->width + x) * 4;
            const uint8_t *b = f->map + f->offset + y * f->stride + x * 4;
            if (memcmp(a, b, 3) != 0)
                g_error("pixel %u,%u differs", x, y);
        }
}

static void display_session(bool lz4)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_surface_create sc;
    struct sc_display_init init = { 1, 0, 1, 0 };
    struct sc_writer w;
    struct sc_frame *f1, *f2;
    uint8_t *canvas;
    uint32_t session;
    GBytes *b;
    gsize n;
    const uint8_t *p;
    uint16_t type;

    fixture_setup(&fx, NULL);
    f1 = make_frame(97, 61, 1);
    emit(&fx, sc_frame_ref(f1));
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    d = tc_connect(&fx);
    g_assert_cmpuint(tc_link(d, SPICE_CHANNEL_DISPLAY, session, NULL,
                             lz4 ? SPICE_DISPLAY_CAP_LZ4_COMPRESSION : UINT32_MAX),
                     ==, SPICE_LINK_ERR_OK);
    sc_writer_init(&w);
    sc_display_init_write(&w, &init);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_INIT, &w);
    sc_writer_finish(&w);

    b = tc_expect(d, SPICE_MSG_DISPLAY_SURFACE_CREATE);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_surface_create_parse(p, n, &sc));
    g_bytes_unref(b);
    g_assert_cmpuint(sc.width, ==, 97);
    g_assert_cmpuint(sc.height, ==, 61);
    g_assert_cmpuint(sc.flags, ==, SPICE_SURFACE_FLAGS_PRIMARY);
    g_bytes_unref(tc_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG));
    canvas = g_malloc0(97 * 61 * 4);
    /* the first update is one full-surface DRAW_COPY, then MARK */
    b = tc_expect(d, SPICE_MSG_DISPLAY_DRAW_COPY);
    {
        struct sc_draw_copy dc;
        p = g_bytes_get_data(b, &n);
        g_assert_true(sc_draw_copy_parse(p, n, &dc));
        g_assert_cmpuint(dc.image_type, ==, lz4 ? SPICE_IMAGE_TYPE_LZ4 : SPICE_IMAGE_TYPE_BITMAP);
    }
    paint_draw(b, canvas, 97);
    g_bytes_unref(b);
    g_bytes_unref(tc_expect(d, SPICE_MSG_DISPLAY_MARK));
    assert_canvas(canvas, f1);

    /* a damaged area comes alone */
    f2 = make_frame(97, 61, 1);
    for (int y = 10; y < 20; y++)
        memset(f2->map + f2->offset + y * f2->stride + 30 * 4, 0xab, 8 * 4);
    f2->full_damage = false;
    f2->n_damage = 0;
    sc_frame_add_damage(f2, 30, 10, 8, 10);
    emit(&fx, sc_frame_ref(f2));
    b = tc_expect(d, SPICE_MSG_DISPLAY_DRAW_COPY);
    {
        struct sc_draw_copy dc;
        p = g_bytes_get_data(b, &n);
        g_assert_true(sc_draw_copy_parse(p, n, &dc));
        g_assert_cmpint(dc.box.left, ==, 30);
        g_assert_cmpint(dc.box.top, ==, 10);
        g_assert_cmpint(dc.box.right, ==, 38);
        g_assert_cmpint(dc.box.bottom, ==, 20);
    }
    paint_draw(b, canvas, 97);
    g_bytes_unref(b);
    assert_canvas(canvas, f2);

    /* a resize recreates the surface */
    emit(&fx, make_frame(64, 32, 9));
    g_bytes_unref(tc_expect(d, SPICE_MSG_DISPLAY_SURFACE_DESTROY));
    b = tc_expect(d, SPICE_MSG_DISPLAY_SURFACE_CREATE);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_surface_create_parse(p, n, &sc));
    g_bytes_unref(b);
    g_assert_cmpuint(sc.width, ==, 64);
    g_bytes_unref(tc_expect(d, SPICE_MSG_DISPLAY_MONITORS_CONFIG));
    g_assert_true(tc_recv(d, &type, &b));
    g_assert_cmpuint(type, ==, SPICE_MSG_DISPLAY_DRAW_COPY);
    g_bytes_unref(b);

    g_free(canvas);
    sc_frame_unref(f1);
    sc_frame_unref(f2);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

static void test_display_lz4(void) { display_session(true); }

static void test_display_raw(void) { display_session(false); }

/* A client that does not read: the server coalesces instead of queueing. */
static void test_slow_client(void)
{
    struct fixture fx;
    struct tc *m, *d;
    struct sc_display_init init = { 1, 0, 1, 0 };
    struct sc_writer w;
    struct sc_frame *last = NULL;
    uint8_t *canvas = g_malloc0(512 * 512 * 4);
    size_t total = 0;
    uint32_t session;
    const int frames = 120;

    fixture_setup(&fx, NULL);
    emit(&fx, make_frame(512, 512, 0));
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    d = tc_connect(&fx);
    g_assert_cmpuint(tc_link(d, SPICE_CHANNEL_DISPLAY, session, NULL, UINT32_MAX), ==, 0);
    sc_writer_init(&w);
    sc_display_init_write(&w, &init);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_INIT, &w);
    sc_writer_finish(&w);
    /* 120 full raw frames of 1 MiB each, client not reading */
    for (int i = 1; i <= frames; i++) {
        struct sc_frame *f = make_frame(512, 512, (uint32_t)i);
        if (last)
            sc_frame_unref(last);
        last = sc_frame_ref(f);
        emit(&fx, f);
        for (int k = 0; k < 5; k++)
            g_main_context_iteration(NULL, FALSE);
    }
    /* now read until the canvas shows the last frame */
    for (;;) {
        uint16_t type;
        GBytes *b;
        bool done = false;

        g_assert_true(tc_recv(d, &type, &b));
        total += g_bytes_get_size(b);
        if (type == SPICE_MSG_DISPLAY_DRAW_COPY) {
            paint_draw(b, canvas, 512);
            done = memcmp(canvas, last->map + last->offset, 512 * 4) == 0;
            if (done) {
                assert_canvas(canvas, last);
                g_bytes_unref(b);
                break;
            }
        }
        g_bytes_unref(b);
    }
    g_test_message("read %zu bytes for %d frames of %u bytes", total, frames, 512 * 512 * 4);
    g_assert_cmpuint(total, <, (size_t)frames * 512 * 512 * 4 / 4);
    sc_frame_unref(last);
    g_free(canvas);
    tc_free(d);
    tc_free(m);
    fixture_teardown(&fx);
}

static void test_inputs(void)
{
    struct fixture fx;
    struct tc *m, *in;
    struct sc_writer w;
    uint32_t session;
    int acks = 0;

    fixture_setup(&fx, NULL);
    emit(&fx, make_frame(200, 100, 0));
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    in = tc_connect(&fx);
    g_assert_cmpuint(tc_link(in, SPICE_CHANNEL_INPUTS, session, NULL, UINT32_MAX), ==, 0);
    g_bytes_unref(tc_expect(in, SPICE_MSG_INPUTS_INIT));
    sc_writer_init(&w);
    for (uint32_t i = 0; i < 8; i++) {
        struct sc_mouse_position pos = { .x = 10 + i, .y = 20, .buttons_state = 0 };
        sc_writer_reset(&w);
        sc_mouse_position_write(&w, &pos);
        tc_send_msg(in, SPICE_MSGC_INPUTS_MOUSE_POSITION, &w);
    }
    sc_writer_reset(&w);
    sc_key_code_write(&w, 0x1e);
    tc_send_msg(in, SPICE_MSGC_INPUTS_KEY_DOWN, &w);
    sc_writer_reset(&w);
    sc_key_code_write(&w, 0xc8e0); /* Up release: bytes e0 c8 */
    tc_send_msg(in, SPICE_MSGC_INPUTS_KEY_UP, &w);
    sc_writer_finish(&w);
    while (acks < 2) {
        uint16_t type;
        GBytes *b;
        g_assert_true(tc_recv(in, &type, &b));
        g_bytes_unref(b);
        if (type == SPICE_MSG_INPUTS_MOUSE_MOTION_ACK)
            acks++;
    }
    tc_fill(in, 1); /* let the key messages be handled */
    g_assert_nonnull(strstr(fx.src.events->str, "ptr 17,20,0;"));
    g_assert_nonnull(strstr(fx.src.events->str, "key down 1e;"));
    g_assert_nonnull(strstr(fx.src.events->str, "key up e0 c8;"));
    tc_free(in);
    tc_free(m);
    fixture_teardown(&fx);
}

static void test_cursor(void)
{
    struct fixture fx;
    struct tc *m, *cur;
    struct sc_cursor_init init;
    uint8_t pixels[4 * 4 * 4];
    struct sc_cursor_shape shape = { 4, 4, 1, 2, pixels };
    uint32_t session;
    GBytes *b;
    gsize n;
    const uint8_t *p;
    int16_t x, y;

    memset(pixels, 0x80, sizeof(pixels));
    fixture_setup(&fx, NULL);
    emit(&fx, make_frame(200, 100, 0)); /* pointers are clamped to the screen */
    sc_source_emit_cursor(&fx.src.base, &shape);
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    cur = tc_connect(&fx);
    g_assert_cmpuint(tc_link(cur, SPICE_CHANNEL_CURSOR, session, NULL, UINT32_MAX), ==, 0);
    b = tc_expect(cur, SPICE_MSG_CURSOR_INIT);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_cursor_init_parse(p, n, &init));
    g_assert_cmpuint(init.cursor.type, ==, SPICE_CURSOR_TYPE_ALPHA);
    g_assert_cmpuint(init.cursor.width, ==, 4);
    g_assert_cmpuint(init.cursor.hot_spot_y, ==, 2);
    g_assert_cmpmem(init.cursor.data, init.cursor.data_size, pixels, sizeof(pixels));
    g_bytes_unref(b);
    sc_display_pointer(sc_server_display(fx.server, 0), 33, 44, 0);
    b = tc_expect(cur, SPICE_MSG_CURSOR_MOVE);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_cursor_move_parse(p, n, &x, &y));
    g_assert_cmpint(x, ==, 33);
    g_assert_cmpint(y, ==, 44);
    g_bytes_unref(b);
    tc_free(cur);
    tc_free(m);
    fixture_teardown(&fx);
}

/* Passwords set and expired at run time (the embedding API, as
 * spice-server's set_ticket): an expired password links nobody new, a
 * connected client stays; a lifetime runs out by itself. */
static void test_password_expiry(void)
{
    struct fixture fx;
    struct tc *a, *b, *c;
    GError *err = NULL;

    fixture_setup(&fx, NULL);
    g_assert_true(sc_server_set_password(fx.server, "first", 0, &err));
    g_assert_false(sc_server_set_password(fx.server, "", 0, NULL));
    a = tc_connect(&fx);
    link_main(a, "first");
    sc_server_expire_password(fx.server);
    b = tc_connect(&fx);
    g_assert_cmpuint(tc_link(b, SPICE_CHANNEL_MAIN, 0, "first", UINT32_MAX), ==,
                     SPICE_LINK_ERR_PERMISSION_DENIED);
    tc_send_msg(a, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL); /* still connected */
    g_bytes_unref(tc_expect(a, SPICE_MSG_MAIN_CHANNELS_LIST));
    g_assert_true(sc_server_set_password(fx.server, "second", 1, &err));
    c = tc_connect(&fx);
    link_main(c, "second");
    tc_free(c);
    g_usleep(1100 * 1000);
    c = tc_connect(&fx);
    g_assert_cmpuint(tc_link(c, SPICE_CHANNEL_MAIN, 0, "second", UINT32_MAX), ==,
                     SPICE_LINK_ERR_PERMISSION_DENIED);
    tc_free(c);
    tc_free(b);
    tc_free(a);
    fixture_teardown(&fx);
}

/* One try: a new connection, a main link with `password`; the result and
 * how long it took (ms). */
static uint32_t timed_try(struct fixture *fx, const char *password, double *ms)
{
    gint64 t0 = g_get_monotonic_time();
    struct tc *c = tc_connect(fx);
    uint32_t r = tc_link(c, SPICE_CHANNEL_MAIN, 0, password, UINT32_MAX);

    *ms = (g_get_monotonic_time() - t0) / 1000.0;
    tc_free(c);
    return r;
}

/* Regression (1,845 tries a second from one peer): after 5 wrong
 * tickets an address gets at most 10 answers a second, right or wrong; a
 * right one forgives it. */
static void test_wrong_ticket_throttle(void)
{
    struct fixture fx;
    double ms, total = 0;

    fixture_setup(&fx, "right");
    for (int i = 0; i < SC_LIMITS_FREE_FAILURES; i++)
        g_assert_cmpuint(timed_try(&fx, "wrong", &ms), ==, SPICE_LINK_ERR_PERMISSION_DENIED);
    for (int i = 0; i < 5; i++) {
        g_assert_cmpuint(timed_try(&fx, "wrong", &ms), ==, SPICE_LINK_ERR_PERMISSION_DENIED);
        total += ms;
    }
    g_test_message("5 throttled wrong tries took %.0f ms", total);
    g_assert_cmpfloat(total, >=, 400); /* 10 a second */
    g_assert_cmpuint(timed_try(&fx, "right", &ms), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpfloat(ms, >=, 80); /* the right one waits its turn too */
    fixture_teardown(&fx);
}

/* Regression: while a throttled peer waits for its answer, what it sends
 * was buffered without a bound; more than 64 KiB closes it now. */
static void test_flood_while_throttled(void)
{
    struct fixture fx;
    struct sc_link_reply reply;
    struct tc *c;
    double ms;
    uint8_t *junk = g_malloc0(256 * 1024);

    fixture_setup(&fx, "right");
    for (int i = 0; i < SC_LIMITS_FREE_FAILURES + 2; i++)
        timed_try(&fx, "wrong", &ms);
    c = tc_connect(&fx);
    g_assert_cmpuint(tc_link_hello(c, SPICE_CHANNEL_MAIN, 0, NULL, 0, &reply), ==, 0);
    tc_link_send_ticket(c, &reply, "right");
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE); /* the ticket is taken; its answer waits */
    (void)!send(c->fd, junk, 256 * 1024, MSG_DONTWAIT);
    while (tc_fill(c, c->in->len + 1))
        ; /* until EOF (the answer, if any, then the close) */
    g_assert_true(c->closed);
    g_assert_cmpuint(c->in->len, ==, 0); /* closed before any answer: never linked */
    g_assert_cmpuint(sc_server_client_count(fx.server), ==, 0);
    tc_free(c);
    g_free(junk);
    fixture_teardown(&fx);
}

/* The policy itself, without timing: free tries, then 10 a second, a right
 * ticket forgives; other addresses are not slowed. */
static void test_link_limits_policy(void)
{
    struct sc_limits *l = sc_limits_new();
    gint64 now = g_get_monotonic_time(), at, prev;

    for (int i = 0; i < SC_LIMITS_FREE_FAILURES; i++) {
        g_assert_cmpint(sc_limits_answer_at(l, "a"), <=, g_get_monotonic_time());
        sc_limits_ticket(l, "a", false);
    }
    prev = sc_limits_answer_at(l, "a");
    for (int i = 0; i < 9; i++) {
        sc_limits_ticket(l, "a", false);
        at = sc_limits_answer_at(l, "a");
        g_assert_cmpint(at - prev, ==, G_USEC_PER_SEC / SC_LIMITS_TRIES_PER_S);
        prev = at;
    }
    g_assert_cmpint(prev - now, >=, G_USEC_PER_SEC * 9 / 10);
    g_assert_cmpint(sc_limits_answer_at(l, "b"), <=, g_get_monotonic_time());
    sc_limits_ticket(l, "a", true);
    sc_limits_ticket(l, "a", false);
    g_assert_cmpint(sc_limits_answer_at(l, "a"), <=, g_get_monotonic_time() + 1);
    /* wrong tickets from many addresses: the table stays bounded (each
     * address below stays until forgiven, unless the table is full) */
    for (int i = 0; i < SC_LIMITS_MAX_PEERS * 2; i++) {
        char addr[32];
        g_snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 256, i % 256);
        sc_limits_ticket(l, addr, false);
    }
    g_assert_cmpuint(sc_limits_n_peers(l), <=, SC_LIMITS_MAX_PEERS + 1);
    /* pending connections per address */
    for (int i = 0; i < SC_LIMITS_PENDING_PER_ADDR; i++)
        g_assert_true(sc_limits_link_start(l, "c"));
    g_assert_false(sc_limits_link_start(l, "c"));
    g_assert_true(sc_limits_link_start(l, "d"));
    sc_limits_link_done(l, "c");
    g_assert_true(sc_limits_link_start(l, "c"));
    sc_limits_free(l);
}

/* At most SC_LIMITS_PENDING_PER_ADDR connections of one address in the
 * link stage (OpenSSH's MaxStartups); more are closed at once, and a slot
 * frees when one links. */
static bool closed_now(struct tc *c)
{
    uint8_t b;

    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
    return recv(c->fd, &b, 1, MSG_DONTWAIT) == 0;
}

static void test_pending_cap(void)
{
    struct fixture fx;
    struct tc *c[SC_LIMITS_PENDING_PER_ADDR + 2];
    guint n = G_N_ELEMENTS(c);

    fixture_setup(&fx, NULL);
    for (guint i = 0; i < n; i++)
        c[i] = tc_connect(&fx);
    for (guint i = 0; i < n; i++)
        g_assert_true(closed_now(c[i]) == (i >= SC_LIMITS_PENDING_PER_ADDR));
    link_main(c[0], NULL); /* linked: no longer pending */
    tc_free(c[n - 1]);
    c[n - 1] = tc_connect(&fx);
    g_assert_false(closed_now(c[n - 1]));
    for (guint i = 0; i < n; i++)
        tc_free(c[i]);
    fixture_teardown(&fx);
}

static void test_max_clients(void)
{
    struct sc_server_options o = { .name = "t", .disable_ticketing = true, .max_clients = 1 };
    struct fixture fx;
    struct tc *a, *b;

    fixture_setup_options(&fx, &o);
    a = tc_connect(&fx);
    link_main(a, NULL);
    b = tc_connect(&fx);
    g_assert_cmpuint(tc_link(b, SPICE_CHANNEL_MAIN, 0, NULL, UINT32_MAX), ==,
                     SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    tc_free(b);
    tc_free(a);
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
    b = tc_connect(&fx);
    link_main(b, NULL);
    tc_free(b);
    fixture_teardown(&fx);
}

/* Regression: positions of 0xffffffff (and beyond the screen, and relative
 * moves of INT32_MAX) were passed on as they came; they are clamped to the
 * 200x100 screen now. */
static void test_pointer_clamped(void)
{
    struct fixture fx;
    struct tc *m, *in;
    struct sc_writer w;
    struct sc_mouse_position far = { .x = 0xffffffff, .y = 0xffffffff, .buttons_state = 0 };
    struct sc_mouse_position beyond = { .x = 5000, .y = 100, .buttons_state = 1 };
    struct sc_mouse_motion jump = { .dx = INT32_MAX, .dy = INT32_MIN, .buttons_state = 0 };
    uint32_t session;

    fixture_setup(&fx, NULL);
    emit(&fx, make_frame(200, 100, 0));
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    in = tc_connect(&fx);
    g_assert_cmpuint(tc_link(in, SPICE_CHANNEL_INPUTS, session, NULL, UINT32_MAX), ==, 0);
    g_bytes_unref(tc_expect(in, SPICE_MSG_INPUTS_INIT));
    sc_writer_init(&w);
    sc_mouse_position_write(&w, &far);
    tc_send_msg(in, SPICE_MSGC_INPUTS_MOUSE_POSITION, &w);
    sc_writer_reset(&w);
    sc_mouse_position_write(&w, &beyond);
    tc_send_msg(in, SPICE_MSGC_INPUTS_MOUSE_POSITION, &w);
    sc_writer_reset(&w);
    sc_mouse_motion_write(&w, &jump);
    tc_send_msg(in, SPICE_MSGC_INPUTS_MOUSE_MOTION, &w);
    sc_writer_finish(&w);
    for (int i = 0; i < 2000 && !strstr(fx.src.events->str, "ptr 199,0,0;"); i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_test_message("events: %s", fx.src.events->str);
    g_assert_nonnull(strstr(fx.src.events->str, "ptr 0,0,0;ptr 199,99,1;ptr 199,0,0;"));
    tc_free(in);
    tc_free(m);
    fixture_teardown(&fx);
}

/* Regression: a 100 kB AGENT_DATA (no agent here, and no tokens given) was
 * buffered and ignored; every message type now has a size bound, and a
 * longer message closes that connection before its body is read.  One of
 * VD_AGENT_MAX_DATA_SIZE is still taken. */
static void test_message_size_bounds(void)
{
    struct fixture fx;
    struct tc *m, *other;
    struct sc_writer w;
    uint8_t *big = g_malloc0(100 * 1024);

    fixture_setup(&fx, NULL);
    m = tc_connect(&fx);
    link_main(m, NULL);
    other = tc_connect(&fx);
    link_main(other, NULL);
    sc_writer_init(&w);
    sc_write_bytes(&w, big, 2048);
    tc_send_msg(m, SPICE_MSGC_MAIN_AGENT_DATA, &w);
    tc_send_msg(m, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL);
    g_bytes_unref(tc_expect(m, SPICE_MSG_MAIN_CHANNELS_LIST));
    /* the header alone: the server must not wait for 100 kB */
    sc_writer_reset(&w);
    {
        uint8_t h[6];
        sc_put_u16(h, SPICE_MSGC_MAIN_AGENT_DATA);
        sc_put_u32(h + 2, 100 * 1024);
        tc_send(m, h, sizeof(h));
    }
    g_assert_false(tc_fill(m, 1));
    g_assert_true(m->closed);
    /* an unknown type is refused at its header too */
    {
        uint8_t h[6];
        sc_put_u16(h, 0x7fff);
        sc_put_u32(h + 2, 1u << 30);
        tc_send(other, h, sizeof(h));
    }
    g_assert_false(tc_fill(other, 1));
    g_assert_cmpuint(sc_server_client_count(fx.server), ==, 0);
    sc_writer_finish(&w);
    g_free(big);
    tc_free(other);
    tc_free(m);
    fixture_teardown(&fx);
}

/* Regression: a ticket handled in the same loop iteration as the link
 * timeout.  hand_over() gave the connection to its channel but left the
 * timeout armed, which then closed a NULL connection (a crash any client
 * could cause, before any password).  The ticket is sent, the timeout is
 * let expire, and only then does the loop run: both sources are ready. */
static void test_ticket_at_link_timeout(void)
{
    struct fixture fx;
    struct tc *c, *d;
    struct sc_link_reply reply;

    fixture_setup(&fx, NULL);
    fx.server->link_timeout_ms = 150;
    c = tc_connect(&fx);
    g_assert_cmpuint(tc_link_hello(c, SPICE_CHANNEL_MAIN, 0, NULL, 0, &reply), ==, 0);
    tc_link_send_ticket(c, &reply, NULL);
    g_usleep(300 * 1000);
    g_assert_cmpuint(tc_link_result(c), ==, SPICE_LINK_ERR_OK);
    g_bytes_unref(tc_expect(c, SPICE_MSG_MAIN_INIT));
    /* the linked channel outlives the timeout, and the server still links */
    g_usleep(300 * 1000);
    tc_send_msg(c, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL);
    g_bytes_unref(tc_expect(c, SPICE_MSG_MAIN_CHANNELS_LIST));
    g_assert_cmpuint(sc_server_client_count(fx.server), ==, 1);
    /* a link that never sends its ticket is still closed by the timeout */
    d = tc_connect(&fx);
    g_assert_cmpuint(tc_link_hello(d, SPICE_CHANNEL_MAIN, 0, NULL, 0, &reply), ==, 0);
    g_assert_false(tc_fill(d, 1));
    g_assert_true(d->closed);
    tc_free(d);
    tc_free(c);
    fixture_teardown(&fx);
}

/* A protocol error closes that connection only. */
static void test_garbage_closes_one(void)
{
    struct fixture fx;
    struct tc *bad, *good, *m;
    uint8_t junk[64];
    uint32_t session;

    fixture_setup(&fx, NULL);
    m = tc_connect(&fx);
    session = link_main(m, NULL);
    bad = tc_connect(&fx);
    g_assert_cmpuint(tc_link(bad, SPICE_CHANNEL_INPUTS, session, NULL, UINT32_MAX), ==, 0);
    g_bytes_unref(tc_expect(bad, SPICE_MSG_INPUTS_INIT));
    /* a KEY_DOWN with a 2-byte body, then a 2 GiB message */
    memset(junk, 0, sizeof(junk));
    sc_put_u16(junk, SPICE_MSGC_INPUTS_KEY_DOWN);
    sc_put_u32(junk + 2, 2);
    tc_send(bad, junk, 8);
    g_assert_false(tc_fill(bad, 1));
    g_assert_true(bad->closed);
    /* the session's main channel still answers */
    good = tc_connect(&fx);
    link_main(good, NULL);
    tc_send_msg(m, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL);
    g_bytes_unref(tc_expect(m, SPICE_MSG_MAIN_CHANNELS_LIST));
    tc_free(bad);
    tc_free(good);
    tc_free(m);
    fixture_teardown(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/server/main-channel", test_main_channel);
    g_test_add_func("/server/password", test_password);
    g_test_add_func("/server/bad-connection-id", test_bad_connection_id);
    g_test_add_func("/server/display-lz4", test_display_lz4);
    g_test_add_func("/server/display-raw", test_display_raw);
    g_test_add_func("/server/slow-client", test_slow_client);
    g_test_add_func("/server/inputs", test_inputs);
    g_test_add_func("/server/cursor", test_cursor);
    g_test_add_func("/server/garbage-closes-one", test_garbage_closes_one);
    g_test_add_func("/server/ticket-at-link-timeout", test_ticket_at_link_timeout);
    g_test_add_func("/server/pointer-clamped", test_pointer_clamped);
    g_test_add_func("/server/message-size-bounds", test_message_size_bounds);
    g_test_add_func("/server/password-expiry", test_password_expiry);
    g_test_add_func("/server/wrong-ticket-throttle", test_wrong_ticket_throttle);
    g_test_add_func("/server/link-limits-policy", test_link_limits_policy);
    g_test_add_func("/server/flood-while-throttled", test_flood_while_throttled);
    g_test_add_func("/server/pending-cap", test_pending_cap);
    g_test_add_func("/server/max-clients", test_max_clients);
    return g_test_run();
}
