/* libFuzzer: messages common to every channel. */
#include "config.h"

#include "tests/fuzz/fuzz-util.h"

static void fuzz_message(uint8_t sel, const uint8_t *body, size_t len)
{
    uint32_t u32;
    uint64_t u64;

    switch (sel % 6) {
    case 0:
        FUZZ_ROUNDTRIP(struct sc_set_ack, sc_set_ack_parse, sc_set_ack_write, body, len);
        break;
    case 1:
        sc_ack_sync_parse(body, len, &u32);
        break;
    case 2:
        FUZZ_ROUNDTRIP(struct sc_ping, sc_ping_parse, sc_ping_write, body, len);
        break;
    case 3:
        sc_pong_parse(body, len, &u32, &u64);
        break;
    case 4: {
        struct sc_notify n;
        if (sc_notify_parse(body, len, &n))
            fuzz_touch(n.message, n.message_len);
        FUZZ_ROUNDTRIP(struct sc_notify, sc_notify_parse, sc_notify_write, body, len);
        break;
    }
    default:
        FUZZ_ROUNDTRIP(struct sc_disconnecting, sc_disconnecting_parse, sc_disconnecting_write,
                       body, len);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_selector(data, size, fuzz_message);
}
