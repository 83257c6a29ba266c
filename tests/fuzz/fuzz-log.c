/* common/log.c for the fuzz targets that link the engines: the same API,
 * silent unless FUZZ_VERBOSE is set, so that a rejected input costs no
 * write(2) per log line (it did, at every malformed message).  Messages are
 * still formatted, so a bad format argument still shows under ASan. */
#include "config.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int verbose = -1;

bool sc_log_debug_enabled(void)
{
    if (verbose < 0)
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    return verbose;
}

void sc_log_impl(enum sc_log_level level, const char *file, int line, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (sc_log_debug_enabled())
        fprintf(stderr, "[%d] %s:%d: %s\n", (int)level, file, line, buf);
}
