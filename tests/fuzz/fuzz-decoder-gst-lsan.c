/* Linked into the tests/fuzz/fuzz-decoder-gst-* targets (codecs/local.mk,
 * tests/fuzz/local.mk).
 *
 * GStreamer keeps process-lifetime allocations (registry, types, thread
 * pools) that LeakSanitizer reports at exit; suppress leaks allocated
 * inside GStreamer and GLib only.
 *
 * A decoder that stalls (issue 13 item 6: a packet that stops the
 * streaming thread) costs codecs/gst-dec.c its whole stall bound per packet,
 * 10 s today, which held fuzz-decoder-gst-mjpeg at a few runs per second.
 * Built with -DSC_FUZZ_STALL_MS=N and linked with
 * -Wl,--wrap=g_cond_wait_until (tests/fuzz/local.mk: gst-mjpeg only),
 * gst-dec.c's wait for a packet's marker (its only g_cond_wait_until) ends
 * after N ms at most: a stall is still a stall (the decoder resets and
 * reports the packet bad), it is only found sooner.  GStreamer's own waits
 * are inside its libraries, which --wrap does not touch.  Not for the H.264
 * and VP8/VP9 targets: a fresh pipeline's first packet can take longer than
 * any short bound (plugin and caps set-up), and they make one per input. */
#include "config.h"

#include <glib.h>

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libgstreamer-1.0.so\nleak:libgobject-2.0.so\nleak:libglib-2.0.so\n"
           "leak:libgstbase-1.0.so\nleak:libgstvideo-1.0.so\nleak:libgstapp-1.0.so\n"
           "leak:libgstlibav.so\nleak:libavcodec.so\nleak:libgstvpx.so\nleak:libvpx.so\n"
           "leak:libgstjpeg.so\nleak:libjpeg.so\nleak:libgstvideoparsersbad.so\n"
           "leak:libgstvideoconvertscale.so\nleak:libgstcoreelements.so\nleak:libgstapp.so\n"
           "leak:libgstplayback.so\nleak:libgstvideoconvert.so\nleak:libgmodule-2.0.so\n"
           "leak:libgstcodecparsers-1.0.so\nleak:libgstpbutils-1.0.so\nleak:liborc-0.4.so\n";
}

#ifdef SC_FUZZ_STALL_MS
gboolean __real_g_cond_wait_until(GCond *cond, GMutex *mutex, gint64 end_time);
gboolean __wrap_g_cond_wait_until(GCond *cond, GMutex *mutex, gint64 end_time);
gboolean __wrap_g_cond_wait_until(GCond *cond, GMutex *mutex, gint64 end_time)
{
    gint64 cap = g_get_monotonic_time() + SC_FUZZ_STALL_MS * G_TIME_SPAN_MILLISECOND;

    return __real_g_cond_wait_until(cond, mutex, end_time < cap ? end_time : cap);
}
#endif
