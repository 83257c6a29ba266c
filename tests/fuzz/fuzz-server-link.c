/* libFuzzer: the server's link state machine (server/link.c) end to end:
 * the bytes of one connection from its first byte (link header,
 * SpiceLinkMess, auth mechanism, ticket, then whatever follows into the
 * channel it links), over a socketpair into sc_link_accept().
 *
 * Input: flags, split, then the connection's bytes, sent in two pieces split
 * at split/256 with the main loop run between them.
 *   flags bit 0: a linked main channel is there first (so that a display,
 *   inputs or cursor link can find its session); bit 1: the harness writes
 *   that session's id into the link message's connection_id (bytes 16-19)
 *   and the empty password's ticket for this server's key over the 128
 *   bytes after the auth word, where the input has them (the fuzzer cannot
 *   guess a random id or produce an RSA-OAEP blob).
 * Checked: no sanitizer report, and once the peers close the server holds
 * no pending link and no session (fuzz-server.h). */
#include "tests/fuzz/fuzz-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 2, split = len * data[1] / 256;
    uint8_t *body = fuzz_dup(data + 2, len);
    int fd;

    fs_setup();
    if (flags & 1)
        fs_link(SPICE_CHANNEL_MAIN, true, NULL, 0);
    if (flags & 2) {
        if (len >= 20)
            sc_put_u32(body + 16, fs_session_id());
        /* header 16 + mess size (bytes 12-15 of the header), auth word 4 */
        if (len >= 16) {
            uint64_t t = 16 + (uint64_t)sc_get_u32(body + 12) + 4;
            if (t + SC_TICKET_BLOB_BYTES <= len)
                memcpy(body + t, fs.blob, SC_TICKET_BLOB_BYTES);
        }
    }
    fd = fs_connect();
    fs_send(fd, body, split);
    fs_send(fd, body + split, len - split);
    fs_finish();
    free(body);
    return 0;
}
