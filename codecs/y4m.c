/* YUV4MPEG2 reader (see y4m.h). */
#include "config.h"

#include "codecs/y4m.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <libyuv.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

#define MAX_DIM 16384
#define MAX_FPS 1000
#define MAX_LINE 4096 /* stream header / frame header */

enum chroma { CHROMA_420, CHROMA_422, CHROMA_444, CHROMA_444ALPHA, CHROMA_MONO };

struct y4m_info {
    uint32_t w, h;
    uint32_t fps_num, fps_den;
    enum chroma chroma;
    bool full_range;
    size_t frame_size;
    uint32_t cw, ch; /* chroma plane size */
};

struct sc_y4m {
    char *path;
    int fd;
    struct y4m_info info;
    struct sc_y4m_info pub;
    GArray *offsets; /* gint64: where each frame's pixels start */
    uint8_t *buf;    /* one frame of planes */
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

static bool index_frames(struct sc_y4m *y, gint64 pos, gint64 file_size, GError **error)
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

static bool y4m_open(struct sc_y4m *y, GError **error)
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

/* ---- frames ---------------------------------------------------------------- */

static void convert(const struct y4m_info *in, const uint8_t *src, uint8_t *dst, int ds)
{
    int w = (int)in->w, h = (int)in->h, cw = (int)in->cw;
    const uint8_t *py = src;
    const uint8_t *pu = src + (size_t)in->w * in->h;
    const uint8_t *pv = pu + (size_t)in->cw * in->ch;
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

/* ---- public ---------------------------------------------------------------- */

struct sc_y4m *sc_y4m_open(const char *path, GError **error)
{
    struct sc_y4m *y = g_new0(struct sc_y4m, 1);

    y->fd = -1;
    y->path = g_strdup(path);
    if (!y4m_open(y, error))
        goto err;
    y->buf = g_try_malloc(y->info.frame_size);
    if (!y->buf) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "y4m: %s: cannot allocate a %ux%u frame",
                    path, y->info.w, y->info.h);
        goto err;
    }
    y->pub = (struct sc_y4m_info){ y->info.w, y->info.h, y->info.fps_num, y->info.fps_den,
                                   y->offsets->len };
    return y;
err:
    sc_y4m_free(y);
    return NULL;
}

const struct sc_y4m_info *sc_y4m_info(const struct sc_y4m *y)
{
    return &y->pub;
}

bool sc_y4m_read(struct sc_y4m *y, unsigned index, uint8_t *xrgb, uint32_t stride,
                 GError **error)
{
    if (index >= y->offsets->len || stride / 4 < y->info.w) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "y4m: %s: no frame %u, or a stride of %u", y->path, index, stride);
        return false;
    }
    gint64 off = g_array_index(y->offsets, gint64, index);
    ssize_t n = pread(y->fd, y->buf, y->info.frame_size, off);
    if (n != (ssize_t)y->info.frame_size) {
        g_set_error(error, G_IO_ERROR, n < 0 ? g_io_error_from_errno(errno) : G_IO_ERROR_INVALID_DATA,
                    "y4m: %s: frame %u: %s", y->path, index,
                    n < 0 ? g_strerror(errno) : "file shrank since it was opened");
        return false;
    }
    convert(&y->info, y->buf, xrgb, (int)stride);
    return true;
}

void sc_y4m_free(struct sc_y4m *y)
{
    if (!y)
        return;
    if (y->offsets)
        g_array_free(y->offsets, TRUE);
    if (y->fd >= 0)
        close(y->fd);
    g_free(y->buf);
    g_free(y->path);
    g_free(y);
}
