"""Tests for nlp/extract.py: real trafilatura on real benchmark pages and on pages written here."""

from __future__ import annotations

import gzip
import logging

import pytest

from newsmon.nlp.extract import extract_article, split_authors, canonical_url, url_path_kind
from newsmon.nlp.extract_eval import DEFAULT_BENCHMARK_DIR, BenchmarkPage, evaluate, load_benchmark, page_counts
from newsmon.nlp.records import Article, NotArticle

BENCHMARK = DEFAULT_BENCHMARK_DIR
needs_benchmark = pytest.mark.skipif(
    not (BENCHMARK / "ground-truth.json").is_file(),
    reason=f"article-extraction benchmark not found at {BENCHMARK} (read-only ../shared is absent)",
)

# -- pages written for these tests --------------------------------------------------

PARAGRAPHS = [
    "The communications regulator opened a formal investigation on Tuesday into Hearthline, "
    "a discussion forum with about four million monthly users, over its handling of reports "
    "about illegal content posted by anonymous accounts.",
    "Investigators will examine whether the company assessed the risks its service poses to "
    "children, how quickly moderators respond to user complaints, and whether its reporting "
    "tools are easy to find. The inquiry is the third of its kind this year.",
    "A spokesperson for Hearthline said the forum had hired forty additional moderators since "
    "the spring and would cooperate fully. \"We take our responsibilities seriously and have "
    "already changed the way complaints are routed,\" she said.",
    "Campaigners welcomed the move but said enforcement had been slow. Under the law, companies "
    "that fail to comply can be fined up to ten percent of their worldwide annual revenue, and "
    "senior managers can in some cases face criminal liability.",
    "The regulator expects to publish provisional findings within six months. It has asked the "
    "company to preserve internal documents, including moderation logs and the minutes of board "
    "meetings where safety was discussed.",
]

NAV = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in
              ["World", "Business", "Technology", "Politics", "Science", "Culture", "Sport", "Opinion"])
FOOTER = ('<footer><p><a href="/about">About us</a> | <a href="/contact">Contact</a> | '
          '<a href="/privacy">Privacy policy</a></p><p>Copyright 2026 The Example Ledger</p></footer>')


def article_page(paragraphs: list[str] = PARAGRAPHS, *, head_extra: str = "", lang: str = ' lang="en-GB"') -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    related = "".join(
        f'<li><a href="/2026/03/0{i}/story-{i}">Related story number {i} about something else entirely</a></li>'
        for i in range(1, 6))
    return f"""<!DOCTYPE html>
<html{lang}><head>
<meta charset="utf-8">
<title>Regulator investigates Hearthline forum over illegal content | The Example Ledger</title>
<meta name="description" content="The inquiry will examine risk assessments and complaint handling.">
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Example Ledger">
<meta property="og:title" content="Regulator investigates Hearthline forum over illegal content">
<link rel="canonical" href="https://ledger.example.org/2026/03/04/regulator-investigates-hearthline-forum#top">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Regulator investigates Hearthline forum over illegal content",
 "datePublished": "2026-03-04T09:30:00+00:00",
 "author": [{{"@type": "Person", "name": "Maria Lindqvist"}}, {{"@type": "Person", "name": "Tom Achebe"}}]}}</script>
{head_extra}
</head><body>
<header><nav><ul>{NAV}</ul></nav></header>
<main><article>
<h1>Regulator investigates Hearthline forum over illegal content</h1>
<p class="byline">By Maria Lindqvist and Tom Achebe</p>
{body}
</article>
<aside><h2>Related</h2><ul>{related}</ul></aside>
</main>
{FOOTER}
</body></html>"""


TEASERS = [
    ("Ferry operator cancels winter timetable after engine fault", "Passengers were told on Friday that sailings would resume in January at the earliest."),
    ("City council approves budget with cuts to library hours", "Councillors voted 31 to 12 after a debate that lasted more than five hours."),
    ("New bridge opens two years late and over budget", "Engineers said the delays were caused by unexpected ground conditions near the river."),
    ("Local bakery wins national award for its sourdough loaf", "The judges praised the crust and the flavour of the bread, made with a starter kept for decades."),
    ("Hospital trust recruits nurses from overseas to fill gaps", "Managers said the new staff would start on wards in the spring after training."),
    ("Rail strike called off after last-minute talks", "The union said members would vote on a revised offer over the next two weeks."),
    ("Students protest against rise in accommodation costs", "Several hundred people marched through the city centre on Wednesday afternoon."),
    ("Museum returns carved figures to their community of origin", "The objects had been held in storage since they were acquired in the 1920s."),
    ("Police appeal for witnesses after warehouse fire", "Nobody was hurt but the building was destroyed and a road closed for a day."),
    ("School inspectors praise improvement at academy", "The report said teaching had become more consistent across all year groups."),
    ("Farmers warn of poor harvest after wet summer", "Yields of wheat and barley are expected to be well below the five-year average."),
    ("Airport expansion plan faces legal challenge", "Residents argue the environmental assessment ignored the effect of night flights."),
]


def index_page(*, og_type: str | None = "website", with_teasers: bool = True, wrapped_cards: bool = False) -> str:
    items = []
    for i, (headline, teaser) in enumerate(TEASERS, 1):
        href = f"/news/2026/03/0{i % 9 + 1}/story-{i}"
        extra = f"<p>{teaser}</p>" if with_teasers else ""
        if wrapped_cards:  # the whole card is one link
            items.append(f'<a class="card" href="{href}"><h3>{headline}</h3>{extra}</a>')
        else:
            link = f'<h2><a href="{href}">{headline}</a></h2>'
            items.append(f'<div class="teaser">{link}{extra}<span class="time">2 hours ago</span></div>')
    og = f'<meta property="og:type" content="{og_type}">' if og_type else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The Example Ledger: local news</title>
{og}<meta property="og:site_name" content="The Example Ledger">
</head><body>
<header><nav><ul>{NAV}</ul></nav></header>
<main><h1>Latest news</h1>{''.join(items)}
<p><a href="/page/2">More stories</a></p></main>
{FOOTER}
</body></html>"""


# -- metadata ---------------------------------------------------------------------

def test_article_text_and_metadata():
    result = extract_article(article_page(), "https://ledger.example.org/2026/03/04/regulator-investigates-hearthline-forum?ref=home")
    assert isinstance(result, Article), result
    assert result.title == "Regulator investigates Hearthline forum over illegal content"
    assert result.authors == ["Maria Lindqvist", "Tom Achebe"]
    assert result.published_at == "2026-03-04"
    assert result.language == "en"
    assert result.sitename == "The Example Ledger"
    assert result.description == "The inquiry will examine risk assessments and complaint handling."
    assert result.canonical_url == "https://ledger.example.org/2026/03/04/regulator-investigates-hearthline-forum"
    assert result.url.endswith("?ref=home")
    for paragraph in PARAGRAPHS:
        assert paragraph[:60] in result.text
    # navigation, related links and footer stay out of the main text
    for boilerplate in ("Privacy policy", "Related story number", "Copyright 2026"):
        assert boilerplate not in result.text


def test_article_from_bytes_in_a_legacy_encoding():
    html = article_page().replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    html = html.replace("she said.", "she said in Malmö.")
    result = extract_article(html.encode("iso-8859-1"), "https://ledger.example.org/a/b-c-d-e")
    assert isinstance(result, Article), result
    assert "she said in Malmö." in result.text


def test_canonical_falls_back_to_page_url_without_fragment():
    page = article_page().replace('<link rel="canonical" href="https://ledger.example.org/2026/03/04/regulator-investigates-hearthline-forum#top">', "")
    result = extract_article(page, "https://ledger.example.org/story/hearthline-inquiry-opens-today#comments")
    assert isinstance(result, Article), result
    assert result.canonical_url == "https://ledger.example.org/story/hearthline-inquiry-opens-today"


def test_canonical_url_rules():
    page = "https://site.example/news/long-story-slug-here"
    assert canonical_url("/news/long-story-slug-here#x", page) == page
    assert canonical_url(None, page + "#frag") == page
    assert canonical_url("https://site.example/", page) == page  # root canonical on a story: template error
    assert canonical_url("javascript:void(0)", page) == page
    assert canonical_url("https://other.example/moved-here?id=3", page) == "https://other.example/moved-here?id=3"


def test_authors_are_split_once_each():
    assert split_authors("Jane Doe; John Roe;  Jane Doe ") == ["Jane Doe", "John Roe"]
    assert split_authors(None) == []
    assert split_authors("") == []


@pytest.mark.parametrize("lang_attr, expected", [
    (' lang="en-GB"', "en"),
    (' lang="pt_BR"', "pt"),
    ("", "en"),  # no declaration: English function words decide
])
def test_language_declared_or_detected(lang_attr, expected):
    result = extract_article(article_page(lang=lang_attr), "https://ledger.example.org/x/one-two-three-four")
    assert isinstance(result, Article), result
    assert result.language == expected


def test_undeclared_non_english_text_has_no_language():
    italian = [
        "Il garante della concorrenza ha aperto un'istruttoria nei confronti della piattaforma per "
        "presunte pratiche commerciali scorrette nei confronti dei consumatori italiani.",
        "Secondo l'autorità, l'azienda non avrebbe informato in modo chiaro gli utenti sulla raccolta "
        "dei loro dati personali e sul loro utilizzo per finalità commerciali e pubblicitarie.",
        "La società ha ora sessanta giorni per presentare le proprie difese. In caso di violazione "
        "accertata, la sanzione potrebbe arrivare fino a dieci milioni di euro secondo la legge.",
        "Le associazioni dei consumatori hanno accolto con favore la decisione, chiedendo però tempi "
        "più rapidi e controlli più severi su tutte le piattaforme digitali attive nel paese.",
    ]
    result = extract_article(article_page(italian, lang=""), "https://giornale.example.it/notizie/garante-apre-istruttoria-piattaforma")
    assert isinstance(result, Article), result
    assert result.language is None


# -- reasons ----------------------------------------------------------------------

def test_homepage_is_an_index_page():
    result = extract_article(index_page(), "https://ledger.example.org/")
    assert isinstance(result, NotArticle)
    assert result.reason == "index_page"


def test_headline_list_is_an_index_page_without_other_signals():
    # no og:type and a neutral URL: the list of headline links alone must give it away
    result = extract_article(index_page(og_type=None, with_teasers=False), "https://ledger.example.org/local")
    assert isinstance(result, NotArticle)
    assert result.reason == "index_page"


def test_teaser_list_is_an_index_page_without_other_signals():
    result = extract_article(index_page(og_type=None), "https://ledger.example.org/local")
    assert isinstance(result, NotArticle)
    assert result.reason == "index_page"


def test_cards_wrapped_in_one_link_are_an_index_page():
    result = extract_article(index_page(og_type=None, wrapped_cards=True), "https://ledger.example.org/local")
    assert isinstance(result, NotArticle)
    assert result.reason == "index_page"


def test_section_page_with_teasers_is_an_index_page():
    result = extract_article(index_page(), "https://ledger.example.org/section/local-news")
    assert isinstance(result, NotArticle)
    assert result.reason == "index_page"


def test_short_section_page_is_an_index_page():
    page = index_page(og_type=None)
    for headline, _ in TEASERS[4:]:  # keep four cards
        start = page.index(f">{headline}<")
        page = page[:page.rindex('<div class="teaser">', 0, start)] + page[page.index("</div>", start) + 6:]
    assert page.count('class="teaser"') == 4
    result = extract_article(page, "https://ledger.example.org/section/local/")
    assert isinstance(result, NotArticle)
    assert result.reason == "index_page"


def _page_with_headline_links(count: int, og_type: str = "website") -> str:
    story = " ".join(["The regulator fined the platform for breaking the online safety rules."] * 30)
    links = "".join(f'<li><a href="/news/story-{i}">Headline number {i} about the regulator and the platform</a></li>'
                    for i in range(count))
    return (f"<html><head><title>Big story</title><meta property='og:type' content='{og_type}'></head>"
            f"<body><article><h1>Big story</h1><p>{story}</p><ul>{links}</ul></article></body></html>")


@pytest.mark.reliability
def test_listing_detection_is_linear_in_the_number_of_headline_links():
    # 15,000 headline links in one list took minutes when each link read its whole list's text
    # (8,000 links: 72 s); every text read per link is now bounded, so this is seconds
    import time
    started = time.monotonic()
    result = extract_article(_page_with_headline_links(15_000), "https://ledger.example.org/news/big")
    assert time.monotonic() - started < 40
    assert isinstance(result, Article) and "The regulator fined the platform" in result.text


def test_article_on_a_homepage_like_url_is_kept_when_it_declares_itself_an_article():
    result = extract_article(article_page(), "https://ledger.example.org/local")
    assert isinstance(result, Article), result


@pytest.mark.parametrize("html", [None, "", "   \n\t ", b"", "<html><head><title>x</title></head><body>  </body></html>",
                                  "<html><body><script>var a = 1;</script><div><span> </span></div></body></html>"])
def test_empty_page(html):
    result = extract_article(html, "https://ledger.example.org/empty")
    assert isinstance(result, NotArticle)
    assert result.reason == "empty_page"


@pytest.mark.parametrize("body", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8,
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n\x00\x01\x02\x03" + bytes(range(256)),
    bytes(range(256)).decode("latin-1") * 4,  # binary decoded by mistake
])
def test_binary_body_is_not_html(body):
    result = extract_article(body, "https://ledger.example.org/file")
    assert isinstance(result, NotArticle)
    assert result.reason == "not_html"


@pytest.mark.parametrize("content_type", ["application/pdf", "image/jpeg", "application/json; charset=utf-8", "text/plain"])
def test_non_html_content_type(content_type):
    result = extract_article(article_page(), "https://ledger.example.org/a", content_type=content_type)
    assert isinstance(result, NotArticle)
    assert result.reason == "not_html"
    assert content_type.split(";")[0] in result.detail


@pytest.mark.parametrize("content_type", ["text/html; charset=UTF-8", "TEXT/HTML", "application/xhtml+xml", ""])
def test_html_content_types_are_accepted(content_type):
    result = extract_article(article_page(), "https://ledger.example.org/a/b-c-d-e", content_type=content_type)
    assert isinstance(result, Article), result


def test_plain_text_without_markup_is_not_html():
    result = extract_article("\n\n".join(PARAGRAPHS), "https://ledger.example.org/a", content_type="")
    assert isinstance(result, NotArticle)
    assert result.reason == "not_html"


def test_malformed_page_still_extracts():
    # unclosed tags, stray closing tags, garbage bytes in attributes, no <html> at all
    broken = ("<div class=x><p>" + "<p>".join(PARAGRAPHS) + "</b></span><table><tr><td>"
              + "<<<>>> &&& <p <img src=\x01>" + "<div><div><div>")
    result = extract_article(broken, "https://ledger.example.org/broken/page-with-bad-markup")
    assert isinstance(result, Article), result
    assert PARAGRAPHS[2][:50] in result.text


@pytest.mark.parametrize("garbage", [
    "<<<>>>",
    "<div class='unclosed quote><p>" + "<p>".join(PARAGRAPHS),  # the quote swallows the page
    "<html" * 5000,
    "<" + "div>" * 20000,  # very deep nesting
    "<html><body>" + "<p>" * 3000 + "words " * 10 + "</body></html>",
    "\ufeff<?xml version='1.0' encoding='utf-8'?><html><body><p>short</p></body></html>",
    "<html><body><p>\udcff lone surrogate</p></body></html>",
])
def test_garbage_returns_a_reason_without_raising(garbage):
    result = extract_article(garbage, "https://ledger.example.org/garbage")
    assert isinstance(result, (Article, NotArticle))
    if isinstance(result, NotArticle):
        assert result.reason in {"unparseable", "no_text", "too_short", "empty_page", "not_html", "index_page"}


def test_too_short_reason_and_thresholds():
    stub = article_page(PARAGRAPHS[:1])
    url = "https://ledger.example.org/2026/03/04/short-story-here"
    result = extract_article(stub, url)
    assert isinstance(result, NotArticle)
    assert result.reason == "too_short"
    assert isinstance(extract_article(stub, url, min_chars=100, min_words=20), Article)


def test_cjk_text_counts_characters_as_words():
    sentences = [
        "規制当局は火曜日、違法な投稿への対応をめぐり、掲示板サービスに対する正式な調査を開始したと発表した。",
        "調査では、利用者からの通報にどれだけ早く対応したか、子どもへの危険を評価したかが焦点となる。",
        "同社の広報担当者は、春以降に担当者を増員しており、調査には全面的に協力すると述べた。",
        "違反が認められた場合、世界全体の年間売上高の最大一割に当たる制裁金が科される可能性がある。",
        "当局は半年以内に暫定的な判断を公表する見通しで、社内文書の保全も求めている。",
    ]
    page = article_page(sentences, lang=' lang="ja"')
    url = "https://news.example.jp/articles/2026/03/04/12345"
    result = extract_article(page, url, min_chars=150)
    assert isinstance(result, Article), result
    assert result.language == "ja"
    # about 200 characters but only a handful of space-separated "words"
    assert len(result.text.split()) < 50


def test_reasons_are_logged_at_debug(caplog):
    with caplog.at_level(logging.DEBUG, logger="newsmon.nlp.extract"):
        extract_article(None, "https://ledger.example.org/nothing")
    assert any("empty_page" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)


def test_url_path_kinds():
    assert url_path_kind("https://a.example/") == "index"
    assert url_path_kind("https://a.example/tag/privacy") == "index"
    assert url_path_kind("https://a.example/news?page=3") == "index"
    assert url_path_kind("https://a.example/news/view.html?id=77&page=1") is None
    assert url_path_kind("https://a.example/2026/03/04/ofcom-fines-forum-over-safety") == "article"


# -- the benchmark ----------------------------------------------------------------

def test_metric_matches_hand_counts():
    truth = "one two three four five"  # shingles: (1234), (2345)
    assert page_counts(truth, truth).tp == 1.0
    half = page_counts(truth, "one two three four six")  # shares (1234) only
    assert (half.tp, half.fp, half.fn) == (pytest.approx(1 / 3), pytest.approx(1 / 3), pytest.approx(1 / 3))
    empty = page_counts(truth, "")
    assert empty.precision is None and empty.recall == 0.0


@pytest.fixture(scope="module")
def benchmark_results() -> list[tuple[BenchmarkPage, Article | NotArticle]]:
    """extract_article over every benchmark page, run once for the tests below."""
    return [(page, extract_article(page.html, page.url)) for page in load_benchmark(BENCHMARK)]


@needs_benchmark
def test_benchmark_f1_over_all_pages(benchmark_results):
    assert len(benchmark_results) == 181
    results = {page.page_id: result for page, result in benchmark_results}

    def body(page: BenchmarkPage) -> str:
        result = results[page.page_id]
        return result.text if isinstance(result, Article) else ""

    scores, _ = evaluate([page for page, _ in benchmark_results], body)
    assert scores.f1 >= 0.95, scores
    assert scores.precision >= 0.93 and scores.recall >= 0.95, scores


@needs_benchmark
def test_fast_extraction_trades_recall_for_speed_and_is_wired_to_its_setting(benchmark_results):
    """NEWSMON_EXTRACT_FAST skips trafilatura's fallbacks: still a usable extractor, but it
    keeps less of the text than the default, which is why it is off by default."""
    from scrapy.utils.test import get_crawler

    from newsmon.crawler.pipelines.process import ProcessPipeline
    pages = [page for page, _ in benchmark_results]
    default = {page.page_id: result for page, result in benchmark_results}
    fast = {page.page_id: extract_article(page.html, page.url, fast=True) for page in pages}

    def text(results):
        return lambda page: results[page.page_id].text if isinstance(results[page.page_id], Article) else ""

    slow_scores, _ = evaluate(pages, text(default))
    fast_scores, _ = evaluate(pages, text(fast))
    assert fast_scores.f1 >= 0.9, fast_scores
    assert fast_scores.recall < slow_scores.recall, (fast_scores, slow_scores)
    for flag in (True, False):
        crawler = get_crawler(settings_dict={"NEWSMON_EXTRACT_FAST": flag})
        assert ProcessPipeline.from_crawler(crawler).config.fast_extraction is flag


@needs_benchmark
def test_benchmark_pages_are_articles_not_listings(benchmark_results):
    """No real article of the benchmark may be mistaken for a listing or an empty page."""
    rejected = {page.url: result.reason for page, result in benchmark_results if isinstance(result, NotArticle)}
    assert not {url: reason for url, reason in rejected.items() if reason != "too_short"}, rejected
    assert len(rejected) <= 2, rejected


@needs_benchmark
def test_benchmark_metadata_is_mostly_present(benchmark_results):
    articles = [result for _, result in benchmark_results if isinstance(result, Article)]
    assert sum(bool(a.title) for a in articles) >= 0.95 * len(articles)
    assert sum(bool(a.published_at) for a in articles) >= 0.8 * len(articles)
    assert sum(a.language == "en" for a in articles) >= 150  # about 158 of the 181 pages are English
    assert all(a.canonical_url.startswith("http") and "#" not in a.canonical_url for a in articles)


@needs_benchmark
def test_benchmark_page_as_gzip_bytes_is_decoded():
    page = next(load_benchmark(BENCHMARK))
    result = extract_article(gzip.compress(page.html.encode("utf-8")), page.url)
    assert isinstance(result, Article), result
    assert result.text == extract_article(page.html, page.url).text
