/* Unit tests: ticket key, encrypt -> decrypt, constant-time check. */
#include "config.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "common/ticket.h"

static const uint8_t spki_prefix[] = {
    0x30, 0x81, 0x9f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
    0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x81, 0x8d, 0x00,
};

static struct sc_ticket_key *key;
static uint8_t pub[SC_TICKET_PUBKEY_BYTES];

static void test_pubkey(void)
{
    g_assert_nonnull(key);
    g_assert_true(sc_ticket_key_get_pubkey(key, pub));
    g_assert_cmpmem(pub, sizeof(spki_prefix), spki_prefix, sizeof(spki_prefix));
    /* then RSAPublicKey: SEQUENCE 0x89, INTEGER 0x81 bytes (00 + 128) */
    g_assert_cmphex(pub[22], ==, 0x30);
    g_assert_cmphex(pub[24], ==, 0x89);
    /* e = 65537 at the very end */
    g_assert_cmphex(pub[157], ==, 0x02);
    g_assert_cmphex(pub[158], ==, 0x03);
    g_assert_cmphex(pub[159], ==, 0x01);
    g_assert_cmphex(pub[160], ==, 0x00);
    g_assert_cmphex(pub[161], ==, 0x01);
    g_assert_false(sc_ticket_key_get_pubkey(NULL, pub));
}

static void roundtrip(const char *pw, const char *expect)
{
    uint8_t blob[SC_TICKET_BLOB_BYTES];
    char *plain;

    g_assert_true(sc_ticket_encrypt(pub, sizeof(pub), pw, blob));
    plain = sc_ticket_decrypt(key, blob, sizeof(blob));
    g_assert_nonnull(plain);
    g_assert_cmpstr(plain, ==, expect);
    free(plain);
}

static void test_roundtrip(void)
{
    char pw60[61], pw61[62];
    uint8_t blob[SC_TICKET_BLOB_BYTES], blob2[SC_TICKET_BLOB_BYTES];

    roundtrip("password", "password");
    roundtrip("", "");
    roundtrip(NULL, "");
    roundtrip("ünï\tcode", "ünï\tcode");
    memset(pw60, 'x', 60);
    pw60[60] = '\0';
    roundtrip(pw60, pw60);
    memset(pw61, 'y', 61);
    pw61[61] = '\0';
    g_assert_false(sc_ticket_encrypt(pub, sizeof(pub), pw61, blob));

    /* OAEP is randomised */
    g_assert_true(sc_ticket_encrypt(pub, sizeof(pub), "a", blob));
    g_assert_true(sc_ticket_encrypt(pub, sizeof(pub), "a", blob2));
    g_assert_true(memcmp(blob, blob2, sizeof(blob)) != 0);
}

static void test_bad(void)
{
    uint8_t blob[SC_TICKET_BLOB_BYTES];
    struct sc_ticket_key *other = sc_ticket_key_new();
    uint8_t other_pub[SC_TICKET_PUBKEY_BYTES];

    g_assert_true(sc_ticket_encrypt(pub, sizeof(pub), "secret", blob));
    /* wrong length, NULL, tampered, other key */
    g_assert_null(sc_ticket_decrypt(key, blob, sizeof(blob) - 1));
    g_assert_null(sc_ticket_decrypt(key, NULL, sizeof(blob)));
    g_assert_null(sc_ticket_decrypt(NULL, blob, sizeof(blob)));
    blob[10] ^= 1;
    g_assert_null(sc_ticket_decrypt(key, blob, sizeof(blob)));
    memset(blob, 0, sizeof(blob));
    g_assert_null(sc_ticket_decrypt(key, blob, sizeof(blob)));
    g_assert_nonnull(other);
    g_assert_true(sc_ticket_key_get_pubkey(other, other_pub));
    g_assert_true(sc_ticket_encrypt(other_pub, sizeof(other_pub), "secret", blob));
    g_assert_null(sc_ticket_decrypt(key, blob, sizeof(blob)));
    sc_ticket_key_free(other);
    sc_ticket_key_free(NULL);

    /* broken public keys */
    g_assert_false(sc_ticket_encrypt(pub, sizeof(pub) - 1, "x", blob));
    g_assert_false(sc_ticket_encrypt(pub, 10, "x", blob));
    g_assert_false(sc_ticket_encrypt(NULL, 162, "x", blob));
    memcpy(other_pub, pub, sizeof(pub));
    other_pub[8] = 0x55; /* not the rsaEncryption OID */
    g_assert_false(sc_ticket_encrypt(other_pub, sizeof(other_pub), "x", blob));
}

/* The blob spice-html5 sends (ticket.js: the ciphertext's hex digits, no
 * leading zero bytes, left-aligned, zeros after). */
static void html5_blob(const uint8_t *ct, uint8_t *out)
{
    size_t k = 0;

    while (k < SC_TICKET_BLOB_BYTES && ct[k] == 0)
        k++;
    memset(out, 0, SC_TICKET_BLOB_BYTES);
    memcpy(out, ct + k, SC_TICKET_BLOB_BYTES - k);
}

/* About 1 ticket in 200 from spice-html5 has a ciphertext that begins with
 * a zero byte: it must still be taken (it failed the browser test now and
 * then: "Permission denied" on one channel of a page). */
static void test_html5_leading_zero(void)
{
    uint8_t ct[SC_TICKET_BLOB_BYTES], blob[SC_TICKET_BLOB_BYTES];
    char *plain;
    int tries = 0;

    do {
        g_assert_true(sc_ticket_encrypt(pub, sizeof(pub), "web-secret-7", ct));
        g_assert_cmpint(++tries, <, 100000);
    } while (ct[0] != 0);
    html5_blob(ct, blob);
    g_assert_true(memcmp(blob, ct, sizeof(ct)) != 0);
    plain = sc_ticket_decrypt(key, blob, sizeof(blob));
    g_assert_nonnull(plain);
    g_assert_cmpstr(plain, ==, "web-secret-7");
    free(plain);
    /* the exact ciphertext still decrypts, and one that does not decrypt
     * still fails however many zeros end it */
    plain = sc_ticket_decrypt(key, ct, sizeof(ct));
    g_assert_cmpstr(plain, ==, "web-secret-7");
    free(plain);
    memset(blob + 64, 0, 64);
    g_assert_null(sc_ticket_decrypt(key, blob, sizeof(blob)));
    g_test_message("a leading zero byte after %d tickets", tries);
}

static void test_check(void)
{
    g_assert_true(sc_ticket_check("secret", "secret"));
    g_assert_true(sc_ticket_check("", ""));
    g_assert_false(sc_ticket_check("secret", "secreT"));
    g_assert_false(sc_ticket_check("secret", "secret2"));
    g_assert_false(sc_ticket_check("secret", "secre"));
    g_assert_false(sc_ticket_check("secret", ""));
    g_assert_false(sc_ticket_check(NULL, "x"));
    g_assert_false(sc_ticket_check("x", NULL));
    g_assert_false(sc_ticket_check(NULL, NULL));
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    key = sc_ticket_key_new();
    g_test_add_func("/ticket/pubkey", test_pubkey);
    g_test_add_func("/ticket/roundtrip", test_roundtrip);
    g_test_add_func("/ticket/html5-leading-zero", test_html5_leading_zero);
    g_test_add_func("/ticket/bad", test_bad);
    g_test_add_func("/ticket/check", test_check);
    ret = g_test_run();
    sc_ticket_key_free(key);
    return ret;
}
