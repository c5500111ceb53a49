/* exec_monitor: a small, real libbpf app that runs on kernels without built-in BTF by asking the
 * btfpack reader for the host's BTF (see examples/README.md).
 *
 *   1. btfpack_lookup: --btf PATH, else the kernel's own BTF (unless --no-kernel-btf), else the
 *      pack (--pack FILE, else the pack embedded at link time, else btfs.pack next to the binary;
 *      none with --no-pack);
 *   2. bpf_object__open_file(obj, .btf_custom_path = result.path), load, attach
 *      raw_tp/sched_process_exec (bpf/example_exec.bpf.c);
 *   3. fork+exec /bin/true a few times, poll the ring buffer until --count events or --timeout.
 *      It prints its own pid ("self: pid=N") and each child's ("child: pid=N") so that a caller
 *      can check the pid, ppid and comm of every event (tests/vm, scripts/kernel-matrix).
 *
 * Exit: 0 when events arrived; 1 when no BTF was found for this host (the reader's message names
 * the host and the nearest kernels the pack has), or on any load/attach failure, or when no event
 * arrived; 2 usage error. */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "btfpack/lookup.h"

/* Where the build put the BPF object; the binary's own directory is searched first. */
#ifndef EXEC_MONITOR_DEFAULT_OBJ
#define EXEC_MONITOR_DEFAULT_OBJ "example_exec.o"
#endif
#define OBJ_NAME "example_exec.o"
#define PACK_NAME "btfs.pack"

/* Defined by `btfpack embed PACK -o pack.o` when the app links one; NULL otherwise. */
extern const char btfpack_embedded_pack[] __attribute__((weak));
extern const char btfpack_embedded_pack_end[] __attribute__((weak));

/* Same layout as struct exec_event in bpf/example_exec.bpf.c. */
struct exec_event {
	uint32_t pid;
	uint32_t ppid;
	char comm[16];
	char filename[128];
};
_Static_assert(sizeof(struct exec_event) == 152, "struct exec_event must match the BPF side");

static struct {
	const char *pack, *root, *btf, *obj;
	int no_kernel_btf, no_pack, lookup_only, verbose;
	long count;
	double timeout;
} opt = {.count = 3, .timeout = 5};

static volatile sig_atomic_t stop;
static long n_events, n_ours;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exec_monitor [--pack FILE | --no-pack] [--root DIR] [--btf PATH] [--no-kernel-btf]\n"
		"                    [--obj FILE] [--count N] [--timeout S] [--lookup-only] [-v]\n"
		"Prints every exec on this host (raw_tp/sched_process_exec) after finding a BTF for it:\n"
		"  --btf PATH        use this BTF (layer 1)\n"
		"  --no-kernel-btf   skip the kernel's own BTF (layer 2), to force the pack\n"
		"  --pack FILE       pack to search (layer 3); default: the embedded pack, else %s next\n"
		"                    to this binary\n"
		"  --no-pack         no pack at all (layer 3 skipped, even an embedded pack)\n"
		"  --root DIR        the host's files are mounted at DIR (etc/os-release, sys/kernel/btf)\n"
		"  --obj FILE        BPF object; default: %s next to this binary, else\n"
		"                    %s\n"
		"  --count N         stop after N events (default 3); N execs of /bin/true are triggered\n"
		"  --timeout S       give up after S seconds (default 5)\n"
		"  --lookup-only     only find the BTF, print it and exit\n"
		"  -v                libbpf's debug log\n"
		"Exit: 0 events received, 1 no BTF for this host / load failure / no event, 2 usage.\n",
		PACK_NAME, OBJ_NAME, EXEC_MONITOR_DEFAULT_OBJ);
}

static int parse_args(int argc, char **argv)
{
	enum { O_PACK = 256, O_ROOT, O_BTF, O_NOKERNEL, O_OBJ, O_COUNT, O_TIMEOUT, O_LOOKUP, O_NOPACK };
	static const struct option lo[] = {
		{"pack", required_argument, 0, O_PACK},         {"root", required_argument, 0, O_ROOT},
		{"btf", required_argument, 0, O_BTF},           {"no-kernel-btf", no_argument, 0, O_NOKERNEL},
		{"obj", required_argument, 0, O_OBJ},           {"count", required_argument, 0, O_COUNT},
		{"timeout", required_argument, 0, O_TIMEOUT},   {"lookup-only", no_argument, 0, O_LOOKUP},
		{"no-pack", no_argument, 0, O_NOPACK},          {"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case O_PACK: opt.pack = optarg; break;
		case O_ROOT: opt.root = optarg; break;
		case O_BTF: opt.btf = optarg; break;
		case O_NOKERNEL: opt.no_kernel_btf = 1; break;
		case O_NOPACK: opt.no_pack = 1; break;
		case O_OBJ: opt.obj = optarg; break;
		case O_LOOKUP: opt.lookup_only = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case O_COUNT:
			errno = 0;
			opt.count = strtol(optarg, &end, 10);
			if (errno || *end || opt.count < 1 || opt.count > 100000) {
				fprintf(stderr, "exec_monitor: --count: expected 1..100000, got '%s'\n", optarg);
				return -1;
			}
			break;
		case O_TIMEOUT:
			errno = 0;
			opt.timeout = strtod(optarg, &end);
			if (errno || *end || !(opt.timeout > 0) || opt.timeout > 86400) {
				fprintf(stderr, "exec_monitor: --timeout: expected seconds in (0, 86400], got '%s'\n", optarg);
				return -1;
			}
			break;
		default: return -1;
		}
	}
	if (opt.pack && opt.no_pack) {
		fprintf(stderr, "exec_monitor: --pack and --no-pack exclude each other\n");
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "exec_monitor: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !opt.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* <directory of this binary>/name, if that file exists. */
static int next_to_binary(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = 0;
	if (snprintf(out, len, "%s/%s", exe, name) >= (int)len)
		return 0;
	return access(out, R_OK) == 0;
}

static const char *layer_name(enum btfpack_layer l)
{
	switch (l) {
	case BTFPACK_LAYER_EXPLICIT: return "explicit";
	case BTFPACK_LAYER_KERNEL: return "kernel";
	case BTFPACK_LAYER_PACK: return "pack";
	case BTFPACK_LAYER_REMOTE: return "remote";
	default: return "none";
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct exec_event)) {
		fprintf(stderr, "exec_monitor: short event (%zu bytes)\n", size);
		return 0;
	}
	const struct exec_event *e = data;
	int ours = e->ppid == (uint32_t)getpid();
	n_events++;
	n_ours += ours;
	printf("exec pid=%u ppid=%u comm=%.16s filename=%.128s%s\n", e->pid, e->ppid, e->comm, e->filename,
	       ours ? " (ours)" : "");
	fflush(stdout);
	return n_events >= opt.count ? 1 : 0; /* > 0 stops ring_buffer__poll early */
}

/* fork + exec /bin/true; the child's exec is what the program sees. */
static void trigger_exec(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		printf("child: pid=%d\n", (int)pid);
		waitpid(pid, NULL, 0);
	}
	else
		fprintf(stderr, "exec_monitor: fork: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv)) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_log);
	printf("self: pid=%d\n", (int)getpid());

	/* the pack: --pack, else the embedded one, else btfs.pack next to the binary */
	struct btfpack_pack *pack = NULL;
	char err[2048], pack_path[PATH_MAX];
	const char *pack_desc = "none";
	const char *emb_begin = btfpack_embedded_pack, *emb_end = btfpack_embedded_pack_end;
	if (opt.no_pack) {
		/* layer 3 off */
	} else if (opt.pack) {
		if (btfpack_open_file(opt.pack, &pack, err, sizeof(err))) {
			fprintf(stderr, "exec_monitor: %s\n", err);
			return 1;
		}
		pack_desc = opt.pack;
	} else if (emb_begin && emb_end > emb_begin) {
		if (btfpack_open_memory(emb_begin, (size_t)(emb_end - emb_begin), &pack, err, sizeof(err))) {
			fprintf(stderr, "exec_monitor: embedded pack: %s\n", err);
			return 1;
		}
		pack_desc = "embedded";
	} else if (next_to_binary(PACK_NAME, pack_path, sizeof(pack_path))) {
		if (btfpack_open_file(pack_path, &pack, err, sizeof(err))) {
			fprintf(stderr, "exec_monitor: %s\n", err);
			return 1;
		}
		pack_desc = pack_path;
	}
	if (pack)
		printf("pack: %s (%zu kernels, %zu distinct BTFs)\n", pack_desc, btfpack_count(pack), btfpack_blob_count(pack));
	else
		printf("pack: none\n");

	/* the host, printed up front; lookup itself reports a detection failure when it needs it */
	struct btfpack_host host;
	char herr[256];
	int have_host = btfpack_host_detect(opt.root, &host, herr, sizeof(herr)) == 0;
	if (have_host)
		printf("host: %s/%s/%s/%s\n", host.distro, host.version, host.arch, host.kernel);
	else
		printf("host: unknown (%s)\n", herr);

	struct btfpack_lookup_opts lo = {
		.explicit_path = opt.btf,
		.kernel_btf = opt.no_kernel_btf ? "" : NULL,
		.pack = pack,
		.host = have_host ? &host : NULL,
		.root = opt.root,
	};
	struct btfpack_btf btf;
	if (btfpack_lookup(&lo, &btf, err, sizeof(err))) {
		fprintf(stderr, "exec_monitor: %s\n", err);
		btfpack_close(pack);
		return 1;
	}
	char target[PATH_MAX] = "";
	ssize_t tn = readlink(btf.path, target, sizeof(target) - 1);
	target[tn > 0 ? tn : 0] = 0;
	printf("btf: layer %d (%s) %s%s%s%s", btf.layer, layer_name(btf.layer), btf.path, tn > 0 ? " -> " : "", target,
	       btf.fd >= 0 ? " (memfd)" : "");
	if (btf.size)
		printf(", %zu bytes", btf.size);
	printf("\n");
	if (opt.lookup_only) {
		btfpack_btf_free(&btf);
		btfpack_close(pack);
		return 0;
	}

	/* the object: --obj, else next to the binary, else where the build put it */
	char obj_path[PATH_MAX];
	if (opt.obj)
		snprintf(obj_path, sizeof(obj_path), "%s", opt.obj);
	else if (!next_to_binary(OBJ_NAME, obj_path, sizeof(obj_path)))
		snprintf(obj_path, sizeof(obj_path), "%s", EXEC_MONITOR_DEFAULT_OBJ);
	printf("object: %s\n", obj_path);

	int rc = 1;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct ring_buffer *rb = NULL;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf.path);
	obj = bpf_object__open_file(obj_path, &oo);
	if (!obj) {
		fprintf(stderr, "exec_monitor: cannot open %s: %s\n", obj_path, strerror(errno));
		goto out;
	}
	int e = bpf_object__load(obj);
	/* relocation is done: the BTF (and its memfd) is no longer needed */
	btfpack_btf_free(&btf);
	if (e) {
		fprintf(stderr, "exec_monitor: cannot load %s: %s\n", obj_path, strerror(-e));
		goto out;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "example_exec");
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "exec_events");
	if (!prog || !map) {
		fprintf(stderr, "exec_monitor: %s has no program example_exec / map exec_events\n", obj_path);
		goto out;
	}
	link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "exec_monitor: cannot attach %s: %s\n", bpf_program__section_name(prog), strerror(errno));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(map), on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "exec_monitor: ring buffer: %s\n", strerror(errno));
		goto out;
	}
	printf("attached: %s\n", bpf_program__section_name(prog));

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (long i = 0; i < opt.count; i++)
		trigger_exec();
	double deadline = now() + opt.timeout;
	while (!stop && n_events < opt.count) {
		double left = deadline - now();
		if (left <= 0)
			break;
		int n = ring_buffer__poll(rb, left > 0.1 ? 100 : (int)(left * 1000) + 1);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "exec_monitor: ring buffer poll: %s\n", strerror(-n));
			break;
		}
	}
	printf("received %ld events (%ld from this process's children)\n", n_events, n_ours);
	rc = n_events > 0 ? 0 : 1;
	if (!n_events)
		fprintf(stderr, "exec_monitor: no exec event within %g s\n", opt.timeout);
out:
	ring_buffer__free(rb);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	btfpack_btf_free(&btf);
	btfpack_close(pack);
	return rc;
}
