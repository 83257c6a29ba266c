/* The local GL path (server/display-gl.c): dma-buf frames to a unix-socket
 * client that advertised GL_SCANOUT. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "common/frame.h"

struct sc_channel_client;

struct sc_gl_state {
    struct sc_frame *shown; /* the buffer the client has, referenced */
    struct sc_frame *next;  /* the latest frame not yet drawn */
    int64_t next_us;        /* when next reached us (stats "gl_draw") */
    bool pending;           /* a GL_DRAW awaits its DONE */
    bool monitors_sent;
    bool planes; /* the client took GL_SCANOUT2_UNIX (sc_gl_init) */
    uint32_t w, h;
};

/* A unix-socket client that advertised GL_SCANOUT. */
bool sc_gl_client_wanted(struct sc_channel_client *cc);
/* Notes what this client takes (GL_SCANOUT2_UNIX or not). */
void sc_gl_init(struct sc_channel_client *cc, struct sc_gl_state *gl);
/* Whether this client can import the frame's layout: a frame of several
 * planes, at an offset, or with a modifier goes to GL_SCANOUT2 clients
 * only (spice-gtk 0.42 imports plane 0 at offset 0 without a modifier). */
bool sc_gl_layout_ok(const struct sc_gl_state *gl, const struct sc_frame *frame);
void sc_gl_frame(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *frame);
/* Draws the next frame (or `latest` if nothing was shown yet) if it can. */
void sc_gl_push(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *latest);
/* false: a protocol error (DONE without DRAW). */
bool sc_gl_draw_done(struct sc_channel_client *cc, struct sc_gl_state *gl);
void sc_gl_finish(struct sc_gl_state *gl);
