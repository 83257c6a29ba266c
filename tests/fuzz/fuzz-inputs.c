/* libFuzzer: inputs channel parsers. */
#include "config.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *codes;
    uint8_t *body, bytes[4];
    size_t len, n;
    uint16_t u16;
    uint32_t u32;

    if (size < 1)
        return 0;
    len = size - 1;
    body = fuzz_dup(data + 1, len);
    if (!body)
        return 0;
    switch (data[0] % 7) {
    case 0:
        sc_inputs_init_parse(body, len, &u16);
        break;
    case 1:
        sc_key_modifiers_parse(body, len, &u16);
        break;
    case 2:
        if (sc_key_code_parse(body, len, &u32) && sc_key_code_bytes(u32, bytes) > 4)
            abort();
        break;
    case 3:
        if (sc_key_scancode_parse(body, len, &codes, &n) && n > len)
            abort();
        break;
    case 4:
        FUZZ_ROUNDTRIP(struct sc_mouse_motion, sc_mouse_motion_parse, sc_mouse_motion_write,
                       body, len);
        break;
    case 5:
        FUZZ_ROUNDTRIP(struct sc_mouse_position, sc_mouse_position_parse,
                       sc_mouse_position_write, body, len);
        break;
    default:
        FUZZ_ROUNDTRIP(struct sc_mouse_button, sc_mouse_button_parse, sc_mouse_button_write,
                       body, len);
        break;
    }
    free(body);
    return 0;
}
