/* test-badinput: raw sockets against a running SPICE server.
 *
 *   test-badinput (--tcp HOST:PORT | --unix PATH) [--password P] [--only NAME]
 *                 [--skip NAME]...
 *   test-badinput (--tcp HOST:PORT | --unix PATH) [--password P] --stall N SECS
 *
 * The second form links N clients' main and display channels, asks for the
 * display (ATTACH_CHANNELS, DISPLAY_INIT), prints "stalled=N" and then never
 * reads for SECS seconds: slow clients, for the tests that check the others
 * are still served.
 *
 * Each case opens a connection and sends something wrong: a truncated,
 * oversized or garbage link message, bad auth, an oversized or truncated or
 * unknown data message, a channel linking with a wrong connection id.  The
 * case passes when the server closes that connection (read returns 0 or
 * ECONNRESET) within a few seconds.  After every case a good client must
 * still link the main channel and receive MAIN_INIT, so the server is alive
 * and serving.  Plain exit status: 0 when every case passed.  The driver
 * (test-badinput.sh) also checks the server process and a real client. */
#include "config.h"

#include <signal.h>

#include "tests/interop/raw-client.h"

#define CLOSE_TIMEOUT_MS 4000
#define MSG_SET_ACK 3
#define MSG_PING 4

static struct {
    const char *only;
    const char *skip[16];
    int n_skip;
    int stall_n, stall_s;
} opt;

/* what the last expect_closed() saw, for the log */
static uint32_t last_link_error;
static bool last_link_error_seen;

/* ---- sockets (connecting, reading, linking: raw-client.h) ------------------ */

/* Reads and discards until EOF or ECONNRESET (true) or the timeout (false).
 * Remembers a link error code if the first bytes were a link reply. */
static bool expect_closed(int fd)
{
    uint8_t buf[65536], head[20];
    size_t got = 0;
    long waited = 0;
    last_link_error_seen = false;
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int r = poll(&pfd, 1, 100);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            waited += 100;
            if (waited >= CLOSE_TIMEOUT_MS)
                return false;
            continue;
        }
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0)
            return true;
        if (n < 0)
            return errno == ECONNRESET || errno == EPIPE;
        for (ssize_t i = 0; i < n && got < sizeof(head); i++)
            head[got++] = buf[i];
        if (got >= 20 && !last_link_error_seen && sc_get_u32(head) == SPICE_MAGIC) {
            last_link_error = sc_get_u32(head + 16);
            last_link_error_seen = true;
        }
    }
}

/* Sends a mini (or full) data header claiming `size`, then body_len bytes. */
static void send_msg(const struct link *l, uint16_t type, uint32_t size, const void *body,
                     size_t body_len)
{
    struct sc_writer w;
    sc_writer_init(&w);
    if (l->mini) {
        sc_write_u16(&w, type);
        sc_write_u32(&w, size);
    } else {
        sc_write_u64(&w, 1);
        sc_write_u16(&w, type);
        sc_write_u32(&w, size);
        sc_write_u32(&w, 0);
    }
    if (body_len)
        sc_write_bytes(&w, body, body_len);
    send_writer(l->fd, &w);
    sc_writer_finish(&w);
}

/* A raw link header + SpiceLinkMess with every field given. */
static void put_hello(struct sc_writer *w, uint32_t magic, uint32_t major, uint32_t size,
                      uint32_t conn, uint8_t type, uint32_t ncommon, uint32_t nchannel,
                      uint32_t caps_offset)
{
    sc_write_u32(w, magic);
    sc_write_u32(w, major);
    sc_write_u32(w, 2);
    sc_write_u32(w, size);
    sc_write_u32(w, conn);
    sc_write_u8(w, type);
    sc_write_u8(w, 0);
    sc_write_u32(w, ncommon);
    sc_write_u32(w, nchannel);
    sc_write_u32(w, caps_offset);
}

/* ---- the cases ---------------------------------------------------------------- */

/* Each returns the fd whose closing is expected, -1 for "nothing to check"
 * (the case closed it itself), or -2 on a setup failure. */

static int raw_and_shutdown(const void *buf, size_t len, bool shut)
{
    int fd = connect_server();
    if (fd < 0)
        return -2;
    send_all(fd, buf, len);
    if (shut)
        shutdown(fd, SHUT_WR);
    return fd;
}

static int case_connect_close(void)
{
    int fd = connect_server();
    if (fd < 0)
        return -2;
    close(fd);
    return -1;
}

static int case_truncated_header(void)
{
    uint8_t b[8] = { 'R', 'E', 'D', 'Q', 2, 0, 0, 0 };
    return raw_and_shutdown(b, sizeof(b), true);
}

static int case_truncated_mess(void)
{
    struct sc_writer w;
    sc_writer_init(&w);
    put_hello(&w, SPICE_MAGIC, 2, 26, 0, SPICE_CHANNEL_MAIN, 1, 1, 18);
    int fd = raw_and_shutdown(w.data, 16 + 10, true);
    sc_writer_finish(&w);
    return fd;
}

static int bad_hello(uint32_t magic, uint32_t major, uint32_t size, uint32_t ncommon,
                     uint32_t nchannel, uint32_t caps_offset, uint8_t type)
{
    struct sc_writer w;
    sc_writer_init(&w);
    put_hello(&w, magic, major, size, 0, type, ncommon, nchannel, caps_offset);
    sc_write_u32(&w, 0x09);
    sc_write_u32(&w, 0);
    int fd = raw_and_shutdown(w.data, w.size, false);
    sc_writer_finish(&w);
    return fd;
}

static int case_bad_magic(void) { return bad_hello(0x58585858, 2, 26, 1, 1, 18, 1); }
static int case_bad_major(void) { return bad_hello(SPICE_MAGIC, 3, 26, 1, 1, 18, 1); }
static int case_huge_size(void) { return bad_hello(SPICE_MAGIC, 2, 0xffffffffu, 1, 1, 18, 1); }
static int case_tiny_size(void) { return bad_hello(SPICE_MAGIC, 2, 4, 1, 1, 18, 1); }
static int case_huge_caps(void) { return bad_hello(SPICE_MAGIC, 2, 26, 0x40000000u, 1, 18, 1); }
static int case_caps_offset(void) { return bad_hello(SPICE_MAGIC, 2, 26, 1, 1, 4000, 1); }
static int case_zero_caps_offset(void) { return bad_hello(SPICE_MAGIC, 2, 26, 1, 1, 0, 1); }

static int case_http(void)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    return raw_and_shutdown(req, sizeof(req) - 1, false);
}

static int case_garbage_link(void)
{
    uint8_t b[600];
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)(i * 37 + 11);
    return raw_and_shutdown(b, sizeof(b), false);
}

/* A good main-channel hello, answered without error, then `auth` bytes
 * where the auth mechanism and ticket go. */
static int hello_then(const void *auth, size_t len, bool shut)
{
    struct link l = { .fd = connect_server() };
    if (l.fd < 0 || !link_hello(&l, 0, SPICE_CHANNEL_MAIN) || l.reply.error)
        return -2;
    send_all(l.fd, auth, len);
    if (shut)
        shutdown(l.fd, SHUT_WR);
    return l.fd;
}

/* after a good hello: an unknown auth mechanism and garbage */
static int case_bad_auth_mechanism(void)
{
    uint8_t b[4 + 128];
    memset(b, 0xa5, sizeof(b));
    sc_put_u32(b, 0xdeadbeef);
    return hello_then(b, sizeof(b), false);
}

/* after a good hello: a short ticket, then EOF */
static int case_short_ticket(void)
{
    uint8_t b[4 + 20] = { 1, 0, 0, 0 };
    return hello_then(b, sizeof(b), true);
}

/* after a good hello: a 128-byte ticket that does not decrypt */
static int case_garbage_ticket(void)
{
    uint8_t b[4 + 128];
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)(i * 91 + 7);
    sc_put_u32(b, SPICE_COMMON_CAP_AUTH_SPICE);
    return hello_then(b, sizeof(b), false);
}

/* a linked main channel gets one bad data message */
static int main_then(uint16_t type, uint32_t size, const void *body, size_t len, bool shut)
{
    struct link l;
    if (!good_main(&l)) {
        link_close(&l);
        return -2;
    }
    send_msg(&l, type, size, body, len);
    if (shut)
        shutdown(l.fd, SHUT_WR);
    return l.fd;
}

static int case_oversized_message(void)
{
    /* ATTACH_CHANNELS claiming 2 GiB, and a little of it */
    uint8_t some[1024] = { 0 };
    return main_then(SPICE_MSGC_MAIN_ATTACH_CHANNELS, 0x80000000u, some, sizeof(some), false);
}

static int case_oversized_ffff(void)
{
    return main_then(SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, 0xffffffffu, NULL, 0, false);
}

static int case_truncated_message(void)
{
    uint8_t some[10] = { 0 };
    int fd = main_then(SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, 100, some, sizeof(some), false);
    if (fd >= 0)
        close(fd);
    return fd >= 0 ? -1 : fd;
}

static int case_truncated_header_msg(void)
{
    uint8_t half[3] = { 0x68, 0, 0 };
    struct link l;
    if (!good_main(&l)) {
        link_close(&l);
        return -2;
    }
    send_all(l.fd, half, sizeof(half));
    link_close(&l);
    return -1;
}

static int case_unknown_type(void)
{
    return main_then(0x7777, 0, NULL, 0, false);
}

static int case_unknown_type_body(void)
{
    uint8_t junk[40];
    memset(junk, 0x5a, sizeof(junk));
    return main_then(250, sizeof(junk), junk, sizeof(junk), false);
}

static int case_short_mouse_mode(void)
{
    uint8_t one = 2;
    return main_then(SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, 1, &one, 1, false);
}

/* a linked inputs / display channel gets one bad message */
static int channel_then(uint8_t channel, uint16_t type, uint32_t size, const void *body,
                        size_t len)
{
    struct link m, c = { .fd = -1 };
    uint32_t session = good_main(&m);
    if (!session || !good_channel(&c, session, channel)) {
        fprintf(stderr, "# could not link channel %u\n", channel);
        link_close(&m);
        link_close(&c);
        return -2;
    }
    send_msg(&c, type, size, body, len);
    /* the main channel stays open while we watch the other one */
    int fd = c.fd;
    bool closed = expect_closed(fd);
    close(fd);
    link_close(&m);
    return closed ? -1 : -3;
}

static int case_inputs_unknown(void)
{
    return channel_then(SPICE_CHANNEL_INPUTS, 0x7777, 0, NULL, 0);
}

static int case_inputs_short_key(void)
{
    uint8_t one = 0x1e;
    return channel_then(SPICE_CHANNEL_INPUTS, SPICE_MSGC_INPUTS_KEY_DOWN, 1, &one, 1);
}

static int case_inputs_short_position(void)
{
    uint8_t five[5] = { 1, 0, 0, 0, 2 };
    return channel_then(SPICE_CHANNEL_INPUTS, SPICE_MSGC_INPUTS_MOUSE_POSITION, 5, five, 5);
}

static int case_inputs_oversized(void)
{
    uint8_t some[64] = { 0 };
    return channel_then(SPICE_CHANNEL_INPUTS, SPICE_MSGC_INPUTS_KEY_DOWN, 0x80000000u, some,
                        sizeof(some));
}

static int case_display_short_init(void)
{
    uint8_t three[3] = { 1, 0, 0 };
    return channel_then(SPICE_CHANNEL_DISPLAY, SPICE_MSGC_DISPLAY_INIT, 3, three, 3);
}

static int case_display_unknown(void)
{
    return channel_then(SPICE_CHANNEL_DISPLAY, 0x6666, 0, NULL, 0);
}

/* a display channel linking with a wrong connection id while a session is
 * live: the link must not succeed */
static int other_link(uint32_t (*conn)(uint32_t session), uint8_t type)
{
    struct link m, c = { .fd = -1 };
    uint32_t session = good_main(&m);
    if (!session) {
        link_close(&m);
        return -2;
    }
    c.fd = connect_server();
    if (c.fd < 0) {
        link_close(&m);
        return -2;
    }
    bool linked = link_hello(&c, conn(session), type);
    int ret;
    if (linked && c.reply.error != 0) {
        fprintf(stderr, "# link refused in the reply: error %u\n", c.reply.error);
        ret = expect_closed(c.fd) ? -1 : -3;
    } else if (linked && link_auth(&c, peer.password)) {
        fprintf(stderr, "# link result %u\n", c.result);
        if (c.result == 0) {
            fprintf(stderr, "# the server accepted the link\n");
            ret = -3;
        } else {
            ret = expect_closed(c.fd) ? -1 : -3;
        }
    } else {
        ret = expect_closed(c.fd) ? -1 : -3;
    }
    link_close(&c);
    link_close(&m);
    return ret;
}

static uint32_t wrong_id(uint32_t session) { return session ^ 0x5a5a5a5au; }
static uint32_t zero_id(uint32_t session) { (void)session; return 0; }
static uint32_t right_id(uint32_t session) { return session; }

static int case_display_wrong_id(void) { return other_link(wrong_id, SPICE_CHANNEL_DISPLAY); }
static int case_inputs_wrong_id(void) { return other_link(wrong_id, SPICE_CHANNEL_INPUTS); }
static int case_display_zero_id(void) { return other_link(zero_id, SPICE_CHANNEL_DISPLAY); }
static int case_unknown_channel(void) { return other_link(right_id, 99); }

/* the main channel goes away: the session's other channels must close too
 * (spice-server drops the whole client) */
static int case_orphan_display(void)
{
    struct link m, d = { .fd = -1 };
    uint32_t session = good_main(&m);
    if (!session || !good_channel(&d, session, SPICE_CHANNEL_DISPLAY)) {
        link_close(&m);
        link_close(&d);
        return -2;
    }
    /* make sure the display is attached: ask for it and get a message */
    uint16_t type;
    uint32_t size;
    uint8_t body[16];
    attach_display(&m, &d);
    if (!read_msg(&d, &type, body, sizeof(body), &size)) {
        fprintf(stderr, "# the display channel sent nothing after DISPLAY_INIT\n");
        link_close(&m);
        link_close(&d);
        return -2;
    }
    link_close(&m);
    return d.fd;
}

/* many connections with pseudo-random bytes */
static int case_random(void)
{
    uint32_t seed = 12345;
    for (int i = 0; i < 24; i++) {
        uint8_t b[2048];
        size_t n = 1 + (seed % sizeof(b));
        for (size_t j = 0; j < n; j++) {
            seed = seed * 1103515245u + 12345u;
            b[j] = (uint8_t)(seed >> 16);
        }
        /* every other one starts with a plausible header */
        if (i % 2 && n >= 16) {
            sc_put_u32(b, SPICE_MAGIC);
            sc_put_u32(b + 4, 2);
            sc_put_u32(b + 8, 2);
        }
        int fd = raw_and_shutdown(b, n, true);
        if (fd < 0)
            return -2;
        bool closed = expect_closed(fd);
        close(fd);
        if (!closed) {
            fprintf(stderr, "# random connection %d (%zu bytes) not closed\n", i, n);
            return -3;
        }
    }
    return -1;
}

struct bad_case {
    const char *name;
    int (*run)(void);
    bool need_password;
};

static const struct bad_case cases[] = {
    { "connect-close", case_connect_close, false },
    { "truncated-link-header", case_truncated_header, false },
    { "truncated-link-mess", case_truncated_mess, false },
    { "bad-magic", case_bad_magic, false },
    { "http-request", case_http, false },
    { "bad-major-version", case_bad_major, false },
    { "huge-link-size", case_huge_size, false },
    { "tiny-link-size", case_tiny_size, false },
    { "huge-caps-count", case_huge_caps, false },
    { "caps-offset-past-end", case_caps_offset, false },
    { "caps-offset-zero", case_zero_caps_offset, false },
    { "garbage-instead-of-link", case_garbage_link, false },
    { "garbage-after-link", case_bad_auth_mechanism, false },
    { "short-ticket-then-eof", case_short_ticket, false },
    { "garbage-ticket", case_garbage_ticket, true },
    { "oversized-message-2g", case_oversized_message, false },
    { "oversized-message-4g", case_oversized_ffff, false },
    { "truncated-message-then-close", case_truncated_message, false },
    { "truncated-data-header-then-close", case_truncated_header_msg, false },
    { "unknown-message-type", case_unknown_type, false },
    { "unknown-message-type-with-body", case_unknown_type_body, false },
    { "short-mouse-mode-request", case_short_mouse_mode, false },
    { "inputs-unknown-type", case_inputs_unknown, false },
    { "inputs-short-key-down", case_inputs_short_key, false },
    { "inputs-short-mouse-position", case_inputs_short_position, false },
    { "inputs-oversized-message", case_inputs_oversized, false },
    { "display-short-init", case_display_short_init, false },
    { "display-unknown-type", case_display_unknown, false },
    { "display-wrong-connection-id", case_display_wrong_id, false },
    { "inputs-wrong-connection-id", case_inputs_wrong_id, false },
    { "display-connection-id-zero", case_display_zero_id, false },
    { "unknown-channel-type", case_unknown_channel, false },
    { "random-garbage-x24", case_random, false },
    { "main-closed-display-left-open", case_orphan_display, false },
};

/* ---- main ------------------------------------------------------------------ */

static bool skipped(const char *name)
{
    for (int i = 0; i < opt.n_skip; i++)
        if (!strcmp(opt.skip[i], name))
            return true;
    return false;
}

static bool parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return false;
        if (peer_option(a, v)) {
            /* --tcp, --unix or --password: taken into peer */
        } else if (!strcmp(a, "--only")) {
            opt.only = v;
        } else if (!strcmp(a, "--stall") && i + 2 < argc) {
            opt.stall_n = atoi(v);
            opt.stall_s = atoi(argv[i + 2]);
            i++;
        } else if (!strcmp(a, "--skip") && opt.n_skip < 16) {
            opt.skip[opt.n_skip++] = v;
        } else {
            return false;
        }
        i++;
    }
    return peer.host || peer.unix_path;
}

/* N clients that link main + display, ask for pixels and never read. */
static int stall(void)
{
    for (int i = 0; i < opt.stall_n; i++) {
        if (!idle_client()) {
            fprintf(stderr, "stall: client %d could not link\n", i);
            return 1;
        }
    }
    printf("stalled=%d\n", opt.stall_n);
    fflush(stdout);
    sleep((unsigned)opt.stall_s);
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0, passed = 0;

    signal(SIGPIPE, SIG_IGN);
    if (argc == 2 && !strcmp(argv[1], "--list")) { /* the case names, for make soak */
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            if (!cases[i].need_password)
                printf("%s\n", cases[i].name);
        return 0;
    }
    if (!parse_args(argc, argv)) {
        fprintf(stderr, "usage: test-badinput (--tcp HOST:PORT | --unix PATH) [--password P] "
                        "[--only NAME] [--skip NAME]... | --list\n");
        return 2;
    }
    if (opt.stall_n > 0)
        return stall();
    struct link l;
    if (!good_main(&l)) {
        fprintf(stderr, "FAIL: a good client cannot link before any bad input\n");
        return 1;
    }
    link_close(&l);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad_case *c = &cases[i];
        if (opt.only && strcmp(opt.only, c->name))
            continue;
        if (c->need_password && !peer.password) {
            printf("skip %s: needs --password\n", c->name);
            continue;
        }
        if (skipped(c->name)) {
            printf("skip %s\n", c->name);
            continue;
        }
        int fd = c->run();
        const char *why = NULL;
        if (fd == -2) {
            why = "setup failed (a good link did not work)";
        } else if (fd == -3) {
            why = "the bad connection was not closed, or the link was accepted";
        } else if (fd >= 0) {
            if (!expect_closed(fd))
                why = "the server kept the bad connection open";
            close(fd);
        }
        /* the server still serves a good client */
        uint32_t session = good_main(&l);
        link_close(&l);
        if (!why && !session)
            why = "a good client could not link afterwards";
        if (why) {
            printf("FAIL %s: %s\n", c->name, why);
            failed++;
        } else if (last_link_error_seen) {
            printf("ok   %s (link error %u)\n", c->name, last_link_error);
            passed++;
        } else {
            printf("ok   %s\n", c->name);
            passed++;
        }
        last_link_error_seen = false;
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    if (passed + failed == 0) {
        /* --only with a name no case has, or everything skipped */
        fprintf(stderr, "FAIL: no case ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
