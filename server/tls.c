/* TLS set-up, named as QEMU names it: an x509 directory with ca-cert.pem,
 * server-cert.pem and server-key.pem, and the channels that must be linked
 * over TLS (--secure-channels, QEMU's tls-channel).  Everything wrong is
 * said at start, in one line that names the file. */
#include "config.h"

#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spice/protocol.h>

#include "server/tls.h"

static bool readable_file(const char *path, GError **error)
{
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no such file", path);
        return false;
    }
    return true;
}

/* No passphrase prompt on the terminal: an encrypted key is an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *data)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)data;
    return 0;
}

/* GIO TLS does not check that the key belongs to the certificate: a wrong
 * key would only show as every handshake failing.  OpenSSL can tell. */
static bool key_matches(const char *cert_path, const char *key_path, GError **error)
{
    FILE *fc = fopen(cert_path, "r"), *fk = fopen(key_path, "r");
    X509 *x = fc ? PEM_read_X509(fc, NULL, NULL, NULL) : NULL;
    EVP_PKEY *k = fk ? PEM_read_PrivateKey(fk, NULL, no_passphrase, NULL) : NULL;
    bool ok = x && k && X509_check_private_key(x, k) == 1;

    if (!ok)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s is not the private key of %s", key_path, cert_path);
    X509_free(x);
    EVP_PKEY_free(k);
    if (fc)
        fclose(fc);
    if (fk)
        fclose(fk);
    return ok;
}

static bool signed_by_ca(GTlsCertificate *cert, const char *ca_path, const char *cert_path,
                         GError **error)
{
    GList *cas = g_tls_certificate_list_new_from_file(ca_path, error);
    GTlsCertificateFlags flags = G_TLS_CERTIFICATE_UNKNOWN_CA;

    if (!cas) {
        if (error && !*error)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: no certificate in it",
                        ca_path);
        else
            g_prefix_error(error, "%s: ", ca_path);
        return false;
    }
    for (GList *l = cas; l && (flags & G_TLS_CERTIFICATE_UNKNOWN_CA); l = l->next)
        flags = g_tls_certificate_verify(cert, NULL, l->data);
    g_list_free_full(cas, g_object_unref);
    if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not signed by %s",
                    cert_path, ca_path);
    } else if (flags & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is %s", cert_path,
                    flags & G_TLS_CERTIFICATE_EXPIRED ? "expired" : "not valid yet");
    } else if (flags) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s does not verify against %s (GTlsCertificateFlags 0x%x)", cert_path,
                    ca_path, (unsigned)flags);
    }
    return !flags;
}

GTlsCertificate *sc_tls_load_x509_dir(const char *dir, GError **error)
{
    g_autofree char *ca = g_build_filename(dir, "ca-cert.pem", NULL);
    g_autofree char *crt = g_build_filename(dir, "server-cert.pem", NULL);
    g_autofree char *key = g_build_filename(dir, "server-key.pem", NULL);
    GTlsCertificate *cert;

    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "x509 dir %s: not a directory", dir);
        return NULL;
    }
    if (!readable_file(ca, error) || !readable_file(crt, error) || !readable_file(key, error))
        return NULL;
    if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "GIO has no TLS backend here (Debian package glib-networking)");
        return NULL;
    }
    cert = g_tls_certificate_new_from_files(crt, key, error);
    if (!cert) {
        g_prefix_error(error, "%s, %s: ", crt, key);
        return NULL;
    }
    if (!key_matches(crt, key, error) || !signed_by_ca(cert, ca, crt, error)) {
        g_object_unref(cert);
        return NULL;
    }
    return cert;
}

bool sc_parse_secure_channels(const char *list, uint32_t *mask, GError **error)
{
    static const struct { const char *name; uint8_t type; } names[] = {
        { "main", SPICE_CHANNEL_MAIN }, { "display", SPICE_CHANNEL_DISPLAY },
        { "inputs", SPICE_CHANNEL_INPUTS }, { "cursor", SPICE_CHANNEL_CURSOR },
    };
    g_auto(GStrv) parts = g_strsplit(list ? list : "", ",", -1);

    *mask = 0;
    for (char **p = parts; *p; p++) {
        const char *n = g_strstrip(*p);
        bool known = false;

        if (!strcmp(n, "all")) {
            for (unsigned i = 0; i < G_N_ELEMENTS(names); i++)
                *mask |= 1u << names[i].type;
            continue;
        }
        for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
            if (!strcmp(n, names[i].name)) {
                *mask |= 1u << names[i].type;
                known = true;
            }
        }
        if (!known && *n) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "secure channels: unknown channel '%s' (main, display, inputs, cursor "
                        "or all)", n);
            return false;
        }
    }
    return true;
}
