/* btfpack's own copy of the shared CO-RE relocation oracle (shared/tools/relo_oracle.c), kept as is. */
/* relo_oracle OBJ BTF: what libbpf itself computes for every CO-RE relocation of OBJ
 * against BTF (given as btf_custom_path). Needs root and the bpf syscall (libbpf probes
 * program loading before it relocates); program load may then fail, which does not matter.
 *
 * stdout: one normalized line per CO-RE relocation outcome, in libbpf's order:
 *   <prog> #<relo> <kind> <local spec> => patched insn #I (CLASS) off|imm|imm64|mem_sz A -> B
 *   <prog> #<relo> <kind> <local spec> => poison insn #I [no matching targets]
 *   <prog> #<relo> <kind> <local spec> => FAILED <libbpf message>
 * Only the text after "relo #N:" is classified (program names may contain "failed").
 * Target type ids of candidates are not printed (they differ between a full and a minimized
 * BTF); target_type_id relocations do print the patched id, a comparer must mask it.
 *
 * Robustness: maps are not created (bpf_map__set_autocreate(false); creation happens before
 * relocation and a map the running kernel rejects -- zero value_size stack maps, max_entries 0
 * sized at run time -- would hide every relocation); zero value_size/max_entries are also
 * raised to a valid minimum so that RELO_ORACLE_CREATE_MAPS=1 (create maps) works too. A
 * relocation error aborts libbpf's whole relocation pass, so the object is reopened with the
 * failing program's autoload off and loaded again until no new error appears; later relocations
 * of a failed program cannot be computed and are reported by one line
 *   <prog> #* => ABORTED after relo #N
 * stderr: a summary "relo_oracle: N outcomes, M CO-RE relocations (.BTF.ext: E, ...)" (M from
 * libbpf's "found M CO-RE relocations" of every section reached in any pass, minus relocations
 * skipped for eliminated weak subprograms; E counted from the object's .BTF.ext without libbpf) and diagnostics;
 * RELO_ORACLE_ALL=1 echoes libbpf's whole log to stderr.
 * Exit: 0 when every CO-RE relocation got an outcome line (an object without CO-RE relocations
 * prints nothing and exits 0), 1 otherwise, 2 on usage/open errors or a load that failed before
 * relocating. */
#include <bpf/libbpf.h>
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RELOS 200000
#define MAX_PROGS 4096

struct relo {
	char *prog;
	int idx;
	char *spec;    /* "<kind> local spec" */
	char *outcome; /* NULL until final */
	int no_match;
};

static struct relo *relos;
static int nrelos;
static char *failed_progs[MAX_PROGS];
static int nfailed;
static char *new_failure;     /* program that failed in the current pass */
static int new_failure_relo;
static long found_relos, skipped_weak;
static int pass_found;         /* "found N CO-RE relocations" seen in the current pass */
static char last_warn[4096];
static long expected_relos;     /* from .BTF.ext */

static struct relo *get_relo(const char *prog, int idx)
{
	for (int i = nrelos - 1; i >= 0; i--)
		if (relos[i].idx == idx && strcmp(relos[i].prog, prog) == 0)
			return &relos[i];
	if (nrelos == MAX_RELOS) {
		fprintf(stderr, "relo_oracle: too many relocations\n");
		exit(2);
	}
	struct relo *r = &relos[nrelos++];
	memset(r, 0, sizeof(*r));
	r->prog = strdup(prog);
	r->idx = idx;
	return r;
}

static int is_failed(const char *prog)
{
	for (int i = 0; i < nfailed; i++)
		if (strcmp(failed_progs[i], prog) == 0)
			return 1;
	return 0;
}

static void set_outcome(struct relo *r, const char *s)
{
	if (!r->outcome)
		r->outcome = strdup(s);
}

/* classify the message text after "prog 'NAME': relo #N: " */
static void on_relo(const char *prog, int idx, const char *msg)
{
	char buf[4096];
	/* map and data relocations share the "relo #" wording: not CO-RE */
	if (!strncmp(msg, "poisoning insn", 14) || !strcmp(msg, "bad insn") ||
	    !strncmp(msg, "bad relo type", 13))
		return;
	struct relo *r = get_relo(prog, idx);
	if (msg[0] == '<' && !strstr(msg, "relocation doesn't support")) { /* local spec */
		if (!r->spec)
			r->spec = strdup(msg);
	} else if (!strncmp(msg, "matching candidate #", 20) || !strncmp(msg, "non-matching candidate #", 24)) {
		/* candidate ids depend on the target BTF: ignore */
	} else if (!strncmp(msg, "no matching targets found", 25)) {
		r->no_match = 1;
	} else if (!strncmp(msg, "patched insn", 12)) {
		set_outcome(r, msg);
	} else if (!strncmp(msg, "substituting insn", 17)) {
		int insn = -1;
		sscanf(msg, "substituting insn #%d", &insn);
		snprintf(buf, sizeof(buf), "poison insn #%d%s", insn, r->no_match ? " [no matching targets]" : "");
		set_outcome(r, buf);
	} else {
		/* every other message in relo_core.c / bpf_object__relocate_core is an error */
		snprintf(buf, sizeof(buf), "FAILED %s", msg);
		set_outcome(r, buf);
		if (!new_failure && !is_failed(prog)) {
			new_failure = strdup(prog);
			new_failure_relo = idx;
		}
	}
}

/* remember a key (section or message) once across passes; returns whether it was seen before */
static int seen(const char *key, int len)
{
	static char *keys[MAX_PROGS * 4];
	static int nkeys;
	for (int i = 0; i < nkeys; i++)
		if ((int)strlen(keys[i]) == len && !strncmp(keys[i], key, len))
			return 1;
	if (nkeys < MAX_PROGS * 4)
		keys[nkeys++] = strndup(key, len);
	return 0;
}

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[8192];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (getenv("RELO_ORACLE_ALL"))
		fputs(line, stderr);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
	const char *p = strncmp(line, "libbpf: ", 8) ? line : line + 8;
	if (level == LIBBPF_WARN)
		snprintf(last_warn, sizeof(last_warn), "%.4000s", p);
	long cnt;
	const char *found = strstr(p, "': found ");
	if (!strncmp(p, "sec '", 5) && found && strstr(p, "CO-RE relocations") &&
	    sscanf(found, "': found %ld", &cnt) == 1) {
		/* a section is counted the first time any pass reaches it (an aborted pass stops early) */
		pass_found = 1;
		if (!seen(p, (int)(found - p)))
			found_relos += cnt;
		return 0;
	}
	if (strstr(p, "skipping CO-RE relocation") && strstr(p, "eliminated weak subprogram")) {
		if (!seen(p, (int)strlen(p)))
			skipped_weak++;
		return 0;
	}
	/* prog 'NAME': relo #N: MSG */
	if (strncmp(p, "prog '", 6))
		return 0;
	const char *name = p + 6;
	const char *end = strstr(name, "': relo #");
	if (!end)
		return 0;
	char *after;
	long idx = strtol(end + 9, &after, 10);
	if (after == end + 9 || strncmp(after, ": ", 2))
		return 0;
	char prog[1024];
	snprintf(prog, sizeof(prog), "%.*s", (int)(end - name), name);
	on_relo(prog, (int)idx, after + 2);
	return 0;
}

/* CO-RE relocation records in the object's .BTF.ext (native endianness: libbpf 1.1 refuses
 * other objects anyway), counted without libbpf; -1 when unreadable */
static long count_btf_ext_relos(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *d = malloc(sz);
	long n = -1;
	if (!d || fread(d, 1, sz, f) != (size_t)sz || sz < (long)sizeof(Elf64_Ehdr))
		goto out;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)d;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (long)eh->e_shnum * sizeof(Elf64_Shdr) > (unsigned long)sz)
		goto out;
	Elf64_Shdr *sh = (Elf64_Shdr *)(d + eh->e_shoff);
	const char *strs = (const char *)d + sh[eh->e_shstrndx].sh_offset;
	n = 0;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (strcmp(strs + sh[i].sh_name, ".BTF.ext"))
			continue;
		const unsigned char *x = d + sh[i].sh_offset;
		__u32 hdr_len, off, len, rec_size;
		memcpy(&hdr_len, x + 4, 4);
		if (hdr_len < 32)
			break;
		memcpy(&off, x + 24, 4);
		memcpy(&len, x + 28, 4);
		if (!len)
			break;
		const unsigned char *p = x + hdr_len + off, *end = p + len;
		memcpy(&rec_size, p, 4);
		for (p += 4; p + 8 <= end;) {
			__u32 num;
			memcpy(&num, p + 4, 4);
			n += num;
			p += 8 + (long)num * rec_size;
		}
	}
out:
	free(d);
	fclose(f);
	return n;
}

static int run_pass(const char *obj_path, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &opts);
	if (!obj) {
		fprintf(stderr, "relo_oracle: open %s failed: %s\n", obj_path, last_warn);
		return -1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, !is_failed(bpf_program__name(prog)));
	struct bpf_map *map;
	int create = getenv("RELO_ORACLE_CREATE_MAPS") != NULL;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__value_size(map) == 0)
			bpf_map__set_value_size(map, 8); /* stack trace maps need a multiple of 8 */
		if (bpf_map__max_entries(map) == 0 && bpf_map__type(map) != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			bpf_map__set_max_entries(map, 1); /* ringbuf: libbpf rounds up to a page */
		if (!create)
			bpf_map__set_autocreate(map, false);
	}
	pass_found = 0;
	int err = bpf_object__load(obj);
	if (err && !pass_found && expected_relos != 0)
		fprintf(stderr, "relo_oracle: load failed before CO-RE relocation: %s\n", last_warn);
	bpf_object__close(obj);
	return pass_found || expected_relos == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: relo_oracle OBJ BTF\n");
		return 2;
	}
	relos = calloc(MAX_RELOS, sizeof(*relos));
	expected_relos = count_btf_ext_relos(argv[1]);
	libbpf_set_print(print);
	for (int pass = 0;; pass++) {
		new_failure = NULL;
		if (run_pass(argv[1], argv[2]) < 0 && pass == 0)
			return 2;
		if (!new_failure || nfailed == MAX_PROGS)
			break;
		failed_progs[nfailed++] = new_failure;
		fprintf(stderr, "relo_oracle: prog '%s' failed at relo #%d, reloading without it\n",
			new_failure, new_failure_relo);
	}
	long outcomes = 0;
	for (int i = 0; i < nrelos; i++) {
		struct relo *r = &relos[i];
		if (!r->outcome)
			continue;
		outcomes++;
		printf("%s #%d %s => %s\n", r->prog, r->idx, r->spec ? r->spec : "<?>", r->outcome);
	}
	for (int i = 0; i < nfailed; i++) {
		int last = -1;
		for (int j = 0; j < nrelos; j++)
			if (!strcmp(relos[j].prog, failed_progs[i]) && relos[j].outcome && relos[j].idx > last)
				last = relos[j].idx;
		printf("%s #* => ABORTED after relo #%d\n", failed_progs[i], last);
	}
	long expected = found_relos - skipped_weak;
	fprintf(stderr, "relo_oracle: %ld outcomes, %ld CO-RE relocations (.BTF.ext: %ld, skipped in weak subprograms: %ld)%s\n",
		outcomes, expected, expected_relos, skipped_weak, nfailed ? " (some programs aborted)" : "");
	return outcomes == expected && found_relos == expected_relos ? 0 : 1;
}
