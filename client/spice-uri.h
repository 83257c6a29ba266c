/* SPICE URIs as spice-gtk's SpiceSession parses them (spice_parse_uri in
 * spice-session.c), so that what remote-viewer takes works here:
 *   spice://[USER@]HOST[:PORT][/][?|;]KEY=VALUE[&|;]...  keys port,
 *       tls-port, password, in any order, each at most once; an empty
 *       value (tls-port=) is as if absent; an unknown key is an error
 *   spice://[IPV6]:PORT            the address in brackets
 *   spice+tls://HOST:PORT          the port in the authority is the TLS
 *                                  port; port= is refused
 *   spice+unix:///PATH             a unix socket, the rest taken as is
 * A URI without any port (spice://HOST) is an error, as in spice-gtk.
 * Values are %-unescaped; ports must be 1..65535. */
#pragma once
#include <stdbool.h>

#include <glib.h>

struct sc_spice_uri {
    char *host;      /* NULL for a unix socket; IPv6 without brackets */
    int port;        /* plain port, 0: none */
    int tls_port;    /* TLS port, 0: none */
    char *unix_path; /* spice+unix:// */
    char *username;  /* USER@ (spice-gtk keeps it for SASL; unused here) */
    char *password;  /* password= */
};

/* false + error (G_IO_ERROR_INVALID_ARGUMENT, one line naming the fault);
 * out is then cleared.  Warnings spice-gtk gives (password in a URI) are
 * not ours to print. */
bool sc_spice_uri_parse(const char *uri, struct sc_spice_uri *out, GError **error);
/* Frees the strings (the password wiped first); out stays usable. */
void sc_spice_uri_clear(struct sc_spice_uri *u);
