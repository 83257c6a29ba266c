/* TLS set-up (server/tls.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>

/* The x509 dir's certificate and key (checked against its CA) and the
 * --secure-channels list; false + error that says what is wrong. */
GTlsCertificate *sc_tls_load_x509_dir(const char *dir, GError **error);
bool sc_parse_secure_channels(const char *list, uint32_t *mask, GError **error);
