/* Small helpers shared by the reader's C files (internal). */
#ifndef BTFPACK_READER_INTERNAL_H
#define BTFPACK_READER_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static inline uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* LEB128 varint of at most 5 bytes within [*p, end); 0 on success. */
static inline int read_varint(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint64_t x = 0;
	for (int i = 0; i < 5; i++) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return x > UINT32_MAX ? -1 : (*v = (uint32_t)x, 0);
	}
	return -1;
}

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
