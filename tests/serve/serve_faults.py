#!/usr/bin/env python3
"""The fault run of btfpack serve: oversized uploads, non-BPF and corrupt objects, absurd
relocation counts, unknown kernels, path-traversal names, slow clients, clients that stop
mid-request, and 1,000 bad requests interleaved with good ones. Every bad request must get a
clear JSON error (4xx, or 503 for limits), every good one the right bytes, the server must stay
up, and its resident memory bounded. Prints the counts (README quotes them).
usage: serve_faults.py BTFPACK KERNELS_DIR BPF_EL_DIR"""
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_util import Checks, Client, Server, json_error, multipart, query  # noqa: E402

BTFPACK, KERNELS, EL = [os.path.abspath(a) for a in sys.argv[1:4]]
T = tempfile.mkdtemp(prefix="serve-faults-")
check = Checks()


amd = ("debian", "12", "x86_64", "6.1.0-50-amd64")
full = os.path.join(KERNELS, *amd[:3], amd[3] + ".btf.tar.xz")
objs = {n: open(os.path.join(EL, n), "rb").read() for n in sorted(os.listdir(EL)) if n.endswith(".o")}
expect = {n: subprocess.run([BTFPACK, "minimize", full, os.path.join(EL, n), "-o", "-"], capture_output=True,
                            check=True).stdout for n in ("minimal.o", "task.o", "enums.o")}
MAX_BODY = 2 << 20
srv = Server(os.path.join(os.path.dirname(BTFPACK), "btfpack-serve"),
             ["--archive", KERNELS, "--max-body", str(MAX_BODY), "--read-timeout", "1", "--write-timeout", "2",
              "--threads", "8", "--cache-bytes", str(4 << 20), "--kernel-cache", "1", "--rescan", "0", "-q"],
             os.path.join(T, "server.log"))
rng = random.Random(14)


def absurd_relocations(obj):
    """obj with its first CO-RE record block claiming 0xffffffff records."""
    b = bytearray(obj)
    # find .BTF.ext: its header magic 0xeb9f, version 1, then hdr_len 32
    i = b.find(b"\x9f\xeb\x01\x00\x20\x00\x00\x00")
    hdr_len = 32
    core_off = struct.unpack_from("<I", b, i + 24)[0]
    base = i + hdr_len + core_off
    struct.pack_into("<I", b, base + 4 + 4, 0xFFFFFFFF)
    return bytes(b)


def corrupt(obj):
    b = bytearray(obj)
    how = rng.randrange(3)
    if how == 0:
        return bytes(b[: rng.randrange(1, len(b))])
    for _ in range(rng.randrange(1, 16)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def bad_requests():
    """(name, method, path, body, headers, expected statuses) cycled through."""
    m = objs["minimal.o"]
    mp = lambda data, field="bpf": multipart([(field, "x.o", data)])
    cases = []
    for name, data in [("random bytes", os.urandom(3000)), ("text", b"#!/bin/sh\necho not a BPF object\n"),
                       ("x86 ELF", open("/bin/true", "rb").read()), ("absurd relocation count", absurd_relocations(m))]:
        body, ct = mp(data)
        cases.append((name, "POST", "/api/v1/customize?" + query(amd), body, {"Content-Type": ct}, {422}))
    body, ct = mp(b"\0" * (MAX_BODY + 1))
    cases.append(("oversized upload", "POST", "/api/v1/customize?" + query(amd), body, {"Content-Type": ct}, {413}))
    body, ct = mp(m, field="file")
    cases.append(("no bpf field", "POST", "/api/v1/customize?" + query(amd), body, {"Content-Type": ct}, {400}))
    for traversal in ["../../../../etc/passwd", "..", "%2e%2e", "6.1.0-50-amd64/../../12", "a\x01b"]:
        key = amd[:3] + (traversal,)
        cases.append(("traversal kernel " + repr(traversal), "GET", "/api/v1/download?" + query(key), None, {}, {400, 404}))
    cases.append(("traversal distribution", "GET", "/api/v1/download?" + query(("..", "..", "..", "etc")), None, {},
                  {400}))
    cases.append(("unknown kernel", "GET", "/api/v1/download?" + query(amd[:3] + ("9.9.9",)), None, {}, {404}))
    cases.append(("unknown distribution", "POST", "/api/v1/customize?" + query(("nosuch",) + amd[1:]), *mp(m)[:1],
                  {"Content-Type": mp(m)[1]}, {404}))
    cases.append(("missing parameter", "GET", "/api/v1/download?distribution=debian", None, {}, {400}))
    cases.append(("unknown endpoint", "GET", "/etc/passwd", None, {}, {404}))
    return cases


try:
    c = Client(srv)
    st, _, _ = c.customize(amd, [("minimal.o", objs["minimal.o"])])  # kernel loaded, caches warm
    rss_start = srv.rss_kb()

    # corrupt objects: truncated and bit-flipped copies of every object; never a 5xx, never a crash
    codes = {}
    for i in range(200):
        name = rng.choice(sorted(objs))
        st, h, body = c.customize(amd, [(name, corrupt(objs[name]))])
        codes[st] = codes.get(st, 0) + 1
        if st != 200:
            json_error(st, body)
    check("200 corrupt objects: each 200 or 422 with a JSON error (%s)" % codes,
          set(codes) <= {200, 422} and srv.alive(), codes)

    # slow clients: one trickling its headers, one stalled mid-body past --read-timeout, one that
    # never reads its download; meanwhile the server answers others
    slow = socket.create_connection((srv.host, srv.port))
    stalled = socket.create_connection((srv.host, srv.port))
    body, ct = multipart([("bpf", "m.o", objs["minimal.o"])])
    stalled.sendall(("POST /api/v1/customize?%s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                     % (query(amd), ct, len(body))).encode() + body[: len(body) // 2])
    nonreader = socket.create_connection((srv.host, srv.port))
    nonreader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    nonreader.sendall(("GET /api/v1/download?%s HTTP/1.1\r\nHost: x\r\n\r\n" % query(amd)).encode())
    t0 = time.time()
    served_meanwhile = 0
    for ch in b"GET /monitoring/health HTTP/1.1\r\nHost: x\r\n":
        slow.send(bytes([ch]))
        st, _, _ = Client(srv).get("/api/v1/list")
        served_meanwhile += st == 200
        time.sleep(0.01)
        if time.time() - t0 > 0.8:
            break
    check("slow clients: others served meanwhile (%d list requests)" % served_meanwhile, served_meanwhile >= 10)
    stalled.settimeout(5)
    try:
        got = stalled.recv(4096)
    except OSError:
        got = b""
    check("a client stalled mid-body is dropped after --read-timeout", got == b"" or b" 400 " in got[:20], got[:80])
    stalled.close()
    slow.close()
    nonreader.close()

    # clients that stop mid-request: half a body then close; a download closed unread
    for i in range(20):
        s = socket.create_connection((srv.host, srv.port))
        if i % 2:
            s.sendall(("POST /api/v1/customize?%s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                       % (query(amd), ct, len(body))).encode() + body[: len(body) // 3])
        else:
            s.sendall(("GET /api/v1/download?%s HTTP/1.1\r\nHost: x\r\n\r\n" % query(amd)).encode())
            s.recv(100)
        s.close()
    st, _, b = Client(srv).customize(amd, [("task.o", objs["task.o"])])
    check("20 clients that stopped mid-request: the server still serves", st == 200 and b == expect["task.o"], st)

    # 1,000 bad requests interleaved with good ones
    cases = bad_requests()
    bad_ok = bad_total = good_ok = good_total = 0
    per_case = {}
    goods = ["minimal.o", "task.o", "enums.o"]
    t0 = time.time()
    for i in range(1000):
        name, method, path, body_, headers, want = cases[i % len(cases)]
        st, h, b = c.request(method, path, body_, headers)
        ok = st in want and h.get("content-type", "").startswith("application/json")
        if ok:
            try:
                json_error(st, b)
            except Exception:  # noqa: BLE001
                ok = False
        bad_total += 1
        bad_ok += ok
        if not ok:
            per_case[name] = (st, b[:120])
        if i % 5 == 4:
            g = goods[(i // 5) % 3]
            st, h, b = c.customize(amd, [(g, objs[g])])
            good_total += 1
            good_ok += st == 200 and b == expect[g]
            st, h, b = c.get("/api/v1/list")
            good_total += 1
            good_ok += st == 200 and b.startswith(b"[{")
    seconds = time.time() - t0
    check("1,000 bad requests: each a JSON error with the expected status", bad_ok == 1000, per_case)
    check("%d good requests among them: all served correctly" % good_total, good_ok == good_total,
          (good_ok, good_total))
    rss_end, hwm = srv.rss_kb(), srv.hwm_kb()
    # bound: caches (4 MB results, 1 parsed kernel ~15 MB) + 8 workers x 2 bodies of 2 MB + code
    check("resident memory bounded: %.1f MB after warm-up, %.1f MB at the end, peak %.1f MB" %
          (rss_start / 1024, rss_end / 1024, hwm / 1024), rss_end < 160 * 1024 and rss_end - rss_start < 64 * 1024)
    check("the server is still up", srv.alive())
    print("serve_faults: %d bad requests (%d kinds) answered with a JSON error, %d good requests served, "
          "200 corrupt objects %s, 20 aborted clients, 3 slow clients; %.1f s; RSS %.1f -> %.1f MB (peak %.1f MB)" %
          (bad_ok, len(cases), good_ok, codes, seconds, rss_start / 1024, rss_end / 1024, hwm / 1024))
finally:
    rc = srv.stop()
check("SIGTERM: exit 0 after the fault run", rc == 0, rc)
sys.exit(check.finish())
