// SPDX-License-Identifier: GPL-2.0
/*
 * minimal.bpf.c - the smallest btfpack example (used in the docs).
 *
 * Relocation kinds: FIELD_EXISTS, FIELD_BYTE_OFFSET.
 * Three relocations: bpf_core_field_exists(task->real_parent) and the two
 * offsets of BPF_CORE_READ(task, real_parent, tgid). A minimized BTF for this
 * object only needs struct task_struct with members real_parent and tgid
 * (and the types they point to / are typedefs of).
 */
#include "btfpack_bpf.h"

struct task_struct {
	pid_t tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

pid_t last_ppid;

SEC("tracepoint/sched/sched_process_exec")
int minimal_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (bpf_core_field_exists(task->real_parent))
		last_ppid = BPF_CORE_READ(task, real_parent, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
