"""URL identity: which URL a page is known by, on any site.

It owns the rules that turn the URLs a crawl meets (in feeds, sitemaps, links,
redirects and the page's own markup) into one identity per article:

* `UrlRules.clean(url)`: normalisation with courlan (scheme and host lower
  case, default ports and empty paths, punycode) plus: the #fragment goes,
  and so do tracking and navigation parameters (courlan's tracker list:
  ``utm_*``, ``fbclid``, ``gclid``, ``ref``, ``source``, ``campaign``, ...,
  plus `NAVIGATION_PARAMS`, plus the source's ``ignore_params``); a parameter
  in the source's ``keep_params`` always stays.  The order of the remaining
  parameters is kept, and so is a trailing slash: ``/a`` and ``/a/`` can be
  different resources, and a redirect between them is remembered in the fetch
  record (crawler.fetchrecord) instead of being guessed.
* `choose_canonical`: the URL an article is stored under.  ``<link
  rel="canonical">`` first, then ``og:url`` (``twitter:url`` never: it is
  the sharing card's, often another publisher's); a candidate on a host that
  is not the source's own (`Source.owns`: its domains, subdomains and
  ``allowed_domains``) is ignored (``newsmon/canonical/off_host``), so a
  syndicated page that names its original publisher is stored under its own
  URL; so is a canonical that points at the site root from a deeper page (a
  template error).  The winner is cleaned by the same rules.

Both are pure functions of their arguments; the spiders clean every URL they
request, and the processing stage picks the canonical URL (crawler.pipelines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan.clean import TRACKERS_RE, normalize_url

#: navigation parameters courlan's tracker list misses: they say how a reader got to a
#: page (a section, a widget, a share button), never which page it is
NAVIGATION_PARAMS = frozenset({
    "ref_src", "ref_url", "ref_page", "via", "share", "shared", "cmp", "cmpid",
    "ito", "int_source", "int_medium", "int_campaign", "ns_campaign", "ns_mchannel",
    "ns_source", "ns_linkname", "ns_fee", "at_medium", "at_campaign", "at_custom1",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mbid", "smid", "sr_share",
    "spm", "ocid", "taid", "icid", "intcmp", "wt_mc", "wt.mc_id", "amp", "output",
})


@dataclass(frozen=True)
class UrlRules:
    """A source's parameter rules (sources file keys ``ignore_params``/``keep_params``)."""
    ignore_params: frozenset[str] = field(default_factory=frozenset)
    keep_params: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, ignore: Iterable[str] = (), keep: Iterable[str] = ()) -> "UrlRules":
        return cls(frozenset(p.lower() for p in ignore), frozenset(p.lower() for p in keep))

    def ignores(self, param: str) -> bool:
        """Whether query parameter `param` says nothing about which page it is."""
        name = param.lower()
        if name in self.keep_params:
            return False
        return (name in self.ignore_params or name in NAVIGATION_PARAMS
                or TRACKERS_RE.search(name) is not None)

    def clean(self, url: str) -> str:
        """`url` normalised, without its fragment and ignored parameters (module docstring)."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return url
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = urlencode([(k, v) for k, v in pairs if not self.ignores(k)])
        try:
            normal = normalize_url(urlunsplit(parts._replace(query="", fragment="")))
        except ValueError:  # a port that is not a number, and the like: leave it alone
            normal = urlunsplit(parts._replace(query="", fragment=""))
        return urlunsplit(urlsplit(normal)._replace(query=query, fragment=""))


DEFAULT_RULES = UrlRules()


@dataclass(frozen=True)
class Canonical:
    """The URL a page is stored under, where it came from, and what was ignored."""
    url: str
    origin: str  # "link" | "og" | "page"
    off_host: tuple[str, ...] = ()  # declared canonicals on foreign hosts, ignored


def choose_canonical(page_url: str, link_canonical: str | None, og_url: str | None,
                     owns: Callable[[str], bool], rules: UrlRules = DEFAULT_RULES) -> Canonical:
    """The canonical URL of a fetched page (module docstring): `page_url` is its final
    URL, `owns(url)` tells whether a URL is on the source's own hosts."""
    page = rules.clean(page_url)
    off_host: list[str] = []
    for origin, declared in (("link", link_canonical), ("og", og_url)):
        candidate = _absolute(declared, page_url)
        if candidate is None or _is_root_of_deeper(candidate, page):
            continue
        if not owns(candidate):
            off_host.append(candidate)
            continue
        return Canonical(rules.clean(candidate), origin, tuple(off_host))
    return Canonical(page, "page", tuple(off_host))


_SPACE = re.compile(r"\s+")


def _absolute(declared: str | None, base: str) -> str | None:
    if not declared or not declared.strip():
        return None
    url = urljoin(base, _SPACE.sub("", declared))
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _is_root_of_deeper(candidate: str, page: str) -> bool:
    """A canonical naming the site root from a deeper page: a template error."""
    c = urlsplit(candidate)
    return c.path in ("", "/") and not c.query and urlsplit(page).path not in ("", "/")
