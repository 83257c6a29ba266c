/* spicecast logging: one macro family with file:line, on stderr.
 * SPICECAST_DEBUG=1 enables sc_debug() and file:line on info lines. */
#pragma once
#include <stdbool.h>

enum sc_log_level { SC_LOG_ERROR, SC_LOG_WARN, SC_LOG_INFO, SC_LOG_DEBUG };

void sc_log_impl(enum sc_log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool sc_log_debug_enabled(void);

#define sc_error(...) sc_log_impl(SC_LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define sc_warn(...)  sc_log_impl(SC_LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define sc_info(...)  sc_log_impl(SC_LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define sc_debug(...) \
    do { if (sc_log_debug_enabled()) sc_log_impl(SC_LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__); } while (0)
