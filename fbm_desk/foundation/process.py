"""Which process is which: a process id is reused once its process ends, its start time is not.

``process_start(pid)`` is a token that identifies one process for as long as it runs: on Linux the boot id
and the process's start time (``/proc/<pid>/stat`` field 22, clock ticks since boot); "" where that cannot be
read (another platform, no /proc, the process is gone). Callers treat "" as "unknown" and fall back to asking
whether the pid exists.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def process_start(pid: int) -> str:
    """``"<boot id>:<start ticks>"`` for a running process, "" when unknown."""
    try:
        stat = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
        boot = (PROC / "sys" / "kernel" / "random" / "boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")"
    fields = stat.rpartition(")")[2].split()
    if len(fields) < 20 or not fields[19].isdigit():
        return ""
    return f"{boot}:{fields[19]}"  # fields[0] is field 3 (state): starttime, field 22, is fields[19]
