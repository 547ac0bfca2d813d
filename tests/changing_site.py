"""Four small news sites on 127.0.0.1 whose content changes between crawls, for the alert tests.

It owns `ChangingSites`: sources alpha, bravo, charlie and delta, each a demo
site (crawler.demo) with its own name ("Alpha Courier", ...) and six of the
bundled on-topic articles, re-dated so that the newest of each site is a few
hours old and the others one to three days apart.  `plant_changes()` then
makes the changes an analyst wants to hear about:

* alpha edits a figure of one article (the FeedHaus fine, €14.5m -> €18.5m),
  and its sitemap says it was modified;
* bravo publishes two articles and charlie one about a company no article
  named before ("Quillfeather Analytics");
* delta answers 403 Forbidden to everything.

`write_sources(path)` writes the sources file for all four.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsmon.crawler.demo import build_site, load_articles, load_site_config
from newsmon.crawler.demo.content import DemoArticle
from newsmon.crawler.demo.site import ARTICLE_URL_PATTERN
from newsmon.crawler.localserver import LocalServer, Response

NAMES = {"alpha": "Alpha Courier", "bravo": "Bravo Ledger", "charlie": "Charlie Herald", "delta": "Delta Wire"}
EDITED_SLUG = "feedhaus-fined-tracking-hamburg"
NEW_COMPANY = "Quillfeather Analytics"

_NEW_ARTICLES = [  # on topic (data protection, privacy regulators, apps), no other name in them
    ("bravo", "quillfeather-data-broker-complaint", "Privacy regulators look at data broker Quillfeather Analytics",
     ["Quillfeather Analytics, a data broker, faces a complaint to a data protection authority from consumer "
      "advocates who say it bought the personal data of app users without their consent.",
      "The complaint says Quillfeather Analytics sold location data for targeted advertising in breach of data "
      "protection law. Quillfeather Analytics said it had always respected privacy rules and would answer the "
      "complaint in full."]),
    ("bravo", "quillfeather-app-makers-pull-sdk", "App makers drop Quillfeather Analytics tracking kit",
     ["Several app makers said they had removed a software kit supplied by Quillfeather Analytics from their "
      "apps after privacy regulators asked how it collected personal data in the background.",
      "Quillfeather Analytics said the kit only collected data from users who had given their consent, and that "
      "it would publish an audit under data protection law before the end of the year."]),
    ("charlie", "regulators-look-at-quillfeather", "Data protection regulator questions Quillfeather Analytics",
     ["A data protection regulator has asked Quillfeather Analytics to explain how it obtains the personal data "
      "of app users that it sells for targeted advertising, the company confirmed.",
      "Quillfeather Analytics said it was cooperating fully and that its data was collected with consent, as "
      "data protection law requires."]),
]


def _redate(article: DemoArticle, when: datetime) -> DemoArticle:
    return dataclasses.replace(article, published=when, updated=None, syndication_of=None)


class ChangingSites:
    """The four sites, started; `stop()` (or use as a context manager) stops them."""

    def __init__(self, now: datetime | None = None):
        self.now = now or datetime.now(timezone.utc)
        config = load_site_config()
        on_topic = {s.slug for s in config.sections if s.on_topic}
        pool = sorted((a for a in load_articles(config=config) if a.section in on_topic
                       and not a.syndication_of), key=lambda a: a.slug)
        edited = next(a for a in pool if a.slug == EDITED_SLUG)
        rest = [a for a in pool if a is not edited]
        self.configs = {name: dataclasses.replace(config, name=site) for name, site in NAMES.items()}
        self.articles: dict[str, list[DemoArticle]] = {}
        for i, name in enumerate(NAMES):
            picked = ([edited] if name == "alpha" else []) + rest[i * 6:(i + 1) * 6]
            picked = picked[:6]
            # newest a few hours old, then one to three days apart
            self.articles[name] = [_redate(a, self.now - timedelta(hours=3 + 30 * k + 7 * (k % 3)))
                                   for k, a in enumerate(picked)]
        self.servers = {name: LocalServer().start() for name in NAMES}
        for name in NAMES:
            self._publish(name)

    def _publish(self, name: str) -> None:
        server = self.servers[name]
        server.routes.clear()
        server.routes.update(build_site(server.base_url, self.articles[name], self.configs[name]))

    def edited_url(self) -> str:
        article = next(a for a in self.articles["alpha"] if a.slug == EDITED_SLUG)
        return self.servers["alpha"].url(article.path)

    def plant_changes(self) -> None:
        alpha = self.articles["alpha"]
        for i, article in enumerate(alpha):
            if article.slug == EDITED_SLUG:
                paragraphs = tuple(p.replace("€14.5m", "€18.5m") for p in article.paragraphs)
                assert paragraphs != article.paragraphs
                # modified now, after the first crawl: the sitemap's lastmod makes the next crawl re-fetch it
                alpha[i] = dataclasses.replace(article, paragraphs=paragraphs, updated=datetime.now(timezone.utc),
                                               title=article.title.replace("€14.5m", "€18.5m"))
        self._publish("alpha")
        template = self.articles["bravo"][0]
        for k, (name, slug, title, paragraphs) in enumerate(_NEW_ARTICLES):
            self.articles[name].insert(0, dataclasses.replace(
                template, slug=slug, title=title, description=paragraphs[0][:150], paragraphs=tuple(paragraphs),
                published=self.now - timedelta(hours=1, minutes=10 * k), updated=None, syndication_of=None,
                authors=("Staff reporter",)))
            self._publish(name)
        delta = self.servers["delta"]
        for path in list(delta.routes):
            delta.routes[path] = Response(403, "<html><body>Forbidden</body></html>")

    def write_sources(self, path: Path) -> Path:
        lines = ["# the four changing test sites (tests/changing_site.py)", ""]
        for name, server in self.servers.items():
            base = server.base_url
            lines += ["[[source]]", f'name = "{name}"', f'homepage = "{base}/"', 'language = "en"',
                      f'feeds = ["{base}/rss.xml"]', f'sitemaps = ["{base}/sitemap.xml"]',
                      "delay = 0.02", "concurrency = 4", "", "[source.follow]", f'start = ["{base}/"]',
                      f"allow = ['{ARTICLE_URL_PATTERN}']", 'deny = ["/about/"]', "depth = 1", ""]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> "ChangingSites":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
