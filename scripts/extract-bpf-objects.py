#!/usr/bin/env python3
"""extract-bpf-objects.py OUTDIR BINARY...: cut the BPF ELF objects (e_machine EM_BPF) that
libbpf skeletons embed in executables (e.g. Debian's libbpf-tools) out into OUTDIR/<tool>[.N].o.
Either byte order; the object's size is its section header table's end."""
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

def main():
    out, bins = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    n = 0
    for b in bins:
        objs = list(objects(open(b, "rb").read()))
        for k, o in enumerate(objs):
            name = os.path.basename(b) + (f".{k}" if len(objs) > 1 else "") + ".o"
            open(os.path.join(out, name), "wb").write(o)
            n += 1
    print(f"extracted {n} BPF objects into {out}", file=sys.stderr)

if __name__ == "__main__":
    main()
