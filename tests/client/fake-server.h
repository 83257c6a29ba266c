/* A scripted fake SPICE server for the client tests: blocking I/O on a
 * listening unix socket in a temporary directory, every message written
 * with the common/ wire writers.  The scripts run in a thread (the engine
 * in-process, test-client-proto) or beside a child viewer-headless
 * (test-viewer-hostile). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/messages.h"
#include "common/ticket.h"

struct fake_srv {
    int lfd;
    char *dir, *path; /* path: the socket */
    struct sc_ticket_key *key;
    char *failure;    /* the first thing that went wrong on the server side */
};

#define FAKE_FAIL(s, ...)                                                                          \
    do {                                                                                           \
        if (!(s)->failure)                                                                         \
            (s)->failure = g_strdup_printf(__VA_ARGS__);                                           \
    } while (0)

/* A listening socket at a fresh path; asserts (test set-up, not input). */
void fake_srv_init(struct fake_srv *s);
void fake_srv_finish(struct fake_srv *s);

bool fake_read_full(int fd, void *buf, size_t n); /* 5 s per read at most */
bool fake_write_full(int fd, const void *buf, size_t n);
/* Accepts one connection (5 s) and runs the server side of the link;
 * returns the fd and the channel type, or -1. */
int fake_accept_link(struct fake_srv *s, uint8_t *type);
/* One message with the mini header; body may be NULL when len is 0. */
bool fake_send(int fd, uint16_t type, const uint8_t *body, size_t len);
/* The writer's bytes as one message; the writer is reset. */
bool fake_send_w(int fd, uint16_t type, struct sc_writer *w);
/* One message: its type and its body in a g_malloc'd buffer (at most 1 MiB). */
bool fake_recv(int fd, uint16_t *type, uint8_t **body, uint32_t *len);
/* Receives one message of type want (body optional, g_free it). */
bool fake_expect(struct fake_srv *s, int fd, uint16_t want, uint8_t **body, uint32_t *len);
/* The main channel up to CHANNELS_LIST {list_type, 0}; returns its fd. */
int fake_main(struct fake_srv *s, uint8_t list_type, uint32_t mouse_mode);
/* The display channel up to DISPLAY_INIT, then SURFACE_CREATE width x height
 * (none when width is 0); returns its fd. */
int fake_display(struct fake_srv *s, uint32_t width, uint32_t height);
/* GL_SCANOUT_UNIX, then its '@' byte carrying buf (-1: none) */
bool fake_send_scanout(int fd, const struct sc_gl_scanout *m, int buf);
