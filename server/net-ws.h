/* RFC 6455 framing, the server's side: client frames are masked, ours are
 * not.  Pure functions over buffers; net-stream.c does the I/O. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest client frame taken (SPICE client messages are small);
 * a longer one is a protocol error. */
#define SC_WS_MAX_FRAME (256u * 1024)
/* Payload bytes per frame we send. */
#define SC_WS_OUT_FRAME (64u * 1024)
#define SC_WS_HEADER_MAX 14

enum sc_ws_opcode {
    SC_WS_CONTINUATION = 0x0,
    SC_WS_TEXT = 0x1,
    SC_WS_BINARY = 0x2,
    SC_WS_CLOSE = 0x8,
    SC_WS_PING = 0x9,
    SC_WS_PONG = 0xA,
};

struct sc_ws_frame {
    uint8_t opcode;
    bool fin;
    size_t header_size; /* payload starts here */
    size_t payload_size;
    uint8_t mask[4];
};

/* A client frame at buf: 1 when it is all there (header_size +
 * payload_size <= avail), 0 when more bytes are needed, -1 on a protocol
 * error (*why says which). */
int sc_ws_parse(const uint8_t *buf, size_t avail, struct sc_ws_frame *f, const char **why);
void sc_ws_unmask(uint8_t *payload, size_t len, const uint8_t mask[4]);
/* A final, unmasked frame header for len payload bytes; its size (2..10). */
size_t sc_ws_header(uint8_t out[SC_WS_HEADER_MAX], uint8_t opcode, uint64_t len);
