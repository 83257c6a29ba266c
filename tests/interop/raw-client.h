/* tests/interop/raw-client.h: a bare SPICE client on raw sockets (link,
 * SPICE ticket auth, data messages) for tests/interop/test-badinput.c and
 * bench/idle-clients.c.  Header-only, because bench/bench-server.sh compiles
 * idle-clients.c on its own.  The program fills `peer` before connecting. */
#pragma once
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/messages.h"
#include "common/ticket.h"
#include "common/wire.h"

#ifndef IO_TIMEOUT_MS
#define IO_TIMEOUT_MS 5000
#endif
#define MSG_MAIN_INIT 103

static struct {
    const char *host, *port, *unix_path; /* --tcp HOST:PORT or --unix PATH */
    const char *password;                /* NULL: none */
    uint32_t display_caps;               /* display channel caps word 0 in a hello */
} peer;

/* Takes --tcp HOST:PORT, --unix PATH or --password P into `peer`; false
 * when `opt` is none of them (or HOST:PORT has no ':'). */
static inline bool peer_option(const char *opt, const char *value)
{
    if (!strcmp(opt, "--tcp")) {
        const char *colon = strrchr(value, ':');
        if (!colon)
            return false;
        peer.host = strndup(value, (size_t)(colon - value));
        peer.port = colon + 1;
    } else if (!strcmp(opt, "--unix")) {
        peer.unix_path = value;
    } else if (!strcmp(opt, "--password")) {
        peer.password = value;
    } else {
        return false;
    }
    return true;
}

/* ---- sockets --------------------------------------------------------------- */

static inline int connect_server(void)
{
    if (peer.unix_path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", peer.unix_path);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    if (getaddrinfo(peer.host, peer.port, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* Sends everything; false if the peer is gone (that may be fine). */
static inline bool send_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static inline bool send_writer(int fd, struct sc_writer *w)
{
    bool ok = !w->error && send_all(fd, w->data, w->size);
    sc_writer_reset(w);
    return ok;
}

/* Reads exactly len bytes within IO_TIMEOUT_MS. */
static inline bool read_exact(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0)
            return false;
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* ---- link helpers --------------------------------------------------------- */

struct link {
    int fd;
    struct sc_link_reply reply;
    bool mini;
    uint32_t result;
    struct sc_main_init init; /* main channel: MAIN_INIT as received */
};

/* Sends a well-formed client hello for (connection_id, type) with AUTH_SELECTION
 * and MINI_HEADER (and peer.display_caps on a display channel), reads the
 * server's reply.  Returns false on I/O failure
 * or a reply that does not parse; reply.error may be nonzero. */
static inline bool link_hello(struct link *l, uint32_t connection_id, uint8_t type)
{
    struct sc_link_mess m = { .connection_id = connection_id, .channel_type = type };
    struct sc_writer w;
    uint8_t head[SC_LINK_HEADER_SIZE];
    struct sc_link_header h;
    bool ok = false;

    memset(&l->reply, 0, sizeof(l->reply));
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    m.caps.n_channel = 1;
    if (type == SPICE_CHANNEL_DISPLAY)
        m.caps.channel[0] = peer.display_caps;
    sc_writer_init(&w);
    sc_link_mess_write(&w, &m);
    if (!send_writer(l->fd, &w))
        goto out;
    if (!read_exact(l->fd, head, sizeof(head)) ||
        sc_link_header_parse(head, sizeof(head), &h) != SPICE_LINK_ERR_OK)
        goto out;
    uint8_t *body = malloc(h.size);
    if (body && read_exact(l->fd, body, h.size) &&
        sc_link_reply_parse(body, h.size, &l->reply) == SPICE_LINK_ERR_OK)
        ok = true;
    free(body);
    l->mini = sc_caps_has_common(&l->reply.caps, SPICE_COMMON_CAP_MINI_HEADER);
out:
    sc_writer_finish(&w);
    return ok;
}

/* AUTH_SPICE mechanism word + the encrypted ticket, then the link result. */
static inline bool link_auth(struct link *l, const char *password)
{
    uint8_t out[4 + SC_TICKET_BLOB_BYTES], res[4];
    sc_put_u32(out, SPICE_COMMON_CAP_AUTH_SPICE);
    if (!sc_ticket_encrypt(l->reply.pub_key, SC_TICKET_PUBKEY_BYTES, password, out + 4)) {
        fprintf(stderr, "# the server's public key does not parse as RSA-1024 SPKI\n");
        return false;
    }
    if (!send_all(l->fd, out, sizeof(out)) || !read_exact(l->fd, res, 4))
        return false;
    l->result = sc_get_u32(res);
    return true;
}

/* Reads one data message; body is kept up to cap bytes, the rest skipped. */
static inline bool read_msg(struct link *l, uint16_t *type, uint8_t *body, size_t cap, uint32_t *size)
{
    uint8_t head[SC_FULL_HEADER_SIZE];
    struct sc_data_header h;
    size_t hs = sc_data_header_size(l->mini);
    if (!read_exact(l->fd, head, hs) || !sc_data_header_parse(head, hs, l->mini, &h))
        return false;
    *type = h.type;
    *size = h.size;
    uint32_t left = h.size;
    uint8_t skip[4096];
    while (left > 0) {
        size_t n = left;
        uint8_t *dst = skip;
        size_t kept = h.size - left;
        if (kept < cap) {
            dst = body + kept;
            if (n > cap - kept)
                n = cap - kept;
        } else if (n > sizeof(skip)) {
            n = sizeof(skip);
        }
        if (!read_exact(l->fd, dst, n))
            return false;
        left -= (uint32_t)n;
    }
    return true;
}

/* A good main-channel link: hello, auth, result 0, then MAIN_INIT.  Leaves
 * the connection open in l->fd (or -1) and returns the session id (0 on
 * failure). */
static inline uint32_t good_main(struct link *l)
{
    l->fd = connect_server();
    if (l->fd < 0) {
        fprintf(stderr, "# connect failed: %s\n", strerror(errno));
        return 0;
    }
    if (!link_hello(l, 0, SPICE_CHANNEL_MAIN) || l->reply.error != 0) {
        fprintf(stderr, "# main link reply missing or error %u\n", l->reply.error);
        return 0;
    }
    if (!link_auth(l, peer.password) || l->result != 0) {
        fprintf(stderr, "# main link result missing or %u\n", l->result);
        return 0;
    }
    for (int i = 0; i < 20; i++) {
        uint16_t type;
        uint32_t size;
        uint8_t body[64];
        struct sc_main_init init;
        if (!read_msg(l, &type, body, sizeof(body), &size)) {
            fprintf(stderr, "# no MAIN_INIT: read failed\n");
            return 0;
        }
        if (type == MSG_MAIN_INIT) {
            if (!sc_main_init_parse(body, size < sizeof(body) ? size : sizeof(body), &init) ||
                init.session_id == 0) {
                fprintf(stderr, "# MAIN_INIT does not parse or has session id 0\n");
                return 0;
            }
            l->init = init;
            return init.session_id;
        }
    }
    fprintf(stderr, "# no MAIN_INIT in the first 20 messages\n");
    return 0;
}

static inline void link_close(struct link *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

/* A linked channel other than main, in the given session. */
static inline bool good_channel(struct link *l, uint32_t session, uint8_t type)
{
    l->fd = connect_server();
    return l->fd >= 0 && link_hello(l, session, type) && l->reply.error == 0 &&
           link_auth(l, peer.password) && l->result == 0;
}

/* Asks for the display: ATTACH_CHANNELS on main, DISPLAY_INIT on the display
 * channel.  False if the display channel's request could not be sent. */
static inline bool attach_display(struct link *m, struct link *d)
{
    struct sc_writer w;
    struct sc_display_init init = { 1, 0, 1, 0 };
    sc_writer_init(&w);
    size_t start = sc_msg_begin(&w, m->mini, 1, SPICE_MSGC_MAIN_ATTACH_CHANNELS);
    sc_msg_end(&w, start, m->mini);
    send_writer(m->fd, &w);
    start = sc_msg_begin(&w, d->mini, 1, SPICE_MSGC_DISPLAY_INIT);
    sc_display_init_write(&w, &init);
    sc_msg_end(&w, start, d->mini);
    bool ok = send_writer(d->fd, &w);
    sc_writer_finish(&w);
    return ok;
}

/* A client that links main + display and asks for the display, then is left
 * alone: both fds stay open and are never read (until the program exits). */
static inline bool idle_client(void)
{
    struct link m = { .fd = -1 }, d = { .fd = -1 };
    uint32_t session = good_main(&m);
    return session && good_channel(&d, session, SPICE_CHANNEL_DISPLAY) && attach_display(&m, &d);
}
