/* A source of several heads made of one-head sources (heads.h): head i
 * is child i's frames and cursor; its pointer and resize go to child i,
 * keys to child 0 (the keyboard is the VM's, not a head's). */
#include "config.h"

#include "server/sources/heads.h"

#include <gio/gio.h>

struct child {
    struct heads *owner;
    unsigned head;
    struct sc_source *source;
};

struct heads {
    struct sc_source base;
    struct sc_source_ops ops; /* the children's, with this file's functions */
    struct child children[SC_MAX_HEADS];
};

static void on_frame(struct sc_source *s, struct sc_frame *f, void *data)
{
    struct child *c = data;

    (void)s;
    sc_source_emit_head_frame(&c->owner->base, c->head, f);
}

static void on_cursor(struct sc_source *s, const struct sc_cursor_shape *shape, void *data)
{
    struct child *c = data;

    (void)s;
    sc_source_emit_head_cursor(&c->owner->base, c->head, shape);
}

static void heads_start(struct sc_source *source)
{
    struct heads *h = (struct heads *)source;

    for (unsigned i = 0; i < h->base.n_heads; i++)
        sc_source_start(h->children[i].source);
}

static void heads_stop(struct sc_source *source)
{
    struct heads *h = (struct heads *)source;

    for (unsigned i = 0; i < h->base.n_heads; i++)
        sc_source_stop(h->children[i].source);
}

static void heads_key(struct sc_source *source, const uint8_t *scancode, unsigned len, bool down)
{
    struct heads *h = (struct heads *)source;

    if (h->children[0].source->impl->key)
        h->children[0].source->impl->key(h->children[0].source, scancode, len, down);
}

static void heads_pointer(struct sc_source *source, unsigned head, int32_t x, int32_t y,
                          uint32_t buttons)
{
    struct sc_source *c = ((struct heads *)source)->children[head].source;

    if (c->impl->pointer)
        c->impl->pointer(c, 0, x, y, buttons);
}

static bool heads_resize(struct sc_source *source, unsigned head, uint32_t width, uint32_t height)
{
    struct sc_source *c = ((struct heads *)source)->children[head].source;

    return c->impl->resize && c->impl->resize(c, 0, width, height);
}

static void heads_destroy(struct sc_source *source)
{
    struct heads *h = (struct heads *)source;

    for (unsigned i = 0; i < h->base.n_heads; i++)
        sc_source_destroy(h->children[i].source);
    g_free(h);
}

struct sc_source *sc_source_heads_new(struct sc_source **children, unsigned n)
{
    struct heads *h;

    if (n == 0 || n > SC_MAX_HEADS)
        return NULL;
    h = g_new0(struct heads, 1);
    h->ops = *children[0]->impl;
    h->ops.start = heads_start;
    h->ops.stop = heads_stop;
    h->ops.key = heads_key;
    h->ops.pointer = heads_pointer;
    h->ops.resize = children[0]->impl->resize ? heads_resize : NULL;
    h->ops.destroy = heads_destroy;
    h->base.impl = &h->ops;
    h->base.n_heads = n;
    for (unsigned i = 0; i < n; i++) {
        struct sc_source_listener l = { on_frame, on_cursor, &h->children[i] };

        h->children[i] = (struct child){ h, i, children[i] };
        sc_source_set_listener(children[i], &l);
    }
    return &h->base;
}
