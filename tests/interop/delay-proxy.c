/* delay-proxy: a TCP proxy on loopback that delays every byte by a fixed
 * time in each direction, to give interop tests a round trip longer than a
 * frame interval without touching the network setup.
 *
 *   delay-proxy TARGET_PORT DELAY_MS
 *
 * Listens on 127.0.0.1 on a port the kernel picks, prints
 * "listening on 127.0.0.1:PORT", and forwards each connection to
 * 127.0.0.1:TARGET_PORT.  Per direction one thread reads and stamps the
 * chunks, another writes each chunk DELAY_MS after it was read (order is
 * kept).  Runs until killed; the tests bound it with timeout(1). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

struct chunk {
    gint64 due_us;
    gsize len;          /* 0: end of stream */
    guint8 data[];
};

/* one proxied connection: both fds close when its four threads are done */
struct conn {
    int fd[2];
    gint threads;
};

struct direction {
    struct conn *conn;
    int from, to;
    GAsyncQueue *q;
    gint users;         /* the reader and the writer */
};

static void direction_unref(struct direction *d)
{
    struct conn *c = d->conn;

    if (g_atomic_int_dec_and_test(&d->users)) {
        g_async_queue_unref(d->q);
        g_free(d);
    }
    if (g_atomic_int_dec_and_test(&c->threads)) {
        close(c->fd[0]);
        close(c->fd[1]);
        g_free(c);
    }
}

static gint64 delay_us;

static gpointer reader(gpointer data)
{
    struct direction *d = data;
    guint8 buf[65536];

    for (;;) {
        ssize_t n = recv(d->from, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        struct chunk *c = g_malloc(sizeof(*c) + (n > 0 ? (size_t)n : 0));
        c->due_us = g_get_monotonic_time() + delay_us;
        c->len = n > 0 ? (gsize)n : 0;
        if (n > 0)
            memcpy(c->data, buf, (size_t)n);
        g_async_queue_push(d->q, c);
        if (n <= 0) {
            direction_unref(d);
            return NULL;
        }
    }
}

static gpointer writer(gpointer data)
{
    struct direction *d = data;

    for (;;) {
        struct chunk *c = g_async_queue_pop(d->q);
        gint64 wait = c->due_us - g_get_monotonic_time();
        if (wait > 0)
            g_usleep((gulong)wait);
        if (c->len == 0) {
            g_free(c);
            shutdown(d->to, SHUT_WR);
            shutdown(d->from, SHUT_RD);
            direction_unref(d);
            return NULL;
        }
        gsize off = 0;
        while (off < c->len) {
            ssize_t n = send(d->to, c->data + off, c->len - off, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                /* the peer is gone: stop reading the other side too */
                g_free(c);
                shutdown(d->from, SHUT_RDWR);
                /* let the reader reach its end of stream */
                while ((c = g_async_queue_pop(d->q))->len != 0)
                    g_free(c);
                g_free(c);
                direction_unref(d);
                return NULL;
            }
            off += (gsize)n;
        }
        g_free(c);
    }
}

static void start_direction(struct conn *conn, int from, int to)
{
    struct direction *d = g_new0(struct direction, 1);
    d->conn = conn;
    d->users = 2;
    d->from = from;
    d->to = to;
    d->q = g_async_queue_new();
    g_thread_unref(g_thread_new("reader", reader, d));
    g_thread_unref(g_thread_new("writer", writer, d));
}

static int connect_target(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        fprintf(stderr, "delay-proxy: connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: delay-proxy TARGET_PORT DELAY_MS\n");
        return 2;
    }
    int target = atoi(argv[1]);
    delay_us = (gint64)(atof(argv[2]) * 1000);
    if (target <= 0 || target > 65535 || delay_us < 0) {
        fprintf(stderr, "delay-proxy: bad port or delay\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 16) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
        fprintf(stderr, "delay-proxy: listen: %s\n", strerror(errno));
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            fprintf(stderr, "delay-proxy: accept: %s\n", strerror(errno));
            return 1;
        }
        int t = connect_target(target);
        if (t < 0) {
            close(c);
            continue;
        }
        struct conn *conn = g_new0(struct conn, 1);
        conn->fd[0] = c;
        conn->fd[1] = t;
        conn->threads = 4;
        start_direction(conn, c, t);
        start_direction(conn, t, c);
    }
}
