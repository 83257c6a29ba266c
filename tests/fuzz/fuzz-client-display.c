/* libFuzzer: the viewer's display channel as a hostile server drives it:
 * framed messages (SURFACE_CREATE, DRAW_COPY with raw and LZ4 images and
 * clips, DRAW_FILL, streams with their data, clips and reports, GL_SCANOUT_UNIX
 * with its '@' byte and fd, GL_SCANOUT2_UNIX with its '@' byte and 1..4 fds
 * (each plane's buffer mapped and read to the end the engine checked), GL_DRAW, the base messages, ACK flow control)
 * through the channel core (sc_channel_process) into the display channel, with the
 * renderer's scanout mapping checks (renderer.c) on each scanout fd.
 *
 * Input: flags, memfd KiB, split, then the bytes of a linked display
 * channel (after the link result), fed in two pieces split at
 * split/256 of their length.
 *   flags bit 0: mini headers; bit 1: the server has STREAM_REPORT;
 *   bit 2: a unix socket (fds can come); bit 3: GL_SCANOUT advertised;
 *   bits 4-5: memfds already received with the bytes (0-3), each
 *   memfd-KiB KiB long; bit 6: sealed against shrinking.
 * The callbacks (fuzz-client.h) abort on what a renderer could not take: an
 * invalidated rectangle outside the canvas, a canvas that does not match
 * the surface, a second closed(). */
#include "tests/fuzz/fuzz-client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_client f;
    struct sc_channel *ch;

    if (size < 3)
        return 0;
    uint8_t flags = data[0];
    size_t fd_size = (size_t)data[1] * 1024, len = size - 3;
    size_t split = len * data[2] / 256;
    uint8_t *body = fuzz_dup(data + 3, len);

    fc_init(&f, flags & 4, flags & 8, true);
    ch = fc_channel(&f, SPICE_CHANNEL_DISPLAY, CH_READY);
    ch->mini = flags & 1;
    if (flags & 2)
        sc_caps_set(ch->scaps.channel, &ch->scaps.n_channel, SPICE_DISPLAY_CAP_STREAM_REPORT);
    for (unsigned i = 0; i < ((flags >> 4) & 3u); i++)
        ch->fds[ch->n_fds++] = fc_memfd(fd_size, flags & 64);
    ch->klass->ready(ch);
    fc_feed(&f, ch, body, split);
    fc_feed(&f, ch, body + split, len - split);
    fc_finish(&f);
    free(body);
    return 0;
}
