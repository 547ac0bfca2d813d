"""Scrapy settings for newsmon: one flat module, grouped by prefix.

It owns every setting a newsmon crawl runs with (Scrapy's own and the
NEWSMON_* ones) and `build_settings`, which layers CLI/test overrides on top
and derives what depends on the sources: one download slot per source domain
with that source's delay and concurrency.

Politeness invariant: every download slot has a delay > 0.  Scrapy 2.19 with
the asyncio reactor starts downloads as tasks, so a slot with delay 0 hands
out its whole queue before any download counts as "transferring" and its
concurrency limit is not enforced (seen: 56 in flight against a limit of 8;
here, 16 = CONCURRENT_REQUESTS against a limit of 2).  A positive delay makes
the slot dispatch one request per tick, and the limit holds.  `build_settings`
clamps DOWNLOAD_DELAY and every slot delay to NEWSMON_MIN_DELAY (> 0), and keeps
DOWNLOAD_DELAY_JITTER below 1 so a randomised delay never reaches 0.
AutoThrottle is `crawler.throttle.SourceAutoThrottle`: the source's delay is
its slots' floor.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable

from scrapy.settings import Settings
from scrapy.settings import default_settings as scrapy_defaults

from newsmon.data.integrity import DEFAULT_MIN_FREE_MB
from newsmon.nlp.models import DEFAULT_MODEL

logger = logging.getLogger(__name__)

# -- identity ----------------------------------------------------------------
BOT_NAME = "newsmon"
NEWSMON_VERSION = "0.1"
NEWSMON_PROJECT_URL = "https://github.com/newsmon/newsmon"
NEWSMON_CONTACT = "https://github.com/newsmon/newsmon/issues"
USER_AGENT = f"newsmon/{NEWSMON_VERSION} (+{NEWSMON_PROJECT_URL}; contact: {NEWSMON_CONTACT})"
SPIDER_MODULES = ["newsmon.crawler.spiders"]
NEWSPIDER_MODULE = "newsmon.crawler.spiders"

# -- autothrottle: adapts each slot's delay to the server's latency (floor: see EXTENSIONS)
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
AUTOTHROTTLE_DEBUG = False

# -- concurrency ---------------------------------------------------------------
CONCURRENT_ITEMS = 100
CONCURRENT_REQUESTS = 16  # all domains together
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # domains with no source slot
CONCURRENT_REQUESTS_PER_IP = 0

# -- cookies -------------------------------------------------------------------
COOKIES_ENABLED = False

# -- depth: link depth is tracked per source by the spiders (follow.depth) -----
DEPTH_LIMIT = 0
DEPTH_STATS_VERBOSE = False

# -- download ----------------------------------------------------------------
DOWNLOAD_DELAY = 1.0  # domains with no source slot; also AutoThrottle's floor there
DOWNLOAD_DELAY_JITTER = 0.5  # +-50 %; keep < 1 so a delay never rounds to 0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True

# -- download handlers: Scrapy's HTTP/1.1 one, whose downloads a stop cuts short (crawler.shutdown)
DOWNLOAD_HANDLERS = {
    "http": "newsmon.crawler.shutdown.StoppableHTTPDownloadHandler",
    "https": "newsmon.crawler.shutdown.StoppableHTTPDownloadHandler",
}

# -- downloader middlewares (crawler/middlewares.py, crawler/fetchrecord/); process_response
#    runs from the highest number down, so these see a response before Retry (550) and
#    Redirect (600), and the fetch record's (50) sees it last, as the spider will
DOWNLOADER_MIDDLEWARES = {
    "newsmon.crawler.fetchrecord.middleware.FetchRecordMiddleware": 50,
    "newsmon.crawler.middlewares.RetryAfterMiddleware": 560,
    "newsmon.crawler.middlewares.CharsetMiddleware": 570,  # below HttpCompression (590): decoded bodies
    "newsmon.crawler.middlewares.RedirectGuardMiddleware": 610,
    # before Scrapy's HttpProxyMiddleware (750): a routed host's requests go via its server
    "newsmon.crawler.demo.routing.HostRouteMiddleware": 740,
}

# -- extensions ----------------------------------------------------------------
# Scrapy's own, without its two servers that take commands from the network (the telnet
# console and the remote control, both also off below): not listed at all, since Scrapy
# imports every listed extension, even one set to None, and the remote control's module
# imports aiohttp's web server (0.15 CPU-s of every crawl process)
EXTENSIONS_BASE = {path: order for path, order in scrapy_defaults.EXTENSIONS_BASE.items()
                   if path not in ("scrapy.extensions.telnet.TelnetConsole",
                                   "scrapy.extensions.remote_control.RemoteControl")}
EXTENSIONS = {
    # the stock AutoThrottle would lower a source's configured delay down to
    # DOWNLOAD_DELAY; this one keeps each slot's configured delay as its floor
    "scrapy.extensions.throttle.AutoThrottle": None,
    "newsmon.crawler.throttle.SourceAutoThrottle": 0,
    "newsmon.crawler.progress.ProgressExtension": 500,  # live status line; CLI on a terminal only
    "newsmon.crawler.shutdown.FastStop": 0,  # a stop drops the requests queued in the downloader
}

# -- item pipelines -------------------------------------------------------------
ITEM_PIPELINES = {
    "newsmon.crawler.pipelines.process.ProcessPipeline": 300,
    "newsmon.crawler.pipelines.deliver.DeliverPipeline": 800,  # to NEWSMON_SINK
}

# -- logging -----------------------------------------------------------------
LOG_LEVEL = "INFO"
LOG_SHORT_NAMES = True
LOG_FORMATTER = "newsmon.crawler.logformatter.NewsmonLogFormatter"  # drops: one DEBUG line, not the page

# -- redirects and retries ---------------------------------------------------
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # an ordinary failure: counted in newsmon/fetch_failed/*
NEWSMON_MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is not retried (counted)
NEWSMON_RETRY_AFTER_CODES = [429, 503]  # statuses whose Retry-After header is honoured

# -- remote control (Scrapy 2.19 turns on, by default, an HTTP server on 127.0.0.1
#    that runs Python code sent to it; a crawler of untrusted sites does without) --
REMOTE_CONTROL_ENABLED = False

# -- request fingerprints (the duplicate filter) --------------------------------
REQUEST_FINGERPRINTER_CLASS = "scrapy.utils.request.RequestFingerprinter"

# -- robots.txt ----------------------------------------------------------------
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "newsmon"

# -- telnet (off: nobody should be able to steer a crawl from the network) -------
TELNETCONSOLE_ENABLED = False

# -- twisted -------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# -- newsmon -----------------------------------------------------------------
NEWSMON_DB = "newsmon.duckdb"
NEWSMON_SOURCES = str(Path(__file__).with_name("sources.toml"))  # the CLI's default file
NEWSMON_TOPIC = "platform-regulation"
NEWSMON_THRESHOLD = None  # None: the topic profile's own threshold
NEWSMON_KEEP_ALL = False  # keep off-topic articles too
NEWSMON_MIN_WORDS = 0  # 0: the extractor's default
# trafilatura without its fallback extractors: on the 181 benchmark pages 47 vs 30 pages per
# CPU-second, token F1 0.952 vs 0.967 (recall 0.943 vs 0.971); off by default (quality first)
NEWSMON_EXTRACT_FAST = False
NEWSMON_MODEL = DEFAULT_MODEL
NEWSMON_ANNOTATE = True  # False: extract and score only; NLP runs in `newsmon worker` processes
NEWSMON_NLP_PROCESSES = -1  # the NLP pool: -1: one process per CPU; 0: in the crawl process
NEWSMON_PAGE_TIMEOUT = 60.0  # seconds a pool process may spend on one page (then dropped, process replaced)
# -- stopping (crawler/shutdown.py): SIGTERM/SIGINT end a crawl within NEWSMON_STOP_FUSE seconds
NEWSMON_STOP_GRACE = 2.0  # seconds pages under way in the pool get to finish
NEWSMON_STOP_TIMEOUT = 6.0  # then the reactor is stopped (unwritten articles are fetched next run)
NEWSMON_STOP_FUSE = 9.0  # then the process exits (the run recorded as interrupted first)
# A batch write costs ~0.23 s of CPU whatever its size (open, commit, checkpoint on close:
# bench/store_write.py), i.e. 7.7 ms per article in batches of 33 but 1.4 ms in batches of 200,
# paid by the crawl process that also runs the reactor. Bigger batches, flushed at least every
# NEWSMON_FLUSH_SECONDS so readers still see progress and a killed run loses little work.
NEWSMON_BATCH_SIZE = 250
NEWSMON_FLUSH_SECONDS = 10.0
NEWSMON_BUSY_TIMEOUT = 30.0  # seconds a batch write waits for readers before it is retried later
NEWSMON_MIN_FREE_MB = DEFAULT_MIN_FREE_MB  # a write needs this much free disk, else the crawl stops
NEWSMON_SINK = "newsmon.crawler.sinks.store.StoreSink"  # where DeliverPipeline hands batches; None: nowhere
NEWSMON_PROGRESS = False  # live progress line (the CLI turns it on when stderr is a terminal)
NEWSMON_RUN_ID = None
NEWSMON_MIN_DELAY = 0.01  # floor of every slot delay (see the module docstring)
NEWSMON_SITEMAP_MAX_DEPTH = 3  # sitemap index nesting followed at most
NEWSMON_ROBOTS_SITEMAPS = False  # also read the Sitemap: lines of each source's robots.txt
NEWSMON_ROUTES: dict[str, str] = {}  # host -> http://127.0.0.1:PORT that answers for it (the demo)
NEWSMON_MAX_AGE_DAYS = 0  # skip feed/sitemap entries dated older than this; 0 = no limit
NEWSMON_REFETCH_DAYS = 7  # a known article is requested again (conditionally) after this; 0 = every run
NEWSMON_INCREMENTAL = True  # False: skip nothing, send no validators (full re-crawl); see crawler/fetchrecord/
NEWSMON_FETCH_POLICY = "newsmon.crawler.fetchrecord.policy.IncrementalPolicy"  # None: no fetch record
NEWSMON_FETCH_STORAGE = "newsmon.data.fetchrecord.read_known_pages"  # (db, sources, timeout) -> known pages

# -- distributed (crawler/distributed/): a shared Redis frontier and NLP workers ----------
NEWSMON_FRONTIER = None  # redis://HOST:PORT/DB: `newsmon crawl --frontier`; None: a one-process crawl
NEWSMON_FRONTIER_RUN = None  # the run's name; every process of one run uses the same
NEWSMON_STAGING_DIR = None  # Parquet batches for the loader; None: data.staging.default_staging_dir(db)
NEWSMON_FRONTIER_POLL = 1.0  # seconds between a crawl process's heartbeats and drain checks
NEWSMON_FRONTIER_BUSY_TTL = 5  # seconds a process's "busy" mark lives unless renewed
NEWSMON_FRONTIER_ALIVE_TTL = 30  # seconds a process's "alive" mark lives unless renewed (crash detection)
NEWSMON_FRONTIER_RUN_TTL = 7 * 86400  # safety net: a run's keys expire this long after their last use
NEWSMON_FRONTIER_DONE_TTL = 600  # a finished run's control keys linger this long (late joiners close)
NEWSMON_FRONTIER_TIMEOUT = 10.0  # seconds a Redis command may take before the frontier counts as lost


# -- bounds of numeric settings given with --set (check_overrides -> check_bounds) -----
MAX_SOURCE_DELAY = 600.0  # seconds; also the bound of `delay` in the sources file
SETTING_BOUNDS: dict[str, tuple[float, float]] = {
    "DOWNLOAD_DELAY": (0, MAX_SOURCE_DELAY), "DOWNLOAD_DELAY_JITTER": (0, 0.9),
    "DOWNLOAD_TIMEOUT": (0.1, 3600), "DOWNLOAD_MAXSIZE": (0, 2**31), "DOWNLOAD_WARNSIZE": (0, 2**31),
    "AUTOTHROTTLE_START_DELAY": (0, MAX_SOURCE_DELAY), "AUTOTHROTTLE_MAX_DELAY": (0, 3600),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": (0.01, 100), "CONCURRENT_ITEMS": (1, 10_000),
    "CONCURRENT_REQUESTS": (1, 1000), "CONCURRENT_REQUESTS_PER_DOMAIN": (1, 100),
    "CONCURRENT_REQUESTS_PER_IP": (0, 100), "RETRY_TIMES": (0, 20), "REDIRECT_MAX_TIMES": (0, 50),
    "NEWSMON_MAX_RETRY_AFTER": (0, 3600), "NEWSMON_THRESHOLD": (0, 1), "NEWSMON_MIN_WORDS": (0, 100_000),
    "NEWSMON_NLP_PROCESSES": (-1, 64), "NEWSMON_PAGE_TIMEOUT": (0, 3600),
    "NEWSMON_STOP_GRACE": (0, 5), "NEWSMON_STOP_TIMEOUT": (0, 9), "NEWSMON_STOP_FUSE": (1, 9.5),
    "NEWSMON_BATCH_SIZE": (1, 100_000), "NEWSMON_FLUSH_SECONDS": (0.1, 3600),
    "NEWSMON_BUSY_TIMEOUT": (0, 3600), "NEWSMON_MIN_FREE_MB": (0, 10**7),
    "NEWSMON_MIN_DELAY": (0.001, MAX_SOURCE_DELAY), "NEWSMON_SITEMAP_MAX_DEPTH": (0, 10),
    "NEWSMON_MAX_AGE_DAYS": (0, 36_500), "NEWSMON_REFETCH_DAYS": (0, 3650),
}


def check_bounds(key: str, value: Any) -> None:
    """A typed numeric setting must be finite and within SETTING_BOUNDS (SettingsError)."""
    import math
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if not math.isfinite(value):
        raise SettingsError(f"{key}={value!r}: wants a finite number")
    low, high = SETTING_BOUNDS.get(key, (-math.inf, math.inf))
    if not low <= value <= high:
        raise SettingsError(f"{key}={value!r}: must be between {low:g} and {high:g}")


def user_agent(contact: str, version: str = NEWSMON_VERSION,
               project_url: str = NEWSMON_PROJECT_URL) -> str:
    """The descriptive User-Agent: who we are, where to read about it, whom to tell."""
    return f"newsmon/{version} (+{project_url}; contact: {contact})"


def download_slots(sources: Iterable[Any], min_delay: float, jitter: float) -> dict[str, dict]:
    """DOWNLOAD_SLOTS entries: each source domain gets the source's delay and concurrency.

    A domain claimed by two sources gets the stricter of the two.
    """
    slots: dict[str, dict] = {}
    for src in sources:
        delay = max(float(src.delay), min_delay)
        for domain in src.domains:
            old = slots.get(domain)
            if old:
                delay_d = max(old["delay"], delay)
                conc = min(old["concurrency"], src.concurrency)
            else:
                delay_d, conc = delay, src.concurrency
            slots[domain] = {"concurrency": conc, "delay": delay_d, "jitter": jitter}
    return slots


def build_settings(sources: Iterable[Any] = (), overrides: dict[str, Any] | None = None
                   ) -> Settings:
    """This module's settings + `overrides` + per-source DOWNLOAD_SLOTS.

    USER_AGENT follows NEWSMON_CONTACT unless USER_AGENT itself is overridden.
    DOWNLOAD_DELAY and every slot delay are clamped to NEWSMON_MIN_DELAY (> 0).
    """
    overrides = dict(overrides or {})
    settings = Settings()
    settings.setmodule(__name__, priority="project")
    settings.update(overrides, priority="cmdline")
    if "USER_AGENT" not in overrides:
        settings.set("USER_AGENT", user_agent(settings.get("NEWSMON_CONTACT")), priority="cmdline")
    min_delay = settings.getfloat("NEWSMON_MIN_DELAY")
    if min_delay <= 0:
        logger.warning("NEWSMON_MIN_DELAY=%s is not > 0; using 0.01", min_delay)
        min_delay = 0.01
        settings.set("NEWSMON_MIN_DELAY", min_delay, priority="cmdline")
    if settings.getfloat("DOWNLOAD_DELAY") < min_delay:
        logger.info("DOWNLOAD_DELAY raised to %s: a zero delay breaks concurrency limits",
                    min_delay)
        settings.set("DOWNLOAD_DELAY", min_delay, priority="cmdline")
    jitter = min(max(settings.getfloat("DOWNLOAD_DELAY_JITTER"), 0.0), 0.9)
    settings.set("DOWNLOAD_DELAY_JITTER", jitter, priority="cmdline")
    slots = download_slots(sources, min_delay, jitter)
    for key, slot in settings.getdict("DOWNLOAD_SLOTS").items():  # explicit ones win
        slots[key] = {**slot, "delay": max(float(slot.get("delay", min_delay)), min_delay)}
    settings.set("DOWNLOAD_SLOTS", slots, priority="cmdline")
    return settings


# -- checking --set KEY=VALUE ------------------------------------------------------
# settings whose default is None, by the type a value must have
_TYPES_OF_NONE = {"NEWSMON_THRESHOLD": float, "NEWSMON_RUN_ID": int}
# what scrapy-redis reads (crawler/distributed/ sets them; a user may still tune them)
_SCRAPY_REDIS = {"REDIS_URL": "", "REDIS_HOST": "", "REDIS_PORT": 6379, "REDIS_PARAMS": {},
                 "REDIS_ENCODING": "", "SCHEDULER_PERSIST": False, "SCHEDULER_QUEUE_KEY": "",
                 "SCHEDULER_QUEUE_CLASS": "", "SCHEDULER_DUPEFILTER_KEY": "",
                 "SCHEDULER_DUPEFILTER_CLASS": "", "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
                 "SCHEDULER_FLUSH_ON_START": False, "SCHEDULER_SERIALIZER": ""}
_BOOLS = {"1": True, "true": True, "0": False, "false": False}


class SettingsError(ValueError):
    """A --set KEY=VALUE with a key no component reads, or a value of the wrong type."""


def known_settings() -> dict[str, Any]:
    """Every setting a newsmon crawl can read, with its default: Scrapy's, newsmon's, scrapy-redis'."""
    from scrapy.settings import default_settings

    known = {k: getattr(default_settings, k) for k in dir(default_settings) if k.isupper()}
    known.update(_SCRAPY_REDIS)
    known.update({k: v for k, v in globals().items() if k.isupper() and not k.startswith("_")})
    return known


def check_overrides(raw: dict[str, str]) -> dict[str, Any]:
    """`--set` strings -> typed values, checked against each setting's default; SettingsError
    (one line, with a suggestion) for an unknown key or a value of the wrong type."""
    import difflib
    import json

    known = known_settings()
    typed: dict[str, Any] = {}
    for key, text in raw.items():
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else " (see Scrapy's settings and crawler/settings.py)"
            raise SettingsError(f"unknown setting {key!r}{hint}")
        default = known[key]
        kind = _TYPES_OF_NONE.get(key) if default is None else type(default)
        try:
            typed[key] = _typed(text, kind, json)
        except ValueError:
            raise SettingsError(f"{key}={text!r}: wants {_WANTS.get(kind, kind.__name__)} "
                                f"(default: {default!r})") from None
        check_bounds(key, typed[key])  # inf, nan, a negative delay, a 40,000 s timeout
    return typed


_WANTS = {bool: "true or false", int: "a whole number", float: "a number (seconds: 5, not 5s)",
          dict: "a JSON object", list: "a JSON list or comma-separated values"}


def _typed(text: str, kind: type | None, json) -> Any:
    if kind is None or kind is str:
        return text
    if kind is bool:
        return _BOOLS[text.strip().lower()] if text.strip().lower() in _BOOLS else _fail()
    if kind is int:
        return int(text.strip())
    if kind is float:
        return float(text.strip())
    if kind is dict:
        value = json.loads(text)
        return value if isinstance(value, dict) else _fail()
    if kind in (list, tuple):
        stripped = text.strip()
        if stripped.startswith("["):
            value = json.loads(stripped)
            return value if isinstance(value, list) else _fail()
        return [part.strip() for part in stripped.split(",") if part.strip()]
    return text


def _fail():
    raise ValueError
