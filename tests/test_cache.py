"""The on-disk cache of derived tables (nlp/cache.py) and the knowledge tables kept in it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newsmon.nlp import cache
from newsmon.nlp.cache import CACHE_DIR_VARIABLE, cached


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(path))
    return path


def counting_builder(value):
    calls = []

    def build():
        calls.append(1)
        return value
    return build, calls


def test_an_entry_is_built_once_and_read_back(folder, tmp_path):
    source = tmp_path / "builder.py"
    source.write_text("v1")
    build, calls = counting_builder({"Oslo": ("city", 700_000)})
    first = cached("tables", build, packages=("pycountry",), sources=(source,))
    second = cached("tables", build, packages=("pycountry",), sources=(source,))
    assert first == second == {"Oslo": ("city", 700_000)}
    assert len(calls) == 1
    assert [p.name.split("-")[0] for p in folder.iterdir()] == ["tables"]


def test_an_edited_builder_or_another_package_builds_anew_and_drops_the_old_entry(folder, tmp_path):
    source = tmp_path / "builder.py"
    source.write_text("v1")
    build, calls = counting_builder([1])
    cached("tables", build, packages=("pycountry",), sources=(source,))
    old = set(folder.iterdir())
    source.write_text("v2")
    cached("tables", build, packages=("pycountry",), sources=(source,))
    cached("tables", build, packages=("pycountry", "no-such-distribution"), sources=(source,))
    assert len(calls) == 3
    assert len(list(folder.iterdir())) == 1 and not old & set(folder.iterdir())


def test_a_corrupt_entry_is_built_again_and_replaced(folder, tmp_path, caplog):
    source = tmp_path / "builder.py"
    source.write_text("v1")
    build, calls = counting_builder("tables")
    cached("tables", build, packages=(), sources=(source,))
    [entry] = folder.iterdir()
    entry.write_bytes(entry.read_bytes()[:5])  # torn: a crash mid-write of another tool
    with caplog.at_level(logging.INFO, logger="newsmon.nlp.cache"):
        assert cached("tables", build, packages=(), sources=(source,)) == "tables"
    assert len(calls) == 2 and "unreadable" in caplog.text
    assert cached("tables", build, packages=(), sources=(source,)) == "tables" and len(calls) == 2


def test_an_unwritable_folder_or_off_only_costs_the_build(tmp_path, monkeypatch, caplog):
    source = tmp_path / "builder.py"
    source.write_text("v1")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(blocker / "cache"))
    build, calls = counting_builder(7)
    with caplog.at_level(logging.WARNING, logger="newsmon.nlp.cache"):
        assert cached("tables", build, packages=(), sources=(source,)) == 7
    assert "cannot write the cache entry" in caplog.text
    monkeypatch.setenv(CACHE_DIR_VARIABLE, "off")
    assert cache.cache_dir() is None
    assert cached("tables", build, packages=(), sources=(source,)) == 7
    assert len(calls) == 2 and sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "builder.py"]


def test_the_cached_knowledge_tables_equal_freshly_built_ones(folder):
    from newsmon.nlp.entities import knowledge

    def load():
        return cached("knowledge", knowledge._build_knowledge, packages=knowledge.KNOWLEDGE_PACKAGES,
                      sources=(Path(knowledge.__file__),))
    built = load()
    read = load()
    assert read is not built and read == built
    assert read.place("Raleigh").kind == "city" and read.given_name("Susannah") and read.surname("Okafor")
