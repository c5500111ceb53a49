// SPDX-License-Identifier: GPL-2.0
/*
 * task.bpf.c - process/task CO-RE relocations (field based).
 *
 * Relocation kinds: FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS,
 * FIELD_SIGNED.
 * Covers:
 *  - task_struct: pid, tgid, comm, comm[3], real_parent, group_leader, flags,
 *    prio, exit_code, start_time (u64 typedef chain), mm, cred->uid.val /
 *    euid.val (kuid_t: typedef of an anonymous struct), thread_pid,
 *    sighand, signal; chains of pointer dereferences;
 *  - arrays: task->comm[3], pid->numbers[0].nr (numbers[1] in 5.10, a
 *    flexible array numbers[] in 6.1+), sighand->action[16].sa.sa_handler (array of
 *    structs), mm->rss_stat[1].count (6.2+: array of struct percpu_counter)
 *    vs ___old flavor mm->rss_stat.count[1].counter (struct of an array of
 *    atomic_long_t -> atomic64_t -> anonymous struct);
 *  - anonymous structs in the target only: mm_struct's members live in an
 *    anonymous struct in real kernels, the local definition is flat;
 *  - pointers never dereferenced: task->mm is only compared with NULL in
 *    task_new, task->nsproxy is read as a plain value (struct nsproxy is
 *    only forward declared);
 *  - flavors: task_struct___o { long state } (kernels < 5.14) vs
 *    task_struct { unsigned int __state }; trace_event_raw_sched_process_fork
 *    (char parent_comm[16] in 5.10 ... 6.12) vs ___new
 *    (u32 __data_loc_parent_comm in newer kernels, e.g. 6.18);
 *  - relocations whose root type is a typedef: kuid_t (kernel typedef of
 *    an anonymous struct: resolves) and task_t (typedef of task_struct that
 *    only exists locally: no candidate, field_exists 0, read poisoned);
 *  - fields that do not exist: task_struct___btfpack.btfpack_no_such_field
 *    (guarded by bpf_core_field_exists -> 0) and one UNGUARDED read of
 *    task_struct___btfpack.btfpack_unguarded, which libbpf poisons;
 *  - tracepoint context fields (sched_process_fork, raw_syscalls/sys_enter
 *    args[1]) and kprobe context fields (struct pt_regs::di).
 * The same task_struct relocations (pid, tgid, comm) appear in several
 * programs.
 */
#include "btfpack_bpf.h"

typedef void __signalfn_t(int);
typedef __signalfn_t *__sighandler_t;

struct upid {
	int nr;
} __attribute__((preserve_access_index));

struct pid {
	unsigned int level;
	struct upid numbers[1];
} __attribute__((preserve_access_index));

struct sigaction {
	__sighandler_t sa_handler;
	unsigned long sa_flags;
} __attribute__((preserve_access_index));

struct k_sigaction {
	struct sigaction sa;
} __attribute__((preserve_access_index));

struct sighand_struct {
	struct k_sigaction action[64];
} __attribute__((preserve_access_index));

struct signal_struct {
	int nr_threads;
} __attribute__((preserve_access_index));

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t euid;
} __attribute__((preserve_access_index));

struct percpu_counter {
	s64 count;
} __attribute__((preserve_access_index));

/* flat locally; an anonymous struct wraps these members in real kernels */
struct mm_struct {
	unsigned long start_code;
	unsigned long arg_start;
	unsigned long total_vm;
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));

struct mm_rss_stat {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat rss_stat;
} __attribute__((preserve_access_index));

struct nsproxy;

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int prio;
	int exit_code;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	u64 start_time;
	const struct cred *cred;
	char comm[16];
	struct mm_struct *mm;
	struct pid *thread_pid;
	struct sighand_struct *sighand;
	struct signal_struct *signal;
	struct nsproxy *nsproxy;
} __attribute__((preserve_access_index));

struct task_struct___o {
	long state;
} __attribute__((preserve_access_index));

struct task_struct___btfpack {
	int btfpack_no_such_field;
	long btfpack_unguarded;
} __attribute__((preserve_access_index));

/* a typedef of a struct that only exists locally: relocations rooted at it
 * find no kernel candidate named "task_t" */
typedef struct task_struct task_t;

struct trace_entry {
	unsigned short type;
	int pid;
} __attribute__((preserve_access_index));

struct trace_event_raw_sched_process_fork {
	struct trace_entry ent;
	char parent_comm[16];
	pid_t parent_pid;
	char child_comm[16];
	pid_t child_pid;
} __attribute__((preserve_access_index));

struct trace_event_raw_sched_process_fork___new {
	u32 __data_loc_parent_comm;
} __attribute__((preserve_access_index));

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
} __attribute__((preserve_access_index));

#define PF_KTHREAD 0x00200000

struct task_info {
	u64 start_time, mm_pages, rss_file, handler, nsproxy;
	pid_t pid, tgid, ppid, leader, nspid;
	uid_t uid, euid;
	long state;
	int prio, exit_code, threads, fake, unguarded;
	unsigned int flags, comm_size, signed_exit;
	char comm[16], parent_comm[16], c3;
};

struct task_info info;

static __always_inline long task_state(struct task_struct *t)
{
	struct task_struct___o *old = (void *)t;

	if (bpf_core_field_exists(old->state))
		return BPF_CORE_READ(old, state);
	return BPF_CORE_READ(t, __state);
}

SEC("kprobe/wake_up_new_task")
int BPF_KPROBE(task_new, struct task_struct *p)
{
	info.pid = BPF_CORE_READ(p, pid);
	info.tgid = BPF_CORE_READ(p, tgid);
	info.ppid = BPF_CORE_READ(p, real_parent, tgid);
	info.leader = BPF_CORE_READ(p, group_leader, pid);
	info.start_time = BPF_CORE_READ(p, start_time);
	info.uid = BPF_CORE_READ(p, cred, uid.val);
	info.euid = BPF_CORE_READ(p, cred, euid.val);
	info.nspid = BPF_CORE_READ(p, thread_pid, numbers[0].nr);
	info.c3 = BPF_CORE_READ(p, comm[3]);
	info.comm_size = bpf_core_field_size(p->comm);
	BPF_CORE_READ_STR_INTO(&info.comm, p, comm);
	/* p->mm is only tested for NULL: struct mm_struct is not dereferenced */
	info.flags = BPF_CORE_READ(p, flags);
	if (!BPF_CORE_READ(p, mm) || (info.flags & PF_KTHREAD))
		return 0;
	info.nsproxy = (u64)BPF_CORE_READ(p, nsproxy);
	return 1;
}

SEC("tracepoint/sched/sched_process_fork")
int task_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct trace_event_raw_sched_process_fork___new *n = (void *)ctx;

	info.pid = ctx->child_pid;
	info.ppid = ctx->parent_pid;
	if (bpf_core_field_exists(ctx->parent_comm))
		bpf_probe_read_kernel(info.parent_comm, sizeof(info.parent_comm), ctx->parent_comm);
	else if (bpf_core_field_exists(n->__data_loc_parent_comm))
		info.comm_size = n->__data_loc_parent_comm >> 16;
	info.state = task_state(t);
	info.tgid = BPF_CORE_READ(t, tgid);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(task_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct mm_struct *mm = BPF_CORE_READ(next, mm);
	struct mm_struct___old *old = (void *)mm;

	info.state = task_state(prev);
	info.pid = BPF_CORE_READ(next, pid);
	info.prio = BPF_CORE_READ(next, prio);
	info.handler = (u64)BPF_CORE_READ(next, sighand, action[16].sa.sa_handler);
	if (!mm)
		return 0;
	info.mm_pages = BPF_CORE_READ(mm, total_vm) + BPF_CORE_READ(mm, start_code) +
			BPF_CORE_READ(mm, arg_start);
	if (bpf_core_field_exists(old->rss_stat.count))
		info.rss_file = BPF_CORE_READ(old, rss_stat.count[1].counter);
	else if (bpf_core_field_exists(mm->rss_stat[1].count))
		info.rss_file = BPF_CORE_READ(mm, rss_stat[1].count);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int task_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	if (ctx->id != 59 /* execve on x86_64 */)
		return 0;
	info.handler = ctx->args[1];
	info.pid = BPF_CORE_READ(t, pid);
	info.tgid = BPF_CORE_READ(t, tgid);
	bpf_probe_read_kernel_str(info.comm, sizeof(info.comm), t->comm);
	return 0;
}

SEC("kprobe/do_exit")
int BPF_KPROBE(task_exit, long code)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct task_struct___btfpack *f = (void *)t;
	const kuid_t *euid;

	info.pid = BPF_CORE_READ(t, pid);
	info.exit_code = BPF_CORE_READ(t, exit_code);
	info.signed_exit = btfpack_field_signed(t, exit_code);
	info.threads = BPF_CORE_READ(t, signal, nr_threads);
	/* relocations rooted at typedefs: kuid_t (a kernel typedef of an anonymous
	 * struct, resolves) and task_t (local only: exists 0) */
	euid = &BPF_CORE_READ(t, cred)->euid;
	info.euid = BPF_CORE_READ(euid, val);
	if (bpf_core_field_exists(((task_t *)t)->pid))
		info.pid = BPF_CORE_READ((task_t *)t, pid);
	if (bpf_core_field_exists(f->btfpack_no_such_field))
		info.fake = BPF_CORE_READ(f, btfpack_no_such_field);
	/* deliberately unguarded: no kernel has this field, libbpf poisons it */
	info.unguarded = BPF_CORE_READ(f, btfpack_unguarded);
	return code == 0;
}

char LICENSE[] SEC("license") = "GPL";
