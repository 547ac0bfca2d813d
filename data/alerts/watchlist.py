"""The watchlist: what an analyst wants to be told about, read from a TOML file.

It owns the `Watchlist` record (watched entities by name or alias with an
optional label, watched terms, the fine threshold in EUR, and the settings of
the rules that need no list) and `load_watchlist`, which validates the file
and raises `WatchlistError` naming the file and line of a mistake.  The
format is documented in README.md ("Alerts") and shipped as
watchlist.example.toml beside this module.  No file at all is a valid
watchlist: nothing is watched, the rules use their defaults.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from newsmon.data.errors import WatchlistError

EXAMPLE = Path(__file__).with_name("watchlist.example.toml")
LABELS = ("person", "organisation")
TOP_KEYS = ("fine_threshold_eur", "terms", "entity", "rules")
ENTITY_KEYS = ("name", "label")


@dataclass(frozen=True)
class Rules:
    """Settings of the rules (README "Alerts" documents each)."""
    new_entity_articles: int = 3      # a new entity: in at least this many articles ...
    new_entity_sources: int = 2       # ... of at least this many sources in the period
    spike_weeks: int = 6              # a spike: the week against this many trailing weeks (4-8)
    spike_z: float = 3.0              # z-score at least this ...
    spike_articles: int = 5           # ... and at least this many articles in the week ...
    spike_ratio: float = 3.0          # ... and at least this many times its usual week
    silence_factor: float = 3.0       # silent: no article for this many times its usual gap ...
    silence_min_hours: float = 24.0   # ... and never less than this
    blocked_share: float = 0.5        # blocked: at least this share of its last run's fetches 403/429


_BOUNDS: dict[str, tuple[float, float]] = {
    "new_entity_articles": (1, 1000), "new_entity_sources": (1, 1000), "spike_weeks": (4, 8),
    "spike_z": (0.5, 100), "spike_articles": (1, 100000), "spike_ratio": (1, 100), "silence_factor": (1, 100),
    "silence_min_hours": (1, 24 * 365), "blocked_share": (0.01, 1),
}


@dataclass(frozen=True)
class WatchedEntity:
    name: str
    label: str | None = None


@dataclass(frozen=True)
class Watchlist:
    entities: tuple[WatchedEntity, ...] = ()
    terms: tuple[str, ...] = ()
    fine_threshold_eur: float = 1_000_000.0
    rules: Rules = field(default_factory=Rules)
    path: str | None = None


def load_watchlist(path: str | Path | None) -> Watchlist:
    """The watchlist in `path`; None gives the empty one (defaults); "example" (when no
    such file exists) the sample shipped with newsmon."""
    if path is None:
        return Watchlist()
    path = Path(path)
    if str(path) == "example" and not path.exists():
        path = EXAMPLE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WatchlistError(f"{path}: no such watchlist file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read the watchlist: {exc}") from None
    return parse_watchlist(text, path)


def parse_watchlist(text: str, path: str | Path = "<watchlist>") -> Watchlist:
    lines = _Lines(text, str(path))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise lines.error(f"invalid TOML: {message}", int(match.group(1)) if match else None) from None
    _known(doc, TOP_KEYS, "the file", lines, None)
    threshold = doc.get("fine_threshold_eur", Watchlist.fine_threshold_eur)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
            or not math.isfinite(threshold) or threshold < 0:
        raise lines.error("fine_threshold_eur must be a number of euros >= 0",
                          lines.key_line("fine_threshold_eur"))
    terms = doc.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise lines.error("terms must be a list of non-empty strings", lines.key_line("terms"))
    entities = []
    raw_entities = doc.get("entity", [])
    if not isinstance(raw_entities, list):
        raise lines.error("entity must be written [[entity]] (a list of tables)", lines.key_line("entity"))
    for i, raw in enumerate(raw_entities):
        where = lines.table_line("entity", i)
        _known(raw, ENTITY_KEYS, "[[entity]]", lines, ("entity", i))
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise lines.error("[[entity]] needs a name (a non-empty string)", where)
        label = raw.get("label")
        if label is not None and label not in LABELS:
            raise lines.error(f"[[entity]] {name!r}: label must be one of {', '.join(LABELS)}, not {label!r}",
                              lines.key_line("label", ("entity", i)) or where)
        entities.append(WatchedEntity(" ".join(name.split()), label))
    return Watchlist(tuple(entities), tuple(" ".join(t.split()) for t in terms), float(threshold),
                     _rules(doc.get("rules", {}), lines), str(path))


def _rules(raw: Any, lines: "_Lines") -> Rules:
    if not isinstance(raw, dict):
        raise lines.error("[rules] must be a table", lines.key_line("rules"))
    names = [f.name for f in fields(Rules)]
    _known(raw, names, "[rules]", lines, ("rules", None))
    values = {}
    for name, value in raw.items():
        low, high = _BOUNDS[name]
        default = getattr(Rules, name)
        ok = (not isinstance(value, bool) and isinstance(value, (int, float))
              and (isinstance(default, float) or isinstance(value, int)) and math.isfinite(value)
              and low <= value <= high)
        if not ok:
            kind = "a number" if isinstance(default, float) else "a whole number"
            raise lines.error(f"[rules] {name} must be {kind} from {low:g} to {high:g}, not {value!r}",
                              lines.key_line(name, ("rules", None)))
        values[name] = type(default)(value)
    return Rules(**values)


def _known(table: dict, allowed, where: str, lines: "_Lines", scope) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise lines.error(f"{where}: unknown key {key!r}{hint}", lines.key_line(key, scope))


class _Lines:
    """Finds the line of a key in the raw text, for error messages."""

    def __init__(self, text: str, path: str):
        self.lines = text.splitlines()
        self.path = path

    def error(self, message: str, line: int | None) -> WatchlistError:
        return WatchlistError(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")

    def table_line(self, name: str, index: int | None) -> int | None:
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?\s*(#.*)?$")
        seen = -1
        for no, line in enumerate(self.lines, 1):
            if pattern.match(line):
                seen += 1
                if index is None or seen == index:
                    return no
        return None

    def key_line(self, key: str, scope: tuple[str, int | None] | None = None) -> int | None:
        start = 0
        end = len(self.lines)
        if scope is not None:
            start = self.table_line(*scope) or 0
            for no in range(start + 1, len(self.lines) + 1):
                if self.lines[no - 1].lstrip().startswith("["):
                    end = no - 1
                    break
        else:
            end = next((no - 1 for no, line in enumerate(self.lines, 1) if line.lstrip().startswith("[")), end)
        key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for no in range(start + 1, end + 1):
            if key_re.match(self.lines[no - 1]):
                return no
        return self.table_line(key, None) if scope is None else None
