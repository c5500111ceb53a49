#!/usr/bin/env python3
"""gen.py KERNELS_DIR OUTDIR -- generate bpf/large/fields.h and bpf/large/progs.h.

Maintainer script (python3 stdlib + bpftool). Its outputs are checked in, so the build needs
neither it nor its inputs; rerun it after changing a list below:
    python3 bpf/large/gen.py testdata/kernels bpf/large

fields.h: X-macro lists (the "what to read") made from the kernel BTFs of KERNELS_DIR
(*.btf.tar.xz; REF is the one vmlinux.h is generated from, the others annotate):
  * <STRUCT>_F<n>(X, XG): chunks of the members of each struct in STRUCTS that
    BPF_CORE_READ(ptr, member) reads as a value in REF: integer, enum and pointer members
    (members of anonymous structs/unions included, as C sees them), one level into small
    struct members (uid.val, d_name.len, usage.refs.counter, f_path.dentry, ...) and [0] of
    integer arrays. X(m) for members every kernel has; XG(m) for members libbpf finds no
    compatible target for in one of the other kernels (a comment names it): the program
    guards those with bpf_core_field_exists() and also reads bpf_core_field_size(). Members
    missing from two or more of the other kernels (config/arch specific) are left out.
  * <STRUCT>_B<n>(X, XG): the same for bitfields (members that are a bitfield in some kernel),
    read with BPF_CORE_READ_BITFIELD_PROBED();
  * LARGE_ENUMS_<n>(X, XG): enumerators of ENUMS, X(enum, value) / XG as above (XG here for an
    enumerator some kernel lacks), including enumerators only newer kernels have, as flavors
    `enum E___new { V___new }`, and enums only newer kernels have (declared here);
  * LARGE_TYPES_<n>(X): types for type_exists/size/matches/id_local/id_kernel.
progs.h: LARGE_PROG(...) program instances (the "where"): every hook of HOOKS becomes one
program whose body reads a few chunks of the structs reachable from its arguments (and from
the current task), a type chunk, an enum chunk and a flavor block; chunks rotate so that
every chunk is read by several programs.
"""
import json
import os
import subprocess
import sys
import tarfile
import tempfile

REF = "6.1.0-50-amd64"

STRUCTS = """task_struct mm_struct vm_area_struct file inode dentry super_block vfsmount
linux_binprm cred user_namespace nsproxy pid_namespace uts_namespace mnt_namespace net
ipc_namespace cgroup_namespace pid signal_struct sighand_struct fs_struct files_struct fdtable
css_set cgroup cgroup_subsys_state kernfs_node sock sock_common inet_sock
inet_connection_sock tcp_sock udp_sock socket sk_buff net_device bpf_prog bpf_prog_aux
bpf_map module kiocb iov_iter msghdr sched_entity perf_event""".split()
CHUNK = 24      # members per F chunk
CHUNK_B = 6     # bitfields per B chunk (a probed read is 6 relocations, 7 on big endian)

ENUMS = """bpf_func_id bpf_prog_type bpf_map_type bpf_attach_type bpf_link_type bpf_cmd
cgroup_subsys_id skb_drop_reason pid_type module_state perf_type_id sock_type net_device_flags
netdev_priv_flags sock_shutdown_cmd tcp_ca_state xdp_action perf_event_state rw_hint
kernel_read_file_id kernel_load_data_id lockdown_reason cgroup_bpf_attach_type
perf_callchain_context pkt_hash_types kernfs_node_type ucount_type bpf_type_flag
migrate_reason node_stat_item vm_event_item""".split()
ENUMS_NEW = "sk_rst_reason procmap_query_flags proc_cn_event"  # only in newer kernels
MAX_ENUMERATORS = 12   # per enum (evenly spaced), plus every newer-only one (up to 4)
CHUNK_E = 4

# hand-declared in large.bpf.c (flavors, newer-only types) or absent everywhere
TYPES_EXTRA = """union bpf_attr|union sigval|enum bpf_func_id|enum bpf_prog_type|enum pid_type|
enum skb_drop_reason|pid_t|kuid_t|kgid_t|atomic_t|atomic_long_t|refcount_t|loff_t|umode_t|
struct maple_tree|struct folio|struct mnt_idmap___new|struct bpf_token___new|
struct bpf_arena___new|struct large_no_such_type|enum large_no_such_enum|
struct task_struct___old|struct task_struct___new|struct mm_struct___old|struct inode___new|
struct sk_buff___new|struct bpf_prog_aux___new|struct cgroup___old|struct list_head|
struct hlist_node|struct callback_head|struct rb_node|struct qstr|struct path|struct upid|
struct ns_common|struct kernfs_root|struct cgroup_root|struct sockaddr_in|struct in6_addr|
struct trace_event_raw_sys_enter|struct bpf_raw_tracepoint_args|struct pt_regs""".replace("\n", "").split("|")
CHUNK_T = 3

MODS = ("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG")


class Btf:
    def __init__(self, path, name):
        out = subprocess.run(["bpftool", "btf", "dump", "file", path, "-j"], check=True,
                             capture_output=True).stdout
        self.types = {t["id"]: t for t in json.loads(out)["types"]}
        self.name = name
        self.by_name, self.enums = {}, {}
        for t in self.types.values():
            if t["kind"] in ("STRUCT", "UNION") and t["name"] != "(anon)":
                self.by_name.setdefault(t["name"], []).append(t)
            if t["kind"] in ("ENUM", "ENUM64") and t["name"] != "(anon)":
                self.enums.setdefault(t["name"], t)

    def skip(self, tid):
        while tid and self.types[tid]["kind"] in MODS:
            tid = self.types[tid]["type_id"]
        return self.types[tid] if tid else {"kind": "VOID", "name": "void"}

    def members(self, t):
        """named members of struct/union t as C sees them: name -> (member, resolved type)"""
        out = {}
        for m in t.get("members", []):
            mt = self.skip(m["type_id"])
            if m["name"] in ("", "(anon)"):
                if mt["kind"] in ("STRUCT", "UNION"):
                    for k, v in self.members(mt).items():
                        out.setdefault(k, v)
                continue
            out.setdefault(m["name"], (m, mt))
        return out


def cls(t):
    return {"INT": "int", "ENUM": "enum", "ENUM64": "enum", "PTR": "ptr", "STRUCT": "comp",
            "UNION": "comp", "ARRAY": "array"}.get(t["kind"], t["kind"])


def walk(btf, sname, path):
    """(member, type) at path [(name, index|None)...] from struct sname, or a reason string"""
    ts = btf.by_name.get(sname)
    if not ts:
        return "no struct"
    t, m = ts[0], None
    for name, idx in path:
        if cls(t) != "comp":
            return "not a struct"
        mm = btf.members(t).get(name)
        if not mm:
            return "missing"
        m, t = mm
        if idx is not None:
            if t["kind"] != "ARRAY" or t["nr_elems"] <= idx:
                return "not an array"
            t = btf.skip(t["type_id"])
    return m, t


def scalar(c):
    return c in ("int", "enum", "ptr")


def entries(ref, sname):
    """member paths of struct sname readable as values, with their bitfield flag"""
    out = []
    for name, (m, mt) in ref.members(ref.by_name[sname][0]).items():
        c = cls(mt)
        if scalar(c):
            out.append(([(name, None)], m.get("bitfield_size", 0) > 0))
        elif c == "array" and cls(ref.skip(mt["type_id"])) == "int" and mt["nr_elems"] > 0:
            out.append(([(name, 0)], False))
        elif c == "comp" and mt["name"] != sname:
            subs = ref.members(mt)
            if not 0 < len(subs) <= 6:
                continue
            for sn, (sm, st) in subs.items():
                sc = cls(st)
                if scalar(sc) and not sm.get("bitfield_size", 0):
                    out.append(([(name, None), (sn, None)], False))
                elif sc == "comp" and 0 < len(ref.members(st)) <= 2:
                    for ssn, (ssm, sst) in ref.members(st).items():
                        if scalar(cls(sst)) and not ssm.get("bitfield_size", 0):
                            out.append(([(name, None), (sn, None), (ssn, None)], False))
                elif sc == "array" and cls(ref.skip(st["type_id"])) == "int" and st["nr_elems"] > 0:
                    out.append(([(name, None), (sn, 0)], False))
    return out


def text(path):
    return ".".join(n + (f"[{i}]" if i is not None else "") for n, i in path)


def compat(rt, ot):
    a, b = cls(rt), cls(ot)
    if a != b:
        return False
    if a == "enum":
        return rt["name"].split("___")[0] == ot["name"].split("___")[0]
    return True


def chunks(rows, n):
    return [rows[i:i + n] for i in range(0, len(rows), n)]


def gen_fields(ref, others, w):
    """struct member chunks; returns {struct: ([F chunk names], [B chunk names])}"""
    info = {}
    for s in STRUCTS:
        rows = {False: [], True: []}
        for path, bf in entries(ref, s):
            _, rt = walk(ref, s, path)
            bad, bfany = [], bf
            for o in others:
                r = walk(o, s, path)
                if isinstance(r, str) or not compat(rt, r[1]):
                    bad.append(o.name)
                elif r[0].get("bitfield_size", 0):
                    bfany = True
            if len(bad) > 1:
                continue
            rows[bfany].append((text(path), bad))
        up = s.upper()
        names = ([], [])
        for bf, tag, n in ((False, "F", CHUNK), (True, "B", CHUNK_B)):
            r = rows[bf]
            guarded = sum(1 for _, b in r if b)
            w(f"\n/* struct {s}: {len(r)} {'bitfields' if bf else 'members'}, {guarded} guarded */\n")
            for i, ch in enumerate(chunks(r, n)):
                name = f"{up}_{tag}{i}"
                names[bf].append(name)
                w(f"#define {name}(X, XG) \\\n")
                for p, bad in ch:
                    w(f"\tXG({p}) /* not in {', '.join(bad)} */ \\\n" if bad else f"\tX({p}) \\\n")
                w("\t/* end */\n")
        info[s] = names
    w("\n/* every chunk: R(struct, chunk) */\n#define LARGE_F_CHUNKS(R) \\\n")
    for s in STRUCTS:
        for c in info[s][0]:
            w(f"\tR({s}, {c}) \\\n")
    w("\t/* end */\n#define LARGE_B_CHUNKS(R) \\\n")
    for s in STRUCTS:
        for c in info[s][1]:
            w(f"\tR({s}, {c}) \\\n")
    w("\t/* end */\n")
    return info


def pick(vals, n):
    if len(vals) <= n:
        return vals
    return [vals[round(i * (len(vals) - 1) / (n - 1))] for i in range(n)]


def gen_enums(ref, others, w):
    newest = others[-1]  # the newest kernel (6.12): enumerators/enums only it has
    rows = []
    decls = []
    for en in ENUMS:
        t = ref.enums[en]
        vals = [v["name"] for v in t["values"]]
        for v in pick(vals, MAX_ENUMERATORS):
            bad = [o.name for o in others
                   if en not in o.enums or v not in {x["name"] for x in o.enums[en]["values"]}]
            rows.append((f"enum {en}", v, bad))
        nt = newest.enums.get(en)
        if nt:
            new = [x for x in nt["values"] if x["name"] not in set(vals)][:4]
            if new:
                decls.append((f"{en}___new", new))
                for x in new:
                    bad = [o.name for o in [ref] + others
                           if en not in o.enums or x["name"] not in {y["name"] for y in o.enums[en]["values"]}]
                    rows.append((f"enum {en}___new", x["name"] + "___new", bad))
    for en in ENUMS_NEW.split():
        nt = newest.enums[en]
        new = nt["values"][:4]
        decls.append((f"{en}___new", new))
        for x in new:
            bad = [o.name for o in [ref] + others if en not in o.enums]
            rows.append((f"enum {en}___new", x["name"] + "___new", bad))
    w("\n/* enumerators only newer kernels have (local values are the 6.12 ones) */\n")
    for en, vals in decls:
        w(f"enum {en} {{\n")
        for x in vals:
            val = x["val"]
            w(f"\t{x['name']}___new = {val}{'ULL' if val > 0x7fffffff else ''},\n")
        w("};\n")
    names = []
    for i, ch in enumerate(chunks(rows, CHUNK_E)):
        names.append(f"LARGE_ENUMS_{i}")
        w(f"#define LARGE_ENUMS_{i}(X, XG) \\\n")
        for e, v, bad in ch:
            w(f"\tXG({e}, {v}) /* not in {', '.join(bad)} */ \\\n" if bad else f"\tX({e}, {v}) \\\n")
        w("\t/* end */\n")
    w("#define LARGE_ENUM_CHUNKS(R) \\\n" + "".join(f"\tR({n}) \\\n" for n in names) + "\t/* end */\n")
    return names


def gen_types(w):
    types = [f"struct {s}" for s in STRUCTS] + [t.strip() for t in TYPES_EXTRA]
    names = []
    w("\n/* types for bpf_core_type_exists/size/matches/id_local/id_kernel */\n")
    for i, ch in enumerate(chunks(types, CHUNK_T)):
        names.append(f"LARGE_TYPES_{i}")
        w(f"#define LARGE_TYPES_{i}(X) " + " ".join(f"X({t})" for t in ch) + "\n")
    w("#define LARGE_TYPE_CHUNKS(R) " + " ".join(f"R({n})" for n in names) + "\n")
    return names


# ------------------------------------------------------------------------------- programs

def task_ptrs(r):
    R = lambda *p: f"BPF_CORE_READ({r}, {', '.join(p)})"
    return {
        "task_struct": r, "mm_struct": R("mm"), "file": R("mm", "exe_file"),
        "inode": R("mm", "exe_file", "f_inode"), "dentry": R("mm", "exe_file", "f_path.dentry"),
        "super_block": R("mm", "exe_file", "f_inode", "i_sb"), "vfsmount": R("mm", "exe_file", "f_path.mnt"),
        "cred": R("real_cred"), "user_namespace": R("cred", "user_ns"), "nsproxy": R("nsproxy"),
        "pid_namespace": R("nsproxy", "pid_ns_for_children"), "uts_namespace": R("nsproxy", "uts_ns"),
        "mnt_namespace": R("nsproxy", "mnt_ns"), "net": R("nsproxy", "net_ns"),
        "ipc_namespace": R("nsproxy", "ipc_ns"), "cgroup_namespace": R("nsproxy", "cgroup_ns"),
        "pid": R("thread_pid"), "signal_struct": R("signal"), "sighand_struct": R("sighand"),
        "fs_struct": R("fs"), "files_struct": R("files"), "fdtable": R("files", "fdt"),
        "css_set": R("cgroups"), "cgroup": R("cgroups", "dfl_cgrp"),
        "cgroup_subsys_state": R("cgroups", "subsys[0]"), "kernfs_node": R("cgroups", "dfl_cgrp", "kn"),
        "sched_entity": f"&{r}->se",
    }


def sock_ptrs(r):
    return {"sock": r, "sock_common": r, "inet_sock": r, "inet_connection_sock": r, "tcp_sock": r,
            "udp_sock": r, "socket": f"BPF_CORE_READ({r}, sk_socket)",
            "net": f"BPF_CORE_READ({r}, __sk_common.skc_net.net)"}


FAMILIES = {  # family -> (C type of the argument, {struct: pointer expression from $})
    "task": ("struct task_struct", task_ptrs("$")),
    "file": ("struct file", {"file": "$", "inode": "BPF_CORE_READ($, f_inode)",
                             "dentry": "BPF_CORE_READ($, f_path.dentry)", "vfsmount": "BPF_CORE_READ($, f_path.mnt)",
                             "super_block": "BPF_CORE_READ($, f_inode, i_sb)", "cred": "BPF_CORE_READ($, f_cred)"}),
    "inode": ("struct inode", {"inode": "$", "super_block": "BPF_CORE_READ($, i_sb)"}),
    "dentry": ("struct dentry", {"dentry": "$", "inode": "BPF_CORE_READ($, d_inode)",
                                 "super_block": "BPF_CORE_READ($, d_sb)"}),
    "path": ("struct path", {"dentry": "BPF_CORE_READ($, dentry)", "vfsmount": "BPF_CORE_READ($, mnt)",
                             "inode": "BPF_CORE_READ($, dentry, d_inode)",
                             "super_block": "BPF_CORE_READ($, mnt, mnt_sb)"}),
    "vma": ("struct vm_area_struct", {"vm_area_struct": "$", "mm_struct": "BPF_CORE_READ($, vm_mm)",
                                      "file": "BPF_CORE_READ($, vm_file)",
                                      "inode": "BPF_CORE_READ($, vm_file, f_inode)"}),
    "bprm": ("struct linux_binprm", {"linux_binprm": "$", "file": "BPF_CORE_READ($, file)",
                                     "mm_struct": "BPF_CORE_READ($, mm)", "cred": "BPF_CORE_READ($, cred)",
                                     "inode": "BPF_CORE_READ($, file, f_inode)",
                                     "dentry": "BPF_CORE_READ($, file, f_path.dentry)"}),
    "cred": ("struct cred", {"cred": "$", "user_namespace": "BPF_CORE_READ($, user_ns)"}),
    "socket": ("struct socket", {"socket": "$", "file": "BPF_CORE_READ($, file)",
                                 **{k: "BPF_CORE_READ($, sk)" for k in ("sock", "sock_common", "inet_sock",
                                    "inet_connection_sock", "tcp_sock", "udp_sock")},
                                 "net": "BPF_CORE_READ($, sk, __sk_common.skc_net.net)"}),
    "sock": ("struct sock", sock_ptrs("$")),
    "skb": ("struct sk_buff", {"sk_buff": "$", "net_device": "BPF_CORE_READ($, dev)",
                               "sock": "BPF_CORE_READ($, sk)", "sock_common": "BPF_CORE_READ($, sk)",
                               "tcp_sock": "BPF_CORE_READ($, sk)"}),
    "netdev": ("struct net_device", {"net_device": "$", "net": "BPF_CORE_READ($, nd_net.net)"}),
    "msghdr": ("struct msghdr", {"msghdr": "$"}),
    "kiocb": ("struct kiocb", {"kiocb": "$", "file": "BPF_CORE_READ($, ki_filp)",
                               "inode": "BPF_CORE_READ($, ki_filp, f_inode)"}),
    "iov": ("struct iov_iter", {"iov_iter": "$"}),
    "prog": ("struct bpf_prog", {"bpf_prog": "$", "bpf_prog_aux": "BPF_CORE_READ($, aux)"}),
    "map": ("struct bpf_map", {"bpf_map": "$"}),
    "module": ("struct module", {"module": "$"}),
    "cgroup": ("struct cgroup", {"cgroup": "$", "cgroup_subsys_state": "&$->self",
                                 "kernfs_node": "BPF_CORE_READ($, kn)"}),
    "kn": ("struct kernfs_node", {"kernfs_node": "$"}),
    "perf": ("struct perf_event", {"perf_event": "$"}),
    "mm": ("struct mm_struct", {"mm_struct": "$", "file": "BPF_CORE_READ($, exe_file)",
                                "task_struct": "BPF_CORE_READ($, owner)"}),
    "nsproxy": ("struct nsproxy", {"nsproxy": "$", "uts_namespace": "BPF_CORE_READ($, uts_ns)",
                                   "mnt_namespace": "BPF_CORE_READ($, mnt_ns)", "net": "BPF_CORE_READ($, net_ns)",
                                   "pid_namespace": "BPF_CORE_READ($, pid_ns_for_children)"}),
    "none": ("void", {}),
}

# kind target [family[@argn]] [family@argn]   (argn: 1-based argument number; default 1)
HOOKS = """
kprobe security_file_open file
kprobe security_file_permission file
kprobe security_file_ioctl file
kprobe security_file_mprotect vma
kprobe security_mmap_file file
kprobe security_inode_create inode dentry@2
kprobe security_inode_unlink inode dentry@2
kprobe security_inode_rename inode dentry@2
kprobe security_inode_mkdir inode dentry@2
kprobe security_inode_rmdir inode dentry@2
kprobe security_inode_symlink inode dentry@2
kprobe security_inode_link dentry inode@2
kprobe security_inode_setattr dentry@2
kprobe security_inode_getattr path
kprobe security_inode_setxattr dentry@2
kprobe security_inode_removexattr dentry@2
kprobe security_inode_permission inode
kprobe security_inode_follow_link dentry inode@2
kprobe security_inode_readlink dentry
kprobe security_sb_mount path@2
kprobe security_sb_umount none
kprobe security_sb_statfs dentry
kprobe security_bprm_check bprm
kprobe security_bprm_creds_for_exec bprm
kprobe security_bprm_committed_creds bprm
kprobe security_task_alloc task
kprobe security_task_kill task
kprobe security_task_prctl none
kprobe security_task_fix_setuid cred cred@2
kprobe security_ptrace_access_check task
kprobe security_socket_create none
kprobe security_socket_connect socket
kprobe security_socket_bind socket
kprobe security_socket_listen socket
kprobe security_socket_accept socket socket@2
kprobe security_socket_sendmsg socket msghdr@2
kprobe security_socket_recvmsg socket msghdr@2
kprobe security_socket_setsockopt socket
kprobe security_socket_getsockopt socket
kprobe security_sk_alloc sock
kprobe security_sk_clone sock sock@2
kprobe security_inet_conn_request sock skb@2
kprobe security_bpf none
kprobe security_bpf_map map
kprobe security_bpf_prog prog
kprobe security_kernel_read_file file
kprobe security_kernel_load_data none
kprobe security_kernel_module_request none
kprobe security_path_unlink path dentry@2
kprobe security_path_mkdir path dentry@2
kprobe security_path_rename path dentry@2
kprobe security_path_chmod path
kprobe security_path_chown path
kprobe security_path_truncate path
kprobe security_file_fcntl file
kprobe security_file_lock file
kprobe security_file_receive file
kprobe security_perf_event_open none
kprobe security_perf_event_alloc perf
kprobe security_prepare_creds cred cred@2
kprobe security_capable cred
kprobe security_sb_pivotroot path path@2
kprobe security_task_setpgid task
kprobe security_task_setscheduler task
kprobe security_sk_free sock
kprobe security_socket_shutdown socket
kprobe security_unix_stream_connect sock sock@2
kprobe security_bpf_map_alloc map
kprobe security_inode_alloc inode
kprobe security_d_instantiate dentry inode@2
kprobe security_path_link dentry path@2
kprobe security_path_symlink path dentry@2
kprobe security_path_rmdir path dentry@2
kprobe security_path_mknod path dentry@2
kprobe vfs_read file
kprobe vfs_write file
kprobe vfs_open path file@2
kprobe vfs_unlink inode@2 dentry@3
kprobe vfs_rename none
kprobe vfs_mkdir inode@2 dentry@3
kprobe vfs_rmdir inode@2 dentry@3
kprobe vfs_symlink inode@2 dentry@3
kprobe vfs_link dentry inode@3
kprobe vfs_truncate path
kprobe vfs_getattr path
kprobe vfs_fallocate file
kprobe do_truncate dentry@2 file@4
kprobe do_sys_openat2 none
kprobe do_filp_open none
kprobe filp_close file
kprobe fput file
kprobe __fput file
kprobe do_dentry_open file inode@2
kprobe do_mount none
kprobe path_mount path@2
kprobe generic_file_read_iter kiocb iov@2
kprobe generic_file_write_iter kiocb iov@2
kprobe do_splice file file@3
kprobe d_instantiate dentry inode@2
kprobe d_alloc dentry
kprobe dput dentry
kprobe iput inode
kprobe inode_permission inode@2
kprobe notify_change dentry@2
kprobe vfs_utimes path
kprobe chmod_common path
kprobe chown_common path
kprobe do_renameat2 none
kprobe do_unlinkat none
kprobe vfs_copy_file_range file file@3
kprobe vfs_iter_read file iov@2
kprobe vfs_iter_write file iov@2
kprobe alloc_file_pseudo inode
kprobe fd_install file@2
kprobe vfs_setxattr dentry@2
kprobe vfs_removexattr dentry@2
kprobe filename_lookup path@4
kprobe d_path path
kprobe tcp_connect sock
kprobe tcp_v4_connect sock
kprobe tcp_close sock
kprobe tcp_sendmsg sock msghdr@2
kprobe tcp_recvmsg sock msghdr@2
kprobe tcp_set_state sock
kprobe tcp_retransmit_skb sock skb@2
kprobe tcp_v4_rcv skb
kprobe tcp_rcv_established sock skb@2
kprobe tcp_v4_do_rcv sock skb@2
kprobe inet_csk_accept sock
kprobe inet_listen socket
kprobe inet_bind socket
kprobe inet_stream_connect socket
kprobe inet_sendmsg socket msghdr@2
kprobe inet_recvmsg socket msghdr@2
kprobe udp_sendmsg sock msghdr@2
kprobe udp_recvmsg sock msghdr@2
kprobe ip_output skb@3
kprobe ip_queue_xmit sock skb@2
kprobe ip_rcv skb netdev@2
kprobe ipv6_rcv skb netdev@2
kprobe __dev_queue_xmit skb
kprobe netif_receive_skb skb
kprobe dev_hard_start_xmit skb netdev@2
kprobe kfree_skb_reason skb
kprobe consume_skb skb
kprobe __kfree_skb skb
kprobe sock_sendmsg socket msghdr@2
kprobe sock_recvmsg socket msghdr@2
kprobe __sys_connect none
kprobe __sys_accept4 none
kprobe sock_alloc_file socket
kprobe sock_init_data socket sock@2
kprobe register_netdevice netdev
kprobe unregister_netdevice_queue netdev
kprobe dev_open netdev
kprobe dev_close netdev
kprobe dev_change_flags netdev
kprobe icmp_rcv skb
kprobe arp_rcv skb netdev@2
kprobe packet_rcv skb netdev@2
kprobe tcp_v4_syn_recv_sock sock skb@2
kprobe inet_create none
kprobe tcp_init_sock sock
kprobe tcp_done sock
kprobe tcp_reset sock skb@2
kprobe tcp_send_active_reset sock
kprobe udp_destroy_sock sock
kprobe sock_close inode file@2
kprobe __sock_release socket inode@2
kprobe sk_free sock
kprobe inet_release socket
kprobe unix_stream_connect socket
kprobe netlink_sendmsg socket msghdr@2
kprobe ip_finish_output sock@2 skb@3
kprobe ip_local_deliver skb
kprobe ip6_xmit sock skb@2
kprobe tcp_v6_do_rcv sock skb@2
kprobe cgroup_attach_task cgroup task@2
kprobe cgroup_mkdir kn
kprobe cgroup_rmdir kn
kprobe cgroup_migrate task
kprobe bpf_prog_load none
kprobe bpf_check none
kprobe bpf_prog_kallsyms_add prog
kprobe bpf_map_new_fd map
kprobe bpf_prog_new_fd prog
kprobe bpf_map_put map
kprobe bpf_tracing_prog_attach prog
kprobe do_init_module module
kprobe free_module module
kprobe load_module none
kprobe commit_creds cred
kprobe override_creds cred
kprobe revert_creds cred
kprobe switch_task_namespaces task nsproxy@2
kprobe create_new_namespaces task@2
kprobe copy_namespaces task@2
kprobe do_exit none
kprobe wake_up_new_task task
kprobe __put_task_struct task
kprobe exit_mmap mm
kprobe mmput mm
kprobe do_mmap file
kprobe perf_event_release_kernel perf
kprobe kernel_clone none
kprobe copy_process none
kprobe prepare_kernel_cred task
kprobe alloc_pid pid_ns
kprobe new_inode none
kprobe bprm_execve bprm
kprobe begin_new_exec bprm
kprobe setup_new_exec bprm
kprobe load_elf_binary bprm
kprobe cap_capable cred
kprobe __send_signal_locked task@3
kprobe do_send_sig_info task@3
kprobe ptrace_attach task
kprobe arch_ptrace task
kprobe get_task_mm task
kprobe __set_task_comm task
kprobe kernfs_create_dir_ns kn
kprobe css_set_move_task task
kprobe bpf_raw_tp_link_attach prog
kprobe unshare_nsproxy_namespaces none
kprobe ksys_unshare none
kprobe vm_mmap_pgoff file
kprobe vm_area_alloc mm
kprobe vm_area_free vma
kprobe handle_mm_fault vma
kretprobe do_sys_openat2 none
kretprobe inet_csk_accept sock
kretprobe sock_alloc socket
kretprobe alloc_file_pseudo file
kretprobe do_filp_open file
kretprobe d_alloc dentry
kretprobe __alloc_skb skb
kretprobe sk_alloc sock
kretprobe copy_process task
kretprobe prepare_creds cred
kretprobe prepare_kernel_cred cred
kretprobe new_inode inode
kretprobe tcp_v4_syn_recv_sock sock
kretprobe get_task_mm mm
kretprobe vm_area_alloc vma
kretprobe vfs_read none
kretprobe vfs_write none
kretprobe tcp_sendmsg none
kretprobe do_mmap none
kretprobe security_file_open none
kretprobe security_bprm_check none
kretprobe bpf_check none
kretprobe load_module module
kretprobe kernel_clone none
kretprobe __sys_connect none
"""

SYSCALLS = """openat openat2 open creat close read write execve execveat clone clone3 fork vfork
exit_group kill tgkill ptrace setuid setgid setresuid setresgid capset prctl mmap mprotect socket bind
connect listen accept4 sendto recvfrom unlinkat renameat2 mkdirat fchmodat fchownat mount umount
pivot_root chroot init_module finit_module delete_module bpf perf_event_open memfd_create ioctl dup3
unshare setns""".split()
SYSCALL_EXITS = """openat execve execveat clone clone3 connect accept4 bind socket mmap mprotect ptrace
setuid init_module finit_module bpf memfd_create unshare setns dup3""".split()

RAW_TPS = """sched_process_fork task task@2
sched_process_exec task bprm@3
sched_process_exit task
sched_process_free task
sched_switch task@2 task@3
sched_wakeup task
sched_wakeup_new task
task_newtask task
task_rename task
sys_enter none
sys_exit none
cgroup_mkdir cgroup
cgroup_rmdir cgroup
cgroup_attach_task cgroup task@3
cgroup_release cgroup
signal_generate task@3
inet_sock_set_state sock
tcp_retransmit_skb sock skb@2
net_dev_xmit skb netdev@3
netif_receive_skb skb
kfree_skb skb
consume_skb skb
module_load module
module_free module
sock_rcvqueue_full sock skb@2
tcp_destroy_sock sock
tcp_receive_reset sock"""

UPROBES = "trigger_syscall_event trigger_seq_ops_event trigger_mem_dump_event trigger_kallsyms_event trigger_net_event"


def hook_list():
    hooks = []  # (kind, section, name, [(family, argn)])
    for line in HOOKS.strip().splitlines():
        kind, target, *fams = line.split()
        sec = f"{kind}/{target}"
        name = ("kp_" if kind == "kprobe" else "kretp_") + target
        hooks.append((kind, sec, name, fams))
    for s in SYSCALLS:
        hooks.append(("tp_enter", f"tracepoint/syscalls/sys_enter_{s}", f"tp_sys_enter_{s}", ["none"]))
    for s in SYSCALL_EXITS:
        hooks.append(("tp_exit", f"tracepoint/syscalls/sys_exit_{s}", f"tp_sys_exit_{s}", ["none"]))
    for line in RAW_TPS.splitlines():
        tp, *fams = line.split()
        hooks.append(("rawtp", f"raw_tracepoint/{tp}", f"rtp_{tp}", fams))
    for u in UPROBES.split():
        hooks.append(("uprobe", "uprobe", f"up_{u}", ["none"]))
    return hooks


FLAVOR_BLOCKS = {  # block in large.bpf.c -> the struct its pointer is
    "fl_task": "task_struct", "fl_mm": "mm_struct", "fl_inode": "inode", "fl_file": "file",
    "fl_skb": "sk_buff", "fl_sock": "sock", "fl_netdev": "net_device", "fl_prog": "bpf_prog",
    "fl_map": "bpf_map", "fl_pidns": "pid_namespace", "fl_cgroup": "cgroup", "fl_inet": "inet_sock",
    "fl_vma": "vm_area_struct", "fl_module": "module", "fl_sb": "super_block", "fl_signal": "signal_struct",
}


def gen_progs(info, enum_chunks, type_chunks, w):
    rot = {}
    used = {}

    def nxt(key, n):
        i = rot.get(key, 0)
        rot[key] = i + 1
        return i % n

    cur = task_ptrs("t")
    hooks = hook_list()
    names = set()
    for idx, (kind, sec, name, fams) in enumerate(hooks):
        assert name not in names, name
        names.add(name)
        args = []  # (ctype, argn, ptrs)
        for f in fams:
            fam, _, n = f.partition("@")
            if fam == "pid_ns":
                args.append(("struct pid_namespace", int(n or 1), {"pid_namespace": "$"}))
                continue
            ctype, ptrs = FAMILIES[fam]
            if fam != "none":
                args.append((ctype, int(n or 1), ptrs))
        # structs reachable from each argument (a0, a1); without arguments, from the current task
        groups = [{s: e.replace("$", f"a{ai}") for s, e in ptrs.items()} for ai, (_, _, ptrs) in enumerate(args)]
        own = {}
        for g in groups:
            for s, e in g.items():
                own.setdefault(s, e)
        if not groups:
            groups = [cur]
        avail = dict(own)
        for s, e in cur.items():
            avail.setdefault(s, e)
        body = []
        # two member chunks: one of a struct reachable from a0, one from a1 (or a0 again)
        for g in (groups * 2)[:2]:
            keys = list(g)
            s = keys[nxt("g:" + ",".join(keys), len(keys))]
            fc = info[s][0]
            c = fc[nxt("F:" + s, len(fc))]
            body.append(f"rd_{c}(e, (void *)({g[s]}));")
            used[c] = used.get(c, 0) + 1
        # a bitfield chunk: always when an argument's struct has bitfields, else every third program
        bpool = [s for s in own if info[s][1]]
        if not bpool and idx % 3 == 0:
            bpool = [s for s in cur if info[s][1]]
        if bpool:  # the least read bitfield chunk of these structs
            c, s = min(((c, s) for s in bpool for c in info[s][1]), key=lambda cs: used.get(cs[0], 0))
            body.append(f"rd_{c}(e, (void *)({avail[s]}));")
            used[c] = used.get(c, 0) + 1
        fl = ([b for b, s in FLAVOR_BLOCKS.items() if s in own]
              or [b for b, s in FLAVOR_BLOCKS.items() if s in avail])
        fb = fl[nxt("fl:" + ",".join(fl), len(fl))]
        body.append(f"{fb}(e, (void *)({avail[FLAVOR_BLOCKS[fb]]}));")
        used[fb] = used.get(fb, 0) + 1
        body.append(f"kt_{type_chunks[idx % len(type_chunks)]}(e);")
        body.append(f"ke_{enum_chunks[(idx * 7) % len(enum_chunks)]}(e);")
        a = args + [("void", 0, {})] * (2 - len(args))
        w(f"LARGE_PROG({kind}, \"{sec}\", {name}, {a[0][0]}, {a[0][1]}, {a[1][0]}, {a[1][1]},\n")
        w("".join(f"\t{b}\n" for b in body).rstrip("\n") + ")\n")
    return hooks, used


def main():
    kdir, outdir = sys.argv[1], sys.argv[2]
    tars = []
    for root, _, files in os.walk(kdir):
        tars += [os.path.join(root, f) for f in files if f.endswith(".btf.tar.xz")]
    with tempfile.TemporaryDirectory() as td:
        btfs = {}
        for t in sorted(tars):
            with tarfile.open(t) as tf:
                m = next(m for m in tf.getmembers() if m.name.endswith(".btf"))
                p = os.path.join(td, os.path.basename(m.name))
                with tf.extractfile(m) as src, open(p, "wb") as dst:
                    dst.write(src.read())
            name = os.path.basename(p)[: -len(".btf")]
            btfs[name] = Btf(p, name)
    ref = btfs.pop(REF)
    others = sorted(btfs.values(), key=lambda b: [int(x) if x.isdigit() else 0
                                                   for x in b.name.replace("-", ".").split(".")[:2]])
    out = []
    w = out.append
    w("/* SPDX-License-Identifier: GPL-2.0 */\n")
    w(f"/* fields.h - GENERATED by bpf/large/gen.py from the BTF of {ref.name}\n")
    w(" * (annotated against " + ", ".join(o.name for o in others) + "). Do not edit. */\n")
    w("#ifndef LARGE_FIELDS_H\n#define LARGE_FIELDS_H\n")
    info = gen_fields(ref, others, w)
    enum_chunks = gen_enums(ref, others, w)
    type_chunks = gen_types(w)
    w("\n#endif\n")
    with open(os.path.join(outdir, "fields.h"), "w") as f:
        f.write("".join(out))
    out = []
    w = out.append
    w("/* SPDX-License-Identifier: GPL-2.0 */\n")
    w("/* progs.h - GENERATED by bpf/large/gen.py. Do not edit.\n")
    w(" * LARGE_PROG(kind, section, name, arg0 type, arg0 number, arg1 type, arg1 number, body) */\n")
    hooks, used = gen_progs(info, enum_chunks, type_chunks, w)
    with open(os.path.join(outdir, "progs.h"), "w") as f:
        f.write("".join(out))
    allc = [c for s in STRUCTS for c in info[s][0] + info[s][1]]
    unused = [c for c in allc if c not in used]
    print(f"{len(hooks)} programs; {len(allc)} member chunks, unused: {' '.join(unused) or 'none'}",
          file=sys.stderr)
    print("flavor blocks used: " + " ".join(f"{b}:{used.get(b, 0)}" for b in FLAVOR_BLOCKS), file=sys.stderr)


if __name__ == "__main__":
    main()
