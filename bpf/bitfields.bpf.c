// SPDX-License-Identifier: GPL-2.0
/*
 * bitfields.bpf.c - CO-RE relocations on bitfields (probed reads).
 *
 * Relocation kinds: FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS,
 * FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64.
 * Every BPF_CORE_READ_BITFIELD_PROBED() emits BYTE_SIZE, BYTE_OFFSET,
 * LSHIFT_U64, SIGNED and RSHIFT_U64 relocations on the same field.
 * Covers:
 *  - u8 bitfields: sock_common.skc_reuse:4 / skc_ipv6only:1 (reached through
 *    the embedded sk->__sk_common), sock.sk_kern_sock:1 and
 *    sk_buff.pkt_type:3 / cloned:1 / ip_summed:2 (pkt_type and ip_summed sit
 *    in an anonymous struct inside an anonymous union -- struct_group() --
 *    in 6.1+ kernels, directly in sk_buff in 5.10);
 *  - a local bitfield that is a plain byte in newer kernels:
 *    sock.sk_userlocks (u8 sk_userlocks:4 up to 6.1, a plain u8 in 6.12+);
 *  - u64 bitfields: perf_event_attr.exclude_kernel:1 / precise_ip:2 /
 *    sigtrap:1 (sigtrap only since 5.13: guarded), reached through the
 *    embedded event->attr;
 *  - an enum bitfield: xdp_frame.mem_type:32 (newer kernels; older ones have
 *    struct xdp_mem_info mem instead: guarded);
 *  - task_struct bitfields sched_reset_on_fork:1, in_iowait:1, in_execve:1;
 *  - flavor with bitfields that disappeared: inet_sock___old.is_icsk:1 /
 *    freebind:1 (converted to inet_flags bits in 6.5+), guarded;
 *  - FIELD_SIGNED on signed, unsigned and enum fields: inet_sock.uc_ttl
 *    (__s16, declared unsigned locally on purpose: 0 -> 1),
 *    sock.sk_protocol (u16), xdp_frame.mem_type (enum);
 *  - bpf_core_field_size/offset/exists on bitfields.
 */
#include "btfpack_bpf.h"

struct sock_common {
	unsigned short skc_family;
	unsigned char skc_reuse:4;
	unsigned char skc_reuseport:1;
	unsigned char skc_ipv6only:1;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	u8 sk_kern_sock:1;
	u8 sk_userlocks:4;
	u16 sk_protocol;
} __attribute__((preserve_access_index));

struct inet_sock {
	struct sock sk;
	unsigned short uc_ttl; /* __s16 in the kernel */
} __attribute__((preserve_access_index));

struct inet_sock___old {
	__u8 is_icsk:1;
	__u8 freebind:1;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned int len;
	__u8 cloned:1;
	__u8 pkt_type:3;
	__u8 ip_summed:2;
} __attribute__((preserve_access_index));

struct perf_event_attr {
	__u32 type;
	__u64 exclude_kernel:1;
	__u64 precise_ip:2;
	__u64 sigtrap:1;
} __attribute__((preserve_access_index));

struct perf_event {
	struct perf_event_attr attr;
} __attribute__((preserve_access_index));

enum xdp_mem_type {
	MEM_TYPE_PAGE_SHARED = 0,
	MEM_TYPE_PAGE_ORDER0,
	MEM_TYPE_PAGE_POOL,
	MEM_TYPE_XSK_BUFF_POOL,
};

struct xdp_frame {
	u32 len;
	enum xdp_mem_type mem_type:32;
} __attribute__((preserve_access_index));

struct task_struct {
	unsigned int sched_reset_on_fork:1;
	unsigned int in_execve:1;
	unsigned int in_iowait:1;
	pid_t pid;
} __attribute__((preserve_access_index));

struct bits {
	u64 reuse, ipv6only, kern_sock, userlocks, icsk, freebind, pkt_type, cloned;
	u64 ip_summed, excl_kernel, precise_ip, sigtrap, mem_type, reset, iowait, execve;
	u32 sz_userlocks, sz_precise, off_precise, off_pkt_type, signed_ttl, signed_proto;
	u32 signed_mem_type, has_pkt_type, ttl, protocol, len, pid;
};

struct bits bits;

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(bf_sock, struct sock *sk)
{
	struct inet_sock *inet = (void *)sk;
	struct inet_sock___old *old = (void *)sk;

	bits.reuse = BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse);
	bits.ipv6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);
	bits.kern_sock = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_kern_sock);
	bits.userlocks = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_userlocks);
	bits.sz_userlocks = bpf_core_field_size(sk->sk_userlocks);
	if (bpf_core_field_exists(old->is_icsk)) {
		bits.icsk = BPF_CORE_READ_BITFIELD_PROBED(old, is_icsk);
		bits.freebind = BPF_CORE_READ_BITFIELD_PROBED(old, freebind);
	}
	bits.ttl = BPF_CORE_READ(inet, uc_ttl);
	bits.signed_ttl = btfpack_field_signed(inet, uc_ttl);
	bits.protocol = BPF_CORE_READ(sk, sk_protocol);
	bits.signed_proto = btfpack_field_signed(sk, sk_protocol);
	return 0;
}

SEC("kprobe/tcp_v4_rcv")
int BPF_KPROBE(bf_skb, struct sk_buff *skb)
{
	bits.len = BPF_CORE_READ(skb, len);
	bits.has_pkt_type = bpf_core_field_exists(skb->pkt_type);
	bits.off_pkt_type = bpf_core_field_offset(struct sk_buff, pkt_type);
	bits.pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	bits.cloned = BPF_CORE_READ_BITFIELD_PROBED(skb, cloned);
	bits.ip_summed = BPF_CORE_READ_BITFIELD_PROBED(skb, ip_summed);
	return 0;
}

SEC("kprobe/perf_event_release_kernel")
int BPF_KPROBE(bf_perf, struct perf_event *event)
{
	bits.excl_kernel = BPF_CORE_READ_BITFIELD_PROBED(event, attr.exclude_kernel);
	bits.precise_ip = BPF_CORE_READ_BITFIELD_PROBED(&event->attr, precise_ip);
	bits.sz_precise = bpf_core_field_size(event->attr.precise_ip);
	bits.off_precise = bpf_core_field_offset(event->attr.precise_ip);
	if (bpf_core_field_exists(event->attr.sigtrap))
		bits.sigtrap = BPF_CORE_READ_BITFIELD_PROBED(event, attr.sigtrap);
	return 0;
}

SEC("kprobe/xdp_return_frame")
int BPF_KPROBE(bf_xdp, struct xdp_frame *xdpf)
{
	bits.len = BPF_CORE_READ(xdpf, len);
	if (bpf_core_field_exists(xdpf->mem_type)) {
		bits.mem_type = BPF_CORE_READ_BITFIELD_PROBED(xdpf, mem_type);
		bits.signed_mem_type = btfpack_field_signed(xdpf, mem_type);
	}
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(bf_task, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	bits.pid = BPF_CORE_READ(next, pid);
	bits.reset = BPF_CORE_READ_BITFIELD_PROBED(next, sched_reset_on_fork);
	bits.iowait = BPF_CORE_READ_BITFIELD_PROBED(prev, in_iowait);
	if (bpf_core_field_exists(prev->in_execve))
		bits.execve = BPF_CORE_READ_BITFIELD_PROBED(prev, in_execve);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
