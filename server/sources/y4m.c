#include "config.h"

/* --source y4m:PATH[,loop=no]: a YUV4MPEG2 file played at its own frame
 * rate, converted to XRGB8888 with libyuv, looping unless loop=no (then the
 * last frame stays on screen).
 *
 * The whole file is indexed when the source is created (a seek per frame,
 * no pixel reads), so a truncated or malformed file is refused up front with
 * a message saying where it goes wrong. */

#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <libyuv.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ticker.h"

#define MAX_DIM 16384
#define MAX_FPS 1000
#define MAX_LINE 4096 /* stream header / frame header */
#define POOL_FRAMES 4

enum chroma { CHROMA_420, CHROMA_422, CHROMA_444, CHROMA_444ALPHA, CHROMA_MONO };

struct y4m_info {
    uint32_t w, h;
    uint32_t fps_num, fps_den;
    enum chroma chroma;
    bool full_range;
    size_t frame_size;
    uint32_t cw, ch; /* chroma plane size */
};

struct y4m {
    struct sc_source base;
    char *path;
    int fd;
    struct y4m_info info;
    GArray *offsets; /* gint64: where each frame's pixels start */
    uint8_t *buf;    /* one frame of planes */
    bool loop;
    struct sc_frame_pool *pool;
    struct sc_ticker ticker;
    guint cur;       /* next frame index */
    uint64_t seq;
};

/* ---- header parsing ----------------------------------------------------- */

#define Y4M_ERR(...) g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, __VA_ARGS__)

static bool parse_uint(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    if (!g_ascii_isdigit(*s))
        return false;
    guint64 v = g_ascii_strtoull(s, &end, 10);
    if (*end || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_ratio(const char *s, uint32_t *num, uint32_t *den)
{
    const char *colon = strchr(s, ':');
    if (!colon)
        return false;
    g_autofree char *a = g_strndup(s, (gsize)(colon - s));
    return parse_uint(a, UINT32_MAX, num) && parse_uint(colon + 1, UINT32_MAX, den);
}

static bool parse_chroma(const char *c, struct y4m_info *info, const char *path, GError **error)
{
    if (!strcmp(c, "420jpeg") || !strcmp(c, "420paldv") || !strcmp(c, "420mpeg2") || !strcmp(c, "420"))
        info->chroma = CHROMA_420;
    else if (!strcmp(c, "422"))
        info->chroma = CHROMA_422;
    else if (!strcmp(c, "444"))
        info->chroma = CHROMA_444;
    else if (!strcmp(c, "444alpha"))
        info->chroma = CHROMA_444ALPHA;
    else if (!strcmp(c, "mono"))
        info->chroma = CHROMA_MONO;
    else {
        Y4M_ERR("y4m: %s: unsupported chroma format C%s (supported: 420jpeg, 420paldv, "
                "420mpeg2, 420, 422, 444, 444alpha, mono; 8 bits only)", path, c);
        return false;
    }
    return true;
}

static bool parse_tag(const char *tag, struct y4m_info *info, const char *path, GError **error)
{
    const char *v = tag + 1;
    switch (tag[0]) {
    case 'W':
    case 'H': {
        uint32_t n;
        if (!parse_uint(v, UINT32_MAX, &n) || n == 0 || n > MAX_DIM) {
            Y4M_ERR("y4m: %s: bad or too large %s '%s' (1..%d)", path,
                    tag[0] == 'W' ? "width" : "height", v, MAX_DIM);
            return false;
        }
        *(tag[0] == 'W' ? &info->w : &info->h) = n;
        return true;
    }
    case 'F':
        if (!parse_ratio(v, &info->fps_num, &info->fps_den) || info->fps_num == 0 || info->fps_den == 0 ||
            info->fps_num / info->fps_den >= MAX_FPS) {
            Y4M_ERR("y4m: %s: bad frame rate F%s (expected N:D, below %d fps)", path, v, MAX_FPS);
            return false;
        }
        return true;
    case 'I':
        if (strcmp(v, "p") != 0 && strcmp(v, "?") != 0) {
            Y4M_ERR("y4m: %s: interlaced video (I%s) is not supported, only progressive", path, v);
            return false;
        }
        return true;
    case 'C':
        return parse_chroma(v, info, path, error);
    case 'A': /* pixel aspect ratio: ignored */
        return true;
    case 'X':
        if (!strcmp(v, "COLORRANGE=FULL"))
            info->full_range = true;
        return true;
    default: /* unknown tags are ignored, as other readers do */
        sc_warn("y4m: %s: ignoring unknown header tag '%s'", path, tag);
        return true;
    }
}

static bool parse_header(const char *line, struct y4m_info *info, const char *path, GError **error)
{
    memset(info, 0, sizeof(*info));
    info->chroma = CHROMA_420;
    g_auto(GStrv) tags = g_strsplit(line, " ", -1);
    if (!tags[0] || strcmp(tags[0], "YUV4MPEG2") != 0) {
        Y4M_ERR("y4m: %s: not a YUV4MPEG2 file", path);
        return false;
    }
    for (char **t = tags + 1; *t; t++) {
        if (**t && !parse_tag(*t, info, path, error))
            return false;
    }
    if (!info->w || !info->h || !info->fps_num) {
        Y4M_ERR("y4m: %s: header lacks %s", path, !info->w ? "a width (W)" : !info->h ? "a height (H)"
                                                                          : "a frame rate (F)");
        return false;
    }
    size_t luma = (size_t)info->w * info->h;
    switch (info->chroma) {
    case CHROMA_420: info->cw = (info->w + 1) / 2; info->ch = (info->h + 1) / 2; break;
    case CHROMA_422: info->cw = (info->w + 1) / 2; info->ch = info->h; break;
    case CHROMA_444:
    case CHROMA_444ALPHA: info->cw = info->w; info->ch = info->h; break;
    case CHROMA_MONO: info->cw = 0; info->ch = 0; break;
    }
    info->frame_size = luma + 2 * (size_t)info->cw * info->ch +
                       (info->chroma == CHROMA_444ALPHA ? luma : 0);
    return true;
}

/* Reads a '\n'-terminated line at *pos (at most MAX_LINE bytes); returns
 * its length without the newline, -1 at end of file, -2 when too long or
 * cut short, -3 on a read error. */
static ssize_t read_line(int fd, gint64 *pos, char *buf)
{
    ssize_t n = pread(fd, buf, MAX_LINE, *pos);
    if (n < 0)
        return -3;
    if (n == 0)
        return -1;
    char *nl = memchr(buf, '\n', (size_t)n);
    if (!nl)
        return -2;
    *nl = '\0';
    *pos += nl - buf + 1;
    return nl - buf;
}

/* ---- file open and index ------------------------------------------------- */

static bool index_frames(struct y4m *y, gint64 pos, gint64 file_size, GError **error)
{
    char line[MAX_LINE];
    const char *path = y->path;
    for (;;) {
        guint n = y->offsets->len;
        ssize_t len = read_line(y->fd, &pos, line);
        if (len == -1)
            break;
        if (len == -3) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "y4m: %s: %s", path, g_strerror(errno));
            return false;
        }
        if (len < 0 || strncmp(line, "FRAME", 5) != 0 || (line[5] != '\0' && line[5] != ' ')) {
            Y4M_ERR("y4m: %s: frame %u: bad or truncated frame header", path, n);
            return false;
        }
        if (pos + (gint64)y->info.frame_size > file_size) {
            Y4M_ERR("y4m: %s: truncated: frame %u has %" G_GINT64_FORMAT " of %zu bytes", path, n,
                    file_size - pos, y->info.frame_size);
            return false;
        }
        g_array_append_val(y->offsets, pos);
        pos += (gint64)y->info.frame_size;
    }
    if (y->offsets->len == 0) {
        Y4M_ERR("y4m: %s: no frames", path);
        return false;
    }
    return true;
}

static bool y4m_open(struct y4m *y, GError **error)
{
    char line[MAX_LINE];
    struct stat st;
    gint64 pos = 0;

    y->fd = open(y->path, O_RDONLY | O_CLOEXEC);
    if (y->fd < 0) {
        int e = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "y4m: %s: %s", y->path, g_strerror(e));
        return false;
    }
    if (fstat(y->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "y4m: %s: not a regular file", y->path);
        return false;
    }
    ssize_t len = read_line(y->fd, &pos, line);
    if (len < 0) {
        Y4M_ERR("y4m: %s: no YUV4MPEG2 header line", y->path);
        return false;
    }
    if (!parse_header(line, &y->info, y->path, error))
        return false;
    y->offsets = g_array_new(FALSE, FALSE, sizeof(gint64));
    return index_frames(y, pos, (gint64)st.st_size, error);
}

/* ---- playback ------------------------------------------------------------ */

static void convert(const struct y4m_info *in, const uint8_t *src, struct sc_frame *f)
{
    int w = (int)in->w, h = (int)in->h, cw = (int)in->cw;
    const uint8_t *py = src;
    const uint8_t *pu = src + (size_t)in->w * in->h;
    const uint8_t *pv = pu + (size_t)in->cw * in->ch;
    uint8_t *dst = f->map;
    int ds = (int)f->stride;
    bool j = in->full_range;

    switch (in->chroma) {
    case CHROMA_420:
        (j ? J420ToARGB : I420ToARGB)(py, w, pu, cw, pv, cw, dst, ds, w, h);
        break;
    case CHROMA_422:
        (j ? J422ToARGB : I422ToARGB)(py, w, pu, cw, pv, cw, dst, ds, w, h);
        break;
    case CHROMA_444:
    case CHROMA_444ALPHA: /* the alpha plane comes last: ignored */
        (j ? J444ToARGB : I444ToARGB)(py, w, pu, cw, pv, cw, dst, ds, w, h);
        break;
    case CHROMA_MONO:
        (j ? J400ToARGB : I400ToARGB)(py, w, dst, ds, w, h);
        break;
    }
}

static void y4m_tick(void *data)
{
    struct y4m *y = data;

    if (y->cur >= y->offsets->len) {
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

    gint64 off = g_array_index(y->offsets, gint64, y->cur);
    ssize_t n = pread(y->fd, y->buf, y->info.frame_size, off);
    if (n != (ssize_t)y->info.frame_size) {
        sc_warn("y4m: %s: frame %u: %s; stopping", y->path, y->cur,
                n < 0 ? g_strerror(errno) : "file shrank since it was opened");
        sc_ticker_stop(&y->ticker);
        sc_frame_unref(f);
        return;
    }
    convert(&y->info, y->buf, f);
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
    if (y->offsets)
        g_array_free(y->offsets, TRUE);
    if (y->fd >= 0)
        close(y->fd);
    g_free(y->buf);
    g_free(y->path);
    g_free(y);
}

static struct sc_source *y4m_create(const char *args, GError **error)
{
    struct y4m *y = g_new0(struct y4m, 1);
    y->fd = -1;
    y->loop = true;
    y->base.impl = &sc_source_y4m;
    if (!parse_args(args, &y->path, &y->loop, error) || !y4m_open(y, error))
        goto err;
    y->buf = g_try_malloc(y->info.frame_size);
    y->pool = sc_frame_pool_new(y->info.w, y->info.h, POOL_FRAMES);
    if (!y->buf || !y->pool) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "y4m: %s: cannot allocate %ux%u buffers",
                    y->path, y->info.w, y->info.h);
        goto err;
    }
    y->base.width = y->info.w;
    y->base.height = y->info.h;
    sc_info("y4m: %s: %ux%u, %u:%u fps, %u frames%s", y->path, y->info.w, y->info.h,
            y->info.fps_num, y->info.fps_den, y->offsets->len, y->loop ? ", looping" : "");
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
    if (y->cur >= y->offsets->len)
        y->cur = 0; /* restarted after the end: play again */
    sc_ticker_start(&y->ticker, y->info.fps_num, y->info.fps_den, y4m_tick, y);
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
