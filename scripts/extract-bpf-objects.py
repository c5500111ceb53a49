#!/usr/bin/env python3
"""extract-bpf-objects.py [--core-only] OUTDIR BINARY...: cut the BPF ELF objects (e_machine
EM_BPF) that libbpf skeletons embed in executables (e.g. Debian's libbpf-tools) out into
OUTDIR/<tool>[.N].o. Either byte order; the object's size is its section header table's end.
--core-only keeps only objects that carry CO-RE relocations in .BTF.ext."""
import os, struct, sys

def objects(data):
    start = 0
    while True:
        i = data.find(b"\x7fELF\x02", start)
        if i < 0:
            return
        start = i + 1
        ei_data = data[i + 5]
        if ei_data not in (1, 2):
            continue
        e = "<" if ei_data == 1 else ">"
        if i + 64 > len(data):
            continue
        machine, = struct.unpack_from(e + "H", data, i + 0x12)
        if machine != 247:
            continue
        shoff, = struct.unpack_from(e + "Q", data, i + 0x28)
        shentsize, shnum = struct.unpack_from(e + "HH", data, i + 0x3a)
        end = i + shoff + shentsize * shnum
        if shnum == 0 or end > len(data):
            continue
        yield data[i:end]

def core_relo_count(o):
    e = "<" if o[5] == 1 else ">"
    shoff, = struct.unpack_from(e + "Q", o, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", o, 0x3a)
    sec = lambda i: struct.unpack_from(e + "IIQQQQIIQQ", o, shoff + i * shentsize)
    stroff = sec(shstrndx)[4]
    for i in range(shnum):
        s = sec(i)
        if o[stroff + s[0]:o.index(b"\0", stroff + s[0])] != b".BTF.ext":
            continue
        x = o[s[4]:s[4] + s[5]]
        hdr_len, = struct.unpack_from(e + "I", x, 4)
        if hdr_len < 32:
            return 0
        off, length = struct.unpack_from(e + "II", x, 24)
        if length == 0:
            return 0
        base = hdr_len + off
        rec, = struct.unpack_from(e + "I", x, base)
        p, n = base + 4, 0
        while p < base + length:
            _, num = struct.unpack_from(e + "II", x, p)
            n += num
            p += 8 + num * rec
        return n
    return 0

def main():
    args = sys.argv[1:]
    core_only = "--core-only" in args
    args = [a for a in args if a != "--core-only"]
    out, bins = args[0], args[1:]
    os.makedirs(out, exist_ok=True)
    n = 0
    for b in bins:
        objs = [o for o in objects(open(b, "rb").read()) if not core_only or core_relo_count(o) > 0]
        for k, o in enumerate(objs):
            name = os.path.basename(b) + (f".{k}" if len(objs) > 1 else "") + ".o"
            open(os.path.join(out, name), "wb").write(o)
            n += 1
    print(f"extracted {n} BPF objects into {out}", file=sys.stderr)

if __name__ == "__main__":
    main()
