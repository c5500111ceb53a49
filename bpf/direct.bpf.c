// SPDX-License-Identifier: GPL-2.0
/*
 * direct.bpf.c - direct (non-probed) memory reads in BTF-enabled tracepoints.
 *
 * Relocation kinds: FIELD_BYTE_OFFSET (on LDX instructions: libbpf patches
 * the load offset and, where the kernel field is narrower, the load size),
 * FIELD_BYTE_SIZE, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64,
 * FIELD_EXISTS.
 * Covers:
 *  - BPF_CORE_READ_BITFIELD() (direct loads of the bitfield's storage unit)
 *    on task_struct.sched_reset_on_fork:1 / in_iowait:1 and
 *    sock_common.skc_reuse:4 via next->... pointers handed in by tp_btf;
 *  - plain C dereferences of preserve_access_index structs, chained:
 *    p->real_parent->tgid, next->comm[0], bprm->filename (pointer value);
 *  - a deliberate size mismatch: task_struct.flags is declared `unsigned
 *    long` locally but is an `unsigned int` in every kernel, so libbpf
 *    patches the load size (mem_sz 8 -> 4) of the direct load;
 *  - fork child/parent pointers (same relocations as in the other
 *    programs, e.g. task_struct.pid, in three programs).
 * tp_btf programs need the running kernel's /sys/kernel/btf/vmlinux at load
 * time (for the attach point), which is why they live in their own object.
 */
#include "btfpack_bpf.h"

struct task_struct {
	unsigned long flags; /* unsigned int in the kernel: load size is patched */
	unsigned int sched_reset_on_fork:1;
	unsigned int in_iowait:1;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

struct direct_info {
	u64 reset, iowait, flags, filename;
	pid_t prev, next, ppid, child, parent;
	pid_t old_pid;
	char c0;
};

struct direct_info dinfo;

SEC("tp_btf/sched_switch")
int BPF_PROG(direct_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	dinfo.prev = prev->pid;
	dinfo.next = next->pid;
	dinfo.c0 = next->comm[0];
	dinfo.flags = next->flags;
	dinfo.reset = BPF_CORE_READ_BITFIELD(next, sched_reset_on_fork);
	dinfo.iowait = BPF_CORE_READ_BITFIELD(prev, in_iowait);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(direct_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	dinfo.old_pid = old_pid;
	dinfo.ppid = p->real_parent->tgid;
	dinfo.filename = (u64)bprm->filename;
	if (bpf_core_field_exists(p->flags))
		dinfo.flags = p->flags;
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(direct_fork, struct task_struct *parent, struct task_struct *child)
{
	dinfo.parent = parent->pid;
	dinfo.child = child->pid;
	dinfo.reset = BPF_CORE_READ_BITFIELD(child, sched_reset_on_fork);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
