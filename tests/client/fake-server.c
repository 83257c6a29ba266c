/* A scripted fake SPICE server for the client tests (fake-server.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "common/fdpass.h"
#include "tests/client/fake-server.h"

void fake_srv_init(struct fake_srv *s)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    GError *error = NULL;

    memset(s, 0, sizeof(*s));
    s->dir = g_dir_make_tmp("sc-client-XXXXXX", &error);
    g_assert_no_error(error);
    s->path = g_build_filename(s->dir, "s.sock", NULL);
    g_strlcpy(sa.sun_path, s->path, sizeof(sa.sun_path));
    s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(s->lfd, 4), ==, 0);
    s->key = sc_ticket_key_new();
    g_assert_nonnull(s->key);
}

void fake_srv_finish(struct fake_srv *s)
{
    sc_ticket_key_free(s->key);
    close(s->lfd);
    g_unlink(s->path);
    g_rmdir(s->dir);
    g_free(s->path);
    g_free(s->dir);
    g_free(s->failure);
    memset(s, 0, sizeof(*s));
    s->lfd = -1;
}

bool fake_read_full(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        ssize_t r;
        if (poll(&pfd, 1, 5000) <= 0)
            return false;
        r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

bool fake_write_full(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

int fake_accept_link(struct fake_srv *s, uint8_t *type)
{
    struct pollfd pfd = { s->lfd, POLLIN, 0 };
    uint8_t hdr[SC_LINK_HEADER_SIZE], body[SC_LINK_MAX_SIZE], auth[4 + SC_TICKET_BLOB_BYTES];
    struct sc_link_header h;
    struct sc_link_mess m;
    struct sc_link_reply r = { 0 };
    struct sc_writer w;
    uint8_t ok[4] = { 0 };
    int fd;
    char *pw;

    if (poll(&pfd, 1, 5000) <= 0 || (fd = accept(s->lfd, NULL, NULL)) < 0)
        return -1;
    if (!fake_read_full(fd, hdr, sizeof(hdr)) || sc_link_header_parse(hdr, sizeof(hdr), &h) ||
        !fake_read_full(fd, body, h.size) || sc_link_mess_parse(body, h.size, &m)) {
        close(fd);
        return -1;
    }
    *type = m.channel_type;
    sc_caps_set(r.caps.common, &r.caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(r.caps.common, &r.caps.n_common, SPICE_COMMON_CAP_AUTH_SPICE);
    sc_caps_set(r.caps.common, &r.caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    if (m.channel_type == SPICE_CHANNEL_DISPLAY)
        sc_caps_set(r.caps.channel, &r.caps.n_channel, SPICE_DISPLAY_CAP_STREAM_REPORT);
    sc_ticket_key_get_pubkey(s->key, r.pub_key);
    sc_writer_init(&w);
    sc_link_reply_write(&w, &r);
    fake_write_full(fd, w.data, w.size);
    sc_writer_finish(&w);
    if (!fake_read_full(fd, auth, sizeof(auth)) || sc_get_u32(auth) != 1 ||
        !(pw = sc_ticket_decrypt(s->key, auth + 4, SC_TICKET_BLOB_BYTES))) {
        close(fd);
        return -1;
    }
    free(pw);
    fake_write_full(fd, ok, 4);
    return fd;
}

bool fake_send(int fd, uint16_t type, const uint8_t *body, size_t len)
{
    uint8_t h[SC_MINI_HEADER_SIZE];
    sc_put_u16(h, type);
    sc_put_u32(h + 2, (uint32_t)len);
    return fake_write_full(fd, h, sizeof(h)) && (!len || fake_write_full(fd, body, len));
}

bool fake_send_w(int fd, uint16_t type, struct sc_writer *w)
{
    bool ok = fake_send(fd, type, w->data, w->size);
    sc_writer_reset(w);
    return ok;
}

bool fake_recv(int fd, uint16_t *type, uint8_t **body, uint32_t *len)
{
    uint8_t h[SC_MINI_HEADER_SIZE];
    if (!fake_read_full(fd, h, sizeof(h)))
        return false;
    *type = sc_get_u16(h);
    *len = sc_get_u32(h + 2);
    if (*len > 1024 * 1024)
        return false;
    *body = g_malloc(*len + 1);
    return fake_read_full(fd, *body, *len);
}

bool fake_expect(struct fake_srv *s, int fd, uint16_t want, uint8_t **body, uint32_t *len)
{
    uint16_t type;
    uint8_t *b = NULL;
    uint32_t l;
    if (!fake_recv(fd, &type, &b, &l)) {
        FAKE_FAIL(s, "wanted message %u, got nothing", want);
        g_free(b);
        return false;
    }
    if (type != want) {
        FAKE_FAIL(s, "wanted message %u, got %u", want, type);
        g_free(b);
        return false;
    }
    if (body)
        *body = b, *len = l;
    else
        g_free(b);
    return true;
}

int fake_main(struct fake_srv *s, uint8_t list_type, uint32_t mouse_mode)
{
    struct sc_main_init mi = { 0x1234, 1, 3, mouse_mode, 0, 0, 1000, 0 };
    struct sc_channels_list cl = { 1, { { list_type, 0 } } };
    struct sc_writer w;
    uint8_t type;
    int fd = fake_accept_link(s, &type);

    if (fd < 0 || type != SPICE_CHANNEL_MAIN) {
        FAKE_FAIL(s, "main link failed");
        return -1;
    }
    sc_writer_init(&w);
    sc_main_init_write(&w, &mi);
    fake_send_w(fd, SPICE_MSG_MAIN_INIT, &w);
    if (!fake_expect(s, fd, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL, NULL)) {
        sc_writer_finish(&w);
        return fd;
    }
    sc_channels_list_write(&w, &cl);
    fake_send_w(fd, SPICE_MSG_MAIN_CHANNELS_LIST, &w);
    sc_writer_finish(&w);
    return fd;
}

int fake_display(struct fake_srv *s, uint32_t width, uint32_t height)
{
    struct sc_surface_create sc = { 0, width, height, SPICE_SURFACE_FMT_32_xRGB,
                                    SPICE_SURFACE_FLAGS_PRIMARY };
    struct sc_writer w;
    uint8_t type;
    int fd = fake_accept_link(s, &type);

    if (fd < 0 || type != SPICE_CHANNEL_DISPLAY) {
        FAKE_FAIL(s, "display link failed");
        return -1;
    }
    if (!fake_expect(s, fd, SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION, NULL, NULL) ||
        !fake_expect(s, fd, SPICE_MSGC_DISPLAY_INIT, NULL, NULL) || !width)
        return fd;
    sc_writer_init(&w);
    sc_surface_create_write(&w, &sc);
    fake_send_w(fd, SPICE_MSG_DISPLAY_SURFACE_CREATE, &w);
    sc_writer_finish(&w);
    return fd;
}

bool fake_send_scanout(int fd, const struct sc_gl_scanout *m, int buf)
{
    struct sc_writer w;
    struct iovec iov = { (void *)"@", 1 };
    bool ok;

    sc_writer_init(&w);
    sc_gl_scanout_unix_write(&w, m);
    ok = fake_send_w(fd, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, &w);
    sc_writer_finish(&w);
    return ok && sc_fd_sendmsg(fd, &iov, 1, &buf, buf >= 0 ? 1 : 0) == 1;
}
