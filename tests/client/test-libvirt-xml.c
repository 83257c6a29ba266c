/* viewer -c URI DOMAIN: a live domain XML's <graphics type='spice'> read as
 * virt-viewer reads it (client/libvirt.c, sc_libvirt_xml_address): port,
 * tlsPort, listen= or <listen type='address|socket|none'>, a wildcard
 * address replaced by the URI's host, passwd=; the SPICE one among other
 * <graphics>; the errors say what is missing. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <gio/gio.h>

#include "client/libvirt.h"

#define DOM(devices) "<domain type='qemu' id='3'><name>vm</name><devices>" devices \
                     "</devices></domain>"

static void check(const char *xml, const char *uri, const char *host, int port, int tls_port,
                  const char *unix_path, const char *password)
{
    struct sc_libvirt_address a;
    g_autoptr(GError) error = NULL;

    g_assert_true(sc_libvirt_xml_address(xml, "vm", uri, &a, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(a.host, ==, host);
    g_assert_cmpint(a.port, ==, port);
    g_assert_cmpint(a.tls_port, ==, tls_port);
    g_assert_cmpstr(a.unix_path, ==, unix_path);
    g_assert_cmpstr(a.password, ==, password);
    sc_libvirt_address_clear(&a);
}

static void refused(const char *xml, const char *message)
{
    struct sc_libvirt_address a;
    g_autoptr(GError) error = NULL;

    g_assert_false(sc_libvirt_xml_address(xml, "vm", "qemu:///system", &a, &error));
    g_assert_nonnull(error);
    if (!strstr(error->message, message))
        g_error("'%s' does not say '%s'", error->message, message);
    g_assert_null(a.host);
    g_assert_null(a.password);
}

static void test_address(void)
{
    /* libvirt's live XML: the port it picked, the listen attribute and child */
    check(DOM("<graphics type='spice' port='5901' autoport='yes' listen='127.0.0.1'>"
              "<listen type='address' address='127.0.0.1'/></graphics>"),
          "qemu:///system", "127.0.0.1", 5901, 0, NULL, NULL);
    /* the child wins over the attribute; IPv6; TLS port; passwd (XML_SECURE) */
    check(DOM("<graphics type='spice' port='5902' tlsPort='5903' listen='10.0.0.1' passwd='pw'>"
              "<listen type='address' address='::1'/></graphics>"),
          "qemu:///system", "::1", 5902, 5903, NULL, "pw");
    /* TLS only */
    check(DOM("<graphics type='spice' port='-1' tlsPort='5904' listen='127.0.0.1'/>"),
          "qemu:///system", "127.0.0.1", 0, 5904, NULL, NULL);
}

static void test_wildcard(void)
{
    const char *any = DOM("<graphics type='spice' port='5905'>"
                          "<listen type='address' address='0.0.0.0'/></graphics>");

    check(any, "qemu+tcp://host.example/system", "host.example", 5905, 0, NULL, NULL);
    check(any, "qemu:///system", "localhost", 5905, 0, NULL, NULL);
    check(DOM("<graphics type='spice' port='5906' listen='::'/>"), "qemu+ssh://root@h2/system",
          "h2", 5906, 0, NULL, NULL);
    /* no listen address at all: QEMU's default, every address */
    check(DOM("<graphics type='spice' port='5907'/>"), "qemu:///system", "localhost", 5907, 0,
          NULL, NULL);
}

static void test_socket(void)
{
    check(DOM("<graphics type='spice'><listen type='socket' socket='/run/vm.sock'/></graphics>"),
          "qemu:///system", NULL, 0, 0, "/run/vm.sock", NULL);
}

static void test_which_graphics(void)
{
    /* VNC first, then SPICE: the SPICE one's address, not VNC's port; a
     * <listen> of the VNC one is not taken */
    check(DOM("<graphics type='vnc' port='5910'><listen type='address' address='10.1.1.1'/>"
              "</graphics><video/><graphics type='spice' port='5911'>"
              "<listen type='address' address='127.0.0.1'/></graphics>"),
          "qemu:///system", "127.0.0.1", 5911, 0, NULL, NULL);
    /* <graphics> outside <devices> (a nested element elsewhere) is not one */
    refused("<domain><metadata><graphics type='spice' port='5912'/></metadata>"
            "<devices><graphics type='vnc' port='5913'/></devices></domain>",
            "domain 'vm' has no SPICE display (its <graphics> is 'vnc')");
}

static void test_refused(void)
{
    refused(DOM("<graphics type='spice'><listen type='none'/></graphics>"),
            "listens nowhere (<listen type='none'/>): use --attach");
    refused(DOM("<graphics type='spice' port='-1' autoport='yes'/>"), "has no port");
    refused(DOM("<graphics type='spice' port='99999' listen='127.0.0.1'/>"), "has no port");
    refused(DOM("<video/>"), "domain 'vm' has no SPICE display");
    refused("<domain><devices><graphics type='spice' port='1'", "");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libvirt-xml/address", test_address);
    g_test_add_func("/libvirt-xml/wildcard", test_wildcard);
    g_test_add_func("/libvirt-xml/socket", test_socket);
    g_test_add_func("/libvirt-xml/which-graphics", test_which_graphics);
    g_test_add_func("/libvirt-xml/refused", test_refused);
    return g_test_run();
}
