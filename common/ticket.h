/* SPICE ticket (password) authentication, PROTOCOL.md 1.7.
 *
 * Server: a 1024-bit RSA key whose DER SubjectPublicKeyInfo (162 bytes) goes
 * into SpiceLinkReply.pub_key; the client's 128-byte blob is RSA-OAEP
 * (SHA-1, MGF1-SHA-1, empty label) of the password plus its NUL.
 * Client: encrypts a password for the server's key.  OpenSSL 3 EVP only. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_TICKET_PUBKEY_BYTES 162
#define SC_TICKET_BLOB_BYTES 128
#define SC_TICKET_MAX_SHIFT 4 /* spice-html5's dropped leading zero bytes */
#define SC_TICKET_MAX_PASSWORD 60 /* SPICE_MAX_PASSWORD_LENGTH: spice-gtk's limit */

struct sc_ticket_key;

/* Generates a fresh 1024-bit RSA key (e = 65537); NULL on failure. */
struct sc_ticket_key *sc_ticket_key_new(void);
void sc_ticket_key_free(struct sc_ticket_key *key);
/* Writes the DER SubjectPublicKeyInfo; false if it is not exactly 162 bytes. */
bool sc_ticket_key_get_pubkey(const struct sc_ticket_key *key, uint8_t out[SC_TICKET_PUBKEY_BYTES]);
/* Decrypts a client blob.  Returns the plaintext, NUL-terminated, malloc'd
 * (free with free()), cut at its first NUL; NULL if it does not decrypt.
 * A blob as spice-html5 sends a ciphertext that begins with zero bytes
 * (those dropped, zeros appended: up to SC_TICKET_MAX_SHIFT) is taken too. */
char *sc_ticket_decrypt(const struct sc_ticket_key *key, const uint8_t *blob, size_t len);

/* Client: encrypts password + NUL for the DER SPKI `pubkey` (an RSA key of
 * 1024 bits).  A NULL password is the empty one.  False on a bad key or a
 * password longer than SC_TICKET_MAX_PASSWORD. */
bool sc_ticket_encrypt(const uint8_t *pubkey, size_t pubkey_len, const char *password,
                       uint8_t out[SC_TICKET_BLOB_BYTES]);

/* Compares two passwords in time independent of their contents and lengths.
 * NULL never matches. */
bool sc_ticket_check(const char *expected, const char *given);
