/* Levelled logging to stderr. The level is checked before formatting. */
#ifndef AGENTD_LOG_H
#define AGENTD_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_threshold;	/* messages above it are dropped */

void log_write(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "error", "warn", "info", "debug" → 0, or -EINVAL. */
int log_parse_level(const char *name, enum log_level *out);

#define log_at(level, ...) do { \
	if ((level) <= log_threshold) log_write((level), __VA_ARGS__); \
} while (0)
#define log_error(...)	log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_at(LOG_DEBUG, __VA_ARGS__)

#endif
