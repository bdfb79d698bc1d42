"""Run one command; print its wall time, CPU time, peak RSS (KiB) and exit code on stdout.

The benchmark runs each command through this small process (python -I -S) rather than
straight from the harness: on Linux a child's peak RSS starts from that of the process it
was forked from, so measuring from the harness would count the harness itself.
"""

import os
import sys
import time

argv = sys.argv[1:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
print(f"{seconds:.6f} {cpu:.6f} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
