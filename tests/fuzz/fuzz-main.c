/* libFuzzer: main channel parsers. */
#include "config.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *body, uuid[16];
    char name[64];
    size_t len;
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
    free(body);
    return 0;
}
