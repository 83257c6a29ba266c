/* libFuzzer: cursor channel parsers. */
#include "config.h"

#include "fuzz-util.h"

static void touch(const struct sc_cursor *c)
{
    volatile uint8_t sum = 0;

    for (uint32_t i = 0; i < c->data_size; i++)
        sum += c->data[i];
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *body;
    size_t len;
    int16_t x, y;
    uint16_t a, b;
    uint64_t id;

    if (size < 1)
        return 0;
    len = size - 1;
    body = fuzz_dup(data + 1, len);
    if (!body)
        return 0;
    switch (data[0] % 5) {
    case 0: {
        struct sc_cursor_init m;
        if (sc_cursor_init_parse(body, len, &m))
            touch(&m.cursor);
        FUZZ_ROUNDTRIP(struct sc_cursor_init, sc_cursor_init_parse, sc_cursor_init_write, body, len);
        break;
    }
    case 1: {
        struct sc_cursor_set m;
        if (sc_cursor_set_parse(body, len, &m))
            touch(&m.cursor);
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
    free(body);
    return 0;
}
