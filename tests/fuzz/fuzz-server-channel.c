/* libFuzzer: the server's per-channel dispatch (server/channel.c's framing
 * and ACK window, then the handlers of channel-main.c, channel-display.c,
 * channel-inputs.c, channel-cursor.c and what they call): whole framed
 * client messages on a channel that the harness linked properly first.
 *
 * Input: flags, split, then the client's bytes after the link, sent in two
 * pieces split at split/256 with the main loop run between them.
 *   flags bits 0-1: main, display, inputs, cursor (the last three after a
 *   linked main channel, in its session); bit 2: mini headers; bit 3: the
 *   display link advertises GL_SCANOUT (a unix socket: the local path);
 *   bit 4: it advertises the stream and codec caps; bit 5: the main
 *   channel also gets the bytes (a second, unrelated stream is not made:
 *   the same bytes go to main first).
 * Checked: no sanitizer report, and once the peers close the server holds
 * no pending link and no session (fuzz-server.h). */
#include "tests/fuzz/fuzz-server.h"

static const uint8_t types[4] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY, SPICE_CHANNEL_INPUTS,
                                  SPICE_CHANNEL_CURSOR };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t caps[8];
    unsigned n = 0;
    int fd, main_fd = -1;

    if (size < 2)
        return 0;
    uint8_t flags = data[0], type = types[flags & 3];
    bool mini = flags & 4;
    size_t len = size - 2, split = len * data[1] / 256;
    uint8_t *body = fuzz_dup(data + 2, len);

    fs_setup();
    if (type != SPICE_CHANNEL_MAIN)
        main_fd = fs_link(SPICE_CHANNEL_MAIN, mini, NULL, 0);
    if (type == SPICE_CHANNEL_DISPLAY) {
        if (flags & 8)
            caps[n++] = SPICE_DISPLAY_CAP_GL_SCANOUT;
        if (flags & 16) {
            caps[n++] = SPICE_DISPLAY_CAP_STREAM_REPORT;
            caps[n++] = SPICE_DISPLAY_CAP_MULTI_CODEC;
            caps[n++] = SPICE_DISPLAY_CAP_CODEC_MJPEG;
            caps[n++] = SPICE_DISPLAY_CAP_CODEC_H264;
            caps[n++] = SPICE_DISPLAY_CAP_SIZED_STREAM;
            caps[n++] = SPICE_DISPLAY_CAP_LZ4_COMPRESSION;
        }
    }
    fd = fs_link(type, mini, caps, n);
    if (main_fd >= 0 && (flags & 32))
        fs_send(main_fd, body, len);
    fs_send(fd, body, split);
    fs_send(fd, body + split, len - split);
    fs_finish();
    free(body);
    return 0;
}
