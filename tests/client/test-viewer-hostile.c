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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "common/frame.h"
#include "tests/client/fake-server.h"

#define FOURCC_XR24 0x34325258u /* DRM_FORMAT_XRGB8888 */

struct hcase {
    void (*script)(struct fake_srv *s, uint32_t seed);
    const char *flag;     /* an extra viewer-headless option, or NULL */
    int want_rc;          /* 0: a screenshot; 1: the viewer gave up */
    const char *want_log; /* in the viewer's stderr (NULL: anything) */
    uint32_t seed;
};

static char *viewer_path;

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
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_unlink(log);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != hc->want_rc ||
        (hc->want_log && !strstr(text, hc->want_log)) || strstr(text, "runtime error") ||
        strstr(text, "Sanitizer") || s.failure)
        g_test_message("viewer-headless %s, wanted exit %d and '%s'; server side: %s; its "
                       "output:\n%s", status == -1 ? "hung" : WIFSIGNALED(status)
                       ? strsignal(WTERMSIG(status)) : "exited", hc->want_rc,
                       hc->want_log ? hc->want_log : "", s.failure ? s.failure : "ok", text);
    g_assert_cmpint(status, !=, -1);
    g_assert_false(WIFSIGNALED(status));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, hc->want_rc);
    g_assert_null(strstr(text, "runtime error"));
    g_assert_null(strstr(text, "Sanitizer"));
    if (hc->want_log)
        g_assert_nonnull(strstr(text, hc->want_log));
    g_assert_null(s.failure); /* the links worked: the bad input reached the viewer */
    if (hc->want_rc == 0) {
        g_autofree char *out = g_build_filename(s.dir, "out.ppm", NULL);
        g_assert_true(g_file_test(out, G_FILE_TEST_IS_REGULAR));
        g_unlink(out);
    }
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
 * viewer ends on what it was sent, not on our close. */
static void linger(int fd)
{
    uint8_t b[4096];
    for (int i = 0; i < 100 && fd >= 0; i++) {
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
    { script_good, NULL, 0, "canvas 64x48", 0 },
    { script_gl_sealed, "--gl", 0, "scanout 64x48", 0 },
    { script_gl_shrinking, "--gl", 1, "not sealed against shrinking", 0 },
    { script_gl_short, "--gl", 1, "the buffer holds", 0 },
    { script_gl_stride, "--gl", 1, "stride 16 < width 64", 0 },
    { script_gl_not_memfd, "--gl", 1, "neither a sealed memfd nor a dma-buf", 0 },
};

static const char *const case_names[] = {
    "good", "gl-sealed", "gl-shrinking", "gl-short", "gl-stride", "gl-not-memfd",
};

int main(int argc, char **argv)
{
    static struct hcase good_after;
    char name[64];

    G_STATIC_ASSERT(G_N_ELEMENTS(cases) == G_N_ELEMENTS(case_names));
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
        snprintf(name, sizeof(name), "/viewer-hostile/%s", case_names[i]);
        g_test_add_data_func(name, &cases[i], test_case);
    }
    good_after = cases[0];
    g_test_add_data_func("/viewer-hostile/good-again", &good_after, test_case);
    return g_test_run();
}
