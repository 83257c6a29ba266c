/* bench-lossless: the server's lossless full-frame update path, measured.
 *
 * Renders one 1920x1080 desktop frame with the pattern source, then encodes
 * it as the display channel does (sc_encode_rects: LZ4 or raw DRAW_COPY
 * bodies) and sends every body through a unix socket drained by a reader
 * thread, N times, on one core.  Prints fps and bytes per frame for LZ4 and
 * raw side by side.  Not a test: run it by hand (make bench). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "encode.h"
#include "log.h"
#include "server/sources/source.h"

static struct sc_frame *captured;

static void on_frame(struct sc_source *s, struct sc_frame *frame, void *data)
{
    (void)s;
    (void)data;
    if (!captured)
        captured = sc_frame_ref(frame);
}

static gpointer drain(gpointer data)
{
    int fd = GPOINTER_TO_INT(data);
    static char buf[1 << 20];

    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    return NULL;
}

static void run(struct sc_frame *frame, bool lz4, int frames)
{
    cairo_rectangle_int_t full = { 0, 0, (int)frame->width, (int)frame->height };
    int sv[2];
    GThread *reader;
    gint64 t0, t1;
    size_t bytes = 0;
    double ms;

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    reader = g_thread_new("drain", drain, GINT_TO_POINTER(sv[1]));
    t0 = g_get_monotonic_time();
    for (int i = 0; i < frames; i++) {
        bool poor;
        GPtrArray *bodies = sc_encode_rects(frame, &full, 1, lz4, &poor);
        for (guint j = 0; j < bodies->len; j++) {
            gsize size;
            const uint8_t *p = g_bytes_get_data(g_ptr_array_index(bodies, j), &size);
            bytes += size;
            while (size > 0) {
                ssize_t r = write(sv[0], p, size);
                if (r <= 0)
                    break;
                p += r;
                size -= (size_t)r;
            }
        }
        g_ptr_array_unref(bodies);
    }
    t1 = g_get_monotonic_time();
    close(sv[0]);
    g_thread_join(reader);
    close(sv[1]);
    ms = (t1 - t0) / 1000.0 / frames;
    printf("%-4s %ux%u: %7.2f ms/frame  %7.1f fps  %9zu bytes/frame  ratio %.1f:1\n",
           lz4 ? "lz4" : "raw", frame->width, frame->height, ms, 1000.0 / ms,
           bytes / (size_t)frames, (double)frame->width * frame->height * 4 / (bytes / frames));
}

int main(int argc, char **argv)
{
    const char *spec = argc > 1 ? argv[1] : "pattern:1920x1080";
    int frames = argc > 2 ? atoi(argv[2]) : 200;
    struct sc_source_listener l = { .frame = on_frame };
    GError *error = NULL;
    struct sc_source *src = sc_source_create(spec, &error);

    if (!src) {
        fprintf(stderr, "bench-lossless: %s\n", error->message);
        return 1;
    }
    sc_source_set_listener(src, &l);
    sc_source_start(src);
    while (!captured)
        g_main_context_iteration(NULL, TRUE);
    sc_source_stop(src);
    printf("bench-lossless: full-frame DRAW_COPY encode + send, %d frames, one thread\n", frames);
    run(captured, true, frames);
    run(captured, false, frames / 4 ? frames / 4 : 1);
    sc_frame_unref(captured);
    sc_source_destroy(src);
    return 0;
}
