/* libFuzzer: the y4m source's reader (server/sources/y4m.c, #included to
 * reach its static functions): the stream header and its tags, the frame
 * index over the whole file, then playback of up to six frames (wrapping
 * around) through libyuv into pool frames that reach the source listener,
 * which reads every pixel row.
 *
 * Input: the file.  It lives in a memfd opened by path (/proc/self/fd/N),
 * so that y4m_open() sees a regular file as it would on disk. */
#include "config.h"

#include <sys/mman.h>

#include "server/sources/y4m.c"
#include "fuzz-util.h"

static unsigned frames_seen;

static void on_frame(struct sc_source *source, struct sc_frame *f, void *data)
{
    (void)data;
    if (f->width != source->width || f->height != source->height || f->stride < f->width * 4 ||
        !f->map)
        abort();
    for (uint32_t y = 0; y < f->height; y++)
        fuzz_touch(f->map + f->offset + (size_t)y * f->stride, (size_t)f->width * 4);
    frames_seen++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct sc_source_listener listener = { .frame = on_frame };
    char args[64];
    GError *err = NULL;
    struct sc_source *src;
    int fd = memfd_create("fuzz.y4m", MFD_CLOEXEC);

    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    snprintf(args, sizeof(args), "/proc/self/fd/%d", fd);
    src = y4m_create(args, &err);
    if (!src) {
        if (!err)
            abort(); /* a refusal says why */
        g_error_free(err);
        close(fd);
        return 0;
    }
    struct y4m *y = (struct y4m *)src;
    if (y->offsets->len == 0 || y->info.frame_size == 0)
        abort();
    sc_source_set_listener(src, &listener);
    frames_seen = 0;
    for (unsigned i = 0; i < 6; i++)
        y4m_tick(y);
    if (frames_seen != 6)
        abort(); /* every tick makes a frame of an indexed file (loop=yes) */
    y4m_destroy(src);
    close(fd);
    return 0;
}
