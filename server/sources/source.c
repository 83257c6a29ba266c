#include "config.h"

/* The table of scanout sources and the generic sc_source_* functions. */

#include "server/sources/source.h"

#include <gio/gio.h>
#include <string.h>

#include "common/log.h"
#include "server/sources/ticker.h"

static const struct sc_source_ops *const sources[] = {
    &sc_source_pattern,
    &sc_source_image,
    &sc_source_y4m,
    &sc_source_qemu_dbus,
};

static const struct sc_source_ops *find_source(const char *name, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sources); i++) {
        if (strlen(sources[i]->name) == len && strncmp(sources[i]->name, name, len) == 0)
            return sources[i];
    }
    return NULL;
}

struct sc_source *sc_source_create(const char *spec, GError **error)
{
    if (!spec || !*spec) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "empty source name");
        return NULL;
    }
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *args = colon ? colon + 1 : NULL;
    if (args && !*args)
        args = NULL;

    const struct sc_source_ops *ops = find_source(spec, len);
    if (!ops) {
        GString *names = g_string_new(NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(sources); i++)
            g_string_append_printf(names, "%s%s", i ? ", " : "", sources[i]->name);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "unknown source '%.*s' (available: %s)", (int)len, spec, names->str);
        g_string_free(names, TRUE);
        return NULL;
    }
    struct sc_source *source = ops->create(args, error);
    if (!source)
        return NULL;
    if (!source->impl) /* a source of heads (heads.c) has its own */
        source->impl = ops;
    sc_debug("source: created %s", spec);
    return source;
}

unsigned sc_source_n_heads(const struct sc_source *source)
{
    return source->n_heads ? MIN(source->n_heads, SC_MAX_HEADS) : 1;
}

void sc_source_set_head_listener(struct sc_source *source, unsigned head,
                                 const struct sc_source_listener *l)
{
    if (head >= sc_source_n_heads(source))
        return;
    if (l)
        source->listeners[head] = *l;
    else
        memset(&source->listeners[head], 0, sizeof(source->listeners[head]));
}

void sc_source_set_listener(struct sc_source *source, const struct sc_source_listener *l)
{
    sc_source_set_head_listener(source, 0, l);
}

void sc_source_start(struct sc_source *source)
{
    if (source->impl->start)
        source->impl->start(source);
}

void sc_source_stop(struct sc_source *source)
{
    if (source->impl->stop)
        source->impl->stop(source);
}

bool sc_source_can_resize(const struct sc_source *source)
{
    return source->impl->resize != NULL;
}

bool sc_source_resize(struct sc_source *source, unsigned head, uint32_t width, uint32_t height)
{
    if (!source->impl->resize || head >= sc_source_n_heads(source))
        return false;
    sc_debug("%s: resize of head %u to %ux%u asked", source->impl->name, head, width, height);
    return source->impl->resize(source, head, width, height);
}

void sc_source_key(struct sc_source *source, const uint8_t *scancode, unsigned len, bool down)
{
    if (sc_log_debug_enabled()) {
        char hex[3 * 8 + 1] = "";
        size_t pos = 0;
        for (unsigned i = 0; i < len && i < 8; i++)
            pos += (size_t)g_snprintf(hex + pos, sizeof(hex) - pos, "%s%02x", i ? " " : "", scancode[i]);
        sc_debug("input: key %s %s", hex, down ? "down" : "up");
    }
    if (source->impl->key)
        source->impl->key(source, scancode, len, down);
}

void sc_source_pointer(struct sc_source *source, unsigned head, int32_t x, int32_t y,
                       uint32_t buttons)
{
    if (head >= sc_source_n_heads(source))
        return;
    if (head)
        sc_debug("input: pointer %d,%d buttons %u on head %u", x, y, buttons, head);
    else
        sc_debug("input: pointer %d,%d buttons %u", x, y, buttons);
    if (source->impl->pointer)
        source->impl->pointer(source, head, x, y, buttons);
}

void sc_source_destroy(struct sc_source *source)
{
    if (!source)
        return;
    sc_source_stop(source);
    source->impl->destroy(source);
}

void sc_source_emit_head_frame(struct sc_source *source, unsigned head, struct sc_frame *frame)
{
    const struct sc_source_listener *l;

    if (head >= sc_source_n_heads(source))
        return;
    l = &source->listeners[head];
    if (head == 0) {
        source->width = frame->width;
        source->height = frame->height;
    }
    if (frame->time_us == 0)
        frame->time_us = g_get_monotonic_time();
    if (l->frame)
        l->frame(source, frame, l->data);
}

void sc_source_emit_frame(struct sc_source *source, struct sc_frame *frame)
{
    sc_source_emit_head_frame(source, 0, frame);
}

void sc_source_emit_head_cursor(struct sc_source *source, unsigned head,
                                const struct sc_cursor_shape *shape)
{
    const struct sc_source_listener *l;

    if (head >= sc_source_n_heads(source))
        return;
    l = &source->listeners[head];
    if (l->cursor)
        l->cursor(source, shape, l->data);
}

void sc_source_emit_cursor(struct sc_source *source, const struct sc_cursor_shape *shape)
{
    for (unsigned head = 0; head < sc_source_n_heads(source); head++)
        sc_source_emit_head_cursor(source, head, shape);
}

void sc_source_print_help(FILE *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sources); i++)
        fprintf(out, "  %-10s %s\n", sources[i]->name, sources[i]->help);
}

/* ---- frame clock (ticker.h) ------------------------------------------- */

struct ticker_gsource {
    GSource base;
    struct sc_ticker *ticker;
};

static gint64 tick_time(const struct sc_ticker *t, uint64_t n)
{
    return t->base_us + (gint64)((double)n * G_USEC_PER_SEC * t->den / t->num);
}

static gboolean ticker_dispatch(GSource *gsource, GSourceFunc cb, gpointer data)
{
    struct sc_ticker *t = ((struct ticker_gsource *)gsource)->ticker;
    (void)cb;
    (void)data;

    /* schedule the next tick before the callback, which may stop us */
    t->n++;
    gint64 next = tick_time(t, t->n);
    gint64 now = g_get_monotonic_time();
    if (now > next + (gint64)((double)G_USEC_PER_SEC * t->den / t->num)) {
        t->base_us = now;
        t->n = 0;
        next = now;
    }
    g_source_set_ready_time(gsource, next);
    t->fn(t->data);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs ticker_funcs = {
    .dispatch = ticker_dispatch,
};

void sc_ticker_start(struct sc_ticker *t, uint32_t num, uint32_t den, sc_ticker_fn fn, void *data)
{
    g_assert(num > 0 && den > 0);
    sc_ticker_stop(t);
    t->num = num;
    t->den = den;
    t->fn = fn;
    t->data = data;
    t->n = 0;
    t->base_us = g_get_monotonic_time();
    GSource *gsource = g_source_new(&ticker_funcs, sizeof(struct ticker_gsource));
    ((struct ticker_gsource *)gsource)->ticker = t;
    g_source_set_name(gsource, "spicecast source ticker");
    g_source_set_ready_time(gsource, 0);
    g_source_attach(gsource, g_main_context_get_thread_default());
    t->gsource = gsource;
}

void sc_ticker_stop(struct sc_ticker *t)
{
    if (!t->gsource)
        return;
    g_source_destroy(t->gsource);
    g_source_unref(t->gsource);
    t->gsource = NULL;
}

bool sc_ticker_running(const struct sc_ticker *t)
{
    return t->gsource != NULL;
}
