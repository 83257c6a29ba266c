/* A fake QEMU for the qemu-dbus source's tests: a thread that owns org.qemu
 * on a private bus (its address in fake.address, set before fake_start()),
 * exports Console_0 with the Console, Keyboard and Mouse interfaces, and,
 * once RegisterListener hands it a socket, calls the listener as QEMU does
 * (peer_call).  Input calls it gets are kept as text in fake.calls. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#define FAKE_W 64
#define FAKE_H 48
#define FAKE_PATH "/org/qemu/Display1/Console_0"

/* The fake QEMU, on its own thread and main context; lock guards what the
 * two threads share. */
struct fake_qemu {
    GMutex lock;
    GCond cond;
    bool ready;
    char *address;
    GMainContext *ctx;
    GMainLoop *loop;
    GDBusConnection *bus;
    GDBusConnection *peer;
    GPtrArray *calls; /* "Keyboard.Press 1c", "Mouse.RelMotion 5 2", ... */
    bool absolute;
    uint32_t width, height; /* the Console's Width and Height */
};
extern struct fake_qemu fake;

/* Starts the fake's thread and waits until it owns org.qemu. */
GThread *fake_start(void);
/* Stops it and drops its listener connection. */
void fake_stop(GThread *t);
/* Iterates our main context until cond() or a 5 s timeout (then aborts). */
void wait_until(bool (*cond)(void *), void *arg, const char *what);
/* The source has registered its listener (cond for wait_until). */
bool have_peer(void *arg);
/* The fake got exactly these input calls (and no more in 50 ms); clears them. */
void expect_calls(const char *const *want);
/* A listener method call from "QEMU" on interface iface (peer_call: the
 * Listener interface), answered by the source; asserts it succeeded. */
void peer_call_iface(const char *iface, const char *method, GVariant *params, GUnixFDList *fds);
void peer_call(const char *method, GVariant *params, GUnixFDList *fds);
