/* The built-in agent (server/agent.c) over socketpair(): a scripted client
 * does what spice-gtk 0.42 does (AGENT_START, ANNOUNCE_CAPABILITIES with a
 * request, MONITORS_CONFIG) and gets the caps, the reply and a resized
 * source; malformed agent messages are refused with a log line and the
 * session goes on; a source without resize offers no agent. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <spice/vd_agent.h>

#include "tests/server/harness.h"

/* ---- a resizable test source ---------------------------------------- */

static void rs_key(struct sc_source *s, const uint8_t *code, unsigned len, bool down)
{
    (void)s, (void)code, (void)len, (void)down;
}

static void rs_pointer(struct sc_source *s, unsigned head, int32_t x, int32_t y, uint32_t buttons)
{
    (void)s, (void)head, (void)x, (void)y, (void)buttons;
}

static bool rs_resize(struct sc_source *s, unsigned head, uint32_t w, uint32_t h)
{
    struct test_source *t = (struct test_source *)s;

    if (head)
        g_string_append_printf(t->events, "resize%u %ux%u;", head, w, h);
    else
        g_string_append_printf(t->events, "resize %ux%u;", w, h);
    return true;
}

static void rs_destroy(struct sc_source *s)
{
    (void)s;
}

static const struct sc_source_ops resizable_ops = {
    .name = "resizable",
    .key = rs_key,
    .pointer = rs_pointer,
    .resize = rs_resize,
    .destroy = rs_destroy,
};

/* ---- stderr capture, for the log lines -------------------------------- */

static int saved_stderr = -1, log_fd = -1; /* log_fd: a memfd, no file to remove */

static void log_begin(void)
{
    log_fd = memfd_create("sc-test-agent-log", MFD_CLOEXEC);
    g_assert_cmpint(log_fd, >=, 0);
    fflush(stderr);
    saved_stderr = dup(2);
    dup2(log_fd, 2);
}

static char *log_end(void)
{
    GString *text = g_string_new(NULL);
    char buf[4096];
    ssize_t n;

    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    g_assert_cmpint(lseek(log_fd, 0, SEEK_SET), ==, 0);
    while ((n = read(log_fd, buf, sizeof(buf))) > 0)
        g_string_append_len(text, buf, n);
    close(log_fd);
    return g_string_free(text, FALSE);
}

/* ---- agent messages ---------------------------------------------------- */

static void agent_header(struct sc_writer *w, uint32_t protocol, uint32_t type, uint32_t size)
{
    sc_write_u32(w, protocol);
    sc_write_u32(w, type);
    sc_write_u64(w, 0);
    sc_write_u32(w, size);
}

static void send_chunk(struct tc *c, struct sc_writer *w)
{
    tc_send_msg(c, SPICE_MSGC_MAIN_AGENT_DATA, w);
    sc_writer_finish(w);
}

/* As spice-gtk's spice_main_channel_send_monitor_config: one monitor,
 * USE_POS | PHYSICAL_SIZE, the 4-byte VDAgentMonitorMM after the monitors
 * (size 32: what remote-viewer 0.42 sends). */
static void send_monitors(struct tc *c, uint32_t w, uint32_t h)
{
    struct sc_writer m;

    sc_writer_init(&m);
    agent_header(&m, VD_AGENT_PROTOCOL, VD_AGENT_MONITORS_CONFIG, 8 + 24);
    sc_write_u32(&m, 1);
    sc_write_u32(&m, VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS |
                         VD_AGENT_CONFIG_MONITORS_FLAG_PHYSICAL_SIZE);
    sc_write_u32(&m, h);
    sc_write_u32(&m, w);
    sc_write_u32(&m, 32);
    sc_write_i32(&m, 0);
    sc_write_i32(&m, 0);
    sc_write_u16(&m, 200); /* VDAgentMonitorMM: height, width in mm */
    sc_write_u16(&m, 300);
    send_chunk(c, &m);
}

/* The next AGENT_DATA (AGENT_TOKENs counted into *tokens); its type and
 * the payload's first two u32. */
static uint32_t recv_agent(struct tc *c, uint32_t *tokens, uint32_t *a, uint32_t *b)
{
    uint16_t type;
    GBytes *body;
    struct sc_reader r;
    gsize n;
    const uint8_t *p;
    uint32_t t;

    for (;;) {
        g_assert_true(tc_recv(c, &type, &body));
        p = g_bytes_get_data(body, &n);
        sc_reader_init(&r, p, n);
        if (type == SPICE_MSG_MAIN_AGENT_TOKEN) {
            *tokens += sc_read_u32(&r);
            g_bytes_unref(body);
            continue;
        }
        g_assert_cmpuint(type, ==, SPICE_MSG_MAIN_AGENT_DATA);
        g_assert_cmpuint(sc_read_u32(&r), ==, VD_AGENT_PROTOCOL);
        t = sc_read_u32(&r);
        sc_read_u64(&r);
        g_assert_cmpuint(sc_read_u32(&r), ==, n - 20);
        *a = sc_read_u32(&r);
        *b = sc_read_u32(&r);
        g_assert_true(sc_reader_ok(&r));
        g_bytes_unref(body);
        return t;
    }
}

/* Links main on a resizable source; checks MAIN_INIT's agent fields. */
static struct tc *connect_agent(struct fixture *fx, bool resizable)
{
    struct tc *c;
    struct sc_main_init init;
    struct sc_writer w;
    GBytes *b;
    gsize n;

    fixture_setup(fx, NULL);
    if (resizable)
        fx->src.base.impl = &resizable_ops;
    c = tc_connect(fx);
    g_assert_cmpuint(tc_link(c, SPICE_CHANNEL_MAIN, 0, NULL, UINT32_MAX), ==, SPICE_LINK_ERR_OK);
    b = tc_expect(c, SPICE_MSG_MAIN_INIT);
    /* n is set by g_bytes_get_data before it is read: not in one call's
     * arguments, whose order is unspecified (the sanitizer build read n
     * first) */
    const uint8_t *p = g_bytes_get_data(b, &n);
    g_assert_true(sc_main_init_parse(p, n, &init));
    g_bytes_unref(b);
    g_assert_cmpuint(init.agent_connected, ==, (resizable ? 1 : 0));
    g_assert_cmpuint(init.agent_tokens, ==, 10);
    sc_writer_init(&w);
    sc_write_u32(&w, ~0u);
    tc_send_msg(c, SPICE_MSGC_MAIN_AGENT_START, &w);
    sc_writer_finish(&w);
    return c;
}

static void announce(struct tc *c, uint32_t *tokens)
{
    struct sc_writer w;
    uint32_t a, b;

    sc_writer_init(&w);
    agent_header(&w, VD_AGENT_PROTOCOL, VD_AGENT_ANNOUNCE_CAPABILITIES, 8);
    sc_write_u32(&w, 1); /* request */
    sc_write_u32(&w, 0xffffffffu);
    send_chunk(c, &w);
    g_assert_cmpuint(recv_agent(c, tokens, &a, &b), ==, VD_AGENT_ANNOUNCE_CAPABILITIES);
    g_assert_cmpuint(a, ==, 0); /* no request back */
    g_assert_cmpuint(b, ==, (1u << VD_AGENT_CAP_MONITORS_CONFIG) |
                                (1u << VD_AGENT_CAP_SPARSE_MONITORS_CONFIG));
}

/* The session still answers on the main channel. */
static void still_alive(struct tc *c)
{
    uint16_t type;
    GBytes *body;

    tc_send_msg(c, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL);
    do {
        g_assert_true(tc_recv(c, &type, &body));
        g_bytes_unref(body);
    } while (type == SPICE_MSG_MAIN_AGENT_TOKEN);
    g_assert_cmpuint(type, ==, SPICE_MSG_MAIN_CHANNELS_LIST);
}

static void test_monitors_config(void)
{
    struct fixture fx;
    struct tc *c = connect_agent(&fx, true);
    uint32_t tokens = 0, a, b;

    announce(c, &tokens);
    send_monitors(c, 800, 600);
    g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
    g_assert_cmpuint(a, ==, VD_AGENT_MONITORS_CONFIG);
    g_assert_cmpuint(b, ==, VD_AGENT_SUCCESS);
    g_assert_cmpstr(fx.src.events->str, ==, "resize 800x600;");
    /* more chunks than the window: tokens come back and every one counts */
    for (unsigned i = 0; i < 30; i++) {
        /* as spice-gtk: a chunk only with a token (10 from MAIN_INIT) */
        g_assert_cmpuint(10 + tokens, >, 2 + i);
        send_monitors(c, 640 + i, 480);
        g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
        g_assert_cmpuint(b, ==, VD_AGENT_SUCCESS);
    }
    g_assert_true(g_str_has_suffix(fx.src.events->str, "resize 669x480;"));
    g_assert_cmpuint(tokens, >=, 30 + 2 - 10);
    still_alive(c);
    tc_free(c);
    fixture_teardown(&fx);
}

/* Each malformed message: REPLY error (monitors config) or nothing, a
 * warning, no resize; then a good one works. */
static void test_malformed(void)
{
    struct fixture fx;
    struct tc *c = connect_agent(&fx, true);
    uint32_t tokens = 0, a, b, refused = 0;
    static const struct { uint32_t n, flags, size, w, h; bool reply; } bad[] = {
        { 0, 0, 8, 0, 0, true },                   /* no monitor */
        { 17, 0, 8 + 17 * 20, 640, 480, true },    /* too many */
        { 1, 0, 8 + 28, 640, 480, true },          /* size not 8 + 20n */
        { 1, 3, 8 + 28, 640, 480, true },          /* nor 8 + 24n with sizes */
        { 2, 0, 8 + 20, 640, 480, true },          /* says 2, has 1 */
        { 1, 0x80, 8 + 20, 640, 480, true },       /* unknown flag */
        { 1, 0, 8 + 20, 0, 480, true },            /* zero width */
        { 1, 0, 8 + 20, 100000, 480, true },       /* huge */
        { 1, 0, 4, 640, 480, true },               /* shorter than its header */
        { 1, 0, 600, 640, 480, false },            /* over the kept limit */
    };
    struct sc_writer w;
    char *log;

    announce(c, &tokens);
    log_begin();
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        sc_writer_init(&w);
        agent_header(&w, VD_AGENT_PROTOCOL, VD_AGENT_MONITORS_CONFIG, bad[i].size);
        sc_write_u32(&w, bad[i].n);
        if (bad[i].size >= 8) {
            sc_write_u32(&w, bad[i].flags);
            for (uint32_t k = 8; k + 20 <= bad[i].size; k += 20) {
                sc_write_u32(&w, bad[i].h);
                sc_write_u32(&w, bad[i].w);
                sc_write_u32(&w, 32);
                sc_write_u64(&w, 0);
            }
            for (uint32_t k = 8 + (bad[i].size - 8) / 20 * 20; k < bad[i].size; k++)
                sc_write_u8(&w, 0);
        }
        send_chunk(c, &w);
        if (bad[i].reply) {
            g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
            g_assert_cmpuint(b, ==, VD_AGENT_ERROR);
        }
    }
    /* a short header, another protocol, an unknown type */
    sc_writer_init(&w);
    sc_write_u32(&w, VD_AGENT_PROTOCOL);
    send_chunk(c, &w);
    sc_writer_init(&w);
    agent_header(&w, 2, VD_AGENT_MONITORS_CONFIG, 0);
    send_chunk(c, &w);
    sc_writer_init(&w);
    agent_header(&w, VD_AGENT_PROTOCOL, 999, 0);
    send_chunk(c, &w);
    /* a clipboard over two chunks is skipped whole */
    sc_writer_init(&w);
    agent_header(&w, VD_AGENT_PROTOCOL, VD_AGENT_CLIPBOARD, 3000);
    for (unsigned k = 0; k < VD_AGENT_MAX_DATA_SIZE - 20; k++)
        sc_write_u8(&w, 'x');
    send_chunk(c, &w);
    sc_writer_init(&w);
    for (unsigned k = 0; k < 3000 - (VD_AGENT_MAX_DATA_SIZE - 20); k++)
        sc_write_u8(&w, 'y');
    send_chunk(c, &w);
    send_monitors(c, 1024, 768);
    g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
    g_assert_cmpuint(b, ==, VD_AGENT_SUCCESS);
    g_assert_cmpstr(fx.src.events->str, ==, "resize 1024x768;");
    /* then the log stops at 16 refusals */
    for (unsigned i = 0; i < 10; i++) {
        sc_writer_init(&w);
        sc_write_u32(&w, VD_AGENT_PROTOCOL);
        send_chunk(c, &w);
    }
    /* a short AGENT_TOKEN: refused, logged (not counted in the 16) */
    sc_writer_init(&w);
    sc_write_u16(&w, 1);
    tc_send_msg(c, SPICE_MSGC_MAIN_AGENT_TOKEN, &w);
    sc_writer_finish(&w);
    still_alive(c);
    log = log_end();
    g_assert_nonnull(strstr(log, "a 2-byte AGENT_TOKEN refused"));
    for (const char *p = log; (p = strstr(p, "refused")); p++)
        refused++;
    g_assert_cmpuint(G_N_ELEMENTS(bad) + 3, <, 16);
    g_assert_cmpuint(refused, ==, 16 + 1);
    g_assert_nonnull(strstr(log, "further refusals from this client are not logged"));
    g_assert_null(strstr(log, "clipboard"));
    g_free(log);
    tc_free(c);
    fixture_teardown(&fx);
}

/* Monitors config without PHYSICAL_SIZE: n monitors of sizes ws[i] x hs[i]. */
static void send_monitors_n(struct tc *c, unsigned n, const uint32_t *ws, const uint32_t *hs)
{
    struct sc_writer m;

    sc_writer_init(&m);
    agent_header(&m, VD_AGENT_PROTOCOL, VD_AGENT_MONITORS_CONFIG, 8 + 20 * n);
    sc_write_u32(&m, n);
    sc_write_u32(&m, VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS);
    for (unsigned i = 0; i < n; i++) {
        sc_write_u32(&m, hs[i]);
        sc_write_u32(&m, ws[i]);
        sc_write_u32(&m, 32);
        sc_write_i32(&m, (int32_t)(i * 1000));
        sc_write_i32(&m, 0);
    }
    send_chunk(c, &m);
}

/* Two heads: monitor i is head i (one window per display channel, as
 * remote-viewer sends them); a monitor past the heads is left out. */
static void test_monitors_heads(void)
{
    static const uint32_t ws[] = { 800, 1024, 640 }, hs[] = { 600, 768, 480 };
    struct fixture fx;
    struct tc *c = connect_agent(&fx, true);
    uint32_t tokens = 0, a, b;

    fx.src.base.n_heads = 2;
    sc_server_set_source(fx.server, &fx.src.base);
    announce(c, &tokens);
    send_monitors_n(c, 2, ws, hs);
    g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
    g_assert_cmpuint(b, ==, VD_AGENT_SUCCESS);
    g_assert_cmpstr(fx.src.events->str, ==, "resize 800x600;resize1 1024x768;");
    g_string_truncate(fx.src.events, 0);
    send_monitors_n(c, 3, ws, hs);
    g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
    g_assert_cmpuint(b, ==, VD_AGENT_SUCCESS);
    g_assert_cmpstr(fx.src.events->str, ==, "resize 800x600;resize1 1024x768;");
    still_alive(c);
    tc_free(c);
    fixture_teardown(&fx);
}

/* As spice-gtk's spice_main_channel_send_monitor_config once the agent has
 * VD_AGENT_CAP_SPARSE_MONITORS_CONFIG: all 16 displays, USE_POS |
 * PHYSICAL_SIZE, a disabled one all zeros (its VDAgentMonitorMM too). */
static void send_monitors_sparse(struct tc *c, const uint32_t *ws, const uint32_t *hs)
{
    struct sc_writer m;

    sc_writer_init(&m);
    agent_header(&m, VD_AGENT_PROTOCOL, VD_AGENT_MONITORS_CONFIG, 8 + 24 * 16);
    sc_write_u32(&m, 16);
    sc_write_u32(&m, VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS |
                         VD_AGENT_CONFIG_MONITORS_FLAG_PHYSICAL_SIZE);
    for (unsigned i = 0; i < 16; i++) {
        sc_write_u32(&m, hs[i]);
        sc_write_u32(&m, ws[i]);
        sc_write_u32(&m, ws[i] ? 32 : 0);
        sc_write_i32(&m, 0);
        sc_write_i32(&m, 0);
    }
    for (unsigned i = 0; i < 16; i++) {
        sc_write_u16(&m, ws[i] ? 300 : 0);
        sc_write_u16(&m, hs[i] ? 200 : 0);
    }
    send_chunk(c, &m);
}

/* Sparse monitors: with display 0's window closed, monitor 1 (1024x768)
 * still goes to head 1 and head 0 is left alone; a sparse config with both
 * enabled resizes both; monitors past the heads are ignored. */
static void test_monitors_sparse(void)
{
    uint32_t ws[16] = { 0, 1024 }, hs[16] = { 0, 768 };
    struct fixture fx;
    struct tc *c = connect_agent(&fx, true);
    uint32_t tokens = 0, a, b;

    fx.src.base.n_heads = 2;
    sc_server_set_source(fx.server, &fx.src.base);
    announce(c, &tokens);
    send_monitors_sparse(c, ws, hs);
    g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
    g_assert_cmpuint(b, ==, VD_AGENT_SUCCESS);
    g_assert_cmpstr(fx.src.events->str, ==, "resize1 1024x768;");
    g_string_truncate(fx.src.events, 0);
    ws[0] = 800, hs[0] = 600, ws[5] = 640, hs[5] = 480;
    send_monitors_sparse(c, ws, hs);
    g_assert_cmpuint(recv_agent(c, &tokens, &a, &b), ==, VD_AGENT_REPLY);
    g_assert_cmpuint(b, ==, VD_AGENT_SUCCESS);
    g_assert_cmpstr(fx.src.events->str, ==, "resize 800x600;resize1 1024x768;");
    still_alive(c);
    tc_free(c);
    fixture_teardown(&fx);
}

/* A source without resize: no agent, agent messages ignored, no reply. */
static void test_no_resize(void)
{
    struct fixture fx;
    struct tc *c = connect_agent(&fx, false);
    struct sc_writer w;
    uint16_t type;
    GBytes *body;

    sc_writer_init(&w);
    agent_header(&w, VD_AGENT_PROTOCOL, VD_AGENT_ANNOUNCE_CAPABILITIES, 8);
    sc_write_u32(&w, 1);
    sc_write_u32(&w, 0);
    send_chunk(c, &w);
    send_monitors(c, 800, 600);
    tc_send_msg(c, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL);
    g_assert_true(tc_recv(c, &type, &body));
    g_bytes_unref(body);
    g_assert_cmpuint(type, ==, SPICE_MSG_MAIN_CHANNELS_LIST);
    g_assert_cmpstr(fx.src.events->str, ==, "");
    tc_free(c);
    fixture_teardown(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/agent/monitors-config", test_monitors_config);
    g_test_add_func("/agent/malformed", test_malformed);
    g_test_add_func("/agent/no-resize", test_no_resize);
    g_test_add_func("/agent/monitors-heads", test_monitors_heads);
    g_test_add_func("/agent/monitors-sparse", test_monitors_sparse);
    return g_test_run();
}
