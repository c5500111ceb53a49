#!/usr/bin/env python3
"""btfpack serve, every endpoint and every error, on a loopback server this test starts and
stops: list, download (bytes of the archive file), customize (bytes of `btfpack minimize`,
.tar.xz and raw, merged objects, cache hit, single flight), packs and pack (bytes of `btfpack
get`), health, metrics, SIGHUP re-scan, CPU limit, relocation limit, body limit.
usage: serve_endpoints.py BTFPACK KERNELS_DIR BPF_EL_DIR LARGE_OBJ"""
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_util import Checks, Client, Server, json_error, query, wait_until  # noqa: E402

BTFPACK, KERNELS, EL, LARGE = [os.path.abspath(a) for a in sys.argv[1:5]]
T = tempfile.mkdtemp(prefix="serve-endpoints-")
check = Checks()


def kernels_of(root):
    out = []
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".btf.tar.xz"):
                rel = os.path.relpath(os.path.join(d, f), root).split("/")
                out.append((rel[0], rel[1], rel[2], f[: -len(".btf.tar.xz")]))
    return sorted(out)


def run(*args):
    return subprocess.run([BTFPACK] + list(args), check=True, capture_output=True).stdout


# the archive: links to the testdata kernels, so that a re-scan can be shown by adding one
A = os.path.join(T, "archive")
for k in kernels_of(KERNELS):
    os.makedirs(os.path.join(A, *k[:3]), exist_ok=True)
    os.symlink(os.path.join(KERNELS, *k[:3], k[3] + ".btf.tar.xz"), os.path.join(A, *k[:3], k[3] + ".btf.tar.xz"))
keys = kernels_of(A)
amd = [k for k in keys if k[2] == "x86_64"][-1]
minimal, task = os.path.join(EL, "minimal.o"), os.path.join(EL, "task.o")
objs = {p: open(p, "rb").read() for p in (minimal, task)}
full = os.path.join(KERNELS, *amd[:3], amd[3] + ".btf.tar.xz")
# a pack of the arm64 kernel only, for the pack endpoints
pack = os.path.join(T, "nonx86.pack")
run("build", A, minimal, "--arch", "arm64", "-o", pack)

srv = Server(os.path.join(os.path.dirname(BTFPACK), "btfpack-serve"),
             ["--archive", A, "--pack", pack, "--max-relocations", "20000", "--cache-bytes", str(8 << 20),
              "--max-body", str(12 << 20), "--rescan", "0"], os.path.join(T, "server.log"))
c = Client(srv)
try:
    # list
    st, h, body = c.get("/api/v1/list")
    lst = json.loads(body) if st == 200 else []
    check("list: 200 JSON", st == 200 and h["content-type"].startswith("application/json"), st)
    check("list: every archive kernel with BTFHub online's four fields",
          sorted((e["distribution"], e["distribution_version"], e["arch"], e["kernel_version"]) for e in lst) == keys, lst)

    # download
    st, h, body = c.get("/api/v1/download?" + query(amd))
    check("download: 200, the archive's .tar.xz byte for byte", st == 200 and body == open(full, "rb").read(), st)
    check("download: octet-stream with a file name", h.get("content-type") == "application/octet-stream" and
          amd[3] + ".btf.tar.xz" in h.get("content-disposition", ""), h)

    # customize
    expect = run("minimize", full, minimal, "-o", "-")
    st, h, body = c.customize(amd, [("minimal.o", objs[minimal])], fmt="tar.xz")
    member = None
    if st == 200:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:xz") as tf:
            names = tf.getnames()
            member = tf.extractfile(names[0]).read() if len(names) == 1 else None
    check("customize: 200, a .tar.xz of <kernel_version>.btf (BTFHub online's answer)",
          st == 200 and names == [amd[3] + ".btf"], (st, body[:200]))
    check("customize: the BTF is btfpack minimize's, byte for byte", member == expect)
    check("customize: first request computed", h.get("x-btfpack-cache") == "miss", h)
    st, h, body = c.customize(amd, [("minimal.o", objs[minimal])])
    check("customize format=raw: the raw BTF, from the cache", st == 200 and body == expect and
          h.get("x-btfpack-cache") == "hit", (st, h))
    st, h, body = c.customize(amd, [("minimal.o", objs[minimal]), ("task.o", objs[task])])
    check("customize with two 'bpf' parts: the merged minimization",
          st == 200 and body == run("minimize", full, minimal, task, "-o", "-"), st)
    # single flight: 6 identical new requests at once, one minimization
    def metric(name, labels=""):
        _, _, m = Client(srv).get("/monitoring/metrics")
        for line in m.decode().splitlines():
            if line.startswith(name + labels + " ") or (not labels and line.startswith(name + " ")):
                return float(line.split()[-1])
        return 0.0
    before = metric("btfpack_minimizations_total")
    arm = [k for k in keys if k[2] == "arm64"][0]
    results = []
    def one():
        results.append(Client(srv).customize(arm, [("task.o", objs[task])]))
    ths = [threading.Thread(target=one) for _ in range(6)]
    [t.start() for t in ths]
    [t.join() for t in ths]
    arm_full = os.path.join(KERNELS, *arm[:3], arm[3] + ".btf.tar.xz")
    arm_expect = run("minimize", arm_full, task, "-o", "-")
    check("6 identical concurrent customizes: all 200 and correct", len(results) == 6 and
          all(r[0] == 200 and r[2] == arm_expect for r in results), [r[0] for r in results])
    check("6 identical concurrent customizes: computed once (single flight)",
          metric("btfpack_minimizations_total") - before == 1, metric("btfpack_minimizations_total") - before)

    # packs and pack
    st, h, body = c.get("/api/v1/packs")
    pl = json.loads(body) if st == 200 else []
    check("packs: the pack, its kernel count and metadata", st == 200 and len(pl) == 1 and pl[0]["name"] == "nonx86" and
          pl[0]["kernels"] == 1 and isinstance(pl[0]["meta"], dict), body[:300])
    st, h, body = c.get("/api/v1/pack?" + query(arm, format="raw"))
    check("pack: the BTF of btfpack get, byte for byte",
          st == 200 and body == run("get", pack, "/".join(arm), "-o", "-"), st)
    st, h, body = c.get("/api/v1/pack?" + query(arm, pack="nonx86"))
    check("pack: .tar.xz by default, pack named", st == 200 and body[:6] == b"\xfd7zXZ\x00", st)
    st, h, body = c.get("/api/v1/pack?" + query(amd))
    check("pack: a kernel the pack lacks is 404", st == 404 and "has no kernel" in json_error(404, body), body)
    st, h, body = c.get("/api/v1/pack?" + query(arm, pack="other"))
    check("pack: unknown pack name is 404", st == 404 and "no pack named 'other'" in json_error(404, body), body)

    # health, metrics
    st, h, body = c.get("/monitoring/health")
    hj = json.loads(body)
    check("health: ok, kernels and packs counted", st == 200 and hj["status"] == "ok" and hj["kernels"] == len(keys) and
          hj["packs"] == 1, body)
    st, h, body = c.get("/monitoring/metrics")
    text = body.decode()
    check("metrics: Prometheus text", st == 200 and h["content-type"].startswith("text/plain") and
          "# TYPE btfpack_http_requests_total counter" in text, h)
    check("metrics: requests by endpoint and code",
          metric("btfpack_http_requests_total", '{endpoint="customize",code="200"}') >= 9, text[:400])
    check("metrics: latency histogram, cache hits, in-flight gauges",
          'btfpack_http_request_duration_seconds_bucket{endpoint="list",le="+Inf"} 1' in text and
          metric("btfpack_cache_hits_total", '{cache="results"}') >= 1 and
          "btfpack_minimizations_in_flight 0" in text, "")
    families = [l.split()[2] for l in text.splitlines() if l.startswith("# TYPE")]
    check("metrics: every family declared once", len(families) == len(set(families)), families)

    # errors
    def err(name, path, status, needle, method="GET", body=None, headers=None):
        st, h, b = c.request(method, path, body, headers)
        ok = st == status and h.get("content-type", "").startswith("application/json")
        msg = json_error(status, b) if ok else b[:200]
        check("error %d: %s" % (status, name), ok and needle in msg, (st, msg))
    q = dict(zip(("distribution", "distribution_version", "arch", "kernel_version"), amd))
    err("missing parameter", "/api/v1/download?distribution=debian", 400, "missing query parameter 'distribution_version'")
    err("'..' as a name", "/api/v1/download?" + query(("..",) + amd[1:]), 400, "'.' and '..' name no kernel")
    err("'/' in a name", "/api/v1/download?" + query(amd[:3] + ("../../../etc/passwd",)), 400, "contains '/'")
    err("unknown kernel, with the nearest", "/api/v1/download?" + query(amd[:3] + (amd[3] + "x",)), 404,
        "no kernel %s/%s/%s/%sx in the archive (it has for" % amd)
    err("bad format", "/api/v1/customize?" + query(amd, format="zip"), 400, "bad query parameter 'format'", "POST", b"x",
        {"Content-Type": "application/octet-stream"})
    err("unknown endpoint", "/api/v2/list", 404, "no such endpoint: GET /api/v2/list")
    from serve_util import multipart
    mp, ct = multipart([("other", "x.o", b"abc")])
    err("no 'bpf' part", "/api/v1/customize?" + query(amd), 400, "missing multipart field 'bpf'", "POST", mp,
        {"Content-Type": ct})
    mp, ct = multipart([("bpf", "true", open("/bin/true", "rb").read())])
    err("not a BPF object", "/api/v1/customize?" + query(amd), 422, "true: not a BPF object (ELF machine 62", "POST", mp,
        {"Content-Type": ct})
    mp, ct = multipart([("bpf", "cut.o", objs[minimal][:600])])
    err("truncated object", "/api/v1/customize?" + query(amd), 422, "bad BPF object: cut.o:", "POST", mp, {"Content-Type": ct})
    large = open(LARGE, "rb").read()
    mp, ct = multipart([("bpf", "large.o", large)])
    err("too many relocations", "/api/v1/customize?" + query(amd), 422,
        "large.o: too many CO-RE relocations (44320 in this request, the limit is 20000)", "POST", mp, {"Content-Type": ct})
    mp, ct = multipart([("bpf", "big.o", b"\0" * (13 << 20))])
    err("body over --max-body", "/api/v1/customize?" + query(amd), 413, "request body over the limit of 12582912 bytes",
        "POST", mp, {"Content-Type": ct})
    mp, ct = multipart([("bpf", "m%d.o" % i, objs[minimal]) for i in range(9)])
    err("more than --max-objects parts", "/api/v1/customize?" + query(amd), 413, "more than 8 'bpf' parts", "POST", mp,
        {"Content-Type": ct})

    # SIGHUP: a kernel added to the archive appears without a restart
    new = amd[:3] + ("6.1.0-99-amd64",)
    os.symlink(full, os.path.join(A, *new[:3], new[3] + ".btf.tar.xz"))
    srv.signal(signal.SIGHUP)
    seen = wait_until(lambda: any(e["kernel_version"] == new[3] for e in json.loads(Client(srv).get("/api/v1/list")[2])))
    check("SIGHUP: the archive is re-scanned, the new kernel listed", seen)
    st, h, body = c.customize(new, [("minimal.o", objs[minimal])])
    check("SIGHUP: and customized", st == 200 and body == expect, st)
    check("still running", srv.alive())
finally:
    rc = srv.stop()
check("SIGTERM: clean exit 0", rc == 0, rc)

# CPU limit: a server whose minimizations may use 1 ms of CPU answers 503 and stays responsive
srv = Server(os.path.join(os.path.dirname(BTFPACK), "btfpack-serve"),
             ["--archive", A, "--cpu-seconds", "0.001", "--rescan", "0", "-q"], os.path.join(T, "server2.log"))
try:
    c = Client(srv)
    st, h, body = c.customize(amd, [("large.o", large)])
    check("error 503: CPU time limit", st == 503 and "CPU time limit of 0.001" in json_error(503, body), (st, body[:200]))
    st, h, body = c.get("/monitoring/health")
    check("after a 503 the server still answers", st == 200, st)
    m = c.get("/monitoring/metrics")[2].decode()
    check("metrics count the CPU limit", "btfpack_minimization_cpu_limit_exceeded_total 1" in m)
finally:
    srv.stop()

# the kernel store: with one parsed kernel, a kernel seen before comes back from the zstd store
# (same bytes); --prewarm fills the store with every kernel of the archive
srv = Server(os.path.join(os.path.dirname(BTFPACK), "btfpack-serve"),
             ["--archive", A, "--kernel-cache", "1", "--prewarm", "--rescan", "0", "-q"], os.path.join(T, "s4.log"))
try:
    c = Client(srv)
    def m(name):
        for line in c.get("/monitoring/metrics")[2].decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return -1
    check("--prewarm: every kernel decompressed into the store",
          wait_until(lambda: m("btfpack_kernels_prewarmed_total") == len(kernels_of(A)), 30), m("btfpack_kernels_prewarmed_total"))
    arm = [k for k in keys if k[2] == "arm64"][0]
    r1 = c.customize(amd, [("minimal.o", objs[minimal])])
    r2 = c.customize(arm, [("task.o", objs[task])])
    r3 = c.customize(amd, [("task.o", objs[task])])
    check("kernel store: kernels seen before, not parsed any more, give the same BTFs",
          r1[2] == expect and r2[2] == arm_expect and r3[2] == run("minimize", full, task, "-o", "-"), [r[0] for r in (r1, r2, r3)])
    check("kernel store: hits counted", m('btfpack_cache_hits_total{cache="kernel_store"}') >= 3)
finally:
    srv.stop()

# a port in use is an error, not a shared port
srv = Server(os.path.join(os.path.dirname(BTFPACK), "btfpack-serve"), ["--archive", A, "-q"], os.path.join(T, "s3.log"))
r = subprocess.run([os.path.join(os.path.dirname(BTFPACK), "btfpack-serve"), "--archive", A, "--listen",
                    "127.0.0.1:%d" % srv.port], capture_output=True, timeout=10)
check("a port in use: exit 1 naming it", r.returncode == 1 and b"cannot listen on 127.0.0.1:%d" % srv.port in r.stderr,
      (r.returncode, r.stderr))
srv.stop()
r = subprocess.run([BTFPACK, "serve", "--archive", os.path.join(T, "nope")], capture_output=True, timeout=10)
check("btfpack serve: a missing archive is exit 1 naming it", r.returncode == 1 and b"nope" in r.stderr, r.stderr)
r = subprocess.run([BTFPACK, "serve", "--archive", A, "--listen", "nohostport"], capture_output=True, timeout=10)
check("btfpack serve: a bad --listen is a usage error (2)", r.returncode == 2, (r.returncode, r.stderr))

shutil.rmtree(T, ignore_errors=True)
sys.exit(check.finish())
