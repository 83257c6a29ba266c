/* libFuzzer: link stage parsers (header + SpiceLinkMess, SpiceLinkReply) and
 * the data headers. */
#include "config.h"

#include "fuzz-util.h"

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
        if (body && sc_link_mess_parse(body, len, &m) == SPICE_LINK_ERR_OK) {
            struct sc_writer w;
            sc_writer_init(&w);
            sc_link_mess_write(&w, &m);
            if (!w.error && sc_link_mess_parse(w.data + 16, w.size - 16, &m) != SPICE_LINK_ERR_OK)
                abort();
            sc_writer_finish(&w);
        }
        if (body && sc_link_reply_parse(body, len, &r) == SPICE_LINK_ERR_OK) {
            struct sc_writer w;
            sc_writer_init(&w);
            sc_link_reply_write(&w, &r);
            if (!w.error && sc_link_reply_parse(w.data + 16, w.size - 16, &r) != SPICE_LINK_ERR_OK)
                abort();
            sc_writer_finish(&w);
        }
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
