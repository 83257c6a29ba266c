/* RFC 6455 framing (net-ws.h). */
#include "config.h"
#include "server/net-ws.h"

int sc_ws_parse(const uint8_t *buf, size_t avail, struct sc_ws_frame *f, const char **why)
{
    uint64_t len;
    size_t h = 2;

    if (avail < 2)
        return 0;
    f->fin = buf[0] & 0x80;
    f->opcode = buf[0] & 0x0f;
    if (buf[0] & 0x70) {
        *why = "reserved bits set (no extension was agreed)";
        return -1;
    }
    if (!(buf[1] & 0x80)) {
        *why = "an unmasked client frame";
        return -1;
    }
    len = buf[1] & 0x7f;
    if (len == 126) {
        if (avail < 4)
            return 0;
        len = (uint64_t)buf[2] << 8 | buf[3];
        h = 4;
    } else if (len == 127) {
        if (avail < 10)
            return 0;
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | buf[2 + i];
        h = 10;
    }
    if (f->opcode >= 0x8 && (len > 125 || !f->fin)) {
        *why = "a fragmented or long control frame";
        return -1;
    }
    if ((f->opcode > SC_WS_BINARY && f->opcode < SC_WS_CLOSE) || f->opcode > SC_WS_PONG) {
        *why = "an unknown opcode";
        return -1;
    }
    if (len > SC_WS_MAX_FRAME) {
        *why = "a frame over 256 KiB";
        return -1;
    }
    if (avail < h + 4)
        return 0;
    for (int i = 0; i < 4; i++)
        f->mask[i] = buf[h + i];
    f->header_size = h + 4;
    f->payload_size = (size_t)len;
    return avail - f->header_size >= f->payload_size ? 1 : 0;
}

void sc_ws_unmask(uint8_t *payload, size_t len, const uint8_t mask[4])
{
    for (size_t i = 0; i < len; i++)
        payload[i] ^= mask[i & 3];
}

size_t sc_ws_header(uint8_t out[SC_WS_HEADER_MAX], uint8_t opcode, uint64_t len)
{
    out[0] = 0x80 | (opcode & 0x0f);
    if (len < 126) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xffff) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    return 10;
}
