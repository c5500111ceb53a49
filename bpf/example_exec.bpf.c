// SPDX-License-Identifier: GPL-2.0
/*
 * example_exec.bpf.c - the BPF side of examples/exec_monitor (a real libbpf app).
 *
 * One raw tracepoint program on sched_process_exec (raw_tp attaches by name through
 * bpf_raw_tracepoint_open: no tracefs mount is needed, so it also works in containers)
 * that sends one event per exec through a BPF_MAP_TYPE_RINGBUF map:
 *   pid = p->tgid, ppid = p->real_parent->tgid, comm = p->comm, filename = bprm->filename.
 *
 * Relocation kinds: FIELD_BYTE_OFFSET only (task_struct.tgid, .real_parent, .comm;
 * linux_binprm.filename). A minimized BTF for this object needs task_struct with those three
 * members and linux_binprm with `filename`.
 *
 * The event layout is duplicated in examples/exec_monitor.c (struct exec_event): keep both
 * in sync (the app checks the size of every record it receives).
 */
#include "btfpack_bpf.h"

/* from include/uapi/linux/bpf.h (no system headers here, see btfpack_bpf.h) */
enum { BPF_MAP_TYPE_RINGBUF = 27 };

#define EXEC_COMM_LEN 16
#define EXEC_FILENAME_LEN 128

struct task_struct {
	pid_t tgid;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

struct exec_event {
	u32 pid;
	u32 ppid;
	char comm[EXEC_COMM_LEN];
	char filename[EXEC_FILENAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exec_events SEC(".maps");

/* TP_PROTO(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(example_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_event *e = bpf_ringbuf_reserve(&exec_events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(p, tgid);
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
