"""The sources file: which outlets newsmon crawls, and how politely.

It owns the `Source`/`FollowRules` records, loading and validating the TOML
file (`load_sources`), and picking sources by name (`select`).  Every problem
in a file raises `SourcesError` naming the file and the line, so a typo such as
`feedz = [...]` is reported as ``sources.toml:12: source 'x': unknown key
'feedz' (did you mean 'feeds'?)``.

File format (one ``[[source]]`` table per outlet; ``[defaults]`` is optional)::

    [defaults]
    language = "en"
    delay = 2.0
    concurrency = 2

    [[source]]
    name = "example-news"
    homepage = "https://example.org/"
    feeds = ["https://example.org/rss.xml"]
    sitemaps = ["https://example.org/sitemap.xml"]
    allowed_domains = ["cdn.example.org"]
    ignore_params = ["section"]     # also strip ?section=... (URL identity: crawler/identity.py)
    keep_params = ["id"]            # never strip ?id=... even if it looks like a tracker
    [source.follow]
    start = ["https://example.org/tech/"]
    allow = ["/20\\\\d\\\\d/"]
    deny = ["/tag/"]
    depth = 2
"""

from __future__ import annotations

import difflib
import ipaddress
import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from newsmon.crawler.identity import UrlRules

logger = logging.getLogger(__name__)

DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")

# fallbacks when neither the source nor [defaults] says
FALLBACK_DELAY = 2.0
FALLBACK_CONCURRENCY = 2
FALLBACK_DEPTH = 2
# bounds: a typo such as `delay = inf` or `concurrency = 1000000` is an error, not a crawl
MAX_DELAY = 600.0  # seconds (crawler.settings.MAX_SOURCE_DELAY)
MAX_CONCURRENCY = 64
MAX_DEPTH = 20

TOP_KEYS = ("defaults", "source")
DEFAULT_KEYS = ("language", "delay", "concurrency", "enabled")
SOURCE_KEYS = ("name", "homepage", "language", "feeds", "sitemaps", "allowed_domains",
               "delay", "concurrency", "enabled", "follow", "ignore_params", "keep_params")
FOLLOW_KEYS = ("start", "allow", "deny", "depth")

_NAME_RE = re.compile(r"^[a-z0-9-]+$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_HOST_RE = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


class SourcesError(ValueError):
    """A sources file that cannot be used; the message names the file and line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else "<sources>"
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class FollowRules:
    """Link following from start pages; `allow` decides what is an article candidate."""
    start: tuple[str, ...]
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    depth: int = FALLBACK_DEPTH

    def is_candidate(self, url: str) -> bool:
        """Article candidates must match one `allow` pattern (any page when none is given)."""
        return not self.allow or any(re.search(p, url) for p in self.allow)

    def is_denied(self, url: str) -> bool:
        return any(re.search(p, url) for p in self.deny)


@dataclass(frozen=True)
class Source:
    name: str
    homepage: str
    language: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    delay: float = FALLBACK_DELAY
    concurrency: int = FALLBACK_CONCURRENCY
    enabled: bool = True
    follow: FollowRules | None = None
    ignore_params: tuple[str, ...] = ()
    keep_params: tuple[str, ...] = ()

    @property
    def url_rules(self) -> UrlRules:
        """This source's URL identity rules (crawler.identity)."""
        return UrlRules.of(self.ignore_params, self.keep_params)

    @property
    def domains(self) -> tuple[str, ...]:
        """Host names that belong to this source: the homepage's host, its www./bare
        twin, the hosts of its feeds/sitemaps/start pages, and `allowed_domains`."""
        hosts: dict[str, None] = {}
        home = urlsplit(self.homepage).hostname or ""
        for host in _with_www_twin(home):
            hosts[host] = None
        urls = [*self.feeds, *self.sitemaps, *(self.follow.start if self.follow else ())]
        for url in urls:
            host = urlsplit(url).hostname
            if host:
                hosts[host] = None
        for host in self.allowed_domains:
            hosts[host] = None
        return tuple(h for h in hosts if h)

    def owns(self, url: str) -> bool:
        """True when `url`'s host is one of `domains` or a subdomain of one."""
        host = (urlsplit(url).hostname or "").lower()
        return bool(host) and any(host == d or host.endswith("." + d) for d in self.domains)


def _with_www_twin(host: str) -> list[str]:
    if not host or _is_ip(host) or "." not in host:
        return [host]
    if host.startswith("www."):
        return [host, host[4:]]
    return [host, "www." + host]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# -- loading ---------------------------------------------------------------------
def load_sources(path: str | Path = DEFAULT_SOURCES, *, include_disabled: bool = False
                 ) -> list[Source]:
    """Read and validate a sources file; raise `SourcesError` naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"cannot read sources file: {exc.strerror or exc}", path) from exc
    return parse_sources(text, path, include_disabled=include_disabled)


def parse_sources(text: str, path: str | Path = "<sources>", *, include_disabled: bool = False
                  ) -> list[Source]:
    """Validate the TOML text of a sources file (see `load_sources`)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_line(exc) or len(text.splitlines()) or None  # None: at end of document
        raise SourcesError(f"invalid TOML: {_toml_message(exc)}", path, line) from exc
    locator = _Locator(text)
    checker = _Checker(path, locator)
    checker.keys(doc, TOP_KEYS, "the file", locator.top_key_line)
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, dict):
        raise checker.error("[defaults] must be a table", locator.top_key_line("defaults"))
    checker.keys(defaults, DEFAULT_KEYS, "[defaults]", locator.defaults_line)
    tables = doc.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise checker.error("no [[source]] tables", None)
    sources = [checker.source(i, table, defaults) for i, table in enumerate(tables)]
    _check_unique(sources, checker)
    kept = [s for s in sources if s.enabled or include_disabled]
    logger.debug("loaded %d sources (%d enabled) from %s", len(sources), len(kept), path)
    return kept


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    line = getattr(exc, "lineno", None)  # Python >= 3.14
    if line is None:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(m.group(1)) if m else None
    return line


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    message = getattr(exc, "msg", str(exc))
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)


def _check_unique(sources: list[Source], checker: "_Checker") -> None:
    seen: set[str] = set()
    for i, src in enumerate(sources):
        if src.name in seen:
            raise checker.error(f"duplicate source name {src.name!r}",
                                checker.locator.key_line(i, "name"))
        seen.add(src.name)


def select(sources: Iterable[Source], names: Iterable[str] | None) -> list[Source]:
    """The sources called `names`, in the given order (all when `names` is empty/None)."""
    sources = list(sources)
    if isinstance(names, str):
        names = [names]
    wanted = [n for n in (names or []) if n]
    if not wanted:
        return sources
    by_name = {s.name: s for s in sources}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        hints = []
        for n in unknown:
            close = difflib.get_close_matches(n, list(by_name), n=1)
            hints.append(f"{n!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise SourcesError(f"unknown source {', '.join(hints)}; known: {', '.join(sorted(by_name))}")
    return [by_name[n] for n in dict.fromkeys(wanted)]


# -- line finding ----------------------------------------------------------------
_HEADER_RE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")


class _Locator:
    """Finds the line (1-based) of a key in the raw text, for error messages."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        # (line number, header name, is array-of-tables)
        self.headers: list[tuple[int, str, bool]] = []
        for no, line in enumerate(self.lines, 1):
            m = _HEADER_RE.match(line)
            if m:
                name = re.sub(r"[\s\"']", "", m.group(1))
                self.headers.append((no, name, line.lstrip().startswith("[[")))

    def _block(self, start_line: int) -> tuple[int, int]:
        """Line range (start, end exclusive) of the table beginning at `start_line`."""
        later = [no for no, _, _ in self.headers if no > start_line]
        return start_line, (later[0] if later else len(self.lines) + 1)

    def _find_key(self, key: str, lo: int, hi: int) -> int | None:
        pat = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for no in range(lo, hi):
            if pat.match(self.lines[no - 1]):
                return no
        return None

    def top_key_line(self, key: str) -> int | None:
        for no, name, _ in self.headers:
            if name == key or name.startswith(key + "."):
                return no
        first = self.headers[0][0] if self.headers else len(self.lines) + 1
        return self._find_key(key, 1, first)

    def defaults_line(self, key: str) -> int | None:
        for no, name, is_array in self.headers:
            if name == "defaults" and not is_array:
                lo, hi = self._block(no)
                return self._find_key(key, lo + 1, hi) or no
        return None

    def source_line(self, index: int) -> int | None:
        starts = [no for no, name, is_array in self.headers if name == "source" and is_array]
        return starts[index] if index < len(starts) else None

    def _source_range(self, index: int) -> tuple[int, int] | None:
        start = self.source_line(index)
        if start is None:
            return None
        later = [no for no, name, is_array in self.headers
                 if no > start and (is_array or not name.startswith("source."))]
        return start, (later[0] if later else len(self.lines) + 1)

    def key_line(self, index: int, key: str, sub: str | None = None) -> int | None:
        """Line of `key` in source number `index` (in its [source.<sub>] table if `sub`)."""
        rng = self._source_range(index)
        if rng is None:
            return None
        lo, hi = rng
        if sub:
            for no, name, _ in self.headers:
                if lo < no < hi and name == f"source.{sub}":
                    sub_lo, sub_hi = self._block(no)
                    return self._find_key(key, sub_lo + 1, sub_hi) or no
            return self._find_key(f"{sub}.{key}", lo + 1, hi) or self._find_key(sub, lo + 1, hi) or lo
        return self._find_key(key, lo + 1, hi) or lo


# -- validation ------------------------------------------------------------------
class _Checker:
    """Turns one parsed [[source]] table into a `Source`, or raises `SourcesError`."""

    def __init__(self, path: str | Path, locator: _Locator):
        self.path = path
        self.locator = locator

    def error(self, message: str, line: int | None) -> SourcesError:
        return SourcesError(message, self.path, line)

    def keys(self, table: dict, known: tuple[str, ...], where: str, line_of) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
                raise self.error(f"{where}: unknown key {key!r}{hint}", line_of(key))

    def source(self, index: int, table: Any, defaults: dict) -> Source:
        loc = self.locator
        if not isinstance(table, dict):
            raise self.error("[[source]] must be a table", loc.source_line(index))
        label = f"source {table.get('name')!r}" if isinstance(table.get("name"), str) \
            else f"source #{index + 1}"

        def fail(message: str, key: str, sub: str | None = None) -> SourcesError:
            if sub is None and key not in table and key in defaults:  # inherited value
                return self.error(f"[defaults] (for {label}): {message}", loc.defaults_line(key))
            return self.error(f"{label}: {message}", loc.key_line(index, key, sub))

        self.keys(table, SOURCE_KEYS, label, lambda k: loc.key_line(index, k))
        name = table.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise fail("'name' must be a string of [a-z0-9-]+"
                       if name is not None else "missing 'name'", "name")
        if "homepage" not in table:
            raise fail("missing 'homepage'", "name")
        homepage = self._url(table["homepage"], lambda m: fail(m, "homepage"), "homepage")
        merged = {**defaults, **table}
        language = merged.get("language")
        if language is not None and (not isinstance(language, str) or not _LANG_RE.match(language)):
            raise fail(f"'language' must be an ISO 639-1 code like 'en', not {language!r}",
                       "language")
        feeds = self._urls(table, "feeds", fail)
        sitemaps = self._urls(table, "sitemaps", fail)
        allowed = self._hosts(table.get("allowed_domains", []), lambda m: fail(m, "allowed_domains"))
        delay = merged.get("delay", FALLBACK_DELAY)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) \
                or not 0 <= delay <= MAX_DELAY:  # NaN and inf fail this too
            raise fail(f"'delay' must be a number of seconds >= 0 and <= {MAX_DELAY:g}, "
                       f"not {delay!r}", "delay")
        concurrency = merged.get("concurrency", FALLBACK_CONCURRENCY)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) \
                or not 1 <= concurrency <= MAX_CONCURRENCY:
            raise fail(f"'concurrency' must be an integer >= 1 and <= {MAX_CONCURRENCY}, "
                       f"not {concurrency!r}", "concurrency")
        enabled = merged.get("enabled", True)
        if not isinstance(enabled, bool):
            raise fail(f"'enabled' must be true or false, not {enabled!r}", "enabled")
        follow = self._follow(index, table.get("follow"), homepage, label)
        if not (feeds or sitemaps or follow):
            raise fail("needs at least one of 'feeds', 'sitemaps' or [source.follow]", "name")
        params = {key: tuple(self._strings(table, key, fail))
                  for key in ("ignore_params", "keep_params")}
        return Source(name=name, homepage=homepage, language=language, feeds=feeds,
                      sitemaps=sitemaps, allowed_domains=allowed, delay=float(delay),
                      concurrency=concurrency, enabled=enabled, follow=follow, **params)

    def _follow(self, index: int, table: Any, homepage: str, label: str) -> FollowRules | None:
        if table is None:
            return None
        loc = self.locator

        def fail(message: str, key: str) -> SourcesError:
            return self.error(f"{label}: follow: {message}", loc.key_line(index, key, "follow"))

        if not isinstance(table, dict):
            raise self.error(f"{label}: 'follow' must be a table", loc.key_line(index, "follow"))
        self.keys(table, FOLLOW_KEYS, f"{label}: [source.follow]",
                  lambda k: loc.key_line(index, k, "follow"))
        start = self._urls(table, "start", fail) or (homepage,)
        allow = self._regexes(table, "allow", fail)
        deny = self._regexes(table, "deny", fail)
        depth = table.get("depth", FALLBACK_DEPTH)
        if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
            raise fail(f"'depth' must be an integer >= 1 and <= {MAX_DEPTH}, not {depth!r}", "depth")
        return FollowRules(start=start, allow=allow, deny=deny, depth=depth)

    @staticmethod
    def _strings(table: dict, key: str, fail) -> list[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"{key!r} must be a list of strings", key)
        return value

    def _urls(self, table: dict, key: str, fail) -> tuple[str, ...]:
        return tuple(self._url(u, lambda m: fail(m, key), key)
                     for u in self._strings(table, key, fail))

    @staticmethod
    def _url(value: Any, fail, key: str) -> str:
        if not isinstance(value, str):
            raise fail(f"{key!r} must be a URL string, not {value!r}")
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise fail(f"{key!r}: {value!r} is not an http(s) URL")
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise fail(f"{key!r}: {value!r} has a bad port") from None
        return value.strip()

    @staticmethod
    def _hosts(value: Any, fail) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise fail("'allowed_domains' must be a list of host names")
        hosts = []
        for host in value:
            if not isinstance(host, str) or not (_HOST_RE.match(host.lower()) or _is_ip(host)):
                raise fail(f"'allowed_domains': {host!r} is not a host name (no scheme, no path)")
            hosts.append(host.lower())
        return tuple(hosts)

    def _regexes(self, table: dict, key: str, fail) -> tuple[str, ...]:
        patterns = self._strings(table, key, fail)
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise fail(f"{key!r}: bad regex {p!r}: {exc}", key) from None
        return tuple(patterns)
