/* libFuzzer: the viewer's link state machine and channel framing as a
 * hostile server drives them: the link header, SpiceLinkReply (error
 * codes, caps, the RSA key the ticket is encrypted for), the link result,
 * then framed messages of the main, inputs or cursor channel (MAIN_INIT,
 * CHANNELS_LIST that makes the client open more channels, MOUSE_MODE,
 * SET_ACK, PING, NOTIFY, cursors, motion acks), all through the channel core's
 * sc_channel_process() from CH_LINK_HEADER on.
 *
 * Input: flags, split, then the server's bytes on one channel from its
 * first byte, fed in two pieces split at split/256 of their length.
 *   flags bits 0-1: main, display, inputs, cursor channel; bit 2: a unix
 *   socket; bit 3: video advertised; bit 4: the pointer moves before the
 *   inputs channel is ready.
 * Seeds (tests/fuzz/corpus/fuzz-client-link) carry a real 1024-bit RSA key
 * in the reply, so that the ticket encryption and everything after it are
 * reached. */
#include "tests/fuzz/fuzz-client.h"
#include "common/ticket.h"

/* ASan's quarantine (freed blocks kept poisoned to catch a use after free)
 * at 16 MB instead of 256: every input here starts from nothing and frees
 * what it made well within 16 MB, and with 256 MB every allocation came
 * from memory never touched before (page faults, zeroing): 13-34 % of the
 * run.  ASAN_OPTIONS still overrides it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=16"; }

/* The ticket's encryption for the reply's RSA key (common/ticket.c):
 * OpenSSL's key decoders cost more than the rest of a run, and their
 * caches, filled as they go, made libFuzzer run a leak check (a scan of the
 * whole heap) after most inputs.  Linked with -Wl,--wrap=sc_ticket_encrypt,
 * the client gets, for a key it has seen work (the seeds carry one), what
 * the real function returned then: true and a blob it made (the client only
 * sends it).  A new key goes to the real function if it has the layout of
 * the keys servers send (RSA-1024, e = 65537) and fewer than FC_KEYS keys
 * are kept; any other is refused without OpenSSL, as the real function
 * refuses nearly all of them (a 162-byte key with another exponent is the
 * exception this model gives up).  The client's code after the call depends
 * only on the outcome; fuzz-ticket parses hostile keys (mode 2). */
#define FC_KEYS 8
bool __real_sc_ticket_encrypt(const uint8_t *pubkey, size_t len, const char *password,
                              uint8_t out[SC_TICKET_BLOB_BYTES]);
bool __wrap_sc_ticket_encrypt(const uint8_t *pubkey, size_t len, const char *password,
                              uint8_t out[SC_TICKET_BLOB_BYTES]);
bool __wrap_sc_ticket_encrypt(const uint8_t *pubkey, size_t len, const char *password,
                              uint8_t out[SC_TICKET_BLOB_BYTES])
{
    static struct {
        uint8_t key[SC_TICKET_PUBKEY_BYTES];
        uint8_t blob[SC_TICKET_BLOB_BYTES];
    } kept[FC_KEYS];
    /* SubjectPublicKeyInfo, rsaEncryption, a 1024-bit modulus; e = 65537 */
    static const uint8_t head[29] = { 0x30, 0x81, 0x9f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                      0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x81,
                                      0x8d, 0x00, 0x30, 0x81, 0x89, 0x02, 0x81, 0x81, 0x00 };
    static const uint8_t tail[5] = { 0x02, 0x03, 0x01, 0x00, 0x01 };
    static unsigned n_kept;
    static bool probed;

    if (!probed) { /* the refusal's own code counts as covered, once */
        uint8_t junk[SC_TICKET_PUBKEY_BYTES] = { 0 }, blob[SC_TICKET_BLOB_BYTES];
        probed = true;
        if (__real_sc_ticket_encrypt(junk, sizeof(junk), "secret", blob))
            abort();
    }

    if (len != SC_TICKET_PUBKEY_BYTES || (password && strcmp(password, "secret") != 0))
        return __real_sc_ticket_encrypt(pubkey, len, password, out); /* not this harness's */
    for (unsigned i = 0; i < n_kept; i++) {
        if (memcmp(kept[i].key, pubkey, len) == 0) {
            memcpy(out, kept[i].blob, SC_TICKET_BLOB_BYTES);
            return true;
        }
    }
    if (n_kept == FC_KEYS || memcmp(pubkey, head, sizeof(head)) != 0 ||
        memcmp(pubkey + len - sizeof(tail), tail, sizeof(tail)) != 0)
        return false;
    if (!__real_sc_ticket_encrypt(pubkey, len, password, out))
        return false;
    memcpy(kept[n_kept].key, pubkey, len);
    memcpy(kept[n_kept].blob, out, SC_TICKET_BLOB_BYTES);
    n_kept++;
    return true;
}

static const uint8_t types[4] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY, SPICE_CHANNEL_INPUTS,
                                  SPICE_CHANNEL_CURSOR };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_client f;
    struct sc_channel *ch;

    if (size < 2)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 2, split = len * data[1] / 256;
    uint8_t *body = fuzz_dup(data + 2, len);

    fc_init(&f, flags & 4, false, flags & 8);
    ch = fc_channel(&f, types[flags & 3], CH_LINK_HEADER);
    if (ch->type != SPICE_CHANNEL_MAIN)
        f.c->session_id = 0x5eed;
    if (flags & 16)
        sc_client_pointer(f.c, 10, 20, 1);
    sc_channel_send_link(ch);
    fc_feed(&f, ch, body, split);
    fc_feed(&f, ch, body + split, len - split);
    if (ch->type == SPICE_CHANNEL_INPUTS)
        sc_client_key(f.c, 0x1e, true);
    fc_finish(&f);
    free(body);
    return 0;
}
