/* glibc 2.38+ symbols for a libbpf.a built on a newer Debian (trixie: glibc 2.41), linked into
 * relo_oracle_libbpfNN on Debian 12 (glibc 2.36) only; tests/fidelity/CMakeLists.txt adds this
 * file when the host libc lacks __isoc23_sscanf.
 *
 * Compiled as C11 (see CMake), glibc 2.38+ headers would redirect sscanf, strtoull, ... to the
 * __isoc23_ names when _GNU_SOURCE or C23 is on; C11 without _GNU_SOURCE keeps the calls below
 * on the C99 entry points, so nothing here calls itself on any glibc.
 *
 * The C23 variants differ from the C99 ones only in accepting binary numbers: a "0b"/"0B"
 * prefix for strto* with base 0 or 2, and %b in scanf. libbpf parses /proc fdinfo, kallsyms,
 * kconfig values and tracefs/sysfs files with them, which hold no binary numbers. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

long __isoc23_strtol(const char *s, char **end, int base);
unsigned long __isoc23_strtoul(const char *s, char **end, int base);
long long __isoc23_strtoll(const char *s, char **end, int base);
unsigned long long __isoc23_strtoull(const char *s, char **end, int base);
intmax_t __isoc23_strtoimax(const char *s, char **end, int base);
uintmax_t __isoc23_strtoumax(const char *s, char **end, int base);
int __isoc23_sscanf(const char *s, const char *fmt, ...);
int __isoc23_fscanf(FILE *f, const char *fmt, ...);
int __isoc23_scanf(const char *fmt, ...);
int __isoc23_vsscanf(const char *s, const char *fmt, va_list ap);
int __isoc23_vfscanf(FILE *f, const char *fmt, va_list ap);
int __isoc23_vscanf(const char *fmt, va_list ap);

long __isoc23_strtol(const char *s, char **end, int base) { return strtol(s, end, base); }
unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return strtoul(s, end, base); }
long long __isoc23_strtoll(const char *s, char **end, int base) { return strtoll(s, end, base); }
unsigned long long __isoc23_strtoull(const char *s, char **end, int base) { return strtoull(s, end, base); }
intmax_t __isoc23_strtoimax(const char *s, char **end, int base) { return strtoimax(s, end, base); }
uintmax_t __isoc23_strtoumax(const char *s, char **end, int base) { return strtoumax(s, end, base); }

int __isoc23_vsscanf(const char *s, const char *fmt, va_list ap) { return vsscanf(s, fmt, ap); }
int __isoc23_vfscanf(FILE *f, const char *fmt, va_list ap) { return vfscanf(f, fmt, ap); }
int __isoc23_vscanf(const char *fmt, va_list ap) { return vscanf(fmt, ap); }

int __isoc23_sscanf(const char *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsscanf(s, fmt, ap);
	va_end(ap);
	return n;
}

int __isoc23_fscanf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfscanf(f, fmt, ap);
	va_end(ap);
	return n;
}

int __isoc23_scanf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vscanf(fmt, ap);
	va_end(ap);
	return n;
}
