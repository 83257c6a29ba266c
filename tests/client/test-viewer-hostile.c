/* The viewer against a hostile server: a fake SPICE server (fake-server.c,
 * the common/ wire writers) drives a child client/viewer-headless through
 * truncated, oversized and random messages, huge surfaces, bad LZ4, junk
 * video streams, bad GL scanouts and a memfd that shrinks after it was
 * passed.  Each case asserts that the viewer did not die of a signal, that
 * no sanitizer spoke, that it exited as it should (0 for the good cases, 1
 * after closing the connection) and that its stderr holds the one line that
 * says why.  A good server before and after the hostile ones proves the
 * harness can tell success from failure. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "common/fdpass.h"
#include "common/frame.h"
#include "tests/client/fake-server.h"
#include "tests/client/hostile-gen.h"

#define FOURCC_XR24 0x34325258u /* DRM_FORMAT_XRGB8888 */

struct hcase {
    void (*script)(struct fake_srv *s, uint32_t seed);
    const char *flag;     /* an extra viewer-headless option, or NULL */
    int want_rc;          /* 0: a screenshot; 1: the viewer gave up */
    const char *want_log; /* in the viewer's stderr (NULL: anything) */
    uint32_t seed;
    const char *name;
};

static char *viewer_path;

static void linger(int fd);

/* ---- running one case ------------------------------------------------------ */

static pid_t spawn_viewer(struct fake_srv *s, const struct hcase *hc, const char *log)
{
    g_autofree char *out = g_build_filename(s->dir, "out.ppm", NULL);
    const char *argv[8] = { viewer_path, "--timeout", "10", "--screenshot", out };
    unsigned n = 5;
    pid_t pid;

    if (hc->flag)
        argv[n++] = hc->flag;
    argv[n++] = s->path;
    argv[n] = NULL;
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(98);
        execv(viewer_path, (char **)argv);
        _exit(99);
    }
    return pid;
}

/* Waits up to 20 s; kills it after that (a hang is a failure too). */
static int wait_viewer(pid_t pid)
{
    int status = 0;
    for (int i = 0; i < 2000; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        g_assert_cmpint(r, ==, 0);
        g_usleep(10 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    g_test_message("viewer-headless still ran after 20 s: killed");
    return -1;
}

static const char *last_line(char *text)
{
    size_t n = strlen(text);
    char *nl;

    while (n && text[n - 1] == '\n')
        text[--n] = '\0';
    nl = strrchr(text, '\n');
    return nl ? nl + 1 : text;
}

/* The viewer's end as hc wants it: no signal, no sanitizer, its exit
 * status and line; failure: what went wrong on the server side */
static void check_viewer(const struct hcase *hc, int status, char *text, const char *failure)
{
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != hc->want_rc ||
        (hc->want_log && !strstr(text, hc->want_log)) || strstr(text, "runtime error") ||
        strstr(text, "Sanitizer") || failure)
        g_test_message("viewer-headless %s, wanted exit %d and '%s'; server side: %s; its "
                       "output:\n%s", status == -1 ? "hung" : WIFSIGNALED(status)
                       ? strsignal(WTERMSIG(status)) : "exited", hc->want_rc,
                       hc->want_log ? hc->want_log : "", failure ? failure : "ok", text);
    else /* the viewer's last word, for the log */
        g_test_message("%s", last_line(text));
    g_assert_cmpint(status, !=, -1);
    g_assert_false(WIFSIGNALED(status));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, hc->want_rc);
    g_assert_null(strstr(text, "runtime error"));
    g_assert_null(strstr(text, "Sanitizer"));
    if (hc->want_log)
        g_assert_nonnull(strstr(text, hc->want_log));
    g_assert_null(failure); /* the links worked: the bad input reached the viewer */
}

static char *read_log(const char *log)
{
    char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_unlink(log);
    return text;
}

static void run_case(const struct hcase *hc)
{
    struct fake_srv s;
    g_autofree char *log = NULL, *text = NULL;
    pid_t pid;
    int status;

    fake_srv_init(&s);
    log = g_build_filename(s.dir, "viewer.log", NULL);
    pid = spawn_viewer(&s, hc, log);
    hc->script(&s, hc->seed);
    status = wait_viewer(pid);
    text = read_log(log);
    check_viewer(hc, status, text, s.failure);
    if (hc->want_rc == 0) {
        g_autofree char *out = g_build_filename(s.dir, "out.ppm", NULL);
        g_assert_true(g_file_test(out, G_FILE_TEST_IS_REGULAR));
        g_unlink(out);
    }
    fake_srv_finish(&s);
}

/* ---- a server run by another user (issue 13 item 4) --------------------------- */

/* The child: becomes pw's user and only then listens on lfd, which root
 * bound (SO_PEERCRED records the uid at listen(), and the socket's
 * directory needs no access for that user); says so on ready, takes one
 * connection and holds it until the viewer goes. */
static void G_GNUC_NORETURN serve_as(int lfd, const struct passwd *pw, int ready)
{
    struct pollfd pfd = { lfd, POLLIN, 0 };
    int fd;

    if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
        _exit(3);
    if (listen(lfd, 4) < 0 || write(ready, "r", 1) != 1)
        _exit(4);
    if (poll(&pfd, 1, 10000) <= 0 || (fd = accept(lfd, NULL, NULL)) < 0)
        _exit(5);
    linger(fd);
    _exit(0);
}

static void test_peer_uid_other(void)
{
    const struct hcase hc = { NULL, "--check-peer-uid", 1, "it runs as uid", 0, NULL };
    struct passwd *pw = getpwnam("nobody");
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct fake_srv s;
    g_autofree char *log = NULL, *text = NULL;
    int ready[2], status, lfd;
    pid_t server, viewer;
    char c;

    if (geteuid() != 0 || !pw || pw->pw_uid == 0) {
        g_test_skip("needs root (and a user 'nobody') to run a fake server as another uid");
        return;
    }
    fake_srv_init(&s); /* its directory; the socket is bound again, not listening */
    close(s.lfd);
    g_unlink(s.path);
    g_strlcpy(sa.sun_path, s.path, sizeof(sa.sun_path));
    s.lfd = lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(pipe(ready), ==, 0);
    server = fork();
    g_assert_cmpint(server, >=, 0);
    if (server == 0)
        serve_as(lfd, pw, ready[1]);
    close(ready[1]);
    g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
    close(ready[0]);
    log = g_build_filename(s.dir, "viewer.log", NULL);
    viewer = spawn_viewer(&s, &hc, log);
    status = wait_viewer(viewer);
    text = read_log(log);
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    check_viewer(&hc, status, text, NULL);
    fake_srv_finish(&s);
}

/* ---- building blocks -------------------------------------------------------- */

static void send_copy(int fd, struct sc_rect box, uint8_t image_type, const uint8_t *data,
                      uint32_t size, uint32_t w, uint32_t h)
{
    struct sc_draw_copy m = { .box = box, .src_area = { 0, 0, (int32_t)w, (int32_t)h },
                              .rop_descriptor = SPICE_ROPD_OP_PUT, .image_type = image_type,
                              .width = w, .height = h, .bitmap_format = SPICE_BITMAP_FMT_32BIT,
                              .bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN, .stride = w * 4,
                              .data = data, .data_size = size };
    struct sc_writer wr;

    sc_writer_init(&wr);
    sc_draw_copy_write(&wr, &m);
    fake_send_w(fd, SPICE_MSG_DISPLAY_DRAW_COPY, &wr);
    sc_writer_finish(&wr);
}

/* Keeps the server's end open until the viewer has gone (its EOF), so the
 * viewer ends on what it was sent, not on our close; at most 3 s (junk the
 * viewer rightly ignores leaves it waiting for MARK: our close ends it).
 * Reading what it sends keeps the close a FIN, not a reset. */
static void linger(int fd)
{
    gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
    uint8_t b[4096];

    while (fd >= 0 && g_get_monotonic_time() < end) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        if (poll(&pfd, 1, 100) > 0 && read(fd, b, sizeof(b)) <= 0)
            break;
    }
}

static void finish_script(int mfd, int dfd)
{
    linger(dfd);
    if (dfd >= 0)
        close(dfd);
    if (mfd >= 0)
        close(mfd);
}

/* ---- scripts ------------------------------------------------------------------ */

static void script_good(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    uint8_t px[16 * 8 * 4];

    memset(px, 0x80, sizeof(px));
    send_copy(dfd, (struct sc_rect){ 4, 4, 20, 12 }, SPICE_IMAGE_TYPE_BITMAP, px, sizeof(px),
              16, 8);
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    finish_script(mfd, dfd);
}

static void script_oversized(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    uint8_t h[SC_MINI_HEADER_SIZE];

    sc_put_u16(h, SPICE_MSG_DISPLAY_DRAW_COPY);
    sc_put_u32(h + 2, 0xfffffff0u); /* 4 GiB announced */
    fake_write_full(dfd, h, sizeof(h));
    finish_script(mfd, dfd);
}

static void script_truncated(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    uint8_t h[SC_MINI_HEADER_SIZE], body[10] = { 0 };

    sc_put_u16(h, SPICE_MSG_DISPLAY_DRAW_COPY);
    sc_put_u32(h + 2, 1000); /* 10 of them come, then the end */
    fake_write_full(dfd, h, sizeof(h));
    fake_write_full(dfd, body, sizeof(body));
    close(dfd);
    close(mfd);
}

static void script_short_body(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    uint8_t body[3] = { 0 };

    fake_send(dfd, SPICE_MSG_DISPLAY_SURFACE_CREATE, body, sizeof(body));
    finish_script(mfd, dfd);
}

static void script_huge_surface(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 65535, 65535);
    finish_script(mfd, dfd);
}

static void script_bad_lz4(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    uint8_t junk[200];

    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    send_copy(dfd, (struct sc_rect){ 0, 0, 32, 32 }, SPICE_IMAGE_TYPE_LZ4, junk, sizeof(junk),
              32, 32);
    finish_script(mfd, dfd);
}

/* boxes far outside the canvas, at the ends of int32: clipped, not drawn */
static void script_wild_boxes(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    static const struct sc_rect boxes[] = {
        { INT32_MIN, 0, 4, 4 }, { 0, INT32_MIN, 4, 4 }, { INT32_MIN, INT32_MIN, 8, 8 },
        { -4, -4, INT32_MAX, INT32_MAX }, { 60, 44, INT32_MAX, INT32_MAX },
    };
    uint8_t px[4 * 4 * 4] = { 0 };

    for (size_t i = 0; i < G_N_ELEMENTS(boxes); i++)
        send_copy(dfd, boxes[i], SPICE_IMAGE_TYPE_BITMAP, px, sizeof(px), 4, 4);
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    finish_script(mfd, dfd);
}

/* a stream of junk for the H.264 decoder (when there is one), then MARK:
 * junk frames are dropped, the viewer carries on */
static void script_junk_stream(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    struct sc_stream_create sc = { .id = 5, .codec_type = SPICE_VIDEO_CODEC_TYPE_H264,
                                   .stream_width = 64, .stream_height = 48, .src_width = 64,
                                   .src_height = 48, .dest = { 0, 0, 64, 48 } };
    struct sc_writer w;
    uint8_t junk[512];

    sc_writer_init(&w);
    sc_stream_create_write(&w, &sc);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_CREATE, &w);
    for (int i = 0; i < 20; i++) {
        struct sc_stream_data d = { 5, (uint32_t)i, junk, (uint32_t)(i * 25 + 1) };
        for (size_t k = 0; k < sizeof(junk); k++)
            junk[k] = (uint8_t)g_random_int();
        if (i % 4 == 0) /* start codes, so it parses as NAL units */
            memcpy(junk, "\0\0\0\1\x67\x42\0\x1e\0\0\1\x68\xce", 13);
        sc_stream_data_write(&w, &d);
        fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_DATA, &w);
    }
    sc_writer_finish(&w);
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    finish_script(mfd, dfd);
}

/* a stream whose destination is wider than int32 (its width went to the
 * renderer as right - left) */
static void script_wild_stream(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    struct sc_stream_create sc = { .id = 5, .codec_type = SPICE_VIDEO_CODEC_TYPE_H264,
                                   .stream_width = 64, .stream_height = 48, .src_width = 64,
                                   .src_height = 48, .dest = { INT32_MIN, 0, 64, 48 } };
    struct sc_writer w;

    sc_writer_init(&w);
    sc_stream_create_write(&w, &sc);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_CREATE, &w);
    sc_writer_finish(&w);
    finish_script(mfd, dfd);
}

/* src_area outside the image: not drawn, said so, the viewer carries on */
static void script_src_outside(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    struct sc_draw_copy m = { .box = { 0, 0, 8, 8 }, .src_area = { -4, 0, INT32_MAX, 4 },
                              .rop_descriptor = SPICE_ROPD_OP_PUT,
                              .image_type = SPICE_IMAGE_TYPE_BITMAP, .width = 4, .height = 4,
                              .bitmap_format = SPICE_BITMAP_FMT_32BIT,
                              .bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN, .stride = 16 };
    uint8_t px[4 * 4 * 4] = { 0 };
    struct sc_writer w;

    m.data = px;
    m.data_size = sizeof(px);
    sc_writer_init(&w);
    sc_draw_copy_write(&w, &m);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_DRAW_COPY, &w);
    sc_writer_finish(&w);
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    finish_script(mfd, dfd);
}

/* the good picture, one byte per write: framing survives any split */
static void script_dribble(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    uint8_t px[16 * 8 * 4], h[SC_MINI_HEADER_SIZE];
    struct sc_draw_copy m = { .box = { 4, 4, 20, 12 }, .src_area = { 0, 0, 16, 8 },
                              .rop_descriptor = SPICE_ROPD_OP_PUT,
                              .image_type = SPICE_IMAGE_TYPE_BITMAP, .width = 16, .height = 8,
                              .bitmap_format = SPICE_BITMAP_FMT_32BIT,
                              .bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN, .stride = 64,
                              .data = px, .data_size = sizeof(px) };
    struct sc_writer w;

    memset(px, 0x80, sizeof(px));
    sc_writer_init(&w);
    sc_put_u16(h, SPICE_MSG_DISPLAY_DRAW_COPY);
    sc_draw_copy_write(&w, &m);
    sc_put_u32(h + 2, (uint32_t)w.size);
    for (size_t i = 0; i < sizeof(h) && dfd >= 0; i++)
        fake_write_full(dfd, h + i, 1);
    for (size_t i = 0; i < w.size && dfd >= 0; i++)
        fake_write_full(dfd, w.data + i, 1);
    sc_writer_finish(&w);
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    finish_script(mfd, dfd);
}

/* fds riding on ordinary messages, 8 at a time, 100 times: the viewer
 * keeps a bounded few and closes the rest */
static void script_fd_flood(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    int fds[8];
    uint8_t h[SC_MINI_HEADER_SIZE];
    struct iovec iov = { h, sizeof(h) };

    for (int i = 0; i < 8; i++)
        fds[i] = memfd_create("flood", MFD_CLOEXEC);
    sc_put_u16(h, SPICE_MSG_DISPLAY_RESET);
    sc_put_u32(h + 2, 0);
    for (int i = 0; i < 100 && dfd >= 0; i++)
        if (sc_fd_sendmsg(dfd, &iov, 1, fds, 8) != (ssize_t)sizeof(h))
            FAKE_FAIL(s, "sendmsg with fds failed");
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    finish_script(mfd, dfd);
}

/* well-formed display messages with wild fields (hostile-gen.c) */
static void script_fuzz_wellformed(struct fake_srv *s, uint32_t seed)
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    GRand *rand = g_rand_new_with_seed(seed);
    struct sc_writer w;
    bool ok = dfd >= 0;

    sc_writer_init(&w);
    for (uint32_t id = 0; id < 3 && ok; id++) {
        hostile_display_streams(&w, id);
        ok = fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_CREATE, &w);
    }
    for (int i = 0; i < 400 && ok; i++) {
        uint16_t type = hostile_display_msg(rand, &w);
        ok = fake_send_w(dfd, type, &w);
    }
    sc_writer_finish(&w);
    g_rand_free(rand);
    finish_script(mfd, dfd);
}

/* random messages on the main or the cursor channel */
static void fuzz_channel(struct fake_srv *s, uint32_t seed, uint8_t channel)
{
    int mfd = fake_main(s, channel, 1), cfd = -1, fd = mfd;
    GRand *rand = g_rand_new_with_seed(seed);
    uint8_t buf[300], type;

    if (channel != SPICE_CHANNEL_MAIN) {
        cfd = fd = fake_accept_link(s, &type);
        if (cfd < 0)
            FAKE_FAIL(s, "cursor link failed");
    }
    for (int i = 0; i < 300 && fd >= 0; i++) {
        size_t len = (size_t)g_rand_int_range(rand, 0, sizeof(buf));
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)g_rand_int(rand);
        if (!fake_send(fd, (uint16_t)g_rand_int_range(rand, 1, 120), buf, len))
            break;
    }
    g_rand_free(rand);
    finish_script(mfd, cfd);
}

static void script_fuzz_main(struct fake_srv *s, uint32_t seed)
{
    fuzz_channel(s, seed, SPICE_CHANNEL_MAIN);
}

static void script_fuzz_cursor(struct fake_srv *s, uint32_t seed)
{
    fuzz_channel(s, seed, SPICE_CHANNEL_CURSOR);
}

/* random messages of every type on the display channel, and some
 * structurally valid ones with random fields (seeded) */
static void script_fuzz(struct fake_srv *s, uint32_t seed)
{
    static const uint16_t display_types[] = {
        SPICE_MSG_DISPLAY_SURFACE_CREATE, SPICE_MSG_DISPLAY_SURFACE_DESTROY,
        SPICE_MSG_DISPLAY_DRAW_COPY, SPICE_MSG_DISPLAY_DRAW_FILL,
        SPICE_MSG_DISPLAY_MONITORS_CONFIG, SPICE_MSG_DISPLAY_STREAM_CREATE,
        SPICE_MSG_DISPLAY_STREAM_DATA, SPICE_MSG_DISPLAY_STREAM_DATA_SIZED,
        SPICE_MSG_DISPLAY_STREAM_CLIP, SPICE_MSG_DISPLAY_STREAM_DESTROY,
        SPICE_MSG_DISPLAY_STREAM_DESTROY_ALL, SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT,
        SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, SPICE_MSG_DISPLAY_GL_DRAW, SPICE_MSG_SET_ACK,
        SPICE_MSG_PING, SPICE_MSG_NOTIFY, SPICE_MSG_DISCONNECTING,
    };
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 64, 48);
    GRand *rand = g_rand_new_with_seed(seed);
    uint8_t buf[600];
    bool ok = dfd >= 0;

    for (int i = 0; i < 300 && ok; i++) {
        uint16_t type = (uint16_t)g_rand_int_range(rand, 1, 330);
        size_t len = (size_t)g_rand_int_range(rand, 0, sizeof(buf));
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)g_rand_int(rand);
        if (g_rand_int_range(rand, 0, 2) == 0) { /* a type we parse, small ids */
            type = display_types[g_rand_int_range(rand, 0, G_N_ELEMENTS(display_types))];
            memset(buf, 0, MIN(len, (size_t)g_rand_int_range(rand, 0, 9)));
        }
        if (type == SPICE_MSG_DISPLAY_MARK) /* would end the run with a screenshot */
            type = SPICE_MSG_DISPLAY_RESET;
        ok = fake_send(dfd, type, buf, len);
    }
    g_rand_free(rand);
    finish_script(mfd, dfd);
}

/* ---- GL scanouts ------------------------------------------------------------------ */

static int plain_memfd(size_t size)
{
    int fd = memfd_create("hostile-scanout", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
    return fd;
}

static void send_draw(int dfd, uint32_t w, uint32_t h)
{
    struct sc_gl_draw d = { 0, 0, w, h };
    struct sc_writer wr;

    sc_writer_init(&wr);
    sc_gl_draw_write(&wr, &d);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_GL_DRAW, &wr);
    sc_writer_finish(&wr);
}

/* scanout + GL_DRAW with buf, described as w x h stride; then `after` */
static void gl_script(struct fake_srv *s, int buf, uint32_t w, uint32_t h, uint32_t stride,
                      void (*after)(int buf))
{
    int mfd = fake_main(s, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(s, 0, 0);
    struct sc_gl_scanout m = { w, h, stride, FOURCC_XR24, 0 };

    if (dfd >= 0 && !fake_send_scanout(dfd, &m, buf))
        FAKE_FAIL(s, "could not pass the scanout fd");
    send_draw(dfd, w, h);
    if (after)
        after(buf);
    finish_script(mfd, dfd);
    close(buf);
}

/* ours: common/frame.c's memfds are sealed, the viewer takes them */
static void script_gl_sealed(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    struct sc_frame *f = sc_frame_new_memfd(64, 48);

    g_assert_nonnull(f);
    memset(f->map, 0x40, f->map_size);
    gl_script(s, dup(f->fd), 64, 48, f->stride, NULL);
    sc_frame_unref(f);
}

static void shrink(int buf)
{
    g_usleep(2 * 1000);
    if (ftruncate(buf, 0) < 0)
        g_test_message("ftruncate: %s", g_strerror(errno));
}

/* issue 13 item 3: passed, drawn, then truncated under the reader (SIGBUS) */
static void script_gl_shrinking(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    gl_script(s, plain_memfd((size_t)4096 * 4 * 4096), 4096, 4096, 4096 * 4, shrink);
}

static void script_gl_short(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    struct sc_frame *f = sc_frame_new_memfd(64, 48);

    g_assert_nonnull(f);
    gl_script(s, dup(f->fd), 64, 4800, f->stride, NULL);
    sc_frame_unref(f);
}

static void script_gl_stride(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    struct sc_frame *f = sc_frame_new_memfd(64, 48);

    g_assert_nonnull(f);
    gl_script(s, dup(f->fd), 64, 48, 16, NULL);
    sc_frame_unref(f);
}

static void script_gl_not_memfd(struct fake_srv *s, uint32_t seed G_GNUC_UNUSED)
{
    g_autofree char *path = g_build_filename(s->dir, "plain-file", NULL);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 64 * 4 * 48), ==, 0);
    gl_script(s, fd, 64, 48, 64 * 4, NULL);
    g_unlink(path);
}

/* ---- the cases ------------------------------------------------------------------ */

static void test_case(gconstpointer p)
{
    run_case(p);
}

static const struct hcase cases[] = {
    { script_good, NULL, 0, "canvas 64x48", 0, "good" },
    { script_oversized, NULL, 1, "bad message header", 0, "oversized" },
    { script_truncated, NULL, 1, "connection closed", 0, "truncated" },
    { script_short_body, NULL, 1, "malformed message 314", 0, "short-body" },
    { script_huge_surface, NULL, 1, "malformed message 314", 0, "huge-surface" },
    { script_bad_lz4, NULL, 1, "malformed message 304", 0, "bad-lz4" },
    { script_wild_boxes, NULL, 0, "canvas 64x48", 0, "wild-boxes" },
    { script_junk_stream, "--video", 0, "canvas 64x48", 0, "junk-stream" },
    { script_wild_stream, "--video", 1, "malformed message 122", 0, "wild-stream" },
    { script_src_outside, NULL, 0, "src_area outside its 4x4 image", 0, "src-outside" },
    { script_dribble, NULL, 0, "canvas 64x48", 0, "dribble" },
    { script_fd_flood, NULL, 0, "canvas 64x48", 0, "fd-flood" },
    { script_good, "--check-peer-uid", 0, "canvas 64x48", 0, "peer-uid-ours" },
    { script_gl_sealed, "--gl", 0, "scanout 64x48", 0, "gl-sealed" },
    { script_gl_shrinking, "--gl", 1, "not sealed against shrinking", 0, "gl-shrinking" },
    { script_gl_short, "--gl", 1, "the buffer holds", 0, "gl-short" },
    { script_gl_stride, "--gl", 1, "stride 16 < width 64", 0, "gl-stride" },
    /* a plain file: "neither ...", or "a memfd (or shmem file) not sealed"
     * where the temporary directory is a tmpfs */
    { script_gl_not_memfd, "--gl", 1, "GL_SCANOUT_UNIX 64x48 stride 256 refused: ", 0,
      "gl-not-memfd" },
};

int main(int argc, char **argv)
{
    static struct hcase good_after;
    struct hcase *fuzz;
    unsigned n_fuzz;
    char name[64];

    g_test_init(&argc, &argv, NULL);
    /* make check exports top_builddir; by hand, ../../client from here */
    if (g_getenv("top_builddir"))
        viewer_path = g_build_filename(g_getenv("top_builddir"), "client", "viewer-headless", NULL);
    else
        viewer_path = g_test_build_filename(G_TEST_BUILT, "..", "..", "client", "viewer-headless",
                                            NULL);
    if (!g_file_test(viewer_path, G_FILE_TEST_IS_EXECUTABLE)) {
        fprintf(stderr, "%s is not built (make all first)\n", viewer_path);
        return 1;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        snprintf(name, sizeof(name), "/viewer-hostile/%s", cases[i].name);
        g_test_add_data_func(name, &cases[i], test_case);
    }
    /* SC_HOSTILE_RUNS=N: N seeded random runs instead of 24 (a longer hunt) */
    n_fuzz = g_getenv("SC_HOSTILE_RUNS") ? (unsigned)atoi(g_getenv("SC_HOSTILE_RUNS")) : 24;
    fuzz = g_new0(struct hcase, n_fuzz);
    for (uint32_t i = 0; i < n_fuzz; i++) {
        static const char *const what[] = { "display", "main", "cursor", "wellformed" };
        void (*const scripts[])(struct fake_srv *, uint32_t) = {
            script_fuzz, script_fuzz_main, script_fuzz_cursor, script_fuzz_wellformed };
        fuzz[i] = (struct hcase){ scripts[i % 4], i % 4 == 3 ? "--video" : NULL, 1,
                                  "connection closed", i + 1, NULL };
        snprintf(name, sizeof(name), "/viewer-hostile/fuzz-%s-%02u", what[i % 4], i + 1);
        g_test_add_data_func(name, &fuzz[i], test_case);
    }
    g_test_add_func("/viewer-hostile/peer-uid-other", test_peer_uid_other);
    good_after = cases[0];
    g_test_add_data_func("/viewer-hostile/good-again", &good_after, test_case);
    int rc = g_test_run();
    g_free(fuzz);
    g_free(viewer_path);
    return rc;
}
