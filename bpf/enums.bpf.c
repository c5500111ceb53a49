// SPDX-License-Identifier: GPL-2.0
/*
 * enums.bpf.c - enum value CO-RE relocations, including ENUM64.
 *
 * Relocation kinds: ENUMVAL_EXISTS, ENUMVAL_VALUE (plus TYPE_EXISTS,
 * TYPE_SIZE, TYPE_MATCHES on the enums and FIELD_BYTE_OFFSET reads).
 * Covers:
 *  - enum pid_type (every kernel), used for real as an array index into
 *    signal_struct.pids[] (array of pointers);
 *  - enum bpf_func_id: values every kernel has (BPF_FUNC_map_lookup_elem),
 *    values newer kernels only have (BPF_FUNC_ringbuf_output 5.8+,
 *    BPF_FUNC_get_func_ip 5.15+, BPF_FUNC_user_ringbuf_drain 6.1+) and a
 *    made-up enumerator BPF_FUNC_btfpack_no_such_helper (exists 0; its
 *    guarded value relocation is poisoned);
 *  - enumerator flavors: enum pid_type___v2 { PIDTYPE_TGID___v2,
 *    PIDTYPE_SID___v2 } resolves to enum pid_type / PIDTYPE_TGID, PIDTYPE_SID;
 *  - ENUM64: enum perf_callchain_context (values near 2^64: ENUM64 in local
 *    BTF and in 6.1+ kernel BTF; Debian 5.10's BTF, made by a pahole without
 *    ENUM64, has a size-8 ENUM holding only the low 32 bits of each value,
 *    which libbpf 1.1 sign-extends back to the same 64-bit values) and enum
 *    net_iov_type (NET_IOV_MAX = ~0ULL, only in recent kernels -- not in
 *    Debian's 6.1 or 6.12 s390x BTF: exists 0 / poisoned there);
 *  - a 32-bit local enum whose target is an ENUM64 (enum
 *    perf_callchain_context___small, program enum_small): clang emits enum
 *    value relocations as ld_imm64, libbpf patches the 64-bit target value;
 *  - an enum type no kernel has (enum btfpack_no_such_enum).
 */
#include "btfpack_bpf.h"

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

enum pid_type___v2 {
	PIDTYPE_TGID___v2 = 1,
	PIDTYPE_SID___v2 = 3,
};

enum bpf_func_id {
	BPF_FUNC_map_lookup_elem = 1,
	BPF_FUNC_get_current_task = 35,
	BPF_FUNC_ringbuf_output = 130,
	BPF_FUNC_get_func_ip = 173,
	BPF_FUNC_user_ringbuf_drain = 209,
	BPF_FUNC_btfpack_no_such_helper = 4242,
};

enum perf_callchain_context {
	PERF_CONTEXT_HV = (__u64)-32,
	PERF_CONTEXT_KERNEL = (__u64)-128,
	PERF_CONTEXT_USER = (__u64)-512,
	PERF_CONTEXT_MAX = (__u64)-4095,
};

enum perf_callchain_context___small {
	PERF_CONTEXT_KERNEL___small = 1,
};

enum net_iov_type {
	NET_IOV_DMABUF,
	NET_IOV_IOURING,
	NET_IOV_MAX = ~0ULL,
};

enum btfpack_no_such_enum {
	BTFPACK_NO_SUCH_VALUE = 7,
};

struct upid {
	int nr;
} __attribute__((preserve_access_index));

struct pid {
	struct upid numbers[1];
} __attribute__((preserve_access_index));

struct signal_struct {
	struct pid *pids[PIDTYPE_MAX];
} __attribute__((preserve_access_index));

struct task_struct {
	struct signal_struct *signal;
} __attribute__((preserve_access_index));

struct enum_info {
	u64 ctx_hv, ctx_kernel, ctx_user, ctx_max, iov_max, small;
	u32 ex_tgid, ex_sid_v2, ex_lookup, ex_ringbuf, ex_func_ip, ex_user_rb, ex_none;
	u32 ex_ctx_user, ex_iov_max, ex_no_enum;
	u32 v_tgid, v_pgid, v_sid_v2, v_lookup, v_ringbuf, v_func_ip, v_user_rb, v_none;
	u32 v_no_enum, sz_ctx, m_ctx, m_iov, t_iov;
	pid_t pgid, sid;
};

struct enum_info einfo;

SEC("kprobe/do_exit")
int BPF_KPROBE(enum_exists, long code)
{
	einfo.ex_tgid = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_TGID);
	einfo.ex_sid_v2 = bpf_core_enum_value_exists(enum pid_type___v2, PIDTYPE_SID___v2);
	einfo.ex_lookup = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_map_lookup_elem);
	einfo.ex_ringbuf = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_ringbuf_output);
	einfo.ex_func_ip = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_ip);
	einfo.ex_user_rb = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_user_ringbuf_drain);
	einfo.ex_none = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_btfpack_no_such_helper);
	einfo.ex_no_enum = bpf_core_enum_value_exists(enum btfpack_no_such_enum, BTFPACK_NO_SUCH_VALUE);
	return code == 0;
}

SEC("tracepoint/sched/sched_process_exit")
int enum_values(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	einfo.v_tgid = bpf_core_enum_value(enum pid_type, PIDTYPE_TGID);
	einfo.v_pgid = bpf_core_enum_value(enum pid_type, PIDTYPE_PGID);
	einfo.v_sid_v2 = bpf_core_enum_value(enum pid_type___v2, PIDTYPE_SID___v2);
	einfo.v_lookup = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_map_lookup_elem);
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_ringbuf_output))
		einfo.v_ringbuf = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_ringbuf_output);
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_ip))
		einfo.v_func_ip = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_get_func_ip);
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_user_ringbuf_drain))
		einfo.v_user_rb = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_user_ringbuf_drain);
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_btfpack_no_such_helper))
		einfo.v_none = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_btfpack_no_such_helper);
	if (bpf_core_type_exists(enum btfpack_no_such_enum))
		einfo.v_no_enum = bpf_core_enum_value(enum btfpack_no_such_enum, BTFPACK_NO_SUCH_VALUE);
	/* enum value used as an array index (local constant in the access string) */
	einfo.pgid = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	einfo.sid = BPF_CORE_READ(t, signal, pids[PIDTYPE_SID], numbers[0].nr);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int enum64(void *ctx)
{
	einfo.ctx_hv = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_HV);
	einfo.ctx_kernel = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_KERNEL);
	einfo.ctx_max = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_MAX);
	einfo.ex_ctx_user = bpf_core_enum_value_exists(enum perf_callchain_context, PERF_CONTEXT_USER);
	if (einfo.ex_ctx_user)
		einfo.ctx_user = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_USER);
	einfo.sz_ctx = bpf_core_type_size(enum perf_callchain_context);
	einfo.m_ctx = bpf_core_type_matches(enum perf_callchain_context);
	einfo.t_iov = bpf_core_type_exists(enum net_iov_type);
	einfo.m_iov = bpf_core_type_matches(enum net_iov_type);
	einfo.ex_iov_max = bpf_core_enum_value_exists(enum net_iov_type, NET_IOV_MAX);
	if (einfo.ex_iov_max)
		einfo.iov_max = bpf_core_enum_value(enum net_iov_type, NET_IOV_MAX);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int enum_small(void *ctx)
{
	einfo.small = bpf_core_enum_value(enum perf_callchain_context___small,
					  PERF_CONTEXT_KERNEL___small);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
