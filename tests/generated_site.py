"""A larger demo news site for the crash, concurrency and schedule tests.

It owns `generated_articles`: copies of the bundled demo articles, each with
its own slug and a follow-up paragraph of its own (a person, an organisation
and figures from tests/data/generated_site.toml), so every copy is a distinct
article with distinct text; and `serve_generated_site` / `write_sources`,
which serve them with the demo site's pages, feeds and sitemaps on 127.0.0.1.
With the default 5 copies of the 37 on-topic articles plus the 9 off-topic
ones, the site has 194 article pages (185 of them on topic).
"""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import timedelta
from pathlib import Path

from newsmon.crawler.demo import build_site, demo_sources_file, load_articles, load_site_config
from newsmon.crawler.demo.content import DemoArticle
from newsmon.crawler.localserver import LocalServer

MATERIAL = Path(__file__).with_name("data") / "generated_site.toml"


def generated_articles(copies: int = 5) -> list[DemoArticle]:
    """`copies` distinct variants of every on-topic demo article, and the off-topic ones once."""
    config = load_site_config()
    on_topic = {s.slug for s in config.sections if s.on_topic}
    material = tomllib.loads(MATERIAL.read_text(encoding="utf-8"))
    out: list[DemoArticle] = []
    for i, article in enumerate(sorted(load_articles(config=config), key=lambda a: a.slug)):
        if article.section not in on_topic:
            out.append(article)
            continue
        out += [_variant(article, i * copies + k, k, material) for k in range(1, copies + 1)]
    return out


def _variant(article: DemoArticle, n: int, k: int, material: dict) -> DemoArticle:
    first = material["first_names"][n % len(material["first_names"])]
    surname = material["surnames"][(n // len(material["first_names"])) % len(material["surnames"])]
    body = material["bodies"][n % len(material["bodies"])]
    paragraph = material["follow_up"].format(
        name=f"{first} {surname}", surname=surname, age=30 + n % 35, body=body,
        body_title=body[0].upper() + body[1:], days=10 + n, fine=5 + 3 * n,
        accounts=1000 + 37 * n)
    return dataclasses.replace(
        article, slug=f"{article.slug}-{k}", title=f"{article.title} ({k})",
        published=article.published + timedelta(minutes=k), syndication_of=None,
        updated=None, paragraphs=article.paragraphs + (paragraph,))


def serve_generated_site(copies: int = 5, min_latency: float = 0.0) -> LocalServer:
    """Start a LocalServer with the generated site; the caller stops it."""
    server = LocalServer(min_latency=min_latency)
    server.routes.update(build_site(server.base_url, generated_articles(copies)))
    return server.start()


def write_sources(server: LocalServer, path: Path, *, delay: float = 0.05,
                  concurrency: int = 4) -> Path:
    """A sources file with the one source `newsmon-demo` for `server`."""
    return demo_sources_file(server.base_url, path, delay=delay, concurrency=concurrency)

