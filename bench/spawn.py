"""Run one command; print its wall time, CPU time, peak RSS (KiB) and exit code on stdout.

The benchmark runs each command through this small process (python -I -S) rather than
straight from the harness: on Linux a child's peak RSS starts from that of the process it
was forked from, so measuring from the harness would count the harness itself. This process
also makes itself the reaper of the command's orphans (on Linux), so the worker processes of
a parallel build, which a fork server starts, count in the CPU time and the peak too.

With --live first, the command keeps this process's stdout (to be read while it runs, as
`watch` is) and SIGINT and SIGTERM sent here are passed on to it: the report is then the
last line of stdout.
"""

import contextlib
import ctypes
import ctypes.util
import os
import resource
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
if sys.platform.startswith("linux"):
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

live = sys.argv[1:2] == ["--live"]
argv = sys.argv[1 + live:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    if not live:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
    # A benchmark started in the background by a shell without job control inherits SIGINT
    # ignored, and so would the command: it could not be stopped as a person stops it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)


def pass_on(received: int, frame: object) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have ended already
        os.kill(pid, received)


if live:
    signal.signal(signal.SIGINT, pass_on)
    signal.signal(signal.SIGTERM, pass_on)
_, status, _ = os.wait4(pid, 0)
seconds = time.perf_counter() - start
while True:  # processes the command left behind (a fork server ends when its parent does)
    try:
        os.wait()
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
print(f"{seconds:.6f} {cpu:.6f} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}",
      flush=True)
