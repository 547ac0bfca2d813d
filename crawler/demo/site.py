"""The bundled demo news site: HTML pages, feeds and sitemaps served from memory.

It owns turning the demo content (see `crawler.demo.content`) into routes for
`crawler.localserver.LocalServer`: a homepage, section pages, article pages,
/about/, a robots-disallowed /private/ page, /rss.xml, /atom.xml, a sitemap
index with article and Google News sitemaps, and /robots.txt.  It also writes
a sources file pointing newsmon at a running demo site.

    srv = serve_demo_site()                  # started, on a free port
    demo_sources_file(srv.base_url, "demo-sources.toml")
    ...
    srv.stop()

or ``with serve_demo_site() as srv: ...``.  Articles, feeds and sitemaps carry
ETag and Last-Modified headers, so a second crawl gets 304 Not Modified answers
(the LocalServer answers conditional GETs).  All page text is HTML-escaped;
JSON-LD is escaped so that ``</script>`` in a headline cannot end the block.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from datetime import datetime, timezone
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from newsmon.crawler.demo import feeds
from newsmon.crawler.demo.content import (DemoArticle, SiteConfig, StaticPage, apply_edits,
                                          load_articles, load_edits, load_site_config)
from newsmon.crawler.localserver import LocalServer, Response

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
PRIVATE_PATH = "/private/"
ABOUT_PATH = "/about/"

DEMO_SOURCE_NAME = "newsmon-demo"
# the demo site's name, whatever port serves it (crawler/demo/routing.py)
DEMO_SITE_URL = "http://newsmon-demo.invalid"
ARTICLE_URL_PATTERN = r"/20\d\d/\d\d/\d\d/[a-z0-9-]+/$"


# -- the site ----------------------------------------------------------------------
def build_site(base_url: str, articles: list[DemoArticle] | None = None,
               config: SiteConfig | None = None) -> dict[str, Response]:
    """Every route of the demo site; URLs in feeds, sitemaps and links use `base_url`."""
    base_url = base_url.rstrip("/")
    config = config or load_site_config()
    articles = sorted(articles if articles is not None else load_articles(config=config),
                      key=lambda a: a.published, reverse=True)
    page = _PageRenderer(config, base_url)
    routes: dict[str, Response] = {
        "/": _html(page.homepage(articles)),
        ABOUT_PATH: _html(page.static(config.about, ABOUT_PATH, articles)),
        PRIVATE_PATH: _html(page.static(config.private, PRIVATE_PATH, articles, noindex=True)),
        "/robots.txt": Response(body=feeds.robots_txt(base_url),
                                content_type="text/plain; charset=utf-8"),
    }
    newest = feeds.newest_change(articles) if articles else None
    listings = {  # feeds and sitemaps carry validators, so a recrawl gets 304s
        "/rss.xml": (feeds.rss_feed(articles, config, base_url), "application/rss+xml; charset=utf-8"),
        "/atom.xml": (feeds.atom_feed(articles, config, base_url), "application/atom+xml; charset=utf-8"),
        "/sitemap.xml": (feeds.sitemap_index(articles, base_url), XML),
        feeds.ARTICLES_SITEMAP: (feeds.articles_sitemap(articles, base_url), XML),
        feeds.NEWS_SITEMAP: (feeds.news_sitemap(articles, config, base_url), XML),
    }
    for path, (payload, content_type) in listings.items():
        routes[path] = _with_validators(payload, content_type, newest)
    for section in config.sections:
        routes[section.path] = _html(page.section(section.slug, articles))
    for article in articles:
        routes[article.path] = _article_response(page.article(article, articles), article)
    logger.debug("built demo site with %d routes for %s", len(routes), base_url)
    return routes


def serve_demo_site(*, port: int = 0, min_latency: float = 0.0,
                    site_url: str | None = None, edited: bool = False) -> LocalServer:
    """Start the demo site on 127.0.0.1:`port` (0: a free one) and return the running
    server; it also works as ``with serve_demo_site() as srv:``.  With `site_url`
    (DEMO_SITE_URL for `newsmon demo`) the site's pages name it by that URL, whatever
    the port: crawl it with `demo_routes(server)` in NEWSMON_ROUTES.  `edited`: the site
    after the edits of `edits.toml`, the edited articles dated now."""
    server = LocalServer(port=port, min_latency=min_latency, site_url=site_url)
    articles = apply_edits(load_articles(), datetime.now(timezone.utc)) if edited else None
    server.routes.update(build_site(server.base_url, articles))
    return server.start()


def edited_urls(base_url: str) -> list[str]:
    """The URLs of the articles `edits.toml` changes, on the site at `base_url`."""
    slugs = load_edits()
    return [base_url.rstrip("/") + a.path for a in load_articles() if a.slug in slugs]


def demo_routes(server: LocalServer) -> dict[str, str]:
    """The NEWSMON_ROUTES setting that reaches `server` by its site name (routing.py)."""
    if not server.site_url:
        return {}
    return {urlsplit(server.site_url).hostname: server.address}


def demo_sources_file(base_url: str, path: str | Path, *, delay: float = 0.05,
                      concurrency: int = 4, depth: int = 2) -> Path:
    """Write a sources TOML with the single source `newsmon-demo` for the site at
    `base_url` (feed, sitemap and link following); return the path written."""
    base_url = base_url.rstrip("/")
    lines = [
        f"# newsmon sources for the bundled demo site at {base_url}",
        "# written by crawler.demo.site.demo_sources_file",
        "",
        "[[source]]",
        f"name = {_toml_str(DEMO_SOURCE_NAME)}",
        f"homepage = {_toml_str(base_url + '/')}",
        'language = "en"',
        f"feeds = [{_toml_str(base_url + '/rss.xml')}]",
        f"sitemaps = [{_toml_str(base_url + '/sitemap.xml')}]",
        f"delay = {float(delay)!r}",
        f"concurrency = {int(concurrency)}",
        "",
        "[source.follow]",
        f"start = [{_toml_str(base_url + '/')}]",
        f"allow = [{_toml_str(ARTICLE_URL_PATTERN)}]",
        f"deny = [{_toml_str(ABOUT_PATH)}]",
        f"depth = {int(depth)}",
        "",
    ]
    path = Path(path)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# -- HTML pages -----------------------------------------------------------------------
class _PageRenderer:
    """Fills the layout and article templates; every value is escaped here."""

    def __init__(self, config: SiteConfig, base_url: str):
        self.config = config
        self.base_url = base_url

    def homepage(self, articles: list[DemoArticle]) -> str:
        latest = articles[: self.config.homepage_headlines]
        main = ('<h1 class="page-title">Latest news</h1>\n<ul class="headlines">\n'
                + "\n".join(self._teaser(a, with_section=True) for a in latest) + "\n</ul>")
        sections = "".join(f'<li><a href="{s.path}">{_e(s.title)}</a></li>'
                           for s in self.config.sections)
        sidebar = (f'<section class="sections"><h2>Sections</h2><ul>{sections}</ul></section>\n'
                   f'<section class="staff"><h2>Staff</h2><ul><li><a href="{PRIVATE_PATH}">'
                   'Drafts and embargoed copy</a></li></ul></section>')
        return self._layout(title=self.config.name, description=self.config.tagline, main=main,
                            sidebar=sidebar, body_class="home",
                            head_extra=self._canonical("/") + '\n<meta property="og:type" content="website">')

    def section(self, slug: str, articles: list[DemoArticle]) -> str:
        section = self.config.section(slug)
        items = [a for a in articles if a.section == slug]
        main = (f'<h1 class="page-title">{_e(section.title)}</h1>\n<ul class="headlines">\n'
                + "\n".join(self._teaser(a) for a in items) + "\n</ul>")
        return self._layout(title=f"{section.title} | {self.config.name}",
                            description=f"{section.title} news from {self.config.name}",
                            main=main, sidebar=self._link_list("Latest", articles[:5]),
                            body_class="section", head_extra=self._canonical(section.path))

    def static(self, page: StaticPage, path: str, articles: list[DemoArticle],
               noindex: bool = False) -> str:
        body = "\n".join(f"<p>{_e(p)}</p>" for p in page.paragraphs)
        main = f'<h1 class="page-title">{_e(page.title)}</h1>\n<div class="page-body">\n{body}\n</div>'
        head = self._canonical(path)
        if noindex:
            head += '\n<meta name="robots" content="noindex, nofollow">'
        return self._layout(title=f"{page.title} | {self.config.name}",
                            description=page.paragraphs[0], main=main,
                            sidebar=self._link_list("Latest", articles[:5]),
                            body_class="static", head_extra=head)

    def article(self, article: DemoArticle, articles: list[DemoArticle]) -> str:
        section = self.config.section(article.section)
        updated = ""
        if article.updated:
            updated = (f' <time class="updated" datetime="{article.updated.isoformat()}">'
                       f'Updated {_e(_human_date(article.updated))}</time>')
        main = _template("article.html").substitute(
            section_path=section.path, section_title=_e(section.title), title=_e(article.title),
            description=_e(article.description), byline=_byline(article.authors),
            published_iso=article.published.isoformat(),
            published_human=_e(_human_date(article.published)), updated_html=updated,
            body="\n".join(_block(p) for p in article.paragraphs))
        n = self.config.related_links
        same_section = [a for a in articles if a.section == article.section and a is not article]
        others = [a for a in articles if a is not article]
        sidebar = (self._link_list(f"More in {section.title}", same_section[:n])
                   + "\n" + self._link_list("Latest", others[:n]))
        return self._layout(title=f"{article.title} | {self.config.name}",
                            description=article.description, main=main, sidebar=sidebar,
                            body_class="article", head_extra=self._article_head(article))

    # -- pieces ----------------------------------------------------------------------
    def _layout(self, *, title: str, description: str, main: str, sidebar: str,
                body_class: str, head_extra: str) -> str:
        cfg = self.config
        nav = "\n".join([f'<li><a href="/">Home</a></li>']
                        + [f'<li><a href="{s.path}">{_e(s.title)}</a></li>' for s in cfg.sections])
        footer = "\n".join(f'<li><a href="{href}">{_e(label)}</a></li>' for href, label in (
            (ABOUT_PATH, "About us"), ("/rss.xml", "RSS feed"), ("/sitemap.xml", "Sitemap"),
            (PRIVATE_PATH, "Staff area")))
        return _template("layout.html").substitute(
            lang=_e(cfg.language), page_title=_e(title), description=_e(description),
            site_name=_e(cfg.name), tagline=_e(cfg.tagline), base_url=_e(self.base_url),
            head_extra=head_extra, body_class=body_class, nav=nav, main=main,
            sidebar=sidebar, footer_links=footer, copyright=_e(cfg.copyright))

    def _article_head(self, article: DemoArticle) -> str:
        url = self.base_url + article.path
        section = self.config.section(article.section)
        metas = [
            ("name", "author", ", ".join(article.authors)),
            ("property", "og:title", article.title),
            ("property", "og:type", "article"),
            ("property", "og:url", url),
            ("property", "og:description", article.description),
            ("property", "article:published_time", article.published.isoformat()),
            ("property", "article:section", section.title),
            *(("property", "article:author", name) for name in article.authors),
        ]
        if article.updated:
            metas.append(("property", "article:modified_time", article.updated.isoformat()))
        lines = [f'<meta {kind}="{key}" content="{_e(value)}">' for kind, key, value in metas]
        lines.append(self._canonical(article.path))
        lines.append(f'<script type="application/ld+json">{self._json_ld(article, url)}</script>')
        return "\n".join(lines)

    def _json_ld(self, article: DemoArticle, url: str) -> str:
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": article.title, "description": article.description,
            "datePublished": article.published.isoformat(),
            "dateModified": article.modified.isoformat(),
            "author": [{"@type": "Person", "name": name} for name in article.authors],
            "publisher": {"@type": "Organization", "name": self.config.name},
            "mainEntityOfPage": url,
            "articleSection": self.config.section(article.section).title,
        }
        return _script_safe_json(data)

    def _canonical(self, path: str) -> str:
        return f'<link rel="canonical" href="{_e(self.base_url + path)}">'

    def _teaser(self, article: DemoArticle, with_section: bool = False) -> str:
        kicker = ""
        if with_section:
            section = self.config.section(article.section)
            kicker = f'<a class="kicker" href="{section.path}">{_e(section.title)}</a> '
        return (f'<li class="teaser">{kicker}<h2><a href="{article.path}">{_e(article.title)}</a></h2>'
                f'<time datetime="{article.published.isoformat()}">'
                f'{_e(_human_date(article.published))}</time>'
                f'<p>{_e(article.description)}</p></li>')

    def _link_list(self, heading: str, articles: list[DemoArticle]) -> str:
        items = "".join(f'<li><a href="{a.path}">{_e(a.title)}</a></li>' for a in articles)
        return f'<section class="related"><h2>{_e(heading)}</h2><ul>{items}</ul></section>'


# -- helpers --------------------------------------------------------------------------
def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _block(paragraph: str) -> str:
    if paragraph.startswith("## "):
        return f"<h2>{_e(paragraph[3:])}</h2>"
    return f"<p>{_e(paragraph)}</p>"


def _byline(authors: tuple[str, ...]) -> str:
    names = [f'<span class="author">{_e(a)}</span>' for a in authors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _human_date(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} UTC{offset[:3]}:{offset[3:]}"


def _script_safe_json(data: dict) -> str:
    """JSON that cannot close or confuse an HTML <script> element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _toml_str(value: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _html(body: str) -> Response:
    return Response(body=body, content_type=HTML)


def _article_response(body: str, article: DemoArticle) -> Response:
    return _with_validators(body.encode("utf-8"), HTML, article.modified)


def _with_validators(payload: bytes, content_type: str, modified: datetime | None) -> Response:
    """A response with an ETag (hash of the body) and, given `modified`, a Last-Modified."""
    headers = {"ETag": '"' + hashlib.sha1(payload).hexdigest()[:16] + '"'}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified.astimezone(timezone.utc), usegmt=True)
    return Response(body=payload, content_type=content_type, headers=headers)
