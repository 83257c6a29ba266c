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
    uint32_t w, h;
};

/* A unix-socket client that advertised GL_SCANOUT. */
bool sc_gl_client_wanted(struct sc_channel_client *cc);
void sc_gl_frame(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *frame);
/* Draws the next frame (or `latest` if nothing was shown yet) if it can. */
void sc_gl_push(struct sc_channel_client *cc, struct sc_gl_state *gl, struct sc_frame *latest);
/* false: a protocol error (DONE without DRAW). */
bool sc_gl_draw_done(struct sc_channel_client *cc, struct sc_gl_state *gl);
void sc_gl_finish(struct sc_gl_state *gl);
