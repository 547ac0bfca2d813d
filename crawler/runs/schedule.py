"""Running a command again and again on a fixed period, in the foreground.

It owns `parse_duration` ("90s", "30m", "6h", "1d", "1h30m"), the drift-free
slot arithmetic (cycle k starts at start + k * every, on the monotonic clock,
so a slow cycle never pushes the later ones back; slots a cycle overran are
skipped, not caught up) and `Scheduler`, which runs each cycle as a CHILD
PROCESS (a Twisted reactor cannot be restarted in one process), waits for it,
reports its exit code, and sleeps until the next slot.

Signals: SIGINT or SIGTERM stops the loop.  A running child, started in its
own session so that a terminal's Ctrl-C reaches it only once, gets the same
signal forwarded (Scrapy then shuts the crawl down gracefully; a second signal
forces it) and is waited for.  A failed cycle does not stop the loop, except
with an exit code the caller names as permanent (a usage error).
"""

from __future__ import annotations

import logging
import math
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, Collection, Sequence

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_SLEEP_STEP = 0.2
MAX_PERIOD = 366 * 86400.0  # seconds: a longer period is a typo


def parse_duration(text: str) -> float:
    """Seconds in `text`: a number with a unit (s, m, h, d), several summed ("1h30m"),
    or a bare number of seconds.  Raises ValueError for anything else or for zero."""
    cleaned = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        seconds = float(cleaned)
    elif cleaned and _PART.sub("", cleaned) == "":
        seconds = sum(float(n) * UNITS[u] for n, u in _PART.findall(cleaned))
    else:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 30m, 6h, 1d or 1h30m)")
    if seconds <= 0:
        raise ValueError(f"a duration must be longer than zero: {text!r}")
    if seconds > MAX_PERIOD:
        raise ValueError(f"a duration must be at most {format_duration(MAX_PERIOD)}: {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """The inverse of parse_duration for display: 21600 -> '6h', 5400 -> '1h30m'."""
    left, parts = int(round(seconds)), []
    for unit, size in sorted(UNITS.items(), key=lambda kv: -kv[1]):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts) or f"{seconds:g}s"


def next_slot(start: float, every: float, now: float) -> tuple[int, float]:
    """The first slot (index k >= 1, time start + k*every) later than `now`."""
    k = max(1, math.floor((now - start) / every) + 1)
    return k, start + k * every


@dataclass(frozen=True)
class Cycle:
    number: int          # 1, 2, ...
    exit_code: int       # the child's exit code; negative: killed by that signal
    seconds: float       # how long it ran
    skipped_slots: int   # slots missed because this cycle overran its period


class Scheduler:
    """Run `argv` every `every` seconds until `max_runs` cycles ran or a signal came.

    `report(cycle)` is called after each cycle (the CLI prints a line); a cycle
    exiting with a code in `stop_on` (a usage error, which would repeat) ends the loop.
    """

    def __init__(self, argv: Sequence[str], every: float, *, max_runs: int | None = None,
                 report: Callable[[Cycle], None] | None = None,
                 stop_on: Collection[int] = (),
                 clock: Callable[[], float] = time.monotonic):
        self.argv = list(argv)
        self.every = every
        self.max_runs = max_runs
        self.report = report or (lambda cycle: None)
        self.stop_on = frozenset(stop_on)
        self.clock = clock
        self.cycles: list[Cycle] = []
        self.stopped_by: int | None = None
        self._child: subprocess.Popen | None = None

    def run(self) -> int:
        """Loop; return 0, or the last failed cycle's exit code (128+N for a child
        killed by signal N) when the loop ended by itself (max_runs, stop_on).

        A stop by signal returns 0: the loop did what it was asked."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._loop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.stopped_by is not None:
            return 0
        failed = [c.exit_code for c in self.cycles if c.exit_code != 0]
        if not failed:
            return 0
        return failed[-1] if failed[-1] > 0 else 128 - failed[-1]  # shell style for signals

    def _loop(self) -> None:
        start = self.clock()
        slot = start
        while self.stopped_by is None:
            cycle = self._run_cycle(len(self.cycles) + 1, slot, start)
            self.cycles.append(cycle)
            self.report(cycle)
            if cycle.exit_code in self.stop_on:
                logger.error("cycle %d exited %d, which would repeat; stopping",
                             cycle.number, cycle.exit_code)
                return
            if self.max_runs is not None and len(self.cycles) >= self.max_runs:
                return
            _, slot = next_slot(start, self.every, self.clock())
            self._sleep_until(slot)

    def _sleep_until(self, when: float) -> None:
        """Sleep in short steps, so a signal handler's stop is seen at once."""
        while self.stopped_by is None and (left := when - self.clock()) > 0:
            time.sleep(min(left, _SLEEP_STEP))

    def _run_cycle(self, number: int, slot: float, start: float) -> Cycle:
        began = self.clock()
        logger.info("cycle %d: %s", number, " ".join(self.argv))
        self._child = subprocess.Popen(self.argv, start_new_session=True)
        if self.stopped_by is not None:  # the signal came while the child was starting
            self._child.send_signal(self.stopped_by)
        try:
            code = self._child.wait()
        finally:
            self._child = None
        ended = self.clock()
        k_next, _ = next_slot(start, self.every, ended)
        k_this = round((slot - start) / self.every)
        return Cycle(number, code, ended - began, max(0, k_next - k_this - 1))

    def _on_signal(self, signum: int, frame) -> None:
        self.stopped_by = signum
        child = self._child
        if child is not None and child.poll() is None:
            logger.info("forwarding %s to cycle pid %d", signal.Signals(signum).name, child.pid)
            child.send_signal(signum)
