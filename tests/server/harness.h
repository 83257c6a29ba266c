/* Test harness: a server in this process, a test source whose frames and
 * input we control, and a scripted client talking SPICE over socketpair(). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "server/server-private.h"

struct test_source {
    struct sc_source base;
    GString *events; /* "key down 1e;ptr 10,20,0;" */
};

struct fixture {
    struct sc_server *server;
    struct test_source src;
};

struct tc {
    int fd;
    GByteArray *in;
    uint32_t ack_window, received;
    bool closed;
    uint8_t channel_id; /* of the channel it links (0; a head for display, cursor) */
};

/* A frame of 8x8 blocks: compressible, every block different per seed. */
struct sc_frame *make_frame(uint32_t w, uint32_t h, uint32_t seed);
/* A black w x h frame (w > 48, h >= 108) whose only damage is the band
 * y 60..107 with a 48 px square at x = 8 * seed (mod w - 48); seq = seed. */
struct sc_frame *make_moving_frame(uint32_t w, uint32_t h, uint32_t seed);
void fixture_setup(struct fixture *fx, const char *password);
void fixture_setup_options(struct fixture *fx, const struct sc_server_options *o);
void fixture_teardown(struct fixture *fx);
/* Emits the frame (takes the reference). */
void emit(struct fixture *fx, struct sc_frame *f);
struct tc *tc_connect(struct fixture *fx);
void tc_free(struct tc *c);
/* Runs the server's loop until `need` bytes are buffered, EOF or 5 s. */
bool tc_fill(struct tc *c, size_t need);
void tc_send(struct tc *c, const void *data, size_t len);
void tc_send_msg(struct tc *c, uint16_t type, const struct sc_writer *body);
/* Answers a SET_ACK body with ACK_SYNC and starts counting the window. */
void tc_answer_set_ack(struct tc *c, GBytes *body);
/* One message (SET_ACK and the ack window are answered). */
bool tc_recv(struct tc *c, uint16_t *type, GBytes **body);
/* Exactly n bytes, first what tc_recv buffered, then the socket, never
 * past n (an fd's '@' byte stays for recvmsg); false on EOF or after 5 s. */
bool tc_read_exact(struct tc *c, uint8_t *dst, size_t n);
GBytes *tc_expect(struct tc *c, uint16_t want);
/* Reads (and drops) messages up to and including the next MARK. */
void tc_read_until_mark(struct tc *d);
/* Links a channel; the link result (or the reply's error).  channel_cap:
 * one display cap to advertise, or UINT32_MAX for none. */
uint32_t tc_link(struct tc *c, uint8_t type, uint32_t conn_id, const char *password,
                 uint32_t channel_cap);
/* The link in steps: hello and reply (the reply's error, or 0), then the
 * auth mechanism and ticket, then the link result. */
uint32_t tc_link_hello(struct tc *c, uint8_t type, uint32_t conn_id, const unsigned *caps,
                       unsigned n_caps, struct sc_link_reply *reply);
void tc_link_send_ticket(struct tc *c, const struct sc_link_reply *reply, const char *password);
uint32_t tc_link_result(struct tc *c);
/* Like tc_link with a caps word list. */
uint32_t tc_link_caps(struct tc *c, uint8_t type, uint32_t conn_id, const char *password,
                      const unsigned *caps, unsigned n_caps);
uint32_t link_main(struct tc *c, const char *password);
/* Links a display channel with caps and sends DISPLAY_INIT. */
struct tc *connect_display(struct fixture *fx, uint32_t session, const unsigned *caps,
                           unsigned n_caps);
