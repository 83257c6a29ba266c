/* The viewer's SPICE client engine, its public face: the session (where
 * to connect, the password, TLS options), its channels, and its end.  The
 * channels are in channel*.c over the core in channel.c (client-priv.h
 * draws the tree); they report up through the two hooks set here. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include "client/client-priv.h"
#include "client/decode.h"
#include "client/spice-uri.h"
#include "common/log.h"
#include "common/ticket.h"

/* c->close: the session ends, once; error NULL for a clean end */
static void client_close(struct sc_client *c, GError *error)
{
    if (c->closed) {
        g_clear_error(&error);
        return;
    }
    c->closed = true;
    g_cancellable_cancel(c->cancel);
    sc_channel_shutdown(c->main);
    sc_channel_shutdown(c->inputs);
    for (unsigned i = 0; i < SC_CLIENT_MAX_HEADS; i++) {
        sc_channel_shutdown(c->heads[i].display);
        sc_channel_shutdown(c->heads[i].cursor);
    }
    if (error)
        sc_warn("client: %s", error->message);
    if (c->cb.closed)
        c->cb.closed(c->data, error);
    g_clear_error(&error);
}

/* A shown head's display and cursor channels, once listed (a second
 * CHANNELS_LIST: we keep what we have). */
static void open_head(struct sc_client *c, struct sc_client_head *h)
{
    if (!h->shown || c->closed)
        return;
    if (h->display_listed && !h->display)
        h->display = sc_channel_new(c, &sc_client_display_class, (uint8_t)h->index);
    if (h->cursor_listed && !h->cursor)
        h->cursor = sc_channel_new(c, &sc_client_cursor_class, (uint8_t)h->index);
}

/* c->open_channel: the main channel listed one.  Display channel N > 0 is
 * another head: the caller is told (cb.head) and opens it by showing it. */
static void client_open_channel(struct sc_client *c, uint8_t type, uint8_t id)
{
    struct sc_client_head *h = id < SC_CLIENT_MAX_HEADS ? &c->heads[id] : NULL;

    if (type == SPICE_CHANNEL_INPUTS && id == 0 && !c->inputs)
        c->inputs = sc_channel_new(c, &sc_client_inputs_class, id);
    if (!h || (type != SPICE_CHANNEL_DISPLAY && type != SPICE_CHANNEL_CURSOR))
        return;
    if (type == SPICE_CHANNEL_CURSOR) {
        h->cursor_listed = true;
    } else if (!h->display_listed) {
        h->display_listed = true;
        if (id > 0 && !h->shown && c->cb.head)
            c->cb.head(c->data, id);
    }
    open_head(c, h);
}

bool sc_client_show_head(struct sc_client *c, unsigned head, const struct sc_client_callbacks *cb,
                         void *data)
{
    struct sc_client_head *h;

    if (!c || head == 0 || head >= SC_CLIENT_MAX_HEADS || !cb)
        return false;
    h = &c->heads[head];
    h->cb = *cb;
    h->data = data;
    h->shown = true;
    open_head(c, h);
    return true;
}

static void canvas_damage(void *data, int32_t x, int32_t y, int32_t w, int32_t h)
{
    struct sc_client_head *head = data;

    if (head->cb.invalidate)
        head->cb.invalidate(head->data, x, y, w, h);
}

/* options -> addresses: host with port and/or tls_port, or unix_path, as
 * given (viewer: a URI or a .vv file); else the URI parsed as spice-gtk does
 * (client/spice-uri.h); else a socket path.  Sets c->addr (plain; NULL:
 * TLS only), c->tls_addr (NULL: no TLS) and c->is_unix. */
static bool target_address(struct sc_client *c, const struct sc_client_options *o,
                           struct sc_spice_uri *parsed, GError **error)
{
    const char *host = o->host, *path = o->unix_path;
    int port = o->port, tls_port = o->tls_port;

    if (!host && !path && strstr(o->uri, "://")) {
        if (!sc_spice_uri_parse(o->uri, parsed, error))
            return false;
        host = parsed->host, path = parsed->unix_path;
        port = parsed->port, tls_port = parsed->tls_port;
    } else if (!host && !path) {
        path = o->uri;
    }
    c->is_unix = path != NULL;
    if (path) {
        c->addr = G_SOCKET_CONNECTABLE(g_unix_socket_address_new(path));
        return true;
    }
    if (port <= 0 && tls_port <= 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no port for %s", host);
        return false;
    }
    if (port > 0)
        c->addr = g_network_address_new(host, (guint16)port);
    if (tls_port > 0)
        c->tls_addr = g_network_address_new(host, (guint16)tls_port);
    return true;
}

struct sc_client *sc_client_new(const struct sc_client_options *options,
                                const struct sc_client_callbacks *cb, void *data,
                                GError **error)
{
    struct sc_client *c;
    struct sc_spice_uri parsed = { 0 };
    const char *password;

    if (!options || (!options->uri && !options->open_fd)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no URI");
        return NULL;
    }
    c = g_new0(struct sc_client, 1);
    c->open_fd = options->open_fd;
    c->open_fd_data = options->open_fd_data;
    c->cancel = g_cancellable_new();
    c->close = client_close;
    c->open_channel = client_open_channel;
    for (unsigned i = 0; i < SC_CLIENT_MAX_HEADS; i++) {
        c->heads[i].client = c;
        c->heads[i].index = i;
        c->heads[i].canvas.damage = canvas_damage;
        c->heads[i].canvas.data = &c->heads[i];
    }
    c->mm_local_us = g_get_monotonic_time();
    c->stats = sc_stats_new_from_env("viewer");
    c->decoders = sc_decode_reaper_new();
    if (!c->open_fd &&
        (!target_address(c, options, &parsed, error) || !sc_client_tls_setup(c, options, error)))
        goto err;
    password = options->password ? options->password : parsed.password;
    if (password && strlen(password) > SC_TICKET_MAX_PASSWORD) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "password longer than %d bytes", SC_TICKET_MAX_PASSWORD);
        goto err;
    }
    c->uri = g_strdup(options->uri ? options->uri : "the server (a socket given)");
    c->password = g_strdup(password);
    sc_spice_uri_clear(&parsed);
    c->gl_scanout = options->gl_scanout;
    c->video = options->video;
    c->peer_uid_check = options->peer_uid_check;
    if (cb)
        c->cb = *cb;
    c->data = data;
    c->heads[0].cb = c->cb;
    c->heads[0].data = data;
    c->heads[0].shown = true;
    return c;
err:
    sc_spice_uri_clear(&parsed);
    sc_client_free(c);
    return NULL;
}

void sc_client_connect(struct sc_client *c)
{
    if (c && !c->main && !c->closed)
        c->main = sc_channel_new(c, &sc_client_main_class, 0);
}

void sc_client_free(struct sc_client *c)
{
    if (!c)
        return;
    c->closed = true; /* no closed() callback from here */
    g_clear_handle_id(&c->resize_timer, g_source_remove);
    g_cancellable_cancel(c->cancel);
    sc_channel_free(c->main);
    sc_channel_free(c->inputs);
    for (unsigned i = 0; i < SC_CLIENT_MAX_HEADS; i++) {
        sc_channel_free(c->heads[i].display);
        sc_channel_free(c->heads[i].cursor);
        sc_canvas_clear(&c->heads[i].canvas);
    }
    /* the streams' decoders are gone (a decode in flight ends within
     * the decoders' stall bound): teardown is the one place that waits */
    sc_decode_reaper_free(c->decoders);
    sc_stats_free(c->stats); /* its final summary */
    sc_live_free(c->live);
    g_object_unref(c->cancel);
    g_clear_object(&c->addr);
    g_clear_object(&c->tls_addr);
    g_clear_object(&c->tls_db);
    g_free(c->host_subject);
    g_free(c->uri);
    if (c->password)
        memset(c->password, 0, strlen(c->password));
    g_free(c->password);
    g_free(c);
}

const uint8_t *sc_client_head_canvas(struct sc_client *c, unsigned head, uint32_t *width,
                                     uint32_t *height, uint32_t *stride)
{
    const struct sc_canvas *cv;

    if (!c || head >= SC_CLIENT_MAX_HEADS || !c->heads[head].canvas.pixels)
        return NULL;
    cv = &c->heads[head].canvas;
    if (width)
        *width = cv->width;
    if (height)
        *height = cv->height;
    if (stride)
        *stride = cv->stride;
    return cv->pixels;
}

const uint8_t *sc_client_canvas(struct sc_client *c, uint32_t *width, uint32_t *height,
                                uint32_t *stride)
{
    return sc_client_head_canvas(c, 0, width, height, stride);
}

void sc_client_head_gl_draw_done(struct sc_client *c, unsigned head)
{
    if (c && head < SC_CLIENT_MAX_HEADS && c->heads[head].display)
        sc_client_display_channel_gl_draw_done(c->heads[head].display);
}

void sc_client_gl_draw_done(struct sc_client *c)
{
    sc_client_head_gl_draw_done(c, 0);
}

void sc_client_set_live_stats(struct sc_client *c, bool on)
{
    if (!c || on == (c->live != NULL))
        return;
    if (on)
        c->live = sc_live_new(); /* NULL without memory: stays off */
    else
        g_clear_pointer(&c->live, sc_live_free);
}

void sc_client_restart_stats(struct sc_client *c)
{
    if (c)
        sc_stats_restart(c->stats);
}

bool sc_client_live_stats(struct sc_client *c, struct sc_client_live_stats *out)
{
    if (c && c->live)
        return sc_live_get(c->live, out);
    *out = (struct sc_client_live_stats){ .valid = false };
    return false;
}
