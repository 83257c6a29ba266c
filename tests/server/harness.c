/* A scripted SPICE client and a controllable source for protocol tests of
 * the server core over socketpair() (tests/server/harness.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/server/harness.h"
#include "server/link.h"

/* ---- a test source ------------------------------------------------------ */


static void ts_key(struct sc_source *s, const uint8_t *code, unsigned len, bool down)
{
    struct test_source *t = (struct test_source *)s;

    g_string_append_printf(t->events, "key %s", down ? "down" : "up");
    for (unsigned i = 0; i < len; i++)
        g_string_append_printf(t->events, " %02x", code[i]);
    g_string_append_c(t->events, ';');
}

static void ts_pointer(struct sc_source *s, unsigned head, int32_t x, int32_t y, uint32_t buttons)
{
    struct test_source *t = (struct test_source *)s;

    if (head)
        g_string_append_printf(t->events, "ptr%u %d,%d,%u;", head, x, y, buttons);
    else
        g_string_append_printf(t->events, "ptr %d,%d,%u;", x, y, buttons);
}

static void ts_destroy(struct sc_source *s)
{
    (void)s;
}

static const struct sc_source_ops test_source_ops = {
    .name = "test",
    .key = ts_key,
    .pointer = ts_pointer,
    .destroy = ts_destroy,
};

struct sc_frame *make_frame(uint32_t w, uint32_t h, uint32_t seed)
{
    struct sc_frame *f = sc_frame_new_memfd(w, h);

    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = f->map + f->offset + y * f->stride + x * 4;
            /* blocks: compressible, yet every block differs */
            p[0] = (uint8_t)((x / 8) * 7 + seed);
            p[1] = (uint8_t)((y / 8) * 5 + seed * 3);
            p[2] = (uint8_t)(((x / 8) ^ (y / 8)) + seed);
            p[3] = 0;
        }
    sc_frame_set_full_damage(f);
    return f;
}

/* ---- fixture: a server and a scripted client ------------------------------ */



void fixture_setup(struct fixture *fx, const char *password)
{
    struct sc_server_options o = { .name = "test", .password = password,
                                   .disable_ticketing = password == NULL };

    fixture_setup_options(fx, &o);
}

void fixture_setup_options(struct fixture *fx, const struct sc_server_options *o)
{
    GError *error = NULL;

    fx->server = sc_server_new(o, &error);
    g_assert_no_error(error);
    memset(&fx->src, 0, sizeof(fx->src));
    fx->src.base.impl = &test_source_ops;
    fx->src.events = g_string_new(NULL);
    sc_server_set_source(fx->server, &fx->src.base);
}

void fixture_teardown(struct fixture *fx)
{
    sc_server_free(fx->server);
    for (int i = 0; i < 50; i++)
        g_main_context_iteration(NULL, FALSE);
    g_string_free(fx->src.events, TRUE);
}

void emit(struct fixture *fx, struct sc_frame *f)
{
    sc_source_emit_frame(&fx->src.base, f);
    sc_frame_unref(f);
}

struct tc *tc_connect(struct fixture *fx)
{
    struct tc *c = g_new0(struct tc, 1);
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    sc_link_accept(fx->server, sv[0], true, "test", "test");
    c->fd = sv[1];
    c->in = g_byte_array_new();
    return c;
}

void tc_free(struct tc *c)
{
    close(c->fd);
    g_byte_array_unref(c->in);
    g_free(c);
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
}

/* Runs the server's main loop until `need` bytes are buffered, EOF or 5 s. */
bool tc_fill(struct tc *c, size_t need)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (c->in->len < need && !c->closed && g_get_monotonic_time() < deadline) {
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        uint8_t buf[65536];

        while (g_main_context_iteration(NULL, FALSE))
            ;
        if (poll(&p, 1, 5) == 1) {
            ssize_t r = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (r > 0)
                g_byte_array_append(c->in, buf, (guint)r);
            else if (r == 0 || (errno != EAGAIN && errno != EINTR))
                c->closed = true;
        }
    }
    return c->in->len >= need;
}

void tc_send(struct tc *c, const void *data, size_t len)
{
    g_assert_cmpint(send(c->fd, data, len, MSG_NOSIGNAL), ==, (ssize_t)len);
}

void tc_send_msg(struct tc *c, uint16_t type, const struct sc_writer *body)
{
    struct sc_writer w;
    size_t start;

    sc_writer_init(&w);
    start = sc_msg_begin(&w, true, 0, type);
    if (body)
        sc_write_bytes(&w, body->data, body->size);
    sc_msg_end(&w, start, true);
    tc_send(c, w.data, w.size);
    sc_writer_finish(&w);
}

/* Receives one message (answering SET_ACK and the ack window). */
void tc_answer_set_ack(struct tc *c, GBytes *body)
{
    struct sc_set_ack ack;
    struct sc_writer w;
    gsize n;
    const uint8_t *p = g_bytes_get_data(body, &n);

    g_assert_true(sc_set_ack_parse(p, n, &ack));
    sc_writer_init(&w);
    sc_ack_sync_write(&w, ack.generation);
    tc_send_msg(c, SPICE_MSGC_ACK_SYNC, &w);
    sc_writer_finish(&w);
    c->ack_window = ack.window;
    c->received = 0;
}

bool tc_recv(struct tc *c, uint16_t *type, GBytes **body)
{
    struct sc_data_header h;

    for (;;) {
        if (!tc_fill(c, SC_MINI_HEADER_SIZE))
            return false;
        g_assert_true(sc_data_header_parse(c->in->data, c->in->len, true, &h));
        if (!tc_fill(c, SC_MINI_HEADER_SIZE + h.size))
            return false;
        *body = g_bytes_new(c->in->data + SC_MINI_HEADER_SIZE, h.size);
        *type = h.type;
        g_byte_array_remove_range(c->in, 0, SC_MINI_HEADER_SIZE + h.size);
        if (c->ack_window && ++c->received % c->ack_window == 0)
            tc_send_msg(c, SPICE_MSGC_ACK, NULL);
        if (h.type == SPICE_MSG_SET_ACK) {
            tc_answer_set_ack(c, *body);
            g_bytes_unref(*body);
            continue;
        }
        return true;
    }
}

GBytes *tc_expect(struct tc *c, uint16_t want)
{
    uint16_t type = 0;
    GBytes *body = NULL;

    g_assert_true(tc_recv(c, &type, &body));
    g_assert_cmpuint(type, ==, want);
    return body;
}

/* Links a channel; returns the link result (or the reply's error). */
uint32_t tc_link_hello(struct tc *c, uint8_t type, uint32_t conn_id, const unsigned *caps,
                       unsigned n_caps, struct sc_link_reply *reply)
{
    struct sc_link_mess m = { .connection_id = conn_id, .channel_type = type,
                              .channel_id = c->channel_id };
    struct sc_link_header h;
    struct sc_writer w;

    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    for (unsigned i = 0; i < n_caps; i++)
        sc_caps_set(m.caps.channel, &m.caps.n_channel, caps[i]);
    sc_writer_init(&w);
    sc_link_mess_write(&w, &m);
    tc_send(c, w.data, w.size);
    sc_writer_finish(&w);

    g_assert_true(tc_fill(c, SC_LINK_HEADER_SIZE));
    g_assert_cmpint(sc_link_header_parse(c->in->data, c->in->len, &h), ==, SPICE_LINK_ERR_OK);
    g_assert_true(tc_fill(c, SC_LINK_HEADER_SIZE + h.size));
    g_assert_cmpint(sc_link_reply_parse(c->in->data + SC_LINK_HEADER_SIZE, h.size, reply), ==,
                    SPICE_LINK_ERR_OK);
    g_byte_array_remove_range(c->in, 0, SC_LINK_HEADER_SIZE + h.size);
    if (reply->error)
        return reply->error;
    g_assert_true(sc_caps_has_common(&reply->caps, SPICE_COMMON_CAP_MINI_HEADER));
    g_assert_true(sc_caps_has_common(&reply->caps, SPICE_COMMON_CAP_AUTH_SPICE));
    return SPICE_LINK_ERR_OK;
}

void tc_link_send_ticket(struct tc *c, const struct sc_link_reply *reply, const char *password)
{
    uint8_t ticket[SC_TICKET_SIZE];
    uint8_t mech[4];

    sc_put_u32(mech, SPICE_COMMON_CAP_AUTH_SPICE);
    tc_send(c, mech, 4);
    g_assert_true(sc_ticket_encrypt(reply->pub_key, sizeof(reply->pub_key),
                                    password ? password : "", ticket));
    tc_send(c, ticket, sizeof(ticket));
}

uint32_t tc_link_result(struct tc *c)
{
    uint32_t result;

    g_assert_true(tc_fill(c, 4));
    result = sc_get_u32(c->in->data);
    g_byte_array_remove_range(c->in, 0, 4);
    return result;
}

uint32_t tc_link_caps(struct tc *c, uint8_t type, uint32_t conn_id, const char *password,
                      const unsigned *caps, unsigned n_caps)
{
    struct sc_link_reply reply;
    uint32_t err = tc_link_hello(c, type, conn_id, caps, n_caps, &reply);

    if (err != SPICE_LINK_ERR_OK)
        return err;
    tc_link_send_ticket(c, &reply, password);
    return tc_link_result(c);
}

uint32_t tc_link(struct tc *c, uint8_t type, uint32_t conn_id, const char *password,
                 uint32_t channel_cap)
{
    unsigned cap = channel_cap;

    return tc_link_caps(c, type, conn_id, password, &cap, channel_cap != UINT32_MAX);
}

struct tc *connect_display(struct fixture *fx, uint32_t session, const unsigned *caps,
                           unsigned n_caps)
{
    struct sc_display_init init = { 1, 0, 1, 0 };
    struct tc *d = tc_connect(fx);
    struct sc_writer w;

    g_assert_cmpuint(tc_link_caps(d, SPICE_CHANNEL_DISPLAY, session, NULL, caps, n_caps), ==,
                     SPICE_LINK_ERR_OK);
    sc_writer_init(&w);
    sc_display_init_write(&w, &init);
    tc_send_msg(d, SPICE_MSGC_DISPLAY_INIT, &w);
    sc_writer_finish(&w);
    return d;
}

uint32_t link_main(struct tc *c, const char *password)
{
    struct sc_main_init init;
    GBytes *b;
    gsize n;
    const uint8_t *p;

    g_assert_cmpuint(tc_link(c, SPICE_CHANNEL_MAIN, 0, password, SPICE_MAIN_CAP_NAME_AND_UUID), ==,
                     SPICE_LINK_ERR_OK);
    b = tc_expect(c, SPICE_MSG_MAIN_INIT);
    p = g_bytes_get_data(b, &n);
    g_assert_true(sc_main_init_parse(p, n, &init));
    g_bytes_unref(b);
    g_assert_cmpuint(init.session_id, !=, 0);
    g_assert_cmpuint(init.current_mouse_mode, ==, SPICE_MOUSE_MODE_CLIENT);
    g_assert_cmpuint(init.multi_media_time, !=, 0);
    g_bytes_unref(tc_expect(c, SPICE_MSG_MAIN_NAME));
    g_bytes_unref(tc_expect(c, SPICE_MSG_MAIN_UUID));
    return init.session_id;
}

/* Reads exactly n bytes: first what the harness buffered, then the socket
 * (never past what is asked: the '@' byte must stay for recvmsg). */
bool tc_read_exact(struct tc *c, uint8_t *dst, size_t n)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    size_t got = MIN(n, c->in->len);

    memcpy(dst, c->in->data, got);
    g_byte_array_remove_range(c->in, 0, (guint)got);
    while (got < n && g_get_monotonic_time() < deadline) {
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        ssize_t r;

        while (g_main_context_iteration(NULL, FALSE))
            ;
        if (poll(&p, 1, 5) != 1)
            continue;
        r = recv(c->fd, dst + got, n - got, MSG_DONTWAIT);
        if (r == 0)
            return false;
        if (r > 0)
            got += (size_t)r;
    }
    return got == n;
}

struct sc_frame *make_moving_frame(uint32_t w, uint32_t h, uint32_t seed)
{
    struct sc_frame *f = make_frame(w, h, 0);
    int x = (int)(seed * 8) % ((int)w - 48);

    for (int y = 60; y < 108; y++)
        memset(f->map + f->offset + y * f->stride + x * 4, 0xf0, 48 * 4);
    f->seq = seed;
    f->full_damage = false;
    f->n_damage = 0;
    sc_frame_add_damage(f, 0, 60, w, 48);
    return f;
}

void tc_read_until_mark(struct tc *d)
{
    uint16_t type = 0;
    GBytes *b;

    while (type != SPICE_MSG_DISPLAY_MARK) {
        g_assert_true(tc_recv(d, &type, &b));
        g_bytes_unref(b);
    }
}
