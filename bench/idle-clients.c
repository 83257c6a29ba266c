/* idle-clients: N SPICE clients that link main + display, ask for the
 * display (ATTACH_CHANNELS, DISPLAY_INIT) and then never read again, held
 * for S seconds.  A server that queues updates per client without bound
 * grows while they are connected; one that keeps at most one pending frame
 * per client does not.  Used by bench/bench-server.sh (not a test).
 *
 *   idle-clients (--tcp HOST:PORT | --unix PATH) [--password P] N SECONDS
 *
 * Prints "linked=N" once every client is linked, then sleeps. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "messages.h"
#include "ticket.h"
#include "wire.h"

static const char *host, *port, *unix_path, *password;

static int connect_server(void)
{
    int fd;
    if (unix_path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", unix_path);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
            close(fd);
            fd = -1;
        }
        return fd;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static bool read_exact(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 10000) <= 0)
            return false;
        ssize_t n = read(fd, p, len);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool send_writer(int fd, struct sc_writer *w)
{
    bool ok = !w->error && send(fd, w->data, w->size, MSG_NOSIGNAL) == (ssize_t)w->size;
    sc_writer_reset(w);
    return ok;
}

/* Link one channel; returns the fd (mini header in *mini) or -1. */
static int link_channel(uint32_t connection_id, uint8_t type, bool *mini)
{
    struct sc_link_mess m = { .connection_id = connection_id, .channel_type = type };
    struct sc_link_reply reply;
    struct sc_link_header h;
    struct sc_writer w;
    uint8_t head[SC_LINK_HEADER_SIZE], body[SC_LINK_MAX_SIZE], auth[4 + SC_TICKET_BLOB_BYTES];
    int fd = connect_server();

    if (fd < 0)
        return -1;
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    if (type == SPICE_CHANNEL_DISPLAY)
        sc_caps_set(m.caps.channel, &m.caps.n_channel, SPICE_DISPLAY_CAP_LZ4_COMPRESSION);
    sc_writer_init(&w);
    sc_link_mess_write(&w, &m);
    bool ok = send_writer(fd, &w) && read_exact(fd, head, sizeof(head)) &&
              sc_link_header_parse(head, sizeof(head), &h) == SPICE_LINK_ERR_OK &&
              read_exact(fd, body, h.size) &&
              sc_link_reply_parse(body, h.size, &reply) == SPICE_LINK_ERR_OK && reply.error == 0;
    sc_writer_finish(&w);
    if (ok) {
        sc_put_u32(auth, SPICE_COMMON_CAP_AUTH_SPICE);
        ok = sc_ticket_encrypt(reply.pub_key, SC_TICKET_PUBKEY_BYTES, password, auth + 4) &&
             send(fd, auth, sizeof(auth), MSG_NOSIGNAL) == (ssize_t)sizeof(auth) &&
             read_exact(fd, head, 4) && sc_get_u32(head) == 0;
    }
    if (!ok) {
        close(fd);
        return -1;
    }
    *mini = sc_caps_has_common(&reply.caps, SPICE_COMMON_CAP_MINI_HEADER);
    return fd;
}

/* Reads main-channel messages until MAIN_INIT; returns the session id. */
static uint32_t read_main_init(int fd, bool mini)
{
    for (int i = 0; i < 20; i++) {
        uint8_t head[SC_FULL_HEADER_SIZE], body[64];
        struct sc_data_header h;
        size_t hs = sc_data_header_size(mini);
        if (!read_exact(fd, head, hs) || !sc_data_header_parse(head, hs, mini, &h))
            return 0;
        uint32_t left = h.size, got = 0;
        while (left > 0) {
            uint8_t skip[4096];
            uint32_t n = left < sizeof(skip) ? left : sizeof(skip);
            if (!read_exact(fd, skip, n))
                return 0;
            if (got < sizeof(body))
                memcpy(body + got, skip, n < sizeof(body) - got ? n : sizeof(body) - got);
            got += n;
            left -= n;
        }
        struct sc_main_init init;
        if (h.type == SPICE_MSG_MAIN_INIT &&
            sc_main_init_parse(body, h.size < sizeof(body) ? h.size : sizeof(body), &init))
            return init.session_id;
    }
    return 0;
}

static bool one_client(void)
{
    bool mini_main, mini_disp;
    int mfd = link_channel(0, SPICE_CHANNEL_MAIN, &mini_main);
    if (mfd < 0)
        return false;
    uint32_t session = read_main_init(mfd, mini_main);
    if (!session)
        return false;
    struct sc_writer w;
    sc_writer_init(&w);
    size_t start = sc_msg_begin(&w, mini_main, 1, SPICE_MSGC_MAIN_ATTACH_CHANNELS);
    sc_msg_end(&w, start, mini_main);
    send_writer(mfd, &w);
    int dfd = link_channel(session, SPICE_CHANNEL_DISPLAY, &mini_disp);
    if (dfd < 0) {
        sc_writer_finish(&w);
        return false;
    }
    struct sc_display_init init = { 1, 0, 1, 0 };
    start = sc_msg_begin(&w, mini_disp, 1, SPICE_MSGC_DISPLAY_INIT);
    sc_display_init_write(&w, &init);
    sc_msg_end(&w, start, mini_disp);
    bool ok = send_writer(dfd, &w);
    sc_writer_finish(&w);
    return ok; /* both fds stay open and are never read again */
}

int main(int argc, char **argv)
{
    int i = 1;
    signal(SIGPIPE, SIG_IGN);
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--tcp")) {
            char *c = strdup(argv[i + 1]), *colon = strrchr(c, ':');
            if (!colon)
                return 2;
            *colon = 0;
            host = c;
            port = colon + 1;
        } else if (!strcmp(argv[i], "--unix")) {
            unix_path = argv[i + 1];
        } else if (!strcmp(argv[i], "--password")) {
            password = argv[i + 1];
        } else {
            return 2;
        }
    }
    if (i + 2 != argc || (!host && !unix_path)) {
        fprintf(stderr, "usage: idle-clients (--tcp HOST:PORT | --unix PATH) [--password P] N SECONDS\n");
        return 2;
    }
    int n = atoi(argv[i]), secs = atoi(argv[i + 1]);
    for (int k = 0; k < n; k++) {
        if (!one_client()) {
            fprintf(stderr, "idle-clients: client %d failed to link\n", k);
            return 1;
        }
    }
    printf("linked=%d\n", n);
    fflush(stdout);
    sleep((unsigned)secs);
    return 0;
}
