/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btfpack_bpf.h - shared prelude of the btfpack CO-RE test programs.
 *
 * The programs in this directory are built WITHOUT a generated vmlinux.h and
 * without any system header: this file provides the basic integer types the
 * libbpf headers need, the kernel's typedef chains the programs read through
 * (u64 -> __u64 -> unsigned long long, pid_t -> __kernel_pid_t -> int,
 * kuid_t -> anonymous struct { uid_t val; }, atomic_long_t -> atomic64_t ->
 * anonymous struct, ...) and an x86_64 `struct pt_regs` carrying only the
 * registers bpf_tracing.h's BPF_KPROBE()/BPF_KRETPROBE() use.
 *
 * Every kernel struct a program touches is declared in the program's own
 * file, with only the members it uses, and marked
 * __attribute__((preserve_access_index)) so that every member access becomes
 * a CO-RE relocation resolved by libbpf against the target kernel's BTF.
 *
 * pt_regs is preserve_access_index as well: kprobe context reads are CO-RE
 * relocations too (they resolve against x86_64 kernels and fail/poison
 * against arm64 or s390x kernel BTF, whose pt_regs has no `di`).
 */
#ifndef BTFPACK_BPF_H
#define BTFPACK_BPF_H

/* ---- basic types (mirroring include/uapi/asm-generic/int-ll64.h) ---- */
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u32 __wsum;

typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;

typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

/* ---- kernel typedef chains, as in include/linux/types.h ---- */
typedef int __kernel_pid_t;
typedef __kernel_pid_t pid_t;
typedef unsigned int __kernel_uid32_t;
typedef __kernel_uid32_t uid_t;
typedef unsigned int __kernel_gid32_t;
typedef __kernel_gid32_t gid_t;
typedef unsigned short umode_t;
typedef long long __kernel_loff_t;
typedef __kernel_loff_t loff_t;
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef atomic64_t atomic_long_t;
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;

/* ---- kprobe context (x86_64 register names, as in the kernel's BTF) ---- */
struct pt_regs {
	unsigned long bp;
	unsigned long r10;
	unsigned long r8;
	unsigned long ax;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long ip;
	unsigned long sp;
} __attribute__((preserve_access_index));

/* tell bpf_tracing.h that kernel register names (di, si, ...) are in use */
#define __VMLINUX_H__ 1

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* field signedness (libbpf 1.1 has no bpf_core_field_signed() macro yet) */
#define btfpack_field_signed(src, field) \
	__builtin_preserve_field_info((src)->field, BPF_FIELD_SIGNED)

#endif /* BTFPACK_BPF_H */
