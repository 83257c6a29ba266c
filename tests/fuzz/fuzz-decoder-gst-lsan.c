/* Linked into the tests/fuzz/fuzz-decoder-gst-* targets (codecs/local.mk).
 * GStreamer keeps process-lifetime allocations (registry, types, thread
 * pools) that LeakSanitizer reports at exit; suppress leaks allocated
 * inside GStreamer and GLib only. */
#include "config.h"

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
