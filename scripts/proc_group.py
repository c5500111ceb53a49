"""Child processes that die with all their children: on a timeout, and on SIGTERM/SIGINT.

Each command runs in its own session (so its own process group): killing the group with
SIGKILL also kills whatever the command started (GNU time's child, bpftool's helpers, ...).
Shared by scripts/bench-build, scripts/bench-minimize and tests/fidelity/fidelity_check.py,
which import it by a path relative to their own file.

    p = proc_group.popen(cmd, stdout=subprocess.PIPE, ...)    # subprocess.Popen, own group
    out, err, timed_out = proc_group.communicate(p, timeout)  # group killed on timeout
    proc_group.handle_signals()  # SIGTERM/SIGINT: kill every running group, then SystemExit
"""
import os
import signal
import subprocess
import threading

_procs = set()  # the processes in communicate() now, from any thread
_procs_lock = threading.Lock()
stopping = threading.Event()  # set once a signal arrived: start nothing new


def popen(cmd, **kwargs):
    """subprocess.Popen(cmd, **kwargs) in a new session: its own process group."""
    return subprocess.Popen(cmd, start_new_session=True, **kwargs)


def kill(p):
    """SIGKILL p's process group (p and every child it started); gone already is fine."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        pass


def communicate(p, timeout):
    """p.communicate() within timeout seconds: (stdout, stderr, timed_out). On a timeout the
    group is killed and what it wrote until then is returned. Meanwhile a signal kills it too."""
    with _procs_lock:
        _procs.add(p)
    try:
        try:
            out, err = p.communicate(timeout=timeout)
            return out, err, False
        except subprocess.TimeoutExpired:
            kill(p)
            out, err = p.communicate()
            return out, err, True
    finally:
        with _procs_lock:
            _procs.discard(p)


def on_signal(signum, _frame):
    """ctest timeout / Ctrl-C: stop every running child group, then unwind (SystemExit), so the
    caller's finally blocks and temporary directories clean up."""
    stopping.set()
    with _procs_lock:
        for p in list(_procs):
            kill(p)
    raise SystemExit(128 + signum)


def handle_signals():
    """Install on_signal for SIGTERM and SIGINT (from the main thread)."""
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
