/* The built-in agent (server/agent.c): spicecast has no vdagent, so the main
 * channel answers the SPICE agent protocol itself, for monitors config only
 * (the client asks the source for its windows' sizes, as remote-viewer's
 * resize-guest does: monitor i of the config is head i, one window per
 * display channel, spice-server's model).  Everything else an agent would do is ignored.
 * We announce VD_AGENT_CAP_SPARSE_MONITORS_CONFIG: spice-gtk then sends an
 * entry for each of its 16 displays, 0x0 for a disabled one (no window),
 * which leaves that head as it is.
 *
 * The client's AGENT_DATA chunks carry VDAgentMessages (spice/vd_agent.h);
 * each message starts at a chunk boundary (spice-gtk's agent_msg_queue_many)
 * and may span chunks.  All of it is untrusted: a malformed message is
 * refused with a warning, the rest of its chunk dropped, and the session
 * goes on. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sc_agent;

struct sc_agent_ops {
    /* One AGENT_DATA message body for the client. */
    void (*send)(const uint8_t *body, size_t len, void *data);
    /* The client's monitor `head` is WxH: 0 if the source took it,
     * -ENODEV if there is no such head (that monitor is ignored), another
     * -errno if refused. */
    int (*resize)(unsigned head, uint32_t width, uint32_t height, void *data);
};

struct sc_agent *sc_agent_new(const struct sc_agent_ops *ops, void *data);
void sc_agent_free(struct sc_agent *agent);
/* AGENT_START: the client accepts TOKENS AGENT_DATA messages from us. */
void sc_agent_start(struct sc_agent *agent, uint32_t tokens);
/* AGENT_TOKEN: the client accepts N more. */
void sc_agent_add_tokens(struct sc_agent *agent, uint32_t n);
/* One AGENT_DATA chunk; false if (part of) it was refused (logged). */
bool sc_agent_data(struct sc_agent *agent, const uint8_t *chunk, size_t len);
