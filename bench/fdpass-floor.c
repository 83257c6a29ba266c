/* bench/fdpass-floor: what one sendmsg() of the local path costs on this
 * machine, with nothing of ours around it (issue 9 item 4: the floor under
 * the server's gl_draw stage).  Never run by make check.
 *
 *   bench/fdpass-floor [--frames N] [--fps N] [--size BYTES] [--pin none|same|other]
 *
 * A writer and a reader process on a unix stream socketpair.  Per frame the
 * writer sleeps to the next tick (--fps, 60), then sends --size bytes (49:
 * GL_SCANOUT_UNIX with mini headers, its '@' byte and a GL_DRAW, the one
 * sendmsg of a client with SC_DISPLAY_CAP_SCANOUT_FD_FIFO) with one fd
 * (a 1280x720 XRGB memfd) as SCM_RIGHTS, through common/fdpass.c, and
 * waits for the reader's 8-byte answer (as GL_DRAW_DONE) before the next
 * tick.  The reader sleeps in poll() between frames, as a viewer's main
 * loop does; it receives with a control buffer, closes the fd and answers
 * with the time poll() returned.  Rows, p50/p95/p99 in µs:
 *  - send/sleeping: the writer's sendmsg() call, the reader asleep in poll();
 *  - wake/sleeping: writer's call to the reader's poll() returning;
 *  - send/no waiter: the same call while the reader is not waiting on the
 *    socket (it sleeps 3 ms at a time and drains what came, unanswered):
 *    no wake-up to do, the cost of the call itself;
 *  - dup+send+close/sleeping: the call with an F_DUPFD_CLOEXEC before and a
 *    close() after, as the server did per new buffer (its queued chunk owned
 *    a duplicate of the frame's fd);
 *  - syscall: getppid(), the cost of entering the kernel at all here.
 * --pin same|other puts both processes on CPU 0, or the writer on 0 and the
 * reader on 1 (default: where the scheduler puts them).  The load average
 * is printed with the figures: the machine is shared. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fdpass.h"

enum mode { SLEEPING, NO_WAITER, DUP_SLEEPING };

struct opts {
    int frames, fps;
    size_t size;
    const char *pin;
};

static int64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static void report(const char *what, int64_t *ns, int n)
{
    if (n <= 0) {
        printf("%-26s no samples\n", what);
        return;
    }
    qsort(ns, (size_t)n, sizeof(*ns), cmp_i64);
    printf("%-26s n=%-5d p50=%7.1fus p95=%7.1fus p99=%7.1fus\n", what, n,
           ns[n / 2] / 1000.0, ns[n * 95 / 100] / 1000.0, ns[n * 99 / 100] / 1000.0);
}

static bool pin_to(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0;
}

static bool read_full(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t r = read(fd, p, len);

        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return false;
        p += r;
        len -= (size_t)r;
    }
    return true;
}

/* The reader: per message, its bytes and fd taken, the fd closed, the time
 * poll() returned sent back. */
static int reader(int sock, size_t size)
{
    uint8_t *buf = malloc(size);
    int flags = fcntl(sock, F_GETFL);

    if (!buf)
        return 1;
    fcntl(sock, F_SETFL, flags | O_NONBLOCK);
    for (;;) {
        struct pollfd pfd = { .fd = sock, .events = POLLIN };
        size_t got = 0;
        int64_t woke;
        int fds[SC_FD_MAX];
        unsigned nfds;
        ssize_t r;

        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
            return 1;
        woke = now_ns();
        while (got < size) {
            r = sc_fd_recvmsg(sock, buf + got, size - got, fds, &nfds, SC_FD_MAX);
            if (r == 0)
                return 0;
            if (r == -EAGAIN && got == 0)
                break; /* spurious: back to poll() */
            if (r == -EAGAIN)
                continue;
            if (r < 0)
                return 1;
            got += (size_t)r;
            for (unsigned i = 0; i < nfds; i++)
                close(fds[i]);
        }
        if (got == size && write(sock, &woke, sizeof(woke)) != sizeof(woke))
            return 1;
    }
}

/* The reader of the "no waiter" run: never in poll() or a blocking read,
 * it sleeps 3 ms at a time and drains what came meanwhile (no answer), so
 * the writer's sendmsg() finds nobody to wake. */
static int drainer(int sock, size_t size)
{
    uint8_t *buf = malloc(size);
    int flags = fcntl(sock, F_GETFL);

    if (!buf)
        return 1;
    fcntl(sock, F_SETFL, flags | O_NONBLOCK);
    for (;;) {
        struct timespec ts = { 0, 3000000 };
        int fds[SC_FD_MAX];
        unsigned nfds;
        ssize_t r;

        nanosleep(&ts, NULL);
        while ((r = sc_fd_recvmsg(sock, buf, size, fds, &nfds, SC_FD_MAX)) > 0)
            for (unsigned i = 0; i < nfds; i++)
                close(fds[i]);
        if (r == 0)
            return 0;
        if (r != -EAGAIN)
            return 1;
    }
}

/* One run of opts->frames frames; samples into send_ns / wake_ns. */
static bool run(const struct opts *o, enum mode mode, int memfd, int64_t *send_ns,
                int64_t *wake_ns)
{
    int sv[2];
    pid_t pid;
    uint8_t *msg = calloc(1, o->size);
    int64_t tick = (int64_t)1000000000 / o->fps, next;
    bool ok = msg && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0;

    if (!ok)
        return false;
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        if (!strcmp(o->pin, "same") || !strcmp(o->pin, "other"))
            pin_to(!strcmp(o->pin, "same") ? 0 : 1);
        _exit(mode == NO_WAITER ? drainer(sv[1], o->size) : reader(sv[1], o->size));
    }
    close(sv[1]);
    if (pid < 0)
        return false;
    msg[o->size - 1] = '@';
    next = now_ns() + 100 * 1000000; /* the reader settles */
    for (int i = 0; ok && i < o->frames; i++) {
        struct iovec iov = { msg, o->size };
        struct timespec ts;
        int64_t t0, t1, woke;
        int fd = memfd;

        next += tick;
        ts.tv_sec = next / 1000000000;
        ts.tv_nsec = next % 1000000000;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        t0 = now_ns();
        if (mode == DUP_SLEEPING)
            fd = fcntl(memfd, F_DUPFD_CLOEXEC, 0);
        ok = sc_fd_sendmsg(sv[0], &iov, 1, &fd, 1) == (ssize_t)o->size;
        if (mode == DUP_SLEEPING)
            close(fd);
        t1 = now_ns();
        woke = t0;
        if (mode != NO_WAITER)
            ok = ok && read_full(sv[0], &woke, sizeof(woke));
        send_ns[i] = t1 - t0;
        wake_ns[i] = woke - t0;
    }
    close(sv[0]);
    waitpid(pid, NULL, 0);
    free(msg);
    return ok;
}

static int64_t syscall_ns(void)
{
    int64_t t0 = now_ns();

    for (int i = 0; i < 2000; i++)
        syscall(SYS_getppid);
    return (now_ns() - t0) / 2000;
}

int main(int argc, char **argv)
{
    struct opts o = { .frames = 600, .fps = 60, .size = 49, .pin = "none" };
    int memfd;
    int64_t *send_ns, *wake_ns, sys[20];
    double load[3] = { 0 };
    static const char *const names[] = { "sleeping", "no waiter", "dup+send+close/sleeping" };

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--frames"))
            o.frames = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--fps"))
            o.fps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--size"))
            o.size = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--pin"))
            o.pin = argv[i + 1];
        else
            goto usage;
    }
    if (argc % 2 == 0 || o.frames < 1 || o.fps < 1 || o.size < 1 || o.size > 65536)
        goto usage;
    signal(SIGPIPE, SIG_IGN);
    memfd = memfd_create("fdpass-floor", MFD_CLOEXEC);
    if (memfd < 0 || ftruncate(memfd, 1280 * 720 * 4) != 0) {
        perror("fdpass-floor: memfd");
        return 1;
    }
    if (!strcmp(o.pin, "same") || !strcmp(o.pin, "other"))
        pin_to(0);
    send_ns = calloc((size_t)o.frames, sizeof(*send_ns));
    wake_ns = calloc((size_t)o.frames, sizeof(*wake_ns));
    if (!send_ns || !wake_ns)
        return 1;
    getloadavg(load, 3);
    printf("fdpass-floor: %d frames at %d fps, %zu bytes + 1 fd a sendmsg, pin %s, "
           "load average %.2f %.2f %.2f\n", o.frames, o.fps, o.size, o.pin, load[0], load[1],
           load[2]);
    for (int m = SLEEPING; m <= DUP_SLEEPING; m++) {
        char what[64];

        if (!run(&o, (enum mode)m, memfd, send_ns, wake_ns)) {
            fprintf(stderr, "fdpass-floor: the %s run failed\n", names[m]);
            return 1;
        }
        snprintf(what, sizeof(what), "%s/%s", m == DUP_SLEEPING ? "" : "send",
                 names[m]);
        report(m == DUP_SLEEPING ? names[m] : what, send_ns, o.frames);
        if (m != NO_WAITER) {
            snprintf(what, sizeof(what), "wake/%s", names[m]);
            report(m == DUP_SLEEPING ? "  its wake" : what, wake_ns, o.frames);
        }
    }
    for (int i = 0; i < 20; i++)
        sys[i] = syscall_ns();
    report("syscall (getppid, x2000)", sys, 20);
    getloadavg(load, 3);
    printf("load average after: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
    return 0;
usage:
    fprintf(stderr, "usage: fdpass-floor [--frames N] [--fps N] [--size BYTES] "
            "[--pin none|same|other]\n");
    return 2;
}
