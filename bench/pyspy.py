"""Sampling profiles of a running crawl with py-spy, and their summaries.

It owns starting `py-spy record` on a pid (raw "collapsed stack" output, idle
samples excluded, so the samples are the time the process was on a CPU or
waiting for the GIL) and summarising such a file: busy share, the functions
with the most samples on top of the stack (self) and in the stack at all
(inclusive), each as a share of the samples.  py-spy is optional: `available`
says whether .venv has it (``.venv/bin/pip install py-spy``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

RATE = 50  # samples per second
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def executable() -> str | None:
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


def available() -> bool:
    return executable() is not None


def record(pid: int, seconds: int, out: Path) -> subprocess.Popen:
    """Start sampling `pid` for `seconds` into `out` (raw format); the caller waits."""
    return subprocess.Popen([executable() or "py-spy", "record", "--pid", str(pid),
                             "--duration", str(seconds), "--rate", str(RATE), "--format", "raw",
                             "--output", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _frame_name(frame: str) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    file = m.group("file")
    short = "/".join(Path(file).parts[-2:]) if "site-packages" in file or "/lib/" in file \
        else Path(file).name
    return f"{m.group('func')} ({short})"


def summarise(raw: Path, seconds: float, top: int = 12) -> dict:
    """Busy share and the top self / inclusive functions of a raw py-spy profile."""
    self_count: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame_name(f) for f in stack.split(";")[1:]]  # [0] is the thread
        if not frames:
            continue
        total += n
        self_count[frames[-1]] += n
        for name in set(frames):
            incl[name] += n
    share = (lambda c: [(name, round(100 * n / total, 1)) for name, n in c.most_common(top)]) \
        if total else (lambda c: [])
    return {"samples": total, "busy_pct": round(100 * total / (seconds * RATE), 1) if seconds else None,
            "top_self_pct": share(self_count), "top_inclusive_pct": share(incl)}
