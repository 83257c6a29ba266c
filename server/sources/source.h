/* Scanout sources: where frames come from.
 *
 * One file per source in server/sources/, each exporting one const
 * sc_source_ops.  A source runs on the GLib main loop of the thread that
 * started it, produces frames and hands them to its listeners (one display
 * per head), and receives input events back.
 *
 * Heads: a source has n_heads scanouts (1 unless its create() says more:
 * pattern's heads=N, one per QEMU console), numbered from 0, fixed for its
 * lifetime.  Each head has its own listener, frames, size and pointer, as
 * spice-server's QXL instances have their own display channel (channel id =
 * head).  The keyboard is the source's, not a head's. */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include <glib.h>

#include "common/frame.h"

struct sc_source;

/* The most heads a source may have (display channel ids 0..15). */
#define SC_MAX_HEADS 16

/* What one head of a source tells its display. */
struct sc_source_listener {
    /* A new frame; the listener takes its own reference if it keeps it. */
    void (*frame)(struct sc_source *source, struct sc_frame *frame, void *data);
    /* A new cursor shape (pixels valid only during the call). */
    void (*cursor)(struct sc_source *source, const struct sc_cursor_shape *shape, void *data);
    void *data;
};

/* Pointer buttons, as SPICE's button mask: 1 left, 2 middle, 4 right. */
struct sc_source_ops {
    const char *name; /* "pattern", "image", "y4m" */
    const char *help; /* one line for --help */
    /* Creates from the text after "NAME:" (may be NULL); sets error. */
    struct sc_source *(*create)(const char *args, GError **error);
    void (*start)(struct sc_source *source);
    void (*stop)(struct sc_source *source);
    /* A PC set-1 scancode byte sequence (E0-prefixed keys have 2 bytes). */
    void (*key)(struct sc_source *source, const uint8_t *scancode, unsigned len, bool down);
    /* Absolute pointer position in head's frame pixels and button mask. */
    void (*pointer)(struct sc_source *source, unsigned head, int32_t x, int32_t y,
                    uint32_t buttons);
    /* Optional: the client's window for head is WxH now (the agent's
     * monitors config); the source follows if it can (that head's next
     * frames take the new size, clamped to what it supports).  False if
     * refused. */
    bool (*resize)(struct sc_source *source, unsigned head, uint32_t width, uint32_t height);
    void (*destroy)(struct sc_source *source);
};

struct sc_source {
    const struct sc_source_ops *impl;
    unsigned n_heads; /* set by create(); 0 means 1 */
    struct sc_source_listener listeners[SC_MAX_HEADS]; /* one per head */
    uint32_t width, height; /* of head 0's current scanout */
};

/* Looks "NAME[:ARGS]" up in the source table and creates it. */
struct sc_source *sc_source_create(const char *spec, GError **error);
/* The source's heads (at least 1). */
unsigned sc_source_n_heads(const struct sc_source *source);
/* The listener of head (l NULL: none); a head >= n_heads is ignored.
 * sc_source_set_listener is head 0's. */
void sc_source_set_head_listener(struct sc_source *source, unsigned head,
                                 const struct sc_source_listener *l);
void sc_source_set_listener(struct sc_source *source, const struct sc_source_listener *l);
void sc_source_start(struct sc_source *source);
void sc_source_stop(struct sc_source *source);
void sc_source_key(struct sc_source *source, const uint8_t *scancode, unsigned len, bool down);
void sc_source_pointer(struct sc_source *source, unsigned head, int32_t x, int32_t y,
                       uint32_t buttons);
/* Whether the source has a resize op; sc_source_resize is false without. */
bool sc_source_can_resize(const struct sc_source *source);
bool sc_source_resize(struct sc_source *source, unsigned head, uint32_t width, uint32_t height);
void sc_source_destroy(struct sc_source *source);
/* For implementations: emit to head's listener (sc_source_emit_frame: head
 * 0's).  A cursor goes to one head, or to every head (emit_cursor: a source
 * with one pointer shape). */
void sc_source_emit_head_frame(struct sc_source *source, unsigned head, struct sc_frame *frame);
void sc_source_emit_frame(struct sc_source *source, struct sc_frame *frame);
void sc_source_emit_head_cursor(struct sc_source *source, unsigned head,
                                const struct sc_cursor_shape *shape);
void sc_source_emit_cursor(struct sc_source *source, const struct sc_cursor_shape *shape);
/* For --help: every source's name and help line. */
void sc_source_print_help(FILE *out);

extern const struct sc_source_ops sc_source_pattern;
extern const struct sc_source_ops sc_source_image;
extern const struct sc_source_ops sc_source_y4m;
extern const struct sc_source_ops sc_source_qemu_dbus;
