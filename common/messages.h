/* SPICE wire messages: one writer and one parser per message.
 *
 * Writers append a message *body* to a sc_writer.  SPICE pointers inside a
 * body are offsets from the body start; a writer takes the body start to be
 * w->size at entry, so call it right after sc_msg_begin().  Parsers take the
 * body bytes and return false on any malformed input (short, pointer out of
 * bounds, absurd count); they never read outside [body, body+len).
 *
 * Message ids and enums are spice-protocol's (<spice/enums.h>,
 * <spice/protocol.h>).  Layouts: ../shared/design/PROTOCOL.md. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <spice/enums.h>
#include <spice/protocol.h>

#include "common/wire.h"

/* ---- capabilities ------------------------------------------------------ */

#define SC_CAPS_MAX_WORDS 4 /* words kept; more on the wire are skipped */

/* spicecast's own display capability: the client maps a shared-memory
 * scanout (a memfd sealed against shrinking, F_SEAL_SHRINK) passed with
 * GL_SCANOUT_UNIX, as our viewer does.  spice-gtk imports only dma-bufs
 * (through EGL), so a client without it gets memfd frames as pixels.  Bit
 * 31 of the first word: far from SPICE's own (SPICE_DISPLAY_CAP_CODEC_H265
 * = 14 is the last in spice-protocol 0.14), and SPICE peers ignore the caps
 * they do not know. */
#define SC_DISPLAY_CAP_SHM_SCANOUT 31
/* spicecast's own display capability: the client reads its display socket
 * with a control buffer on every read and queues the fds it gets (the
 * FIFO reader of PROTOCOL.md 5.12, client rule B, as our viewer does), so
 * GL_SCANOUT_UNIX's fd may ride on the message's first byte: its header,
 * '@' byte, fd and the GL_DRAW then go in one sendmsg().  Without it the
 * fd comes with the '@' byte alone, as spice-gtk needs (two calls). */
#define SC_DISPLAY_CAP_SCANOUT_FD_FIFO 30
/* spicecast's own display capability: a packet the client drops (its
 * bounded decode queue was full, a decoder failed) makes it skip to the next
 * keyframe, as our viewer does; so a STREAM_REPORT with drops asks for one,
 * and the server sends it one (at most one a second).  spice-gtk decodes
 * every packet it gets, late or not: it needs none. */
#define SC_DISPLAY_CAP_KEYFRAME_ON_DROP 29
/* spicecast's own display capability: the client takes
 * SC_MSG_DISPLAY_FRAME_TIMES (below), the server's stages of each streamed
 * frame, as our viewer does for its --stats and stats overlay.  Without it
 * the server sends none: SPICE clients never see that message. */
#define SC_DISPLAY_CAP_FRAME_TIMES 28

/* spicecast's own display message (server -> client), sent only to a
 * client with SC_DISPLAY_CAP_FRAME_TIMES, right after a streamed frame's
 * last STREAM_DATA: where the frame was in the server, each stage in µs
 * since its capture time (sc_frame.time_us), -1 when not known.  When a
 * frame's last byte is written is known only once it is out, so the
 * message carries that stage for the latest frame whose bytes are all out
 * when it is sent (written_frame, written_us: this frame when the socket
 * took it at once, else often the previous one; -1: none of the two).
 * Layout (little-endian, 36 bytes): stream_id u32, frame u32 (the source's
 * frame number, low 32 bits), us[SC_FRAME_STAGES] i32, written_frame u32,
 * written_us i32; a parser ignores bytes after them (room for more).  The id is far above SPICE's display messages
 * (SPICE_MSG_END_DISPLAY is 320 in spice-protocol 0.14). */
#define SC_MSG_DISPLAY_FRAME_TIMES 0x7f00
enum sc_frame_stage {
    SC_FRAME_SOURCE,       /* the server's display got it */
    SC_FRAME_DISPLAY,      /* handed to the encoder */
    SC_FRAME_ENCODE_START,
    SC_FRAME_ENCODE_END,
    SC_FRAME_QUEUED,       /* its first byte queued for this client */
    SC_FRAME_STAGES
};
struct sc_frame_times {
    uint32_t stream_id;
    uint32_t frame;
    int32_t us[SC_FRAME_STAGES];
    uint32_t written_frame;
    int32_t written_us;
};
void sc_frame_times_write(struct sc_writer *w, const struct sc_frame_times *m);
bool sc_frame_times_parse(const uint8_t *body, size_t len, struct sc_frame_times *m);

struct sc_caps {
    uint32_t n_common;
    uint32_t n_channel;
    uint32_t common[SC_CAPS_MAX_WORDS];
    uint32_t channel[SC_CAPS_MAX_WORDS];
};

bool sc_caps_test(const uint32_t *words, uint32_t n_words, unsigned cap);
void sc_caps_set(uint32_t *words, uint32_t *n_words, unsigned cap);
#define sc_caps_has_common(c, cap) sc_caps_test((c)->common, (c)->n_common, (cap))
#define sc_caps_has_channel(c, cap) sc_caps_test((c)->channel, (c)->n_channel, (cap))

/* ---- link stage ---------------------------------------------------------- */

#define SC_LINK_HEADER_SIZE 16
#define SC_LINK_MESS_SIZE 18
#define SC_LINK_REPLY_SIZE 178
#define SC_TICKET_PUBKEY_SIZE SPICE_TICKET_PUBKEY_BYTES /* 162 */
#define SC_TICKET_SIZE 128
#define SC_LINK_MAX_SIZE 4096

struct sc_link_header {
    uint32_t magic;
    uint32_t major;
    uint32_t minor;
    uint32_t size;
};

/* Writes the 16-byte header; magic/major/minor are SPICE's. */
void sc_link_header_write(struct sc_writer *w, uint32_t size);
/* Parses 16 bytes.  Returns SPICE_LINK_ERR_OK or the error a server answers
 * (INVALID_MAGIC, VERSION_MISMATCH, INVALID_DATA for a size outside
 * [18, SC_LINK_MAX_SIZE]). */
int sc_link_header_parse(const uint8_t *buf, size_t len, struct sc_link_header *h);

struct sc_link_mess {
    uint32_t connection_id;
    uint8_t channel_type;
    uint8_t channel_id;
    struct sc_caps caps;
};

/* Writes link header + SpiceLinkMess + caps (a whole client hello). */
void sc_link_mess_write(struct sc_writer *w, const struct sc_link_mess *m);
/* Parses the bytes after the link header; SPICE_LINK_ERR_OK or INVALID_DATA. */
int sc_link_mess_parse(const uint8_t *body, size_t len, struct sc_link_mess *m);

struct sc_link_reply {
    uint32_t error;
    uint8_t pub_key[SC_TICKET_PUBKEY_SIZE];
    struct sc_caps caps;
};

/* Writes link header + SpiceLinkReply + caps (the whole server answer). */
void sc_link_reply_write(struct sc_writer *w, const struct sc_link_reply *r);
int sc_link_reply_parse(const uint8_t *body, size_t len, struct sc_link_reply *r);

/* ---- data framing ------------------------------------------------------- */

#define SC_MINI_HEADER_SIZE 6
#define SC_FULL_HEADER_SIZE 18
#define SC_MAX_MESSAGE_SIZE (64u * 1024 * 1024)

struct sc_data_header {
    uint64_t serial; /* 0 with the mini header */
    uint16_t type;
    uint32_t size;
    uint32_t sub_list;
};

static inline size_t sc_data_header_size(bool mini)
{
    return mini ? SC_MINI_HEADER_SIZE : SC_FULL_HEADER_SIZE;
}
/* Starts a message: writes the header with size 0, returns its offset. */
size_t sc_msg_begin(struct sc_writer *w, bool mini, uint64_t serial, uint16_t type);
/* Ends the message started at `start`: patches its size. */
void sc_msg_end(struct sc_writer *w, size_t start, bool mini);
/* The same when the body (body bytes) is not in w but sent after it. */
void sc_msg_end_sized(struct sc_writer *w, size_t start, bool mini, size_t body);
/* Parses a header of sc_data_header_size(mini) bytes. */
bool sc_data_header_parse(const uint8_t *buf, size_t len, bool mini, struct sc_data_header *h);

/* ---- base messages (every channel) -------------------------------------- */

struct sc_set_ack { uint32_t generation; uint32_t window; };
struct sc_ping { uint32_t id; uint64_t timestamp; uint32_t data_size; /* zero bytes follow */ };
struct sc_notify {
    uint64_t time_stamp;
    uint32_t severity;
    uint32_t visibility;
    uint32_t what;
    const char *message; /* parser: points into the body, not NUL-terminated */
    uint32_t message_len;
};
struct sc_disconnecting { uint64_t time_stamp; uint32_t reason; };

void sc_set_ack_write(struct sc_writer *w, const struct sc_set_ack *m);
bool sc_set_ack_parse(const uint8_t *body, size_t len, struct sc_set_ack *m);
void sc_ack_sync_write(struct sc_writer *w, uint32_t generation);
bool sc_ack_sync_parse(const uint8_t *body, size_t len, uint32_t *generation);
void sc_ping_write(struct sc_writer *w, const struct sc_ping *m);
bool sc_ping_parse(const uint8_t *body, size_t len, struct sc_ping *m);
/* PONG echoes id + timestamp, no data. */
void sc_pong_write(struct sc_writer *w, uint32_t id, uint64_t timestamp);
bool sc_pong_parse(const uint8_t *body, size_t len, uint32_t *id, uint64_t *timestamp);
void sc_notify_write(struct sc_writer *w, const struct sc_notify *m);
bool sc_notify_parse(const uint8_t *body, size_t len, struct sc_notify *m);
void sc_disconnecting_write(struct sc_writer *w, const struct sc_disconnecting *m);
bool sc_disconnecting_parse(const uint8_t *body, size_t len, struct sc_disconnecting *m);

/* ---- main channel ------------------------------------------------------- */

struct sc_main_init {
    uint32_t session_id;
    uint32_t display_channels_hint;
    uint32_t supported_mouse_modes;
    uint32_t current_mouse_mode;
    uint32_t agent_connected;
    uint32_t agent_tokens;
    uint32_t multi_media_time;
    uint32_t ram_hint;
};

#define SC_MAX_CHANNELS_LIST 64
struct sc_channel_id { uint8_t type; uint8_t id; };
struct sc_channels_list {
    uint32_t num;
    struct sc_channel_id channels[SC_MAX_CHANNELS_LIST];
};

struct sc_mouse_mode { uint16_t supported; uint16_t current; };

void sc_main_init_write(struct sc_writer *w, const struct sc_main_init *m);
bool sc_main_init_parse(const uint8_t *body, size_t len, struct sc_main_init *m);
void sc_channels_list_write(struct sc_writer *w, const struct sc_channels_list *m);
bool sc_channels_list_parse(const uint8_t *body, size_t len, struct sc_channels_list *m);
void sc_mouse_mode_write(struct sc_writer *w, const struct sc_mouse_mode *m);
bool sc_mouse_mode_parse(const uint8_t *body, size_t len, struct sc_mouse_mode *m);
void sc_mouse_mode_request_write(struct sc_writer *w, uint16_t mode);
bool sc_mouse_mode_request_parse(const uint8_t *body, size_t len, uint16_t *mode);
void sc_multi_media_time_write(struct sc_writer *w, uint32_t time);
bool sc_multi_media_time_parse(const uint8_t *body, size_t len, uint32_t *time);
/* NAME: name_len u32 (including the NUL), name bytes, NUL. */
void sc_main_name_write(struct sc_writer *w, const char *name);
/* Parser copies at most size-1 bytes and NUL-terminates. */
bool sc_main_name_parse(const uint8_t *body, size_t len, char *name, size_t size);
void sc_main_uuid_write(struct sc_writer *w, const uint8_t uuid[16]);
bool sc_main_uuid_parse(const uint8_t *body, size_t len, uint8_t uuid[16]);

/* ---- display channel ------------------------------------------------------ */

/* A rect in C order; the wire order is top, left, bottom, right. */
struct sc_rect { int32_t left, top, right, bottom; };

#define SC_MAX_CLIP_RECTS 256
struct sc_clip {
    uint8_t type; /* SPICE_CLIP_TYPE_NONE or _RECTS */
    uint32_t num_rects;
    struct sc_rect rects[SC_MAX_CLIP_RECTS]; /* parser keeps at most this many */
};

void sc_rect_write(struct sc_writer *w, const struct sc_rect *r);
struct sc_rect sc_rect_read(struct sc_reader *r);

struct sc_display_init {
    uint8_t pixmap_cache_id;
    int64_t pixmap_cache_size;
    uint8_t glz_dictionary_id;
    int32_t glz_dictionary_window_size;
};

struct sc_surface_create {
    uint32_t surface_id;
    uint32_t width;
    uint32_t height;
    uint32_t format; /* SPICE_SURFACE_FMT_32_xRGB */
    uint32_t flags;  /* SPICE_SURFACE_FLAGS_PRIMARY */
};

#define SC_MAX_MONITORS 16
struct sc_head {
    uint32_t id, surface_id, width, height, x, y, flags;
};
struct sc_monitors_config {
    uint16_t count;
    uint16_t max_allowed;
    struct sc_head heads[SC_MAX_MONITORS];
};

void sc_display_init_write(struct sc_writer *w, const struct sc_display_init *m);
bool sc_display_init_parse(const uint8_t *body, size_t len, struct sc_display_init *m);
void sc_surface_create_write(struct sc_writer *w, const struct sc_surface_create *m);
bool sc_surface_create_parse(const uint8_t *body, size_t len, struct sc_surface_create *m);
void sc_surface_destroy_write(struct sc_writer *w, uint32_t surface_id);
bool sc_surface_destroy_parse(const uint8_t *body, size_t len, uint32_t *surface_id);
void sc_monitors_config_write(struct sc_writer *w, const struct sc_monitors_config *m);
bool sc_monitors_config_parse(const uint8_t *body, size_t len, struct sc_monitors_config *m);
void sc_preferred_compression_write(struct sc_writer *w, uint8_t compression);
bool sc_preferred_compression_parse(const uint8_t *body, size_t len, uint8_t *compression);
/* MARK and RESET have empty bodies: sc_msg_begin + sc_msg_end. */
/* INVAL_ALL_PALETTES, STREAM_DESTROY_ALL: empty bodies too. */

/* Clip on its own (type u8, then num_rects u32 + rects if RECTS).  The reader
 * version returns false on a bad type or rects past the end; it keeps at most
 * SC_MAX_CLIP_RECTS rects (num_rects is then the kept count). */
void sc_clip_write(struct sc_writer *w, const struct sc_clip *c);
bool sc_clip_read(struct sc_reader *r, struct sc_clip *c);

/* DRAW_FILL with a SOLID brush (or NONE when brush_type is 0). */
struct sc_draw_fill {
    uint32_t surface_id;
    struct sc_rect box;
    struct sc_clip clip;
    uint8_t brush_type; /* SPICE_BRUSH_TYPE_SOLID */
    uint32_t color;     /* 0x00RRGGBB */
    uint16_t rop_descriptor;
};
void sc_draw_fill_write(struct sc_writer *w, const struct sc_draw_fill *m);
/* Rejects PATTERN brushes and non-empty masks we cannot honour. */
bool sc_draw_fill_parse(const uint8_t *body, size_t len, struct sc_draw_fill *m);

/* Video streams (PROTOCOL.md 5.8). */
struct sc_stream_create {
    uint32_t surface_id;
    uint32_t id;
    uint8_t flags;      /* SPICE_STREAM_FLAGS_TOP_DOWN */
    uint8_t codec_type; /* SPICE_VIDEO_CODEC_TYPE_* */
    uint64_t stamp;
    uint32_t stream_width, stream_height, src_width, src_height;
    struct sc_rect dest;
    struct sc_clip clip;
};
/* header only: data_size and the payload follow (use sc_write_bytes). */
struct sc_stream_data {
    uint32_t id;
    uint32_t multi_media_time;
    const uint8_t *data; /* parser: points into the body */
    uint32_t data_size;
};
struct sc_stream_data_sized {
    uint32_t id;
    uint32_t multi_media_time;
    uint32_t width, height;
    struct sc_rect dest;
    const uint8_t *data;
    uint32_t data_size;
};
struct sc_stream_activate_report {
    uint32_t stream_id, unique_id, max_window_size, timeout_ms;
};
struct sc_stream_report {
    uint32_t stream_id, unique_id, start_frame_mm_time, end_frame_mm_time;
    uint32_t num_frames, num_drops;
    int32_t last_frame_delay;
    uint32_t audio_delay;
};

void sc_stream_create_write(struct sc_writer *w, const struct sc_stream_create *m);
bool sc_stream_create_parse(const uint8_t *body, size_t len, struct sc_stream_create *m);
/* Writes id, mm_time, data_size and data_size bytes of data. */
void sc_stream_data_write(struct sc_writer *w, const struct sc_stream_data *m);
bool sc_stream_data_parse(const uint8_t *body, size_t len, struct sc_stream_data *m);
void sc_stream_data_sized_write(struct sc_writer *w, const struct sc_stream_data_sized *m);
bool sc_stream_data_sized_parse(const uint8_t *body, size_t len, struct sc_stream_data_sized *m);
void sc_stream_clip_write(struct sc_writer *w, uint32_t id, const struct sc_clip *clip);
bool sc_stream_clip_parse(const uint8_t *body, size_t len, uint32_t *id, struct sc_clip *clip);
void sc_stream_destroy_write(struct sc_writer *w, uint32_t id);
bool sc_stream_destroy_parse(const uint8_t *body, size_t len, uint32_t *id);
void sc_stream_activate_report_write(struct sc_writer *w, const struct sc_stream_activate_report *m);
bool sc_stream_activate_report_parse(const uint8_t *body, size_t len,
                                     struct sc_stream_activate_report *m);
void sc_stream_report_write(struct sc_writer *w, const struct sc_stream_report *m);
bool sc_stream_report_parse(const uint8_t *body, size_t len, struct sc_stream_report *m);

/* PREFERRED_VIDEO_CODEC_TYPE (client): num u8, codecs u8[num]. */
#define SC_MAX_VIDEO_CODECS 16
struct sc_preferred_video_codecs {
    uint8_t num; /* parser keeps at most SC_MAX_VIDEO_CODECS */
    uint8_t codecs[SC_MAX_VIDEO_CODECS];
};
void sc_preferred_video_codecs_write(struct sc_writer *w, const struct sc_preferred_video_codecs *m);
bool sc_preferred_video_codecs_parse(const uint8_t *body, size_t len,
                                     struct sc_preferred_video_codecs *m);

/* GL scanout (5.12).  The fd is not in the body: after the whole message,
 * send one '@' byte carrying it with sc_fd_sendmsg() (common/fdpass.h). */
#define SC_GL_SCANOUT_UNIX_SIZE 20
struct sc_gl_scanout {
    uint32_t width, height, stride;
    uint32_t drm_fourcc_format; /* must be != 0 when sent */
    uint32_t flags;             /* SPICE_GL_SCANOUT_FLAGS_Y0TOP */
};
struct sc_gl_draw { uint32_t x, y, w, h; };
void sc_gl_scanout_unix_write(struct sc_writer *w, const struct sc_gl_scanout *m);
bool sc_gl_scanout_unix_parse(const uint8_t *body, size_t len, struct sc_gl_scanout *m);
/* GL_SCANOUT2_UNIX (spice 0.16: planes, per-plane offsets and strides, the
 * DRM format modifier), sent only to a client with SPICE_DISPLAY_CAP_GL_SCANOUT2.
 * Debian 12's spice-protocol (0.14.3) has neither, so both are defined here.
 * The message and its body are spice.proto's "gl_scanout2_unix" as Qiang
 * Yu's spice-common has it (github.com/yuq/spice-common, spice.proto at
 * commit 8f8539c9b9eb0bb52672a0be673c8dc205b64fef): the display server
 * message after quality_indicator = 322, so 323, with the body below field
 * for field (gl_scanout_flags is a flags32; tests/server/test-gl-planes.c
 * /gl-planes/wire-layout pins it byte by byte).  QEMU passes such scanouts
 * to spice-server's spice_qxl_gl_scanout2() (qemu commit 98a050ca93afd8,
 * "ui/spice: support multi plane dmabuf scanout", spice-server >= 0.15.3).
 * The capability's number is spice-protocol's, of which no public copy with
 * it was found (the GitHub mirrors of spice-protocol, spice, spice-gtk end in
 * 2021): 15, the next after CODEC_H265 = 14, as third-party clients number
 * it too.  The body is 60 bytes:
 *   width u32, height u32, offset[4] u32, stride[4] u32, fourcc u32,
 *   flags u32 (SPICE_GL_SCANOUT_FLAGS_Y0TOP), modifier u64,
 *   num_planes u16, num_dmabuf u16
 * then, as for GL_SCANOUT_UNIX, one '@' byte carrying num_dmabuf fds in one
 * SCM_RIGHTS message.  num_dmabuf is num_planes (one fd a plane) or 1 (all
 * planes in one buffer); plane i uses fd i if i < num_dmabuf, else fd 0
 * (spice-gtk spice-widget-egl.c).  The parser takes 1..4 planes only. */
#ifndef SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX
#define SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX 323
#endif
#ifndef SPICE_DISPLAY_CAP_GL_SCANOUT2
#define SPICE_DISPLAY_CAP_GL_SCANOUT2 15
#endif
#define SC_GL_SCANOUT2_UNIX_SIZE 60
#define SC_GL_MAX_PLANES 4
struct sc_gl_scanout2 {
    uint32_t width, height;
    uint32_t offset[SC_GL_MAX_PLANES], stride[SC_GL_MAX_PLANES];
    uint32_t fourcc; /* != 0 */
    uint32_t flags;  /* SPICE_GL_SCANOUT_FLAGS_Y0TOP */
    uint64_t modifier;
    uint16_t num_planes; /* 1..SC_GL_MAX_PLANES */
    uint16_t num_dmabuf; /* 1 or num_planes */
};
void sc_gl_scanout2_unix_write(struct sc_writer *w, const struct sc_gl_scanout2 *m);
/* false also for 0 or more than SC_GL_MAX_PLANES planes, num_dmabuf other
 * than 1 or num_planes, a zero size, fourcc or stride in use. */
bool sc_gl_scanout2_unix_parse(const uint8_t *body, size_t len, struct sc_gl_scanout2 *m);
void sc_gl_draw_write(struct sc_writer *w, const struct sc_gl_draw *m);
bool sc_gl_draw_parse(const uint8_t *body, size_t len, struct sc_gl_draw *m);
/* GL_DRAW_DONE: empty body. */

/* DRAW_COPY with one image: a raw 32-bit bitmap or an LZ4 image.
 * Pixels are B,G,R,X bytes (SPICE_BITMAP_FMT_32BIT), top-down. */
enum sc_image_kind { SC_IMAGE_BITMAP, SC_IMAGE_LZ4 };

struct sc_draw_copy {
    uint32_t surface_id;
    struct sc_rect box;
    struct sc_clip clip;
    struct sc_rect src_area;
    uint16_t rop_descriptor; /* SPICE_ROPD_OP_PUT */
    uint8_t scale_mode;
    /* the image */
    uint64_t image_id;
    uint8_t image_type;  /* SPICE_IMAGE_TYPE_BITMAP or SPICE_IMAGE_TYPE_LZ4 */
    uint32_t width, height;
    /* BITMAP: format, flags, stride; pixels = data, stride*height bytes.
     * LZ4: data = the LZ4 payload (top_down, format, BE-sized blocks). */
    uint8_t bitmap_format;
    uint8_t bitmap_flags;
    uint32_t stride;
    const uint8_t *data; /* parser: points into the body */
    uint32_t data_size;
};

/* Bytes per row of `width` pixels in a SPICE_BITMAP_FMT_* (0 if unknown). */
uint64_t sc_bitmap_row_bytes(uint8_t format, uint32_t width);

/* Writes DRAW_COPY with the pixels of `data`.  For BITMAP with a source
 * stride larger than width*4, rows are repacked at width*4. */
void sc_draw_copy_write(struct sc_writer *w, const struct sc_draw_copy *m);
/* The same body without the image data (m->data_size bytes), for a sender
 * that queues the data after it as is: LZ4, or a BITMAP whose stride is
 * its row size.  false (nothing usable written) for any other. */
bool sc_draw_copy_write_head(struct sc_writer *w, const struct sc_draw_copy *m);
bool sc_draw_copy_parse(const uint8_t *body, size_t len, struct sc_draw_copy *m);

/* LZ4 image payload (SPICE_IMAGE_TYPE_LZ4): compress `height` rows of
 * `width` 32-bit pixels read at `stride` into w (appends top_down, format,
 * then BE-size-prefixed blocks).  Returns false on failure. */
bool sc_lz4_image_encode(struct sc_writer *w, const uint8_t *pixels, uint32_t width,
                         uint32_t height, uint32_t stride);
/* Decodes a payload into dst (width*4 per row, height rows, top-down). */
bool sc_lz4_image_decode(const uint8_t *payload, size_t size, uint32_t width, uint32_t height,
                         uint8_t *dst, size_t dst_stride);

/* ---- inputs channel --------------------------------------------------- */

struct sc_inputs_init { uint16_t modifiers; };
struct sc_mouse_motion { int32_t dx, dy; uint32_t buttons_state; };
struct sc_mouse_position { uint32_t x, y, buttons_state; uint8_t display_id; };
struct sc_mouse_button { uint8_t button; uint32_t buttons_state; };

void sc_inputs_init_write(struct sc_writer *w, uint16_t modifiers);
bool sc_inputs_init_parse(const uint8_t *body, size_t len, uint16_t *modifiers);
/* KEY_MODIFIERS (both directions): modifiers u16 (server) / u16 (client). */
void sc_key_modifiers_write(struct sc_writer *w, uint16_t modifiers);
bool sc_key_modifiers_parse(const uint8_t *body, size_t len, uint16_t *modifiers);
/* KEY_DOWN / KEY_UP: code u32 = up to 4 set-1 bytes, LE, zero-terminated. */
void sc_key_code_write(struct sc_writer *w, uint32_t code);
bool sc_key_code_parse(const uint8_t *body, size_t len, uint32_t *code);
/* Splits a KEY_DOWN/UP code into scancode bytes; returns the count (0..4). */
unsigned sc_key_code_bytes(uint32_t code, uint8_t out[4]);
/* KEY_SCANCODE (client, needs inputs cap KEY_SCANCODE): raw bytes, whole body. */
void sc_key_scancode_write(struct sc_writer *w, const uint8_t *codes, size_t n);
bool sc_key_scancode_parse(const uint8_t *body, size_t len, const uint8_t **codes, size_t *n);
/* Builds the KEY_DOWN/KEY_UP code from a set-1 scancode (0x100|code for E0
 * keys), as spice-gtk does: Up arrow press 0x148 -> bytes e0 48 00 00. */
uint32_t sc_key_code_make(uint32_t scancode, bool release);
void sc_mouse_motion_write(struct sc_writer *w, const struct sc_mouse_motion *m);
bool sc_mouse_motion_parse(const uint8_t *body, size_t len, struct sc_mouse_motion *m);
void sc_mouse_position_write(struct sc_writer *w, const struct sc_mouse_position *m);
bool sc_mouse_position_parse(const uint8_t *body, size_t len, struct sc_mouse_position *m);
/* MOUSE_PRESS / MOUSE_RELEASE: button u8, buttons_state u16. */
void sc_mouse_button_write(struct sc_writer *w, const struct sc_mouse_button *m);
bool sc_mouse_button_parse(const uint8_t *body, size_t len, struct sc_mouse_button *m);

/* ---- cursor channel ---------------------------------------------------- */

struct sc_cursor {
    uint16_t flags; /* SPICE_CURSOR_FLAGS_NONE: no header, no data */
    uint64_t unique;
    uint8_t type; /* SPICE_CURSOR_TYPE_ALPHA */
    uint16_t width, height, hot_spot_x, hot_spot_y;
    const uint8_t *data; /* ALPHA: width*height*4 bytes, B,G,R,A premultiplied */
    uint32_t data_size;
};

struct sc_cursor_init {
    int16_t x, y;
    uint16_t trail_length, trail_frequency;
    uint8_t visible;
    struct sc_cursor cursor;
};

struct sc_cursor_set {
    int16_t x, y;
    uint8_t visible;
    struct sc_cursor cursor;
};

void sc_cursor_init_write(struct sc_writer *w, const struct sc_cursor_init *m);
bool sc_cursor_init_parse(const uint8_t *body, size_t len, struct sc_cursor_init *m);
void sc_cursor_set_write(struct sc_writer *w, const struct sc_cursor_set *m);
bool sc_cursor_set_parse(const uint8_t *body, size_t len, struct sc_cursor_set *m);
void sc_cursor_move_write(struct sc_writer *w, int16_t x, int16_t y);
bool sc_cursor_move_parse(const uint8_t *body, size_t len, int16_t *x, int16_t *y);
/* HIDE, RESET, INVAL_ALL: empty bodies. */
void sc_cursor_trail_write(struct sc_writer *w, uint16_t length, uint16_t frequency);
bool sc_cursor_trail_parse(const uint8_t *body, size_t len, uint16_t *length, uint16_t *frequency);
void sc_cursor_inval_one_write(struct sc_writer *w, uint64_t id);
bool sc_cursor_inval_one_parse(const uint8_t *body, size_t len, uint64_t *id);
