/* libFuzzer: main channel parsers. */
#include "config.h"

#include "tests/fuzz/fuzz-util.h"

static void fuzz_message(uint8_t sel, const uint8_t *body, size_t len)
{
    uint8_t uuid[16];
    char name[64];
    uint16_t u16;
    uint32_t u32;

    switch (sel % 7) {
    case 0:
        FUZZ_ROUNDTRIP(struct sc_main_init, sc_main_init_parse, sc_main_init_write, body, len);
        break;
    case 1:
        FUZZ_ROUNDTRIP(struct sc_channels_list, sc_channels_list_parse, sc_channels_list_write,
                       body, len);
        break;
    case 2:
        FUZZ_ROUNDTRIP(struct sc_mouse_mode, sc_mouse_mode_parse, sc_mouse_mode_write, body, len);
        break;
    case 3:
        sc_mouse_mode_request_parse(body, len, &u16);
        break;
    case 4:
        sc_multi_media_time_parse(body, len, &u32);
        break;
    case 5:
        if (sc_main_name_parse(body, len, name, sizeof(name)) && strlen(name) >= sizeof(name))
            abort();
        sc_main_name_parse(body, len, name, 1);
        break;
    default:
        sc_main_uuid_parse(body, len, uuid);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_selector(data, size, fuzz_message);
}
