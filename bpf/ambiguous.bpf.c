// SPDX-License-Identifier: GPL-2.0
/*
 * ambiguous.bpf.c - relocations against kernel types that exist more than once by name.
 *
 * Real kernels define some structs twice (separate compilation units that BTF dedup cannot
 * merge). Debian's 6.1 and 5.10 x86_64 kernels have two `struct disklabel` (different sizes,
 * d_magic at different offsets) and two `struct getdents_callback` (ctx at offset 0 in both;
 * `count` only in one, `name` only in the other). This exercises libbpf's multi-candidate rules:
 *  - ambiguous: type size and field offset differ between candidates -> libbpf fails the
 *    relocation ("relocation decision ambiguity", "field offset ambiguity"), which aborts
 *    the program; each lives in its own program so the others still relocate.
 *  - candidate cache pruning: after `ctx` (both match) and `count` (first only), libbpf keeps
 *    only the first candidate for the root type, so the later `name` access is poisoned
 *    although the second candidate has it.
 * On kernels with a single definition these relocate normally.
 * Relocation kinds: TYPE_SIZE, FIELD_BYTE_OFFSET, FIELD_EXISTS.
 */
#include "btfpack_bpf.h"

struct disklabel {
	u32 d_magic;
} __attribute__((preserve_access_index));

struct getdents_callback {
	void *ctx;
	int count;
	char *name;
} __attribute__((preserve_access_index));

u64 out[8];

SEC("kprobe/do_sys_open")
int ambiguous_size(void *ctx)
{
	out[0] = bpf_core_type_size(struct disklabel);
	return 0;
}

SEC("kprobe/do_sys_open")
int ambiguous_offset(void *ctx)
{
	struct disklabel *d = (struct disklabel *)bpf_get_current_task();
	out[1] = BPF_CORE_READ(d, d_magic);
	return 0;
}

SEC("kprobe/do_sys_open")
int pruned_candidates(void *ctx)
{
	struct getdents_callback *g = (struct getdents_callback *)bpf_get_current_task();
	out[2] = (u64)BPF_CORE_READ(g, ctx);
	if (bpf_core_field_exists(g->count))
		out[3] = BPF_CORE_READ(g, count);
	if (bpf_core_field_exists(g->name))
		out[4] = (u64)BPF_CORE_READ(g, name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
