/* Small helpers shared by the reader's C files (internal). */
#ifndef BTFPACK_READER_INTERNAL_H
#define BTFPACK_READER_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Formats a message into err (if any) and returns code. */
static inline int fail(char *err, size_t len, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static inline int fail(char *err, size_t len, int code, const char *fmt, ...)
{
	if (err && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return code;
}

#endif
