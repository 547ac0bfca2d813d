"""Article extraction: one fetched page (HTML) -> an `Article` or a `NotArticle`.

This module owns the trafilatura settings, the checks that turn ordinary bad input
(binary bodies, empty or broken pages, listing pages, stubs) into a `NotArticle`
with a short reason that the crawler counts as a stat, the metadata clean-up
(authors list, ISO date, canonical URL) and a cheap page-language guess.

`extract_article` is pure and never raises for bad input. Reasons:

    not_html     the content type is not HTML, or the body is binary / has no markup
    empty_page   no body, or markup without any visible text
    unparseable  lxml or trafilatura failed on the document
    no_text      trafilatura found no main text
    index_page   a homepage, section, tag or archive listing rather than one article
    too_short    the main text is below `min_chars` characters or `min_words` words

Listing detection and language data live in nlp/resources/ (page_signals.toml,
stopwords_en.txt).
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import decode_file

from newsmon.nlp.records import Article, NotArticle

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent / "resources"

# Settings chosen on the 181 pages of the article-extraction benchmark
# (see bench/extract_speed.py): comments off and precision favoured score best;
# tables stay in because dropping them costs recall.
TRAFILATURA_OPTIONS: dict = {
    "include_comments": False,
    "favor_precision": True,
    "include_tables": True,
    "with_metadata": True,
}

HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SNIFF_BYTES = 4096
_GZIP_MAGIC = b"\x1f\x8b"  # a gzipped body: trafilatura decompresses it
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CJK_OR_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"\w+")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$")
_NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})  # BCP 47 "undetermined", "multiple"...
_LIST_BULLET = re.compile(r"^[-*•·]\s+")
_NON_VISIBLE = ("script", "style", "noscript", "template")
_PAGE_CHROME = frozenset({"nav", "header", "footer", "aside"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CARD_BLOCKS = _HEADINGS | {"p", "div"}

# Teaser cards (listing-page detection): a card is a headline link of at least
# MIN_HEADLINE_WORDS words in a block of at most MAX_CARD_CHARS characters, found
# within MAX_CARD_DEPTH levels above it; a listing shows at least MIN_CARDS of them.
MIN_HEADLINE_WORDS = 4
MAX_CARD_CHARS = 600
MAX_CARD_DEPTH = 3
MIN_CARDS = 2
CARDS_MAX_EVIDENCE = 2  # the most the teaser cards add to a listing verdict (_index_verdict)
CARD_LINE_WORDS = 5  # a line comes from a card when its first or last 5 words are in one


@dataclass(frozen=True)
class PageSignals:
    """The listing-page data from page_signals.toml, compiled."""
    article_types: frozenset[str]
    index_paths: tuple[re.Pattern, ...]
    article_paths: tuple[re.Pattern, ...]


def extract_article(
    html: str | bytes | None,
    url: str,
    *,
    content_type: str = "text/html",
    min_chars: int = 300,
    min_words: int = 50,
    fast: bool = False,
) -> Article | NotArticle:
    """Extract the main text and metadata of one page, or say why it is not an article.

    `content_type` is the Content-Type header ("" when absent: the body is sniffed).
    A text is too short when it has fewer than `min_chars` characters or fewer than
    `min_words` words (each CJK character counts as a word).
    `fast` skips trafilatura's fallback extractors (readability, jusText): about 1.6x
    the pages per second at some cost in recall (bench/extract_speed.py --fast).
    """
    text = _markup_text(html, content_type, url)
    if isinstance(text, NotArticle):
        return text
    tree = _parse(text, url)
    if tree is None:
        return _reject(url, "unparseable", "lxml could not build a tree")
    try:
        doc = trafilatura.bare_extraction(tree, url=url, fast=fast, **TRAFILATURA_OPTIONS)
    except Exception as err:  # trafilatura/lxml internals: a broken page, not our bug
        return _reject(url, "unparseable", f"trafilatura failed: {type(err).__name__}: {err}")
    body = (doc.text or "").strip() if doc is not None else ""
    if not body and not _has_visible_text(tree):
        return _reject(url, "empty_page", "markup without visible text")
    verdict = _index_verdict(tree, body, url, doc.pagetype if doc is not None else None, min_chars)
    if verdict:
        return _reject(url, "index_page", verdict)
    if not body:
        return _reject(url, "no_text", "trafilatura found no main text")
    length = _too_short(body, min_chars, min_words)
    if length:
        return _reject(url, "too_short", length)
    return _article(doc, tree, body, url)


def _reject(url: str, reason: str, detail: str) -> NotArticle:
    log.debug("not an article (%s): %s: %s", reason, url, detail)
    return NotArticle(url=url, reason=reason, detail=detail)


# -- input checks -----------------------------------------------------------------

def _markup_text(html: str | bytes | None, content_type: str, url: str) -> str | NotArticle:
    """The page as a string of markup, or the reason it cannot be one."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime and mime not in HTML_CONTENT_TYPES:
        return _reject(url, "not_html", f"content type {mime}")
    if html is None or not html.strip():
        return _reject(url, "empty_page", "no body")
    gzipped = isinstance(html, bytes) and html.startswith(_GZIP_MAGIC)
    if not gzipped and _looks_binary(html[:_SNIFF_BYTES]):
        return _reject(url, "not_html", "binary body")
    try:
        text = decode_file(html) if isinstance(html, bytes) else html
    except Exception as err:  # decompression or codec trouble
        return _reject(url, "unparseable", f"cannot decode body: {err}")
    if _looks_binary(text[:_SNIFF_BYTES]):
        return _reject(url, "not_html", "binary body")
    if "<" not in text[:_SNIFF_BYTES * 4]:
        return _reject(url, "not_html", "no markup in body")
    return text


def _looks_binary(head: str | bytes) -> bool:
    """NUL bytes or many control characters: an image, PDF, archive... not a page."""
    if isinstance(head, bytes):
        if b"\x00" in head:
            return True
        head = head.decode("latin-1")
    if "\x00" in head:
        return True
    return len(_CONTROL_CHARS.findall(head)) > 0.05 * max(1, len(head))


def _parse(text: str, url: str) -> HtmlElement | None:
    """An lxml tree of the page; fragments without <html> are wrapped into a document."""
    if "<html" not in text[:_SNIFF_BYTES].lower():
        text = f"<html><body>{text}</body></html>"
    try:
        return trafilatura.load_html(text)
    except Exception as err:
        log.debug("lxml failed on %s: %s", url, err)
        return None


def _has_visible_text(tree: HtmlElement) -> bool:
    """Whether the page body shows any text at all (scripts and styles do not count)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag not in _NON_VISIBLE and node.text and node.text.strip():
            return True
        if node is not root and node.tail and node.tail.strip():
            return True
    return False


def _too_short(body: str, min_chars: int, min_words: int) -> str:
    """A detail string when the text is too short, else ""."""
    if len(body) < min_chars:
        return f"{len(body)} chars < {min_chars}"
    words = len(_CJK_OR_WORD.findall(body))
    if words < min_words:
        return f"{words} words < {min_words}"
    return ""


# -- listing pages ----------------------------------------------------------------

@lru_cache(maxsize=1)
def page_signals() -> PageSignals:
    path = RESOURCES / "page_signals.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return PageSignals(
        article_types=frozenset(t.lower() for t in data["article_types"]),
        index_paths=tuple(re.compile(p) for p in data["index_path_patterns"]),
        article_paths=tuple(re.compile(p) for p in data["article_path_patterns"]),
    )


def _index_verdict(tree: HtmlElement, body: str, url: str, pagetype: str | None, min_chars: int) -> str:
    """Why this looks like a listing page, or "" when it looks like one article.

    Evidence adds up to a verdict at 2 points: teaser cards (a headline link with
    a short blurb) that hold the extracted text, or many cards next to almost no
    extracted text (trafilatura drops link-dense headline lists); a declared
    og:type other than article; a listing-like URL path. A declared article
    type or a story-like URL path count against.
    """
    signals = page_signals()
    evidence = 0
    page_type = (pagetype or "").strip().lower()
    if page_type:
        evidence += -1 if page_type in signals.article_types else 1
    url_kind = url_path_kind(url, signals)
    evidence += {"index": 1, "article": -1}.get(url_kind, 0)
    if evidence + CARDS_MAX_EVIDENCE < 2:
        return ""  # the cards cannot make it a listing: skip looking for them (most articles)
    cards = teaser_cards(tree, url)
    share = card_share(cards, body)
    if len(cards) >= MIN_CARDS:
        evidence += 2 if share >= 0.5 or len(body) < min_chars else 1 if share >= 0.25 else 0
    if evidence < 2:
        return ""
    return f"{len(cards)} teaser cards hold {share:.0%} of the text, og:type {page_type or '-'}, url {url_kind or '-'}"


def card_share(cards: list[str], body: str) -> float:
    """Share of the extracted words in lines that come from teaser cards.

    A line comes from a card when its first or last few words occur in one card
    (trafilatura often glues a card's kicker and blurb into one line, dropping the
    headline in between, so whole-line matching is not enough).
    """
    lines = [tokens for tokens in (_WORD.findall(line.casefold()) for line in body.splitlines()) if tokens]
    total = sum(len(tokens) for tokens in lines)
    if not total or not cards:
        return 0.0
    windows = _card_windows(cards)
    inside = sum(len(tokens) for tokens in lines if _from_cards(tokens, windows))
    return inside / total


def _card_windows(cards: list[str]) -> set[tuple[str, ...]]:
    """Every run of 1..CARD_LINE_WORDS consecutive words of every card: a set, so that
    looking a line up costs the same however many cards the page has."""
    windows: set[tuple[str, ...]] = set()
    for card in cards:
        words = _WORD.findall(card)
        for size in range(1, CARD_LINE_WORDS + 1):
            windows.update(tuple(words[i:i + size]) for i in range(len(words) - size + 1))
    return windows


def _from_cards(tokens: list[str], windows: set[tuple[str, ...]]) -> bool:
    n = CARD_LINE_WORDS
    return tuple(tokens[:n]) in windows or tuple(tokens[-n:]) in windows


def teaser_cards(tree: HtmlElement, page_url: str) -> list[str]:
    """Normalised texts of the page's teaser cards: a standalone headline link to another
    page plus the little text around it (a blurb, a date), outside nav/header/footer/aside.
    """
    this_page = _without_fragment(page_url)
    texts: dict[str, None] = {}
    for anchor in tree.iter("a"):
        headline = _normalise(anchor.text_content())
        if len(headline.split()) < MIN_HEADLINE_WORDS or not _links_elsewhere(anchor, page_url, this_page):
            continue
        if any(a.tag in _PAGE_CHROME for a in anchor.iterancestors()):
            continue
        card = _card_around(anchor, headline)
        if card:
            texts.setdefault(card, None)
    return list(texts)


def _links_elsewhere(anchor: HtmlElement, page_url: str, this_page: str) -> bool:
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return False
    return _without_fragment(urljoin(page_url, href)) != this_page


def _card_around(anchor: HtmlElement, headline: str) -> str | None:
    """The text of the smallest block around a standalone headline that says more than
    the headline; None for links inside running text or for blocks too big to be a card.

    Every text read here is bounded (`_bounded_text`), so a page with thousands of headline
    links in one block costs linear time, not the size of that block once per link.
    """
    if any(el.tag in _CARD_BLOCKS for el in anchor.iterdescendants()):
        return headline if len(headline) <= MAX_CARD_CHARS else None  # the link wraps the whole card
    parent = anchor.getparent()
    if parent is None or _bounded_text(parent, len(headline)) != headline and parent.tag not in _HEADINGS:
        return None  # a link inside a sentence
    node = parent
    for _ in range(MAX_CARD_DEPTH):
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            return None
        text = _bounded_text(node, MAX_CARD_CHARS)
        if text is None:
            return None
        if text != headline and len(text) > len(headline) + 3:
            return text
    return None


def _bounded_text(node: HtmlElement, limit: int) -> str | None:
    """`_normalise(node.text_content())`, or None as soon as it would exceed `limit` characters.

    Reads at most a constant multiple of `limit` characters of the node's text, however big
    the node is (white space included).
    """
    words: list[str] = []
    size = -1
    budget = 64 * (limit + 1)
    for piece in node.itertext():
        if len(piece) > budget:
            return None
        budget -= len(piece)
        for word in piece.split():
            size += len(word) + 1
            if size > limit + 2:  # +2: a list bullet that _normalise drops
                return None
            words.append(word)
    return _normalise(" ".join(words))


def _normalise(line: str) -> str:
    return " ".join(_LIST_BULLET.sub("", line.strip()).split()).casefold()


def _without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def url_path_kind(url: str, signals: PageSignals | None = None) -> str | None:
    """"index" when the URL path looks like a listing, "article" when it looks like a story."""
    signals = signals or page_signals()
    parts = urlsplit(url)
    path = parts.path.lower() + (f"?{parts.query.lower()}" if parts.query else "")
    if any(p.search(path) for p in signals.index_paths):
        return "index"
    if any(p.search(path) for p in signals.article_paths):
        return "article"
    return None


# -- metadata ---------------------------------------------------------------------

def _article(doc, tree: HtmlElement, body: str, url: str) -> Article:
    return Article(
        url=url,
        canonical_url=canonical_url(doc.url, url),
        title=_clean(doc.title),
        authors=split_authors(doc.author),
        published_at=doc.date if doc.date and _ISO_DATE.match(doc.date) else None,
        language=page_language(tree, body),
        sitename=_clean(doc.sitename),
        description=_clean(doc.description),
        text=body,
    )


def _clean(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else ""
    return value or None


def split_authors(author: str | None) -> list[str]:
    """trafilatura joins several authors with "; "; return them as a list, in order, once each."""
    names: dict[str, None] = {}
    for name in re.split(r"\s*;\s*", author or ""):
        name = " ".join(name.split())
        if name:
            names.setdefault(name, None)
    return list(names)


def canonical_url(declared: str | None, page_url: str) -> str:
    """The page's declared canonical URL made absolute, else the page URL; no fragment.

    A canonical that points at the site root from a deeper page is a site template
    error, so the page URL is kept then.
    """
    candidate = urljoin(page_url, declared) if declared else page_url
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        parts = urlsplit(page_url)
    elif parts.path in ("", "/") and not parts.query and urlsplit(page_url).path not in ("", "/"):
        parts = urlsplit(page_url)
    return urlunsplit(parts._replace(fragment=""))


# -- language ---------------------------------------------------------------------

@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    lines = (RESOURCES / "stopwords_en.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def page_language(tree: HtmlElement, body: str) -> str | None:
    """ISO 639-1 code: the page's declared language, else "en" if the text reads as English.

    A page declared English whose text has almost no English function words is
    left undetermined (None): templates often hard-code lang="en".
    """
    declared = declared_language(tree)
    ratio, words = english_ratio(body)
    if declared is None:
        return "en" if words >= 20 and ratio >= 0.12 else None
    if declared == "en" and words >= 100 and ratio < 0.03:
        log.debug("declared en but English word ratio %.3f: language unknown", ratio)
        return None
    return declared


def declared_language(tree: HtmlElement) -> str | None:
    """Language from <html lang>, a content-language meta, or og:locale."""
    root = tree.getroottree().getroot()
    candidates = [
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *root.xpath('//meta[translate(@http-equiv, "CONTENT-LANGUAGE", "content-language")'
                    ' = "content-language"]/@content'),
        *root.xpath('//meta[@property="og:locale"]/@content'),
    ]
    for value in candidates:
        match = _LANG_CODE.match((value or "").strip().lower())
        if match and match.group(1) not in _NO_LANGUAGE:
            return match.group(1)
    return None


def english_ratio(text: str, max_words: int = 1000) -> tuple[float, int]:
    """Share of English function words among the first `max_words` words, and the word count."""
    words = [w.lower() for w in _LETTER_WORD.findall(text[: max_words * 12])][:max_words]
    if not words:
        return 0.0, 0
    stopwords = english_stopwords()
    return sum(w in stopwords for w in words) / len(words), len(words)
