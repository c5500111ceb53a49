/* btfpack host detection (see btfpack/host.h). Depends only on libc. */
#define _GNU_SOURCE
#include "btfpack/host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define OSREL_MAX_BYTES (64 * 1024) /* read at most this much of an os-release file */
#define OSREL_LINE 1024             /* longer lines are ignored (ID/VERSION_ID never are) */
#define OSREL_VALUE 256             /* values kept while parsing; fields truncate further */
#define HOST_PATH 4096

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t len, const char *fmt, ...)
{
	if (err && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Copy at most n bytes of src into dst[cap], always NUL-terminated (truncating). */
static void copy_n(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* ---- the mapping ---------------------------------------------------------------------- */

/* A value as given: surrounding whitespace trimmed, then one pair of matching quotes. */
struct span {
	const char *p;
	size_t n;
};

static struct span unquote(const char *s)
{
	struct span v = {s ? s : "", 0};
	v.n = strlen(v.p);
	while (v.n && is_space(v.p[0])) {
		v.p++;
		v.n--;
	}
	while (v.n && is_space(v.p[v.n - 1])) v.n--;
	if (v.n >= 2 && (v.p[0] == '"' || v.p[0] == '\'') && v.p[v.n - 1] == v.p[0]) {
		v.p++;
		v.n -= 2;
	}
	return v;
}

static int span_is(struct span v, const char *s) { return strlen(s) == v.n && memcmp(v.p, s, v.n) == 0; }

/* NULL if v can name one archive directory, else why not. */
static const char *bad_value(struct span v)
{
	if (span_is(v, ".") || span_is(v, ".."))
		return "is a relative directory name";
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (c == '/')
			return "contains '/'";
		if (c <= ' ' || c == 0x7f)
			return "contains whitespace or a control character";
	}
	return NULL;
}

/* The part before the first '.', e.g. "8.4" -> "8". */
static struct span major(struct span v)
{
	const char *dot = memchr(v.p, '.', v.n);
	if (dot)
		v.n = (size_t)(dot - v.p);
	return v;
}

/* Amazon Linux 1 versions are YYYY.MM (2011.09 ... 2018.03); BTFHub files them under "1". */
static int is_amzn1(struct span v)
{
	struct span m = major(v);
	if (m.n != 4 || m.n == v.n)
		return 0;
	int year = 0;
	for (size_t i = 0; i < 4; i++) {
		if (m.p[i] < '0' || m.p[i] > '9')
			return 0;
		year = year * 10 + (m.p[i] - '0');
	}
	return year >= 2010 && year <= 2018;
}

static void set_version(struct btfpack_host *out, struct span v) { copy_n(out->version, sizeof(out->version), v.p, v.n); }

static void map_distro(char *id, struct span ver, struct btfpack_host *out)
{
	const char *distro = id;
	if (!strcmp(id, "debian")) {
		struct span m = major(ver);
		if (span_is(m, "11"))
			m = (struct span){"bullseye", 8};
		set_version(out, m);
	} else if (!strcmp(id, "centos") || !strcmp(id, "rhel") || !strcmp(id, "ol")) {
		set_version(out, major(ver));
	} else if (!strcmp(id, "amzn")) {
		set_version(out, is_amzn1(ver) ? (struct span){"1", 1} : major(ver));
	} else if (!strcmp(id, "sles") || !strcmp(id, "sles_sap")) {
		distro = "sles";
		set_version(out, ver);
	} else if (!strcmp(id, "opensuse-leap") || !strcmp(id, "opensuse")) {
		distro = "opensuse-leap";
		set_version(out, ver);
	} else { /* ubuntu, fedora and anything unknown: VERSION_ID as is */
		set_version(out, ver);
	}
	copy_n(out->distro, sizeof(out->distro), distro, strlen(distro));
}

static void map_arch(struct span m, struct btfpack_host *out)
{
	const char *a = NULL;
	if (span_is(m, "x86_64") || span_is(m, "amd64"))
		a = "x86_64";
	else if (span_is(m, "aarch64") || span_is(m, "arm64"))
		a = "arm64";
	if (a)
		copy_n(out->arch, sizeof(out->arch), a, strlen(a));
	else /* s390x, ppc64le, ...: uname's name (BTFHub has only x86_64/arm64; testdata/kernels uses s390x) */
		copy_n(out->arch, sizeof(out->arch), m.p, m.n);
}

/* what[i] names where value i came from, for messages. */
static int host_map(const char *os_id, const char *version_id, const char *machine, const char *release,
		    const char *const what[4], struct btfpack_host *out, char *err, size_t err_len)
{
	struct span v[4] = {unquote(os_id), unquote(version_id), unquote(machine), unquote(release)};
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 4; i++) {
		if (i != 1 && v[i].n == 0)
			return fail(err, err_len, "%s is missing or empty", what[i]);
		const char *why = bad_value(v[i]);
		if (why)
			return fail(err, err_len, "%s \"%.*s\" %s", what[i], (int)(v[i].n > 200 ? 200 : v[i].n), v[i].p, why);
	}

	char id[sizeof(out->distro)];
	copy_n(id, sizeof(id), v[0].p, v[0].n);
	for (char *c = id; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	map_distro(id, v[1], out);
	map_arch(v[2], out);
	copy_n(out->kernel, sizeof(out->kernel), v[3].p, v[3].n);
	return 0;
}

int btfpack_host_from(const char *os_id, const char *version_id, const char *machine, const char *release,
		      struct btfpack_host *out, char *err, size_t err_len)
{
	static const char *const what[4] = {"os-release ID", "os-release VERSION_ID", "machine", "kernel release"};
	if (!out)
		return fail(err, err_len, "no output struct");
	return host_map(os_id, version_id, machine, release, what, out, err, err_len);
}

/* ---- os-release ----------------------------------------------------------------------- */

struct osrel {
	char id[OSREL_VALUE], version_id[OSREL_VALUE];
	int have_id, have_version_id;
};

/* Parse one shell-style value (unquoted, '...' and "..." parts, concatenated) from *p into
 * val[OSREL_VALUE] (truncated). 0 on success; -1 if the line is malformed (unterminated quote,
 * or more words after the value). */
static int parse_value(const char *p, char *val)
{
	size_t n = 0;
#define PUT(ch)                                  \
	do {                                     \
		if (n < OSREL_VALUE - 1)         \
			val[n++] = (ch);         \
	} while (0)
	while (*p && !is_space(*p)) {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end)
				return -1;
			for (p++; p < end; p++) PUT(*p);
			p++;
		} else if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (!*p)
					return -1;
				if (*p == '\\' && p[1] && strchr("$`\"\\", p[1]))
					p++;
				PUT(*p);
			}
			p++;
		} else if (*p == '\\' && p[1]) {
			PUT(p[1]);
			p += 2;
		} else {
			PUT(*p);
			p++;
		}
	}
#undef PUT
	val[n] = '\0';
	while (is_space(*p)) p++;
	return (*p == '\0' || *p == '#') ? 0 : -1;
}

static void parse_line(const char *line, struct osrel *r)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t') p++;
	if (*p == '#' || *p == '\0')
		return;
	const char *key = p;
	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
		return;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_') p++;
	size_t klen = (size_t)(p - key);
	if (*p != '=')
		return;
	p++;

	char val[OSREL_VALUE];
	if (parse_value(p, val))
		return; /* malformed: ignored, like systemd does */
	if (klen == 2 && !memcmp(key, "ID", 2)) {
		memcpy(r->id, val, sizeof(val));
		r->have_id = 1;
	} else if (klen == 10 && !memcmp(key, "VERSION_ID", 10)) {
		memcpy(r->version_id, val, sizeof(val));
		r->have_version_id = 1;
	}
}

/* 0, or -1 on a read error (errno set). */
static int parse_osrel(FILE *f, struct osrel *r)
{
	char line[OSREL_LINE];
	size_t n = 0, total = 0;
	int skip = 0; /* current line is overlong or has a NUL: ignore it */
	memset(r, 0, sizeof(*r));
	for (;;) {
		int c = total < OSREL_MAX_BYTES ? getc(f) : EOF;
		if (c != EOF)
			total++;
		if (c == EOF || c == '\n') {
			line[n] = '\0';
			if (!skip)
				parse_line(line, r);
			n = 0;
			skip = 0;
			if (c == EOF)
				break;
			continue;
		}
		if (c == '\0' || n == sizeof(line) - 1)
			skip = 1;
		else
			line[n++] = (char)c;
	}
	return ferror(f) ? -1 : 0;
}

/* Build "<root><rel>" into buf; 0, or -1 if it does not fit. */
static int join(char *buf, size_t cap, const char *root, size_t root_len, const char *rel)
{
	int k = snprintf(buf, cap, "%.*s%s", (int)root_len, root, rel);
	return (k < 0 || (size_t)k >= cap) ? -1 : 0;
}

/* Open <root>/etc/os-release, or <root>/usr/lib/os-release; path receives the one opened. */
static FILE *open_osrel(const char *root, char *path, size_t cap, char *err, size_t err_len)
{
	size_t rl = root ? strlen(root) : 0;
	while (rl && root[rl - 1] == '/') rl--; /* "/" -> "", "/host/" -> "/host" */

	char etc[HOST_PATH], usr[HOST_PATH];
	if (join(etc, sizeof(etc), root, rl, "/etc/os-release") || join(usr, sizeof(usr), root, rl, "/usr/lib/os-release")) {
		fail(err, err_len, "host root \"%.*s...\" is too long", 100, root);
		return NULL;
	}
	/* Under a root prefix, an absolute symlink (etc/os-release -> /usr/lib/os-release) must
	 * resolve inside the root, not in our own filesystem. */
	if (rl) {
		char target[HOST_PATH];
		ssize_t tl = readlink(etc, target, sizeof(target) - 1);
		if (tl > 0 && target[0] == '/') {
			target[tl] = '\0';
			if (join(etc, sizeof(etc), root, rl, target)) {
				fail(err, err_len, "os-release symlink target under \"%.*s\" is too long", (int)rl, root);
				return NULL;
			}
		}
	}

	FILE *f = fopen(etc, "re");
	if (f) {
		copy_n(path, cap, etc, strlen(etc));
		return f;
	}
	int e1 = errno;
	f = fopen(usr, "re");
	if (f) {
		copy_n(path, cap, usr, strlen(usr));
		return f;
	}
	int e2 = errno;
	fail(err, err_len, "cannot open %s (%s) or %s (%s)", etc, strerror(e1), usr, strerror(e2));
	return NULL;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return (v && *v) ? v : NULL;
}

int btfpack_host_detect(const char *root, struct btfpack_host *out, char *err, size_t err_len)
{
	if (!out)
		return fail(err, err_len, "no output struct");
	memset(out, 0, sizeof(*out));

	char path[HOST_PATH];
	FILE *f;
	const char *override = env("BTFPACK_OS_RELEASE");
	if (override) {
		f = fopen(override, "re");
		if (!f)
			return fail(err, err_len, "cannot open %s (from BTFPACK_OS_RELEASE): %s", override, strerror(errno));
		copy_n(path, sizeof(path), override, strlen(override));
	} else {
		f = open_osrel(root, path, sizeof(path), err, err_len);
		if (!f)
			return -1;
	}

	struct osrel r;
	int rc = parse_osrel(f, &r);
	int e = errno;
	fclose(f);
	if (rc)
		return fail(err, err_len, "cannot read %s: %s", path, strerror(e));
	if (!r.have_id || !r.id[0])
		return fail(err, err_len, "%s has no ID= line", path);

	const char *kernel = env("BTFPACK_KERNEL_RELEASE"), *machine = env("BTFPACK_ARCH");
	struct utsname u;
	if (!kernel || !machine) {
		if (uname(&u))
			return fail(err, err_len, "uname: %s", strerror(errno));
		if (!kernel)
			kernel = u.release;
		if (!machine)
			machine = u.machine;
	}

	char what_id[HOST_PATH + 32], what_ver[HOST_PATH + 32];
	snprintf(what_id, sizeof(what_id), "ID in %s", path);
	snprintf(what_ver, sizeof(what_ver), "VERSION_ID in %s", path);
	const char *const what[4] = {what_id, what_ver, env("BTFPACK_ARCH") ? "BTFPACK_ARCH" : "uname machine",
				     env("BTFPACK_KERNEL_RELEASE") ? "BTFPACK_KERNEL_RELEASE" : "uname release"};
	return host_map(r.id, r.have_version_id ? r.version_id : NULL, machine, kernel, what, out, err, err_len);
}
