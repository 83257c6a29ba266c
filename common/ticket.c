/* SPICE ticket authentication with the OpenSSL 3 EVP API. */
#include "config.h"
#include "common/ticket.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <limits.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define TICKET_RSA_BITS 1024

struct sc_ticket_key {
    EVP_PKEY *pkey;
};

struct sc_ticket_key *sc_ticket_key_new(void)
{
    struct sc_ticket_key *key = calloc(1, sizeof(*key));

    if (!key)
        return NULL;
    /* EVP_RSA_gen uses e = 65537 */
    key->pkey = EVP_RSA_gen(TICKET_RSA_BITS);
    if (!key->pkey) {
        sc_error("ticket: RSA key generation failed");
        free(key);
        return NULL;
    }
    return key;
}

void sc_ticket_key_free(struct sc_ticket_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

bool sc_ticket_key_get_pubkey(const struct sc_ticket_key *key, uint8_t out[SC_TICKET_PUBKEY_BYTES])
{
    unsigned char *der = NULL;
    int n;

    if (!key || !key->pkey)
        return false;
    n = i2d_PUBKEY(key->pkey, &der);
    if (n != SC_TICKET_PUBKEY_BYTES) {
        sc_error("ticket: public key DER is %d bytes, not %d", n, SC_TICKET_PUBKEY_BYTES);
        OPENSSL_free(der);
        return false;
    }
    memcpy(out, der, SC_TICKET_PUBKEY_BYTES);
    OPENSSL_free(der);
    return true;
}

/* OAEP with SHA-1 for both the digest and MGF1, empty label. */
static bool set_oaep(EVP_PKEY_CTX *ctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) > 0;
}

/* One OAEP decryption of a whole blob; the plaintext's length or -1. */
static ssize_t decrypt_blob(EVP_PKEY_CTX *ctx, const uint8_t *blob, unsigned char *buf)
{
    size_t out_len = SC_TICKET_BLOB_BYTES;

    if (EVP_PKEY_decrypt(ctx, buf, &out_len, blob, SC_TICKET_BLOB_BYTES) <= 0)
        return -1;
    return (ssize_t)out_len;
}

/* spice-html5 (ticket.js rsa_encrypt) writes the ciphertext's hex digits
 * without leading zero bytes, left-aligned and padded with zeros at the
 * end: when the ciphertext begins with k zero bytes (about 1 in 200
 * tickets) the blob is it shifted left by k bytes.  A blob that does not
 * decrypt and ends in zeros is tried shifted back; this accepts nothing a
 * client could not send the right way. */
static ssize_t decrypt_html5_shifted(EVP_PKEY_CTX *ctx, const uint8_t *blob, unsigned char *buf)
{
    uint8_t shifted[SC_TICKET_BLOB_BYTES];
    ssize_t n = -1;

    for (size_t k = 1; k <= SC_TICKET_MAX_SHIFT && n < 0 && !blob[SC_TICKET_BLOB_BYTES - k]; k++) {
        memset(shifted, 0, k);
        memcpy(shifted + k, blob, SC_TICKET_BLOB_BYTES - k);
        n = decrypt_blob(ctx, shifted, buf);
    }
    return n;
}

char *sc_ticket_decrypt(const struct sc_ticket_key *key, const uint8_t *blob, size_t len)
{
    unsigned char buf[SC_TICKET_BLOB_BYTES];
    ssize_t out_len;
    EVP_PKEY_CTX *ctx;
    char *plain = NULL;

    if (!key || !key->pkey || !blob || len != SC_TICKET_BLOB_BYTES)
        return NULL;
    ctx = EVP_PKEY_CTX_new(key->pkey, NULL);
    if (!ctx)
        return NULL;
    if (EVP_PKEY_decrypt_init(ctx) <= 0 || !set_oaep(ctx))
        goto err_ctx;
    out_len = decrypt_blob(ctx, blob, buf);
    if (out_len < 0)
        out_len = decrypt_html5_shifted(ctx, blob, buf);
    if (out_len < 0)
        goto err_ctx;
    plain = malloc((size_t)out_len + 1);
    if (!plain)
        goto err_ctx;
    memcpy(plain, buf, (size_t)out_len);
    plain[out_len] = '\0';
err_ctx:
    OPENSSL_cleanse(buf, sizeof(buf));
    EVP_PKEY_CTX_free(ctx);
    return plain;
}

bool sc_ticket_encrypt(const uint8_t *pubkey, size_t pubkey_len, const char *password,
                       uint8_t out[SC_TICKET_BLOB_BYTES])
{
    const unsigned char *p = pubkey;
    size_t plen, out_len = SC_TICKET_BLOB_BYTES;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey;
    bool ok = false;

    if (!password)
        password = "";
    plen = strlen(password);
    if (!pubkey || pubkey_len > LONG_MAX || plen > SC_TICKET_MAX_PASSWORD)
        return false;
    pkey = d2i_PUBKEY(NULL, &p, (long)pubkey_len);
    if (!pkey)
        return false;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA || EVP_PKEY_get_size(pkey) != SC_TICKET_BLOB_BYTES)
        goto err_key;
    ctx = EVP_PKEY_CTX_new(pkey, NULL);
    if (!ctx || EVP_PKEY_encrypt_init(ctx) <= 0 || !set_oaep(ctx))
        goto err_key;
    if (EVP_PKEY_encrypt(ctx, out, &out_len, (const unsigned char *)password, plen + 1) <= 0)
        goto err_key;
    ok = out_len == SC_TICKET_BLOB_BYTES;
err_key:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return ok;
}

static bool sha256(const char *s, unsigned char md[32])
{
    unsigned int n = 0;

    return EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) && n == 32;
}

bool sc_ticket_check(const char *expected, const char *given)
{
    unsigned char a[32], b[32];

    if (!expected || !given || !sha256(expected, a) || !sha256(given, b))
        return false;
    return CRYPTO_memcmp(a, b, sizeof(a)) == 0;
}
