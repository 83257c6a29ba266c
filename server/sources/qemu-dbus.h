#pragma once
/* The qemu-dbus source in two files sharing this state.  qemu-dbus.c is the
 * bus side: QEMU on the bus, its console, attaching when it comes and goes,
 * input back to the guest; it calls down into qemu-screen.c, the listener
 * side: the peer-to-peer connection QEMU draws through, the shadow of the
 * guest surface and the frames made of it, which reports up through the two
 * hooks at the end of struct qdbus. */

#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>

#include "server/sources/source.h"
#include "server/sources/stale.h"

#define QEMU_NAME "org.qemu"
#define CONSOLE_IFACE "org.qemu.Display1.Console"
#define KEYBOARD_IFACE "org.qemu.Display1.Keyboard"
#define MOUSE_IFACE "org.qemu.Display1.Mouse"
#define LISTENER_IFACE "org.qemu.Display1.Listener"
#define LISTENER_PATH "/org/qemu/Display1/Listener"
#define CALL_TIMEOUT_MS 5000
#define MAX_DIM 16384
#define POOL_FRAMES 4
#define RETRY_MS 5
#define REATTACH_MS 1000 /* after QEMU closed the display connection */
#define MAX_HELD_UPDATES 128 /* a mode change's first updates: VGA text is 25 rows */

struct qdbus {
    struct sc_source base;
    char *address;
    unsigned console;
    char *console_path;
    GDBusConnection *bus;
    char *owner; /* QEMU's unique name; NULL while it is away */
    guint name_watch;
    GDBusProxy *mouse;
    bool lost; /* no display connection to QEMU: the notice is shown */
    guint props_sub; /* the Console's PropertiesChanged: a new size */
    GPtrArray *held; /* struct held_update: beyond the scanout, for the next size */
    bool size_asked;
    GCancellable *attach_cancel; /* the console/mouse/listener sequence */
    guint reattach;
    /* the peer-to-peer listener connection */
    GCancellable *cancel;
    GDBusConnection *peer;
    guint peer_reg;
    guint peer_reg2; /* the ScanoutDMABUF2 interface (qemu-planes.h) */
    gulong peer_closed_id;
    bool running;
    /* shadow of the guest surface, XRGB8888, stride w*4 */
    uint32_t w, h;
    uint8_t *shadow;
    struct sc_frame_pool *pool;
    struct sc_frame damage; /* damage accumulator only: no buffer */
    struct sc_stale stale; /* a reused pool frame gets only this copied */
    bool dirty;
    GSource *emit;
    uint64_t seq;
    /* dma-buf scanout (gl=on) */
    struct sc_frame *dmabuf;
    /* input */
    uint32_t buttons;
    int32_t px, py;
    bool have_pos;
    bool warned_format;
    /* set by qemu-dbus.c, called by qemu-screen.c: the display connection
     * closed (after the notice went out); updates came beyond the scanout
     * and the console's size is needed (answer with sc_qdbus_set_size) */
    void (*peer_closed)(struct qdbus *q);
    void (*size_needed)(struct qdbus *q);
};


/* qemu-screen.c */
void sc_qdbus_screen_init(struct qdbus *q);
void sc_qdbus_screen_finish(struct qdbus *q);
/* Shows the shadow (or dma-buf) again, e.g. when the source restarts. */
void sc_qdbus_screen_show(struct qdbus *q);
/* Stopped: nothing more is emitted; held updates are dropped. */
void sc_qdbus_screen_stop(struct qdbus *q);
/* Console.RegisterListener with one end of a new socketpair; QEMU then
 * draws through the other (q->owner, q->cancel must be set). */
bool sc_qdbus_register_listener(struct qdbus *q);
void sc_qdbus_drop_peer(struct qdbus *q);
/* One notice frame instead of a frozen picture (once, while running). */
void sc_qdbus_source_lost(struct qdbus *q, const char *why);
/* The console's size as QEMU reports it: resizes, replays held updates. */
void sc_qdbus_set_size(struct qdbus *q, uint32_t w, uint32_t h);
