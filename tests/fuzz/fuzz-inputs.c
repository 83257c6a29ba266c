/* libFuzzer: inputs channel parsers. */
#include "config.h"

#include "tests/fuzz/fuzz-util.h"

static void fuzz_message(uint8_t sel, const uint8_t *body, size_t len)
{
    const uint8_t *codes;
    uint8_t bytes[4];
    size_t n;
    uint16_t u16;
    uint32_t u32;

    switch (sel % 7) {
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_selector(data, size, fuzz_message);
}
