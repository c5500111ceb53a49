// SPDX-License-Identifier: GPL-2.0
/*
 * net.bpf.c - sockets, sk_buff and VFS objects (field based relocations).
 *
 * Relocation kinds: FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS.
 * Covers:
 *  - anonymous unions/structs declared LOCALLY as in the kernel:
 *    sock_common.{skc_daddr, skc_rcv_saddr} inside union { __addrpair
 *    skc_addrpair; struct { ... }; }, skc_dport/skc_num likewise,
 *    qstr.{hash, len} inside union { struct { u32 hash; u32 len; }; u64
 *    hash_len; }, inode.i_nlink inside an anonymous union;
 *  - anonymous unions/structs only in the TARGET (flat local declaration):
 *    sk_buff.dev (three levels deep in real kernels), file.f_path (inside an
 *    anonymous union in 6.x), dentry.d_name (idem);
 *  - typedef chains: __addrpair (-> __u64), __portpair, __be16/__be32,
 *    umode_t, loff_t (-> __kernel_loff_t -> long long), kuid_t.val;
 *  - arrays: net_device.name[16], super_block.s_id[32] read as strings,
 *    skb->cb[0..3] through bpf_core_field_size(skb->cb);
 *  - pointers only read as values (never dereferenced): skb->sk,
 *    file->f_op (struct file_operations is never declared), path.mnt;
 *  - file -> f_path.dentry -> d_name.name / d_parent -> d_name.name and
 *    file -> f_inode -> i_ino / i_mode / i_uid.val / i_size / i_sb -> s_id;
 *  - kretprobe context (struct pt_regs::ax) and kprobe arguments
 *    (pt_regs::di/si/dx).
 * skc_family and sk_buff.len are relocated in more than one program.
 */
#include "btfpack_bpf.h"

typedef __u64 __addrpair;
typedef __u32 __portpair;

struct sock_common {
	union {
		__addrpair skc_addrpair;
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		__portpair skc_portpair;
		struct {
			__be16 skc_dport;
			__u16 skc_num;
		};
	};
	unsigned short skc_family;
	volatile unsigned char skc_state;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
} __attribute__((preserve_access_index));

struct inet_sock {
	struct sock sk;
	__be32 inet_saddr;
	__be16 inet_sport;
} __attribute__((preserve_access_index));

struct net_device {
	int ifindex;
	unsigned int mtu;
	char name[16];
} __attribute__((preserve_access_index));

/* flat: dev sits three anonymous levels deep in real kernels */
struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	char cb[48];
	unsigned int len;
	__be16 protocol;
} __attribute__((preserve_access_index));

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
} __attribute__((preserve_access_index));

struct super_block {
	char s_id[32];
	unsigned long s_magic;
} __attribute__((preserve_access_index));

struct inode {
	umode_t i_mode;
	kuid_t i_uid;
	unsigned long i_ino;
	union {
		const unsigned int i_nlink;
		unsigned int __i_nlink;
	};
	loff_t i_size;
	struct super_block *i_sb;
} __attribute__((preserve_access_index));

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
} __attribute__((preserve_access_index));

struct vfsmount;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} __attribute__((preserve_access_index));

struct file_operations;

struct file {
	const struct file_operations *f_op;
	struct inode *f_inode;
	const struct path f_path;
	loff_t f_pos;
} __attribute__((preserve_access_index));

struct net_info {
	u64 addrpair, hash_len, ino, size, f_op, mnt, skb_sk, ret_sk, pos;
	u32 daddr, saddr, isaddr, len, hash, nlink, uid, ifindex, mtu, cb, cb_size;
	u16 dport, sport, num, family, mode, protocol;
	u8 state;
	char name[32], parent[32], devname[16], sb_id[32];
};

struct net_info ninfo;

SEC("kprobe/tcp_connect")
int BPF_KPROBE(net_connect, struct sock *sk)
{
	struct inet_sock *inet = (void *)sk;

	ninfo.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ninfo.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	ninfo.addrpair = BPF_CORE_READ(sk, __sk_common.skc_addrpair);
	ninfo.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	ninfo.saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	ninfo.dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	ninfo.num = BPF_CORE_READ(sk, __sk_common.skc_num);
	ninfo.isaddr = BPF_CORE_READ(inet, inet_saddr);
	ninfo.sport = BPF_CORE_READ(inet, inet_sport);
	return 0;
}

SEC("kprobe/ip_rcv")
int BPF_KPROBE(net_ip_rcv, struct sk_buff *skb, struct net_device *dev)
{
	ninfo.len = BPF_CORE_READ(skb, len);
	ninfo.protocol = BPF_CORE_READ(skb, protocol);
	ninfo.ifindex = BPF_CORE_READ(skb, dev, ifindex);
	ninfo.mtu = BPF_CORE_READ(dev, mtu);
	BPF_CORE_READ_STR_INTO(&ninfo.devname, dev, name);
	/* skb->sk is only read as a value */
	ninfo.skb_sk = (u64)BPF_CORE_READ(skb, sk);
	ninfo.cb_size = bpf_core_field_size(skb->cb);
	if (ninfo.cb_size >= 4)
		bpf_core_read(&ninfo.cb, sizeof(ninfo.cb), &skb->cb[0]);
	if (ninfo.skb_sk)
		ninfo.family = BPF_CORE_READ(skb, sk, __sk_common.skc_family);
	return 0;
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(net_vfs_read, struct file *file, char *buf, unsigned long count, loff_t *pos)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct qstr name;

	ninfo.f_op = (u64)BPF_CORE_READ(file, f_op);
	ninfo.mnt = (u64)BPF_CORE_READ(file, f_path.mnt);
	ninfo.pos = (u64)pos + count;
	if (bpf_core_field_exists(file->f_pos))
		ninfo.size = BPF_CORE_READ(file, f_pos);
	bpf_core_read(&name, sizeof(name), &dentry->d_name);
	ninfo.len = BPF_CORE_READ(dentry, d_name.len);
	ninfo.hash = BPF_CORE_READ(dentry, d_name.hash);
	ninfo.hash_len = BPF_CORE_READ(dentry, d_name.hash_len);
	bpf_probe_read_kernel_str(ninfo.name, sizeof(ninfo.name), name.name);
	bpf_probe_read_kernel_str(ninfo.parent, sizeof(ninfo.parent),
				  BPF_CORE_READ(dentry, d_parent, d_name.name));
	ninfo.ino = BPF_CORE_READ(inode, i_ino);
	ninfo.mode = BPF_CORE_READ(inode, i_mode);
	ninfo.nlink = BPF_CORE_READ(inode, i_nlink);
	ninfo.uid = BPF_CORE_READ(inode, i_uid.val);
	ninfo.size += BPF_CORE_READ(inode, i_size);
	BPF_CORE_READ_STR_INTO(&ninfo.sb_id, inode, i_sb, s_id);
	return 0;
}

SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(net_accept, struct sock *sk)
{
	ninfo.ret_sk = (u64)sk;
	if (!sk)
		return 0;
	ninfo.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ninfo.dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
