// SPDX-License-Identifier: GPL-2.0
/*
 * types.bpf.c - type based CO-RE relocations.
 *
 * Relocation kinds: TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE,
 * TYPE_MATCHES (plus a few FIELD_BYTE_OFFSET reads).
 * Covers, for structs, unions, enums and typedefs:
 *  - types every kernel has: struct task_struct, struct list_head,
 *    struct callback_head (function pointer member), union sigval,
 *    enum pid_type; typedefs pid_t (-> __kernel_pid_t -> int), kuid_t
 *    (typedef of an anonymous struct), atomic_long_t (-> atomic64_t ->
 *    anonymous struct), sigval_t (typedef of a union);
 *  - types only newer kernels have: struct folio (5.16+), struct maple_tree
 *    (6.1+);
 *  - a type no kernel has: struct btfpack_no_such_type (exists/size/id 0,
 *    matches 0);
 *  - flavors: struct task_struct___o (resolves to task_struct for
 *    exists/size/id), struct task_struct___ids (type-matches every kernel),
 *    struct task_struct___wide (pid declared as u64: never matches);
 *  - TYPE_MATCHES subtleties (libbpf wants equal int names and signedness):
 *    struct task_struct has `char comm[16]`, a SIGNED char in local BTF; it
 *    matches kernels whose BTF encodes char as signed (Debian 6.1 x86_64)
 *    but not those with an encoding-less char (Debian 5.10 x86_64, 6.1
 *    arm64, 6.12 s390x);
 *    struct task_struct___o never matches (`state` is gone in 5.14+, before
 *    that local "long" vs kernel "long int"), nor does atomic_long_t (local
 *    "long long" vs kernel "long long int");
 *  - a forward declaration: struct mm_struct is only declared (pointer never
 *    dereferenced), bpf_core_type_exists() on it is 0 (FWD vs STRUCT kind);
 *  - bpf_core_type_id_kernel() used for real: bpf_snprintf_btf() of a
 *    task_struct.
 */
#include "btfpack_bpf.h"

struct task_struct {
	pid_t pid;
	pid_t tgid;
	char comm[16];
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct task_struct___o {
	long state;
	pid_t pid;
} __attribute__((preserve_access_index));

/* only ints named "int" and pointers: matches every kernel (unlike
 * task_struct above, whose signed `char comm[16]` matches only kernels whose
 * BTF has a signed char) */
struct task_struct___ids {
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct task_struct___wide {
	u64 pid;
} __attribute__((preserve_access_index));

struct list_head {
	struct list_head *next, *prev;
};

struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};

struct folio {
	unsigned long flags;
};

struct maple_tree {
	unsigned int ma_flags;
	void *ma_root;
};

struct btfpack_no_such_type {
	int btfpack_field;
};

union sigval {
	int sival_int;
	void *sival_ptr;
};
typedef union sigval sigval_t;

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

struct mm_struct; /* never defined: only pointed to */

/* argument of bpf_snprintf_btf(), as in include/uapi/linux/bpf.h */
struct btf_ptr {
	void *ptr;
	__u32 type_id;
	__u32 flags;
};

struct type_info {
	u32 id_local_task, id_local_kuid, id_local_none, id_task, id_task_o, id_none, id_pid_t;
	u32 id_sigval, id_pid_type, id_folio;
	u32 ex_task, ex_task_o, ex_folio, ex_maple, ex_none, ex_pid_t, ex_kuid, ex_sigval_t;
	u32 ex_sigval, ex_mm_fwd, ex_pid_type;
	u32 sz_task, sz_folio, sz_maple, sz_kuid, sz_pid_t, sz_atomic, sz_sigval_t, sz_pid_type;
	u32 sz_none, sz_task_o;
	u32 m_task, m_task_o, m_task_ids, m_task_wide, m_list, m_cb, m_none, m_pid_t, m_kuid, m_sigval;
	u32 m_pid_type, m_maple, m_atomic;
	pid_t pid, ppid;
	long printed;
	char buf[256];
};

struct type_info tinfo;

SEC("kprobe/wake_up_new_task")
int BPF_KPROBE(types_id, struct task_struct *p)
{
	struct btf_ptr ptr = {
		.ptr = p,
		.type_id = bpf_core_type_id_kernel(struct task_struct),
	};

	tinfo.id_local_task = bpf_core_type_id_local(struct task_struct);
	tinfo.id_local_kuid = bpf_core_type_id_local(kuid_t);
	tinfo.id_local_none = bpf_core_type_id_local(struct btfpack_no_such_type);
	tinfo.id_task = ptr.type_id;
	tinfo.id_task_o = bpf_core_type_id_kernel(struct task_struct___o);
	tinfo.id_none = bpf_core_type_id_kernel(struct btfpack_no_such_type);
	tinfo.id_pid_t = bpf_core_type_id_kernel(pid_t);
	tinfo.id_sigval = bpf_core_type_id_kernel(union sigval);
	tinfo.id_pid_type = bpf_core_type_id_kernel(enum pid_type);
	tinfo.id_folio = bpf_core_type_id_kernel(struct folio);
	if (ptr.type_id)
		tinfo.printed = bpf_snprintf_btf(tinfo.buf, sizeof(tinfo.buf), &ptr, sizeof(ptr), 0);
	tinfo.pid = BPF_CORE_READ(p, pid);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int types_exist(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	tinfo.ex_task = bpf_core_type_exists(struct task_struct);
	tinfo.ex_task_o = bpf_core_type_exists(struct task_struct___o);
	tinfo.ex_folio = bpf_core_type_exists(struct folio);
	tinfo.ex_maple = bpf_core_type_exists(struct maple_tree);
	tinfo.ex_none = bpf_core_type_exists(struct btfpack_no_such_type);
	tinfo.ex_pid_t = bpf_core_type_exists(pid_t);
	tinfo.ex_kuid = bpf_core_type_exists(kuid_t);
	tinfo.ex_sigval_t = bpf_core_type_exists(sigval_t);
	tinfo.ex_sigval = bpf_core_type_exists(union sigval);
	tinfo.ex_mm_fwd = bpf_core_type_exists(struct mm_struct);
	tinfo.ex_pid_type = bpf_core_type_exists(enum pid_type);
	if (tinfo.ex_task)
		tinfo.ppid = BPF_CORE_READ(t, real_parent, tgid);
	return 0;
}

SEC("raw_tp/sys_enter")
int types_size(void *ctx)
{
	tinfo.sz_task = bpf_core_type_size(struct task_struct);
	tinfo.sz_task_o = bpf_core_type_size(struct task_struct___o);
	tinfo.sz_folio = bpf_core_type_size(struct folio);
	tinfo.sz_maple = bpf_core_type_size(struct maple_tree);
	tinfo.sz_kuid = bpf_core_type_size(kuid_t);
	tinfo.sz_pid_t = bpf_core_type_size(pid_t);
	tinfo.sz_atomic = bpf_core_type_size(atomic_long_t);
	tinfo.sz_sigval_t = bpf_core_type_size(sigval_t);
	tinfo.sz_pid_type = bpf_core_type_size(enum pid_type);
	tinfo.sz_none = bpf_core_type_size(struct btfpack_no_such_type);
	return 0;
}

SEC("kprobe/do_exit")
int BPF_KPROBE(types_match, long code)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	tinfo.m_task = bpf_core_type_matches(struct task_struct);
	tinfo.m_task_o = bpf_core_type_matches(struct task_struct___o);
	tinfo.m_task_ids = bpf_core_type_matches(struct task_struct___ids);
	tinfo.m_task_wide = bpf_core_type_matches(struct task_struct___wide);
	tinfo.m_list = bpf_core_type_matches(struct list_head);
	tinfo.m_cb = bpf_core_type_matches(struct callback_head);
	tinfo.m_none = bpf_core_type_matches(struct btfpack_no_such_type);
	tinfo.m_pid_t = bpf_core_type_matches(pid_t);
	tinfo.m_kuid = bpf_core_type_matches(kuid_t);
	tinfo.m_sigval = bpf_core_type_matches(union sigval);
	tinfo.m_pid_type = bpf_core_type_matches(enum pid_type);
	tinfo.m_maple = bpf_core_type_matches(struct maple_tree);
	tinfo.m_atomic = bpf_core_type_matches(atomic_long_t);
	if (tinfo.m_task)
		tinfo.pid = BPF_CORE_READ(t, pid);
	return code == 0;
}

char LICENSE[] SEC("license") = "GPL";
