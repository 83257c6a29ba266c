/* libFuzzer: ticket decryption (common/ticket.c), the first thing the server
 * does with a client's bytes after the link message, before any password
 * check.  Byte 0 picks the mode:
 *   even: the rest is the 128-byte blob as it came off the wire (any length);
 *   odd:  the rest is a plaintext (up to 86 bytes, embedded NULs and no NUL
 *         at all included) that the harness encrypts with RSA-OAEP for the
 *         key, so that the decrypt-success path and the cut at the first NUL
 *         see arbitrary plaintexts too;
 *   2 mod 4 (taken from the even ones): the client's side, the rest is the
 *         public key a server sent in its SpiceLinkReply (its 162 bytes,
 *         any length here) that sc_ticket_encrypt() parses and encrypts
 *         the password for; our own key's must work, its blob decrypt.
 *         (fuzz-client-link keeps the outcome per key instead: OpenSSL's
 *         key decoders held it at a third of its speed.)
 * One key for the whole run (generating one costs milliseconds). */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "common/ticket.h"
#include "tests/fuzz/fuzz-util.h"

#define OAEP_MAX_PLAIN (SC_TICKET_BLOB_BYTES - 42) /* SHA-1 OAEP: k - 2*20 - 2 */

static struct sc_ticket_key *key;
static EVP_PKEY *pub;

static void setup(void)
{
    uint8_t der[SC_TICKET_PUBKEY_BYTES];
    const unsigned char *p = der;

    key = sc_ticket_key_new();
    if (!key || !sc_ticket_key_get_pubkey(key, der))
        abort();
    pub = d2i_PUBKEY(NULL, &p, sizeof(der));
    if (!pub)
        abort();
}

/* RSA-OAEP(SHA-1, MGF1-SHA-1) of plain for the key, as a client does it. */
static bool encrypt(const uint8_t *plain, size_t len, uint8_t out[SC_TICKET_BLOB_BYTES])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    size_t out_len = SC_TICKET_BLOB_BYTES;
    bool ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
              EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) > 0 &&
              EVP_PKEY_encrypt(ctx, out, &out_len, plain, len) > 0 &&
              out_len == SC_TICKET_BLOB_BYTES;

    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* What a client does with a server's key: parse it, encrypt for it. */
static void client_side(const uint8_t *pubkey, size_t len)
{
    uint8_t blob[SC_TICKET_BLOB_BYTES], der[SC_TICKET_PUBKEY_BYTES];
    bool ours = len == sizeof(der) && sc_ticket_key_get_pubkey(key, der) &&
                memcmp(der, pubkey, len) == 0;
    char *plain;

    if (!sc_ticket_encrypt(pubkey, len, "secret", blob)) {
        if (ours)
            abort(); /* our own key must be usable */
        return;
    }
    fuzz_touch(blob, sizeof(blob));
    if (!ours)
        return;
    plain = sc_ticket_decrypt(key, blob, sizeof(blob));
    if (!plain || strcmp(plain, "secret") != 0)
        abort();
    free(plain);
}

static void one(uint8_t sel, const uint8_t *body, size_t len)
{
    uint8_t blob[SC_TICKET_BLOB_BYTES];
    char *plain;

    if ((sel & 3) == 2) {
        client_side(body, len);
        return;
    }
    if (!(sel & 1)) {
        plain = sc_ticket_decrypt(key, body, len);
        if (plain) {
            fuzz_touch(plain, strlen(plain) + 1);
            sc_ticket_check("secret", plain);
        }
        free(plain);
        return;
    }
    if (len > OAEP_MAX_PLAIN)
        len = OAEP_MAX_PLAIN;
    if (!encrypt(body, len, blob))
        abort(); /* the harness's own encryption */
    plain = sc_ticket_decrypt(key, blob, sizeof(blob));
    if (!plain)
        abort(); /* a well-formed blob for our key must decrypt */
    /* the plaintext up to its first NUL, NUL-terminated */
    size_t n = strnlen((const char *)body, len);
    if (strlen(plain) != n || memcmp(plain, body, n) != 0)
        abort();
    sc_ticket_check((const char *)"secret", plain);
    free(plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!key)
        setup();
    return fuzz_selector(data, size, one);
}
