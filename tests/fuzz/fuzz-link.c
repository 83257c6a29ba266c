/* libFuzzer: link stage parsers (header + SpiceLinkMess, SpiceLinkReply) and
 * the data headers. */
#include "config.h"

#include "tests/fuzz/fuzz-util.h"

/* Writes the parsed value back (the writer puts the 16-byte link header
 * first) and parses that body again: writers must accept what parsers give. */
#define LINK_ROUNDTRIP(parse, write, v)                                                   \
    do {                                                                                  \
        struct sc_writer w_;                                                              \
        sc_writer_init(&w_);                                                              \
        write(&w_, (v));                                                                  \
        if (!w_.error && parse(w_.data + 16, w_.size - 16, (v)) != SPICE_LINK_ERR_OK)     \
            abort();                                                                      \
        sc_writer_finish(&w_);                                                            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = fuzz_dup(data, size);
    struct sc_link_header h;
    struct sc_link_mess m;
    struct sc_link_reply r;
    struct sc_data_header dh;

    if (!buf)
        return 0;
    /* a whole client hello or server answer: header, then `size` bytes */
    if (sc_link_header_parse(buf, size, &h) == SPICE_LINK_ERR_OK && size >= 16) {
        size_t len = size - 16 < h.size ? size - 16 : h.size;
        uint8_t *body = fuzz_dup(buf + 16, len);
        if (body && sc_link_mess_parse(body, len, &m) == SPICE_LINK_ERR_OK)
            LINK_ROUNDTRIP(sc_link_mess_parse, sc_link_mess_write, &m);
        if (body && sc_link_reply_parse(body, len, &r) == SPICE_LINK_ERR_OK)
            LINK_ROUNDTRIP(sc_link_reply_parse, sc_link_reply_write, &r);
        free(body);
    }
    /* the bodies alone, too */
    sc_link_mess_parse(buf, size, &m);
    sc_link_reply_parse(buf, size, &r);
    sc_data_header_parse(buf, size, true, &dh);
    sc_data_header_parse(buf, size, false, &dh);
    free(buf);
    return 0;
}
