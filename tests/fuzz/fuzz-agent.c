/* libFuzzer: the server's built-in agent (server/agent.c), the parser of
 * the client's AGENT_DATA chunks (VDAgentMessages, MONITORS_CONFIG read
 * strictly).
 *
 * Input: flags, then chunks, each a 16-bit little-endian length (taken
 * modulo VD_AGENT_MAX_DATA_SIZE + 1, as the main channel bounds
 * AGENT_DATA) and that many bytes (fewer at the end).
 *   flags bit 0: AGENT_START first (else data before it); bit 1: the
 *   client gives one token only (replies beyond it are dropped); bit 2:
 *   the source refuses every size.
 * Checked: no sanitizer report; every size handed to the source is within
 * 1..16384; every message sent is a whole VDAgentMessage. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "server/agent.h"

static bool refuse;

static void f_send(const uint8_t *body, size_t len, void *data)
{
    uint32_t size;

    (void)data;
    if (len < 20)
        abort();
    memcpy(&size, body + 16, 4);
    if (size != len - 20)
        abort();
}

static int f_resize(unsigned head, uint32_t w, uint32_t h, void *data)
{
    (void)data;
    if (head >= 16 || w < 1 || h < 1 || w > 16384 || h > 16384)
        abort();
    return head > 1 ? -ENODEV : refuse ? -EINVAL : 0;
}

static const struct sc_agent_ops ops = { .send = f_send, .resize = f_resize };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sc_agent *a;
    uint8_t flags;

    if (size < 1)
        return 0;
    flags = data[0];
    data++, size--;
    refuse = flags & 4;
    a = sc_agent_new(&ops, NULL);
    if (flags & 1)
        sc_agent_start(a, (flags & 2) ? 1 : UINT32_MAX);
    while (size >= 2) {
        size_t n = (size_t)(data[0] | data[1] << 8) % (VD_AGENT_MAX_DATA_SIZE + 1);
        data += 2, size -= 2;
        if (n > size)
            n = size;
        /* a copy of exactly n bytes, so ASan sees any read past it */
        uint8_t *chunk = malloc(n ? n : 1);
        memcpy(chunk, data, n);
        sc_agent_data(a, chunk, n);
        free(chunk);
        data += n, size -= n;
        if (flags & 2)
            sc_agent_add_tokens(a, n & 1); /* a token now and then */
    }
    sc_agent_free(a);
    return 0;
}
