/* The built-in agent: monitors config only (server/agent.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <spice/vd_agent.h>

#include "server/agent.h"
#include "common/log.h"
#include "common/wire.h"

#define HDR_SIZE 20          /* VDAgentMessage: protocol, type, opaque(64), size */
#define MAX_MONITORS 16      /* more is refused */
#define MAX_KEPT 512         /* the largest message we read whole */
#define MAX_DIM 16384        /* a monitor larger than this is refused */
#define MAX_WARNINGS 16      /* per client: then refusals are not logged */

/* A refusal, logged the first MAX_WARNINGS times (a client cannot flood
 * the log). */
#define agent_warn(a, ...)                                                             \
    do {                                                                               \
        if ((a)->warnings < MAX_WARNINGS) {                                            \
            sc_warn(__VA_ARGS__);                                                      \
            if (++(a)->warnings == MAX_WARNINGS)                                       \
                sc_warn("agent: further refusals from this client are not logged");    \
        }                                                                              \
    } while (0)

struct sc_agent {
    const struct sc_agent_ops *ops;
    void *data;
    bool started;
    uint32_t tokens; /* AGENT_DATA messages the client still takes */
    bool in_msg;     /* inside a message's body */
    bool keep;       /* its body is read into buf (else skipped) */
    uint32_t type, size, got;
    unsigned warnings; /* refusals logged */
    uint8_t buf[MAX_KEPT];
};

struct sc_agent *sc_agent_new(const struct sc_agent_ops *ops, void *data)
{
    struct sc_agent *a = g_new0(struct sc_agent, 1);

    a->ops = ops;
    a->data = data;
    return a;
}

void sc_agent_free(struct sc_agent *agent)
{
    g_free(agent);
}

void sc_agent_start(struct sc_agent *a, uint32_t tokens)
{
    a->started = true;
    a->tokens = tokens;
    a->in_msg = false;
}

void sc_agent_add_tokens(struct sc_agent *a, uint32_t n)
{
    a->tokens = n > UINT32_MAX - a->tokens ? UINT32_MAX : a->tokens + n;
}

static void send_msg(struct sc_agent *a, uint32_t type, const void *payload, uint32_t size)
{
    struct sc_writer w;
    size_t len;
    uint8_t *body;

    if (a->tokens == 0) {
        agent_warn(a, "agent: client gave no tokens, message %u dropped", type);
        return;
    }
    a->tokens--;
    sc_writer_init(&w);
    sc_write_u32(&w, VD_AGENT_PROTOCOL);
    sc_write_u32(&w, type);
    sc_write_u64(&w, 0);
    sc_write_u32(&w, size);
    sc_write_bytes(&w, payload, size);
    body = sc_writer_steal(&w, &len);
    a->ops->send(body, len, a->data);
    g_free(body);
}

static void send_reply(struct sc_agent *a, uint32_t type, bool ok)
{
    uint8_t r[8];
    uint32_t v[2] = { GUINT32_TO_LE(type),
                      GUINT32_TO_LE(ok ? VD_AGENT_SUCCESS : VD_AGENT_ERROR) };

    memcpy(r, v, sizeof(r));
    send_msg(a, VD_AGENT_REPLY, r, sizeof(r));
}

static bool handle_caps(struct sc_agent *a, const uint8_t *p, uint32_t size)
{
    struct sc_reader r;
    uint8_t caps[8];
    /* sparse: spice-gtk then sends all its 16 displays, a disabled one as
     * 0x0, so monitor i stays head i (without it the enabled ones are
     * packed, and with head 0 closed head 1's size would go to head 0) */
    uint32_t v[2] = { 0, GUINT32_TO_LE((1u << VD_AGENT_CAP_MONITORS_CONFIG) |
                                       (1u << VD_AGENT_CAP_SPARSE_MONITORS_CONFIG)) };

    if (size < 8 || (size - 4) % 4 != 0) {
        agent_warn(a, "agent: capabilities of %u bytes refused", size);
        return false;
    }
    sc_reader_init(&r, p, size);
    if (sc_read_u32(&r) == 0) /* no request: nothing to answer */
        return true;
    memcpy(caps, v, sizeof(caps));
    send_msg(a, VD_AGENT_ANNOUNCE_CAPABILITIES, caps, sizeof(caps));
    return true;
}

/* Monitor i to head i, a disabled (0x0) one left as it is; the reply says
 * whether every head asked took it (and one was asked, unless all are
 * disabled). */
static void resize_heads(struct sc_agent *a, struct sc_reader *r, uint32_t n)
{
    bool ok = true, any = false;
    uint32_t enabled = 0;

    for (uint32_t i = 0; i < n; i++) {
        struct sc_reader m = *r;
        uint32_t h, w;
        int e;

        sc_read_skip(&m, (size_t)i * sizeof(VDAgentMonConfig));
        h = sc_read_u32(&m); /* VDAgentMonConfig: height first */
        w = sc_read_u32(&m);
        if (w == 0 && h == 0) /* disabled (sparse config) */
            continue;
        if (enabled++ == 0 && i == 0)
            sc_info("agent: client asks for %ux%u (%u monitor%s)", w, h, n, n > 1 ? "s" : "");
        else
            sc_info("agent: client asks for %ux%u on head %u", w, h, i);
        e = a->ops->resize(i, w, h, a->data);
        if (e == -ENODEV)
            continue;
        any = true;
        ok = ok && e == 0;
    }
    send_reply(a, VD_AGENT_MONITORS_CONFIG, ok && (any || enabled == 0));
}

static bool handle_monitors(struct sc_agent *a, const uint8_t *p, uint32_t size)
{
    const uint32_t known = VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS |
                           VD_AGENT_CONFIG_MONITORS_FLAG_PHYSICAL_SIZE;
    struct sc_reader r;
    uint32_t n, flags, per;

    sc_reader_init(&r, p, size);
    n = sc_read_u32(&r);
    flags = sc_read_u32(&r);
    if (!sc_reader_ok(&r) || n < 1 || n > MAX_MONITORS || (flags & ~known))
        goto err_bad;
    /* the n VDAgentMonConfig, then (PHYSICAL_SIZE) n VDAgentMonitorMM */
    per = sizeof(VDAgentMonConfig) +
          ((flags & VD_AGENT_CONFIG_MONITORS_FLAG_PHYSICAL_SIZE) ? sizeof(VDAgentMonitorMM) : 0);
    if (size != sizeof(VDAgentMonitorsConfig) + n * per)
        goto err_bad;
    for (uint32_t i = 0; i < n; i++) {
        struct sc_reader m = r;
        uint32_t h, w;

        sc_read_skip(&m, (size_t)i * sizeof(VDAgentMonConfig));
        h = sc_read_u32(&m);
        w = sc_read_u32(&m);
        if ((w == 0) != (h == 0) || w > MAX_DIM || h > MAX_DIM) {
            agent_warn(a, "agent: monitor %u size %ux%u refused", i, w, h);
            send_reply(a, VD_AGENT_MONITORS_CONFIG, false);
            return false;
        }
    }
    resize_heads(a, &r, n);
    return true;

err_bad:
    agent_warn(a, "agent: malformed monitors config refused (%u monitors, flags %#x, %u bytes)",
            n, flags, size);
    send_reply(a, VD_AGENT_MONITORS_CONFIG, false);
    return false;
}

static bool dispatch(struct sc_agent *a)
{
    switch (a->type) {
    case VD_AGENT_ANNOUNCE_CAPABILITIES:
        return handle_caps(a, a->buf, a->size);
    case VD_AGENT_MONITORS_CONFIG:
        return handle_monitors(a, a->buf, a->size);
    default:
        sc_debug("agent: message type %u (%u bytes) ignored", a->type, a->size);
        return true;
    }
}

/* Reads a message header at *p; false if refused. */
static bool begin_msg(struct sc_agent *a, const uint8_t **p, size_t *len)
{
    struct sc_reader r;
    uint32_t protocol;

    if (*len < HDR_SIZE) {
        agent_warn(a, "agent: message header of %zu bytes refused", *len);
        return false;
    }
    sc_reader_init(&r, *p, HDR_SIZE);
    protocol = sc_read_u32(&r);
    a->type = sc_read_u32(&r);
    sc_read_u64(&r);
    a->size = sc_read_u32(&r);
    *p += HDR_SIZE;
    *len -= HDR_SIZE;
    if (protocol != VD_AGENT_PROTOCOL || a->type == 0 || a->type >= VD_AGENT_END_MESSAGE) {
        agent_warn(a, "agent: message protocol %u type %u refused", protocol, a->type);
        return false;
    }
    a->keep = a->type == VD_AGENT_ANNOUNCE_CAPABILITIES || a->type == VD_AGENT_MONITORS_CONFIG;
    if (a->keep && a->size > MAX_KEPT) {
        agent_warn(a, "agent: message type %u of %u bytes refused", a->type, a->size);
        return false;
    }
    a->got = 0;
    a->in_msg = true;
    return true;
}

bool sc_agent_data(struct sc_agent *a, const uint8_t *p, size_t len)
{
    bool ok = true;

    if (!a->started) {
        agent_warn(a, "agent: data before AGENT_START refused");
        return false;
    }
    while (len > 0 || (a->in_msg && a->got == a->size)) {
        size_t n;

        if (!a->in_msg && !begin_msg(a, &p, &len))
            return false;
        n = MIN(len, (size_t)(a->size - a->got));
        if (a->keep)
            memcpy(a->buf + a->got, p, n);
        a->got += (uint32_t)n;
        p += n;
        len -= n;
        if (a->got == a->size) {
            a->in_msg = false;
            ok = dispatch(a) && ok;
        }
    }
    return ok;
}
