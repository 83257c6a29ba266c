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

/* The ticket's encryption for the reply's RSA key (common/ticket.c; its
 * own target is fuzz-ticket): OpenSSL's key decoders cost more than the
 * rest of a run, and their caches, filled as they go, made libFuzzer run a
 * leak check (a scan of the whole heap) after most inputs.  Linked with
 * -Wl,--wrap=sc_ticket_encrypt, the client gets what the real one returned
 * for the same key bytes and password: the outcome and a blob that the
 * real function made (the client only sends it).  Keys are kept as they
 * come, up to FC_KEYS (the seeds carry one; a mutated key is new each time
 * and goes to the real function). */
#define FC_KEYS 8
bool __real_sc_ticket_encrypt(const uint8_t *pubkey, size_t len, const char *password,
                              uint8_t out[SC_TICKET_BLOB_BYTES]);
bool __wrap_sc_ticket_encrypt(const uint8_t *pubkey, size_t len, const char *password,
                              uint8_t out[SC_TICKET_BLOB_BYTES]);
bool __wrap_sc_ticket_encrypt(const uint8_t *pubkey, size_t len, const char *password,
                              uint8_t out[SC_TICKET_BLOB_BYTES])
{
    static struct {
        uint8_t *key;
        size_t len;
        char *password;
        bool ok;
        uint8_t blob[SC_TICKET_BLOB_BYTES];
    } kept[FC_KEYS];
    static unsigned n_kept;
    const char *pw = password ? password : "";
    unsigned i;

    for (i = 0; i < n_kept; i++) {
        if (kept[i].len == len && memcmp(kept[i].key, pubkey, len) == 0 &&
            strcmp(kept[i].password, pw) == 0) {
            if (kept[i].ok)
                memcpy(out, kept[i].blob, SC_TICKET_BLOB_BYTES);
            return kept[i].ok;
        }
    }
    bool ok = __real_sc_ticket_encrypt(pubkey, len, password, out);
    if (ok && n_kept < FC_KEYS) {
        kept[n_kept].key = g_memdup2(pubkey, len);
        kept[n_kept].len = len;
        kept[n_kept].password = g_strdup(pw);
        kept[n_kept].ok = ok;
        memcpy(kept[n_kept].blob, out, SC_TICKET_BLOB_BYTES);
        n_kept++;
    }
    return ok;
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
