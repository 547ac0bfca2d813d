"""A news site full of crawler traps, served on loopback, for the URL identity tests.

It owns `TrapSite`: eight article pages (our own writing) under /news/, and
around them the traps a real site sets for a crawler that trusts URLs:

* a1: its <link rel=canonical> names itself, but og:url and twitter:url name
  another publisher (a syndicated copy): stored under its own URL, the
  foreign canonical counted;
* a2: no canonical link, og:url on a foreign host: stored under its own URL;
* a3: listed in the feed with utm_* parameters and #fragment, linked from the
  section page with ?ref=section: fetched once, stored without parameters;
* a4: reachable only through a redirect chain /r/a4 -> /old/a4 -> /news/a4
  (the first link does not match the source's allow pattern);
* a5: an AMP twin /news/a5/amp linked from the section page, whose canonical
  is /news/a5 (listed in the sitemap): one article;
* a6: listed in the feed on the mirror host (a second server on 127.0.0.2,
  the source's allowed domain) whose canonical names the main host;
* a7: only in the sitemap, and on page 2 of the section (pagination);
* a8: answers 503 with Retry-After: 1 once, then the page.

Plus robots.txt disallowing /private/ (linked from the section page),
non-article pages (/about, the /news/ index, a /tag/ page the source denies)
and a homepage linking the section.  `article_hits()` counts requests per
article page over both hosts, so a test can prove each article page was
fetched once.
"""

from __future__ import annotations

import threading
from pathlib import Path

from newsmon.crawler.localserver import LocalServer, Request, Response

SLUGS = [f"a{i}" for i in range(1, 9)]
FOREIGN = "https://original-publisher.example"

_TOPICS = [
    ("Regulator opens inquiry into video platform moderation",
     "The communications regulator said on Monday that it had opened a formal inquiry into how "
     "a large video platform moderates harmful content for children."),
    ("Ministers publish draft rules for online marketplaces",
     "Ministers published draft rules on Tuesday that would require online marketplaces to "
     "verify the identity of traders before they can list products."),
    ("Data protection authority fines messaging service",
     "The data protection authority fined a messaging service after finding that it kept "
     "contact lists of people who had never signed up."),
    ("Parliament committee questions search engine executives",
     "A parliamentary committee questioned search engine executives for three hours about "
     "how their ranking systems treat news publishers."),
    ("Competition watchdog examines app store fees",
     "The competition watchdog said it would examine the fees that app stores charge "
     "developers, after complaints from small software companies."),
    ("Court upholds order against social network",
     "A court upheld an order requiring a social network to hand over records of how it "
     "handled reports of illegal content during the election."),
    ("Telecoms regulator sets deadline for age checks",
     "The telecoms regulator set a deadline of six months for adult sites to introduce "
     "age checks that meet its published standard."),
    ("Consumer agency warns streaming services over renewals",
     "The consumer agency warned streaming services that automatic renewals without clear "
     "notice break consumer protection law."),
]

_BODY = [
    "Officials said the review would look at the platform's transparency reports, its "
    "complaint procedures and the number of moderators it employs in each market.",
    "The company said it would cooperate fully and that it had already changed several of "
    "the policies that critics had described as unclear or inconsistent.",
    "Campaigners welcomed the step but said regulators had been slow to use the powers "
    "that online safety legislation gave them two years ago.",
    "Lawyers following the case said the outcome could shape how other platforms design "
    "their systems for reporting and removing content.",
    "The regulator expects to publish provisional findings next spring, after hearing from "
    "users, researchers and the company itself.",
    "Industry groups asked for more time, arguing that the technical standards were still "
    "changing and that smaller firms would struggle to comply.",
]


def article_html(i: int, base: str, head: str = "") -> str:
    title, lead = _TOPICS[i]
    paragraphs = [lead] + [f"{p} ({title.split()[0]} report, part {k + 1}.)"
                           for k, p in enumerate(_BODY)]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"{head}</head><body><header><a href='{base}/'>Trap News</a></header>"
            f"<article><h1>{title}</h1><p class='byline'>By Staff Writer</p>"
            f"<time datetime='2026-11-0{1 + i % 9}'>2026-11-0{1 + i % 9}</time>{body}</article>"
            f"<footer><a href='{base}/about'>About</a></footer></body></html>")


class TrapSite:
    """The main host (127.0.0.1) and its mirror (127.0.0.2), on one port each."""

    def __init__(self) -> None:
        self.main = LocalServer(default=self._route)
        self.mirror = LocalServer(default=self._mirror_route, host="127.0.0.2")
        self._lock = threading.Lock()
        self._failed_once: set[str] = set()

    # -- lifecycle -------------------------------------------------------------
    def __enter__(self) -> "TrapSite":
        self.main.start()
        self.mirror.start()
        return self

    def __exit__(self, *exc) -> None:
        self.main.stop()
        self.mirror.stop()

    @property
    def base(self) -> str:
        return self.main.base_url

    @property
    def mirror_base(self) -> str:
        return f"http://127.0.0.2:{self.mirror.port}"

    def canonical(self, slug: str) -> str:
        return f"{self.base}/news/{slug}"

    def sources_toml(self, path: Path) -> Path:
        path.write_text(f'''
[[source]]
name = "trap-news"
homepage = "{self.base}/"
language = "en"
feeds = ["{self.base}/feed.xml"]
sitemaps = ["{self.base}/sitemap.xml"]
allowed_domains = ["127.0.0.2"]
delay = 0.05
concurrency = 2
[source.follow]
start = ["{self.base}/"]
allow = ["/news/a[0-9]"]
deny = ["/tag/"]
depth = 3
''', encoding="utf-8")
        return path

    def article_hits(self) -> dict[str, int]:
        """Requests per article page (/news/aN, its AMP twin counted apart), both hosts."""
        hits: dict[str, int] = {}
        for server in (self.main, self.mirror):
            for path, n in server.hits.items():
                page = path.split("?")[0]
                if page.startswith("/news/a") or page.startswith(("/r/", "/old/")):
                    hits[page] = hits.get(page, 0) + n
        return hits

    # -- routes ----------------------------------------------------------------
    def _route(self, request: Request) -> Response:
        path, _, _query = request.path.partition("?")
        base = self.base
        if path == "/robots.txt":
            return Response(body="User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        if path == "/":
            return _page("Trap News", f"<a href='{base}/section'>Policy</a> "
                                      f"<a href='{base}/about'>About</a>")
        if path == "/section":
            page = dict(p.split("=", 1) for p in _query.split("&") if "=" in p).get("page")
            if page == "2":
                return _page("Policy, page 2", f"<a href='{base}/news/a7'>A7</a>")
            links = [f"{base}/news/a1#comments", f"{base}/news/a3?ref=section",
                     f"{base}/r/a4", f"{base}/news/a5/amp", f"{base}/news/a8",
                     f"{base}/private/p1", f"{base}/tag/regulation", f"{base}/about",
                     f"{base}/news/", f"{base}/section?page=2"]
            return _page("Policy", " ".join(f"<a href='{u}'>link {k}</a>"
                                            for k, u in enumerate(links)))
        if path == "/feed.xml":
            items = [f"{base}/news/a1", f"{base}/news/a2",
                     f"{base}/news/a3?utm_source=rss&amp;utm_medium=feed#top",
                     f"{self.mirror_base}/news/a6"]
            return Response(body=_rss(items), content_type="application/rss+xml")
        if path == "/sitemap.xml":
            urls = [f"{base}/news/a5", f"{base}/news/a7"]
            return Response(body=_sitemap(urls), content_type="application/xml")
        if path == "/r/a4":
            return Response(301, "", headers={"Location": f"{base}/old/a4"})
        if path == "/old/a4":
            return Response(302, "", headers={"Location": f"{base}/news/a4"})
        if path == "/news/a5/amp":
            return Response(body=article_html(4, base, f"<link rel='canonical' href='{base}/news/a5'>"
                                                       "<meta name='robots' content='noindex'>"))
        if path == "/news/a8":
            with self._lock:
                first = "a8" not in self._failed_once
                self._failed_once.add("a8")
            if first:
                return Response(503, "busy", headers={"Retry-After": "1"})
        if path.startswith("/news/a") and path[len("/news/"):] in SLUGS:
            return self._article(path[len("/news/"):], base)
        if path == "/news/":
            return _page("All news", " ".join(f"<a href='{base}/news/{s}'>{s}</a>" for s in SLUGS))
        if path in ("/about", "/tag/regulation"):
            return _page("About Trap News", "We write about regulation. " * 3)
        return Response(404, "<html><body>not found</body></html>")

    def _article(self, slug: str, base: str) -> Response:
        i = SLUGS.index(slug)
        canonical = self.canonical(slug)
        if slug == "a1":
            head = (f"<link rel='canonical' href='{canonical}'>"
                    f"<meta property='og:url' content='{FOREIGN}/story/{slug}'>"
                    f"<meta name='twitter:url' content='{FOREIGN}/story/{slug}'>")
        elif slug == "a2":
            head = f"<meta property='og:url' content='{FOREIGN}/2026/{slug}.html'>"
        else:
            head = f"<link rel='canonical' href='{canonical}'>"
        return Response(body=article_html(i, base, head),
                        headers={"ETag": f'"{slug}-v1"'})

    def _mirror_route(self, request: Request) -> Response:
        path = request.path.partition("?")[0]
        if path == "/robots.txt":
            return Response(body="User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        if path == "/news/a6":  # the mirror's copy names the main host as canonical
            return self._article("a6", self.mirror_base)
        return Response(404, "<html><body>not found</body></html>")


def _page(title: str, body: str) -> Response:
    return Response(body=f"<!doctype html><html lang='en'><head><title>{title}</title></head>"
                         f"<body><h1>{title}</h1><nav>{body}</nav></body></html>")


def _rss(urls: list[str]) -> str:
    items = "".join(f"<item><title>Story {k}</title><link>{u}</link></item>"
                    for k, u in enumerate(urls))
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Trap News</title>"
            f"{items}</channel></rss>")


def _sitemap(urls: list[str]) -> str:
    body = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return ("<?xml version='1.0' encoding='UTF-8'?>"
            f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{body}</urlset>")
