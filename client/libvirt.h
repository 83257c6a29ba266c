/* A libvirt domain's SPICE display, found as virt-viewer finds it:
 *   viewer --attach DOMAIN        virDomainOpenGraphicsFD, one socket per
 *                                 channel (works with <listen type='none'/>)
 *   viewer -c URI DOMAIN          the listen address in the live domain XML
 * Without libvirt at build time every call fails with a message saying so. */
#pragma once
#include <stdbool.h>

#include <stdint.h>

#include <glib.h>

struct sc_libvirt;

/* Where the domain's SPICE server listens (its <graphics type='spice'>). */
struct sc_libvirt_address {
    char *host;      /* the listen address; a wildcard one: the URI's host or localhost */
    int port;        /* 0: none */
    int tls_port;    /* 0: none */
    char *unix_path; /* <listen type='socket'>; host is NULL then */
    char *password;  /* passwd=, where libvirt lets us read it; else NULL */
};

/* Whether this build has libvirt. */
bool sc_libvirt_available(void);
/* Connects to libvirt at uri (NULL: libvirt's default, as virsh) and finds
 * the running domain by id, UUID or name.  NULL + error: a message naming
 * what is missing (libvirtd, the domain, its SPICE display). */
struct sc_libvirt *sc_libvirt_open(const char *uri, const char *domain, GError **error);
void sc_libvirt_close(struct sc_libvirt *lv);
/* The domain's name (as libvirt has it). */
const char *sc_libvirt_name(const struct sc_libvirt *lv);
/* A new connected socket to the domain's SPICE server, through libvirtd
 * (VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH, as virt-viewer); the caller owns it.
 * -1 + error.  Its signature is sc_client_options.open_fd's. */
int sc_libvirt_open_fd(void *lv, uint8_t channel_type, GError **error);
/* The listen address of the domain's SPICE display from its live XML;
 * false + error when it has none (<listen type='none'/>: use --attach). */
bool sc_libvirt_address(struct sc_libvirt *lv, struct sc_libvirt_address *addr, GError **error);
void sc_libvirt_address_clear(struct sc_libvirt_address *addr);
/* The same from a domain XML text (domain name and libvirt URI for
 * messages and a wildcard address): what sc_libvirt_address() does with
 * the live XML, here for the tests; built with or without libvirt. */
bool sc_libvirt_xml_address(const char *xml, const char *name, const char *uri,
                            struct sc_libvirt_address *addr, GError **error);
