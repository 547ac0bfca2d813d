"""Tests for crawler/sources.py: loading, validation with file:line errors, selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.crawler.sources import (DEFAULT_SOURCES, FollowRules, Source, SourcesError, load_sources,
                             parse_sources, select)

GOOD = """\
# two outlets
[defaults]
language = "en"
delay = 1.5
concurrency = 3

[[source]]
name = "alpha-news"
homepage = "https://alpha.example/"
feeds = ["https://alpha.example/rss.xml"]
sitemaps = ["https://alpha.example/sitemap.xml"]
allowed_domains = ["cdn.alpha.example"]
[source.follow]
start = ["https://alpha.example/tech/"]
allow = ["/20\\\\d\\\\d/"]
deny = ["/tag/"]
depth = 3

[[source]]
name = "beta"
homepage = "https://www.beta.example/"
language = "de"
delay = 0.5
concurrency = 1
feeds = ["https://www.beta.example/feed"]

[[source]]
name = "gamma"
homepage = "https://gamma.example/"
enabled = false
[source.follow]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> SourcesError:
    with pytest.raises(SourcesError) as info:
        load_sources(write(tmp_path, text))
    return info.value


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [no for no, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def test_load_good_file_applies_defaults_and_overrides(tmp_path):
    sources = load_sources(write(tmp_path, GOOD))
    assert [s.name for s in sources] == ["alpha-news", "beta"]  # gamma is disabled
    alpha, beta = sources
    assert (alpha.language, alpha.delay, alpha.concurrency) == ("en", 1.5, 3)
    assert (beta.language, beta.delay, beta.concurrency) == ("de", 0.5, 1)
    assert alpha.follow == FollowRules(start=("https://alpha.example/tech/",),
                                       allow=(r"/20\d\d/",), deny=("/tag/",), depth=3)
    assert beta.follow is None
    everything = load_sources(write(tmp_path, GOOD), include_disabled=True)
    gamma = everything[-1]
    assert not gamma.enabled and gamma.follow.start == ("https://gamma.example/",)


def test_domains_and_ownership():
    alpha = parse_sources(GOOD)[0]
    assert set(alpha.domains) == {"alpha.example", "www.alpha.example", "cdn.alpha.example"}
    assert alpha.owns("https://img.cdn.alpha.example/x.png")
    assert alpha.owns("http://www.alpha.example:8080/2024/a.html")
    assert not alpha.owns("https://notalpha.example/")
    assert not alpha.owns("mailto:desk@alpha.example")
    local = Source(name="l", homepage="http://127.0.0.1:8000/", feeds=("http://127.0.0.1:8000/f",))
    assert local.domains == ("127.0.0.1",)


def test_follow_rules_candidates():
    rules = FollowRules(start=("https://a.example/",), allow=(r"/20\d\d/",), deny=("/tag/",))
    assert rules.is_candidate("https://a.example/2024/x.html")
    assert not rules.is_candidate("https://a.example/about/")
    assert rules.is_denied("https://a.example/tag/eu/")
    assert FollowRules(start=("https://a.example/",)).is_candidate("https://a.example/anything")


def test_typo_key_names_the_line_and_suggests(tmp_path):
    text = GOOD.replace('feeds = ["https://www.beta', 'feedz = ["https://www.beta')
    err = error_for(tmp_path, text)
    assert err.line == line_of(text, "feedz")
    assert str(err).startswith(f"{tmp_path / 'sources.toml'}:{err.line}: ")
    assert "unknown key 'feedz'" in str(err) and "did you mean 'feeds'" in str(err)
    assert "source 'beta'" in str(err)


@pytest.mark.parametrize("old,new,needle,expect", [
    ('depth = 3', 'dept = 3', "dept", "did you mean 'depth'"),
    ('allow = ["/20', 'allow = ["(20', 'allow = ["(20', "bad regex"),
    ('homepage = "https://gamma.example/"', 'homepage = "gamma.example"', 'homepage = "gamma',
     "not an http(s) URL"),
    ('language = "de"', 'language = "German"', 'language = "German"', "ISO 639-1"),
    ('concurrency = 1', 'concurrency = 0', 'concurrency = 0', "integer >= 1"),
    ('allowed_domains = ["cdn.alpha.example"]', 'allowed_domains = ["https://cdn.alpha.example/"]',
     "allowed_domains", "not a host name"),
    ('delay = 1.5', 'delay = "slow"', 'delay = "slow"', "[defaults]"),
    ('name = "beta"', 'name = "alpha-news"', 'name = "alpha-news"', "duplicate source name"),
    ('name = "beta"', 'name = "Beta News"', 'name = "Beta News"', "[a-z0-9-]+"),
])
def test_semantic_errors_name_the_offending_line(tmp_path, old, new, needle, expect):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    err = error_for(tmp_path, text)
    occurrence = 2 if "duplicate" in expect else 1
    assert err.line == line_of(text, needle, occurrence), str(err)
    assert expect in str(err)


def test_missing_homepage_points_at_the_source_name(tmp_path):
    text = GOOD.replace('homepage = "https://www.beta.example/"\n', "")
    err = error_for(tmp_path, text)
    assert err.line == line_of(text, 'name = "beta"')
    assert "missing 'homepage'" in str(err)


def test_source_without_any_mode_is_rejected(tmp_path):
    text = GOOD.replace('feeds = ["https://www.beta.example/feed"]\n', "")
    err = error_for(tmp_path, text)
    assert "at least one of 'feeds', 'sitemaps'" in str(err)
    assert err.line == line_of(text, 'name = "beta"')


def test_toml_syntax_error_names_the_line(tmp_path):
    text = GOOD.replace('delay = 0.5', 'delay = 0.5.5')
    err = error_for(tmp_path, text)
    assert err.line == line_of(text, "0.5.5")
    assert "invalid TOML" in str(err)


def test_unknown_top_level_table_and_missing_file(tmp_path):
    err = error_for(tmp_path, GOOD.replace("[defaults]", "[default]"))
    assert "did you mean 'defaults'" in str(err) and err.line == 2
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "nope.toml")
    with pytest.raises(SourcesError, match="no \\[\\[source\\]\\]"):
        parse_sources("[defaults]\nlanguage = 'en'\n")


def test_select_by_name():
    sources = parse_sources(GOOD)
    assert [s.name for s in select(sources, ["beta", "alpha-news"])] == ["beta", "alpha-news"]
    assert select(sources, None) == sources and select(sources, []) == sources
    with pytest.raises(SourcesError, match="unknown source 'alpa-news' \\(did you mean 'alpha-news'"):
        select(sources, ["alpa-news"])


@pytest.mark.skipif(not DEFAULT_SOURCES.is_file(), reason=f"{DEFAULT_SOURCES} not written yet")
def test_shipped_sources_file_is_valid():
    sources = load_sources(DEFAULT_SOURCES, include_disabled=True)
    assert sources and all(s.domains for s in sources)
