/* libFuzzer: the viewer's link state machine and channel framing as a
 * hostile server drives them: the link header, SpiceLinkReply (error
 * codes, caps, the RSA key the ticket is encrypted for), the link result,
 * then framed messages of the main, inputs or cursor channel (MAIN_INIT,
 * CHANNELS_LIST that makes the client open more channels, MOUSE_MODE,
 * SET_ACK, PING, NOTIFY, cursors, motion acks), all through the channel core's
 * sc_channel_process() from CH_LINK_HEADER on.
 *
 * Input: flags, split, then the server's bytes on one channel from its
 * first byte, fed in two pieces split at split/256 of their length.
 *   flags bits 0-1: main, display, inputs, cursor channel; bit 2: a unix
 *   socket; bit 3: video advertised; bit 4: the pointer moves before the
 *   inputs channel is ready.
 * Seeds (tests/fuzz/corpus/fuzz-client-link) carry a real 1024-bit RSA key
 * in the reply, so that the ticket encryption and everything after it are
 * reached. */
#include "tests/fuzz/fuzz-client.h"

static const uint8_t types[4] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY, SPICE_CHANNEL_INPUTS,
                                  SPICE_CHANNEL_CURSOR };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_client f;
    struct sc_channel *ch;

    if (size < 2)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 2, split = len * data[1] / 256;
    uint8_t *body = fuzz_dup(data + 2, len);

    fc_init(&f, flags & 4, false, flags & 8);
    ch = fc_channel(&f, types[flags & 3], CH_LINK_HEADER);
    if (ch->type != SPICE_CHANNEL_MAIN)
        f.c->session_id = 0x5eed;
    if (flags & 16)
        sc_client_pointer(f.c, 10, 20, 1);
    sc_channel_send_link(ch);
    fc_feed(&f, ch, body, split);
    fc_feed(&f, ch, body + split, len - split);
    if (ch->type == SPICE_CHANNEL_INPUTS)
        sc_client_key(f.c, 0x1e, true);
    fc_finish(&f);
    free(body);
    return 0;
}
