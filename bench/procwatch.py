"""Running a benchmark stage as a child process and measuring its memory from /proc.

It owns `run_watched`: start a command, poll the process tree under it (the
child, its NLP pool workers, anything they start) every `interval` seconds
until it exits, and report the wall time, the peak of the tree's summed
resident memory (VmRSS of every live process, summed at each poll; and a
timeline of it, to see whether memory grows with the pages done), the
highest VmHWM any single process reached, the number of processes seen, and
the CPU seconds the tree used (user + system, from /proc/<pid>/stat, summed
over every process seen at its last poll).  psutil is not needed: Linux only.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Watched:
    returncode: int
    wall_s: float
    peak_tree_rss_mb: float  # peak of the sum of VmRSS over the live tree
    max_process_hwm_mb: float  # the largest VmHWM of one process
    processes: int  # processes seen in the tree
    cpu_s: float  # user + system seconds of the tree (last sample of each process)
    stdout: str = ""
    stderr: str = ""
    pids: dict[int, str] = field(default_factory=dict)  # pid -> command line, as seen
    root_peak_rss_mb: float = 0.0  # peak VmRSS of the command's own process
    root_cpu_s: float = 0.0  # CPU seconds of the command's own process
    timeline: list[tuple[float, float, float]] = field(default_factory=list)
    # (seconds since start, tree RSS MB, own RSS MB), about every `timeline_every` seconds

    @property
    def cpu_busy(self) -> float:
        """Average number of cores the tree kept busy."""
        return self.cpu_s / self.wall_s if self.wall_s else 0.0


def children(pid: int) -> list[int]:
    """Direct children of `pid` (all its threads' children)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            out += [int(p) for p in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
        except OSError:
            continue
    return out


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += children(p)
    return seen


def status_kb(pid: int, key: str) -> int:
    """A `kB` field (VmRSS, VmHWM...) of /proc/<pid>/status; 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of `pid` (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def run_watched(cmd: Sequence[str], *, cwd: Path | None = None, env: dict | None = None,
                interval: float = 0.2, timeout: float | None = None, timeline_every: float = 5.0,
                on_start: Callable[[int], None] | None = None) -> Watched:
    """Run `cmd` to completion while sampling its process tree (see the module docstring).

    stdout and stderr are captured to temporary files (no pipe can fill up).
    `on_start(pid)` is called once the child runs (e.g. to attach a profiler).
    """
    import tempfile
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        if on_start is not None:
            on_start(proc.pid)
        peak_rss = hwm = root_peak = 0
        cpu: dict[int, float] = {}
        names: dict[int, str] = {}
        timeline: list[tuple[float, float, float]] = []
        while proc.poll() is None:
            now = time.monotonic() - start
            if timeout is not None and now > timeout:
                proc.kill()
                break
            total = own = 0
            for pid in tree(proc.pid):
                rss = status_kb(pid, "VmRSS")
                total += rss
                own = rss if pid == proc.pid else own
                hwm = max(hwm, status_kb(pid, "VmHWM"))
                used = cpu_seconds(pid)
                if used is not None:
                    cpu[pid] = used
                if pid not in names:
                    names[pid] = cmdline(pid)[:200]
            peak_rss, root_peak = max(peak_rss, total), max(root_peak, own)
            if not timeline or now - timeline[-1][0] >= timeline_every:
                timeline.append((round(now, 1), round(total / 1024), round(own / 1024)))
            time.sleep(interval)
        proc.wait()
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Watched(returncode=proc.returncode, wall_s=wall, peak_tree_rss_mb=peak_rss / 1024,
                       max_process_hwm_mb=hwm / 1024, processes=len(names),
                       cpu_s=sum(cpu.values()), stdout=out.read(), stderr=err.read(),
                       pids=names, root_peak_rss_mb=root_peak / 1024, timeline=timeline,
                       root_cpu_s=cpu.get(proc.pid, 0.0))
