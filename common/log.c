#include "config.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sc_log_debug_enabled(void)
{
    static int enabled = -1;
    if (enabled < 0) {
        const char *e = getenv("SPICECAST_DEBUG");
        enabled = e && *e && strcmp(e, "0") != 0;
    }
    return enabled;
}

void sc_log_impl(enum sc_log_level level, const char *file, int line, const char *fmt, ...)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    const char *base = strrchr(file, '/');
    va_list ap;

    if (level == SC_LOG_INFO && !sc_log_debug_enabled()) {
        fputs("spicecast: ", stderr);
    } else {
        fprintf(stderr, "spicecast %s: %s:%d: ", names[level], base ? base + 1 : file, line);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
