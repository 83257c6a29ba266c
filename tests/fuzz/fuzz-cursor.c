/* libFuzzer: cursor channel parsers. */
#include "config.h"

#include "tests/fuzz/fuzz-util.h"

static void fuzz_message(uint8_t sel, const uint8_t *body, size_t len)
{
    int16_t x, y;
    uint16_t a, b;
    uint64_t id;

    switch (sel % 5) {
    case 0: {
        struct sc_cursor_init m;
        if (sc_cursor_init_parse(body, len, &m))
            fuzz_touch(m.cursor.data, m.cursor.data_size);
        FUZZ_ROUNDTRIP(struct sc_cursor_init, sc_cursor_init_parse, sc_cursor_init_write, body, len);
        break;
    }
    case 1: {
        struct sc_cursor_set m;
        if (sc_cursor_set_parse(body, len, &m))
            fuzz_touch(m.cursor.data, m.cursor.data_size);
        FUZZ_ROUNDTRIP(struct sc_cursor_set, sc_cursor_set_parse, sc_cursor_set_write, body, len);
        break;
    }
    case 2:
        sc_cursor_move_parse(body, len, &x, &y);
        break;
    case 3:
        sc_cursor_trail_parse(body, len, &a, &b);
        break;
    default:
        sc_cursor_inval_one_parse(body, len, &id);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_selector(data, size, fuzz_message);
}
