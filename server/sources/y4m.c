#include "config.h"

/* --source y4m:PATH[,loop=no]: a YUV4MPEG2 file (codecs/y4m.c reads it)
 * played at its own frame rate, looping unless loop=no (then the last frame
 * stays on screen). */

#include "server/sources/source.h"

#include <gio/gio.h>
#include <string.h>

#include "codecs/y4m.h"
#include "common/log.h"
#include "server/sources/ticker.h"

#define POOL_FRAMES 4

struct y4m {
    struct sc_source base;
    char *path;
    struct sc_y4m *file;
    bool loop;
    struct sc_frame_pool *pool;
    struct sc_ticker ticker;
    guint cur;       /* next frame index */
    uint64_t seq;
};

/* ---- playback ------------------------------------------------------------ */

static void y4m_tick(void *data)
{
    struct y4m *y = data;
    GError *err = NULL;

    if (y->cur >= sc_y4m_info(y->file)->frames) {
        if (!y->loop) {
            sc_debug("y4m: end of %s, holding the last frame", y->path);
            sc_ticker_stop(&y->ticker);
            return;
        }
        y->cur = 0;
    }
    struct sc_frame *f = sc_frame_pool_get(y->pool);
    if (!f)
        return; /* every buffer still held downstream: try again next tick */
    if (!sc_y4m_read(y->file, y->cur, f->map + f->offset, f->stride, &err)) {
        sc_warn("%s; stopping", err->message);
        g_error_free(err);
        sc_ticker_stop(&y->ticker);
        sc_frame_unref(f);
        return;
    }
    sc_frame_set_full_damage(f);
    f->seq = y->seq++;
    y->cur++;
    sc_source_emit_frame(&y->base, f);
    sc_frame_unref(f);
}

/* ---- ops ------------------------------------------------------------------ */

/* "PATH[,loop=yes|no]": options are taken off the end, so a path may hold
 * commas. */
static bool parse_args(const char *args, char **path, bool *loop, GError **error)
{
    g_autofree char *s = g_strdup(args ? args : "");
    char *comma;
    while ((comma = strrchr(s, ',')) && g_str_has_prefix(comma + 1, "loop=")) {
        const char *v = comma + 6;
        if (!strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "false"))
            *loop = false;
        else if (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true"))
            *loop = true;
        else {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "y4m: bad loop value '%s' (yes or no)", v);
            return false;
        }
        *comma = '\0';
    }
    if (!*s) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "y4m: a file is needed (y4m:PATH[,loop=no])");
        return false;
    }
    *path = g_steal_pointer(&s);
    return true;
}

static void y4m_free(struct y4m *y)
{
    sc_ticker_stop(&y->ticker);
    sc_frame_pool_destroy(y->pool);
    sc_y4m_free(y->file);
    g_free(y->path);
    g_free(y);
}

static struct sc_source *y4m_create(const char *args, GError **error)
{
    struct y4m *y = g_new0(struct y4m, 1);
    y->loop = true;
    y->base.impl = &sc_source_y4m;
    if (!parse_args(args, &y->path, &y->loop, error) || !(y->file = sc_y4m_open(y->path, error)))
        goto err;
    const struct sc_y4m_info *info = sc_y4m_info(y->file);
    y->pool = sc_frame_pool_new(info->width, info->height, POOL_FRAMES);
    if (!y->pool) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "y4m: %s: cannot allocate %ux%u buffers",
                    y->path, info->width, info->height);
        goto err;
    }
    y->base.width = info->width;
    y->base.height = info->height;
    sc_info("y4m: %s: %ux%u, %u:%u fps, %u frames%s", y->path, info->width, info->height,
            info->fps_num, info->fps_den, info->frames, y->loop ? ", looping" : "");
    return &y->base;
err:
    y4m_free(y);
    return NULL;
}

static void y4m_start(struct sc_source *source)
{
    struct y4m *y = (struct y4m *)source;
    if (sc_ticker_running(&y->ticker))
        return;
    const struct sc_y4m_info *info = sc_y4m_info(y->file);
    if (y->cur >= info->frames)
        y->cur = 0; /* restarted after the end: play again */
    sc_ticker_start(&y->ticker, info->fps_num, info->fps_den, y4m_tick, y);
}

static void y4m_stop(struct sc_source *source)
{
    sc_ticker_stop(&((struct y4m *)source)->ticker);
}

static void y4m_destroy(struct sc_source *source)
{
    y4m_free((struct y4m *)source);
}

const struct sc_source_ops sc_source_y4m = {
    .name = "y4m",
    .help = "y4m:PATH[,loop=no]  a YUV4MPEG2 file at its own frame rate (looping)",
    .create = y4m_create,
    .start = y4m_start,
    .stop = y4m_stop,
    .destroy = y4m_destroy,
};
