/* libFuzzer: the YUV4MPEG2 reader (codecs/y4m.c, #included to reach its
 * static functions), which the y4m source and the bench's y4m:PATH content
 * use: the stream header and its tags, the frame index over the whole file,
 * then up to six frames read (wrapping around) through libyuv into an
 * XRGB8888 picture, every row of which is read.
 *
 * Input: the file.  It lives in a memfd opened by path (/proc/self/fd/N),
 * so that the reader sees a regular file as it would on disk. */
#include "config.h"

#include <stdio.h>
#include <sys/mman.h>

#include "codecs/y4m.c"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    GError *err = NULL;
    struct sc_y4m *y;
    int fd = memfd_create("fuzz.y4m", MFD_CLOEXEC);

    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    y = sc_y4m_open(path, &err);
    if (!y) {
        if (!err)
            abort(); /* a refusal says why */
        g_error_free(err);
        close(fd);
        return 0;
    }
    const struct sc_y4m_info *info = sc_y4m_info(y);
    if (info->frames == 0 || y->info.frame_size == 0 || !info->width || !info->height)
        abort();
    uint32_t stride = info->width * 4;
    uint8_t *pixels = g_malloc((size_t)stride * info->height);
    for (unsigned i = 0; i < 6; i++) {
        if (!sc_y4m_read(y, i % info->frames, pixels, stride, NULL))
            abort(); /* every frame of an indexed file reads */
        fuzz_touch(pixels, (size_t)stride * info->height);
    }
    g_free(pixels);
    sc_y4m_free(y);
    close(fd);
    return 0;
}
