"""The demo site's content: loading the bundled articles and the site settings.

It owns the `DemoArticle` and `SiteConfig` records and reading them from the
data files next to this module (`articles/NNN-slug.md` with TOML front matter,
and `site.toml`), and the site "after an edit" (`edits.toml`, `apply_edits`).  Malformed bundled files raise `DemoContentError`: they are
project data, so a mistake must fail loudly instead of silently shrinking
the demo.  The file format is described in README.md.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).parent
ARTICLES_DIR = DEMO_DIR / "articles"
SITE_CONFIG = DEMO_DIR / "site.toml"
EDITS = DEMO_DIR / "edits.toml"

FRONT_MATTER_FENCE = "+++"
REQUIRED_KEYS = ("title", "slug", "section", "authors", "published", "description")
OPTIONAL_KEYS = ("updated", "syndication_of")


class DemoContentError(ValueError):
    """A bundled demo file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    on_topic: bool

    @property
    def path(self) -> str:
        return f"/section/{self.slug}/"


@dataclass(frozen=True)
class StaticPage:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class SiteConfig:
    name: str
    tagline: str
    language: str
    copyright: str
    homepage_headlines: int
    feed_items: int
    news_sitemap_days: int
    related_links: int
    sections: tuple[Section, ...]
    about: StaticPage
    private: StaticPage

    def section(self, slug: str) -> Section:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(slug)


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    section: str
    authors: tuple[str, ...]
    published: datetime  # timezone-aware
    description: str
    paragraphs: tuple[str, ...]  # body blocks; "## " starts a subheading
    updated: datetime | None = None
    syndication_of: str | None = None  # slug of the original when this is a republished wire story
    source_file: str = ""

    @property
    def path(self) -> str:
        """The article's URL path, dated in the article's own time zone."""
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def modified(self) -> datetime:
        return self.updated or self.published

    @cached_property
    def text(self) -> str:
        """The body as plain text, one block per paragraph."""
        return "\n\n".join(p.removeprefix("## ") for p in self.paragraphs)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def load_site_config(path: Path = SITE_CONFIG) -> SiteConfig:
    data = _read_toml(path)
    try:
        sections = tuple(Section(s["slug"], s["title"], bool(s["on_topic"]))
                         for s in data["sections"])
        return SiteConfig(
            name=data["name"], tagline=data["tagline"], language=data["language"],
            copyright=data["copyright"], homepage_headlines=int(data["homepage_headlines"]),
            feed_items=int(data["feed_items"]), news_sitemap_days=int(data["news_sitemap_days"]),
            related_links=int(data["related_links"]), sections=sections,
            about=_static_page(data["about"]), private=_static_page(data["private"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise DemoContentError(f"{path}: bad site config: {exc!r}") from exc


def load_articles(directory: Path = ARTICLES_DIR,
                  config: SiteConfig | None = None) -> list[DemoArticle]:
    """All bundled articles, newest first; raises `DemoContentError` on a bad file."""
    config = config or load_site_config()
    sections = {s.slug for s in config.sections}
    articles = [parse_article_file(p) for p in sorted(directory.glob("*.md"))]
    _check_collection(articles, sections)
    logger.debug("loaded %d demo articles from %s", len(articles), directory)
    return sorted(articles, key=lambda a: a.published, reverse=True)


def apply_edits(articles: list[DemoArticle], when: datetime,
                path: Path = EDITS) -> list[DemoArticle]:
    """The articles as the site shows them after the edits in `path` (`newsmon demo
    --edited`): each edited article's text changed and its `updated` set to `when`."""
    edits = load_edits(path)
    missing = set(edits) - {a.slug for a in articles}
    if missing:
        raise DemoContentError(f"{path}: no article with slug {sorted(missing)}")
    return [_edited(a, *edits[a.slug], when, path) if a.slug in edits else a for a in articles]


def load_edits(path: Path = EDITS) -> dict[str, tuple[list[tuple[str, str]], tuple[str, ...]]]:
    """edits.toml as {slug: (replace pairs, added paragraphs)}."""
    edits = {}
    for edit in _read_toml(path).get("edit", []):
        try:
            edits[edit["slug"]] = ([(str(a), str(b)) for a, b in edit.get("replace", [])],
                                   tuple(str(p) for p in edit.get("add", [])))
        except (KeyError, TypeError, ValueError) as exc:
            raise DemoContentError(f"{path}: bad edit: {exc!r}") from exc
    return edits


def _edited(article: DemoArticle, pairs: list[tuple[str, str]], added: tuple[str, ...],
            when: datetime, path: Path) -> DemoArticle:
    paragraphs = list(article.paragraphs)
    for old, new in pairs:
        hits = [i for i, p in enumerate(paragraphs) if old in p]
        if len(hits) != 1 or paragraphs[hits[0]].count(old) != 1:
            raise DemoContentError(f"{path}: {old!r} occurs {sum(p.count(old) for p in paragraphs)} times "
                                   f"in {article.source_file}, not once")
        paragraphs[hits[0]] = paragraphs[hits[0]].replace(old, new)
    return replace(article, paragraphs=tuple(paragraphs) + added, updated=when)


def parse_article_file(path: Path) -> DemoArticle:
    text = path.read_text(encoding="utf-8")
    front, body = _split_front_matter(text, path)
    meta = _parse_front_matter(front, path)
    article = DemoArticle(
        slug=meta["slug"], title=meta["title"], section=meta["section"],
        authors=tuple(meta["authors"]), published=meta["published"],
        description=meta["description"], paragraphs=_paragraphs(body),
        updated=meta.get("updated"), syndication_of=meta.get("syndication_of"),
        source_file=path.name)
    if not path.stem.endswith(article.slug):
        raise DemoContentError(f"{path}: file name does not end with slug {article.slug!r}")
    if not article.paragraphs:
        raise DemoContentError(f"{path}: empty body")
    return article


def _split_front_matter(text: str, path: Path) -> tuple[str, str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise DemoContentError(f"{path}: must start with a '+++' front matter fence")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == FRONT_MATTER_FENCE:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:])
    raise DemoContentError(f"{path}: front matter is not closed with '+++'")


def _parse_front_matter(front: str, path: Path) -> dict[str, Any]:
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        raise DemoContentError(f"{path}: bad front matter: {exc}") from exc
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    unknown = [k for k in meta if k not in REQUIRED_KEYS + OPTIONAL_KEYS]
    if missing or unknown:
        raise DemoContentError(f"{path}: missing keys {missing}, unknown keys {unknown}")
    for key in ("published", "updated"):
        value = meta.get(key)
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise DemoContentError(f"{path}: {key} must be a datetime with a UTC offset")
    if not isinstance(meta["authors"], list) or not all(isinstance(a, str) for a in meta["authors"]):
        raise DemoContentError(f"{path}: authors must be a list of names")
    return meta


def _paragraphs(body: str) -> tuple[str, ...]:
    """Blank-line separated blocks; lines inside a block are joined with spaces."""
    blocks = [" ".join(line.strip() for line in block.splitlines() if line.strip())
              for block in body.split("\n\n")]
    return tuple(b for b in blocks if b)


def _check_collection(articles: list[DemoArticle], sections: set[str]) -> None:
    slugs = [a.slug for a in articles]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise DemoContentError(f"duplicate slugs: {sorted(duplicates)}")
    for article in articles:
        if article.section not in sections:
            raise DemoContentError(f"{article.source_file}: unknown section {article.section!r}")
        if article.syndication_of and article.syndication_of not in slugs:
            raise DemoContentError(
                f"{article.source_file}: syndication_of {article.syndication_of!r} is not a slug")


def _static_page(data: dict[str, Any]) -> StaticPage:
    return StaticPage(title=data["title"], paragraphs=tuple(data["paragraphs"]))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DemoContentError(f"{path}: {exc}") from exc
