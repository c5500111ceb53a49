"""Helpers shared by the serve tests and scripts/bench-serve: start/stop a btfpack serve on a
loopback port, and HTTP requests with http.client (multipart uploads built by hand)."""
import http.client
import json
import os
import signal
import subprocess
import time
import urllib.parse

KERNEL_PARAMS = ("distribution", "distribution_version", "arch", "kernel_version")


class Server:
    """btfpack serve on 127.0.0.1 with a free port; stopped (SIGTERM, then SIGKILL) by stop()."""

    def __init__(self, binary, args, log_path):
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0"] + list(args), stdout=subprocess.PIPE,
                                     stderr=self.log)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on http://"):
            self.proc.kill()
            raise RuntimeError("server did not start: %r (log: %s)" % (line, log_path))
        hostport = line.split("http://", 1)[1].split()[0]
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.url = "http://" + hostport

    def status_kb(self, field):
        """A /proc/PID/status memory line in kB: VmRSS (resident now), VmHWM (peak)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def rss_kb(self):
        return self.status_kb("VmRSS")

    def hwm_kb(self):
        return self.status_kb("VmHWM")

    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def query(key, **extra):
    q = dict(zip(KERNEL_PARAMS, key))
    q.update(extra)
    return urllib.parse.urlencode(q)


def multipart(parts, boundary="btfpackBoundary7MA4YWxkTrZu0gW"):
    """parts: list of (field, filename, bytes) -> (body, content type)."""
    out = b""
    for field, filename, data in parts:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n" % (boundary, field, filename)).encode()
        out += data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


class Client:
    """One keep-alive connection; reconnects when the server closed it."""

    def __init__(self, server, timeout=30):
        self.server, self.timeout = server, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path):
        return self.request("GET", path)

    def customize(self, key, objects, fmt="raw"):
        body, ctype = multipart([("bpf", name, data) for name, data in objects])
        return self.request("POST", "/api/v1/customize?" + query(key, format=fmt), body, {"Content-Type": ctype})

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def json_error(status, body):
    """The service's JSON error, checked: {"error": message, "status": code}."""
    j = json.loads(body)
    assert j["status"] == status and isinstance(j["error"], str) and j["error"], (status, body)
    return j["error"]


def wait_until(pred, timeout=10.0, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return False


class Checks:
    """ok/FAIL lines and the closing 'N passed, N failed' line ctest's log shows."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   " + name)
        else:
            self.failed += 1
            print("FAIL " + name + (": " + str(detail) if detail else ""))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0
