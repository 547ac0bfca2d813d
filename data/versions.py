"""Reading an article's versions back and showing what changed between two of them.

It owns `article_history` (every version of one article, the stored text in
`articles` being the last), `compare` (the change between any two versions,
computed by the same SQL macros the writer uses for consecutive ones,
migration 010) and `render_diff`, a readable word-level diff of the texts
(difflib) under a summary: title, words added and removed, figures and
entities that appeared or disappeared.  Everything here only reads.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from newsmon.data.errors import ArticleNotFoundError, VersionNotFoundError
from newsmon.data.store.read import connect_read
from newsmon.data.store.versions import distinct_by


_FIND = """
SELECT article_id, canonical_url FROM articles WHERE canonical_url = $url OR url = $url
UNION ALL
SELECT a.article_id, a.canonical_url FROM pages p JOIN articles a ON a.canonical_url = p.canonical_url
WHERE p.url = $url
LIMIT 1
"""

# Every version of one article, the current one (in `articles`) last; same columns as article_versions.
_VERSIONS = """
WITH stored AS (
    SELECT version, stored_at, last_fetched_at, replaced_at, text_hash, title, description, text,
           annotated, figures, entities
    FROM article_versions WHERE article_id = $id
),
current AS (
    SELECT (SELECT coalesce(max(version), 0) + 1 FROM stored) AS version, a.updated_at AS stored_at,
           a.fetched_at AS last_fetched_at, NULL::TIMESTAMP AS replaced_at, a.text_hash, a.title,
           a.description, a.text, a.annotated,
           coalesce((SELECT list({'kind': kind, 'value': value, 'unit': unit, 'object': object, 'text': text,
                                  'start_char': start_char} ORDER BY start_char, kind)
                     FROM figures WHERE article_id = $id), []) AS figures,
           coalesce((SELECT list({'label': label, 'entity_id': entity_id, 'name': name} ORDER BY first, name)
                     FROM (SELECT m.label, m.entity_id, coalesce(any_value(e.name), min(m.canonical)) AS name,
                                  min(m.start_char) AS first
                           FROM mentions m LEFT JOIN entities e USING (entity_id)
                           WHERE m.article_id = $id
                           GROUP BY m.label, m.entity_id,
                                    CASE WHEN m.entity_id IS NULL THEN lower(m.canonical) END)), []) AS entities
    FROM articles a WHERE a.article_id = $id
)
SELECT * FROM stored UNION ALL SELECT * FROM current ORDER BY version
"""

_COMPARE = f"""
WITH v AS ({_VERSIONS})
SELECT a.title IS DISTINCT FROM b.title AS title_changed,
       version_bag_gain(version_word_bag(a.text), version_word_bag(b.text)) AS words_added,
       version_bag_gain(version_word_bag(b.text), version_word_bag(a.text)) AS words_removed,
       CASE WHEN a.annotated AND b.annotated
            THEN {distinct_by("version_figures_missing(b.figures, a.figures)", "version_figure_key")}
            ELSE [] END AS figures_added,
       CASE WHEN a.annotated AND b.annotated
            THEN {distinct_by("version_figures_missing(a.figures, b.figures)", "version_figure_key")}
            ELSE [] END AS figures_removed,
       CASE WHEN a.annotated AND b.annotated
            THEN {distinct_by("version_entities_missing(b.entities, a.entities)", "version_entity_key")}
            ELSE [] END AS entities_added,
       CASE WHEN a.annotated AND b.annotated
            THEN {distinct_by("version_entities_missing(a.entities, b.entities)", "version_entity_key")}
            ELSE [] END AS entities_removed
FROM v a, v b WHERE a.version = $from AND b.version = $to
"""


@dataclass
class Version:
    number: int
    current: bool
    stored_at: datetime
    last_fetched_at: datetime
    replaced_at: datetime | None
    text_hash: str
    title: str | None
    description: str | None
    text: str
    annotated: bool
    figures: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)


@dataclass
class History:
    article_id: int
    url: str
    versions: list[Version]

    def version(self, number: int) -> Version:
        for v in self.versions:
            if v.number == number:
                return v
        raise VersionNotFoundError(f"{self.url} has versions 1 to {len(self.versions)}, not {number}")


@dataclass
class Change:
    url: str
    old: Version
    new: Version
    title_changed: bool
    words_added: int
    words_removed: int
    figures_added: list[dict]
    figures_removed: list[dict]
    entities_added: list[dict]
    entities_removed: list[dict]

    @property
    def facts_changed(self) -> bool:
        return bool(self.figures_added or self.figures_removed or self.entities_added or self.entities_removed)


def find_article(con: duckdb.DuckDBPyConnection, url: str) -> tuple[int, str]:
    """(article_id, canonical_url) of the article stored under `url` (canonical, as
    fetched, or any URL of the fetch record that led to it)."""
    row = con.execute(_FIND, {"url": url.strip()}).fetchone()
    if row is None:
        raise ArticleNotFoundError(f"no stored article has the URL {url!r}")
    return int(row[0]), row[1]


def article_history(db_path: Path | str, url: str, timeout: float = 30.0) -> History:
    """Every version of the article at `url`, oldest first (the stored text is the last)."""
    with connect_read(db_path, timeout=timeout) as con:
        article_id, canonical = find_article(con, url)
        rows = con.execute(_VERSIONS, {"id": article_id}).fetchall()
        columns = [d[0] for d in con.description]
    versions = []
    for row in rows:
        r = dict(zip(columns, row))
        versions.append(Version(
            number=r["version"], current=r["replaced_at"] is None, stored_at=r["stored_at"],
            last_fetched_at=r["last_fetched_at"], replaced_at=r["replaced_at"], text_hash=r["text_hash"],
            title=r["title"], description=r["description"], text=r["text"], annotated=r["annotated"],
            figures=list(r["figures"]), entities=list(r["entities"])))
    return History(article_id, canonical, versions)


def compare(db_path: Path | str, history: History, from_version: int | None = None,
            to_version: int | None = None, timeout: float = 30.0) -> Change:
    """The change from version `from_version` to `to_version` of `history`'s article
    (default: the last two; a history of one version compares it with itself)."""
    to_version = len(history.versions) if to_version is None else to_version
    from_version = max(to_version - 1, 1) if from_version is None else from_version
    old, new = history.version(from_version), history.version(to_version)
    with connect_read(db_path, timeout=timeout) as con:
        cur = con.execute(_COMPARE, {"id": history.article_id, "from": old.number, "to": new.number})
        row = dict(zip([d[0] for d in cur.description], cur.fetchone()))
    return Change(url=history.url, old=old, new=new, **{k: (list(v) if isinstance(v, list) else v)
                                                         for k, v in row.items()})


# -- rendering ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
_RED, _GREEN, _BOLD, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[1m", "\x1b[0m"


def figure_label(f: dict[str, Any]) -> str:
    return str(f.get("text") or f"{f.get('value')} {f.get('unit') or ''}").strip()


def entity_label(e: dict[str, Any]) -> str:
    return f"{e.get('name')} ({e.get('label')})"


def summary_lines(change: Change) -> list[str]:
    """The change in a few lines: versions, title, words, figures, entities."""
    old, new = change.old, change.new
    lines = [change.new.title or change.old.title or "(untitled)", change.url,
             f"version {old.number} (stored {_when(old.stored_at)}, last fetched {_when(old.last_fetched_at)})"
             f" -> version {new.number}{' (current' if new.current else ' ('}"
             f"{', ' if new.current else ''}stored {_when(new.stored_at)})"]
    if change.title_changed:
        lines.append(f"title: \u201c{old.title or ''}\u201d -> \u201c{new.title or ''}\u201d")
    lines.append(f"words: +{change.words_added} -{change.words_removed}")
    if not (old.annotated and new.annotated):
        lines.append("figures and entities: not compared (a version was stored without NLP)")
    for what, added, removed, label in (
            ("figures", change.figures_added, change.figures_removed, figure_label),
            ("entities", change.entities_added, change.entities_removed, entity_label)):
        parts = []
        if added:
            parts.append("appeared " + "; ".join(label(x) for x in added))
        if removed:
            parts.append("disappeared " + "; ".join(label(x) for x in removed))
        if parts:
            lines.append(f"{what}: " + ", ".join(parts))
    return lines


def render_diff(change: Change, color: bool = False) -> str:
    """The summary, then each changed paragraph with its words marked:
    [-removed-] and {+added+} (red and green with `color`)."""
    lines = summary_lines(change)
    if color:
        lines[0] = f"{_BOLD}{lines[0]}{_RESET}"
    lines.append("")
    old_paras, new_paras = _paragraphs(change.old.text), _paragraphs(change.new.text)
    matcher = difflib.SequenceMatcher(None, old_paras, new_paras, autojunk=False)
    hunks = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        hunks += 1
        lines.append(f"@@ paragraph {j1 + 1}{'' if j2 - j1 <= 1 else f'-{j2}'} @@")
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            lines.append(_word_diff(old_paras[i1 + k], new_paras[j1 + k], color))
        for para in old_paras[i1 + pairs:i2]:
            lines.append(_mark("-", para, color))
        for para in new_paras[j1 + pairs:j2]:
            lines.append(_mark("+", para, color))
        lines.append("")
    if not hunks:
        lines.append("(the texts differ only in white space)")
    return "\n".join(lines).rstrip("\n") + "\n"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def _word_diff(old: str, new: str, color: bool) -> str:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            out.append(_removed("".join(a[i1:i2]), color))
        if op in ("insert", "replace"):
            out.append(_added("".join(b[j1:j2]), color))
    return "~ " + "".join(out)


def _mark(sign: str, para: str, color: bool) -> str:
    if not color:
        return f"{sign} {para}"
    return f"{_RED if sign == '-' else _GREEN}{sign} {para}{_RESET}"


def _removed(text: str, color: bool) -> str:
    return f"{_RED}[-{text}-]{_RESET}" if color else f"[-{text}-]"


def _added(text: str, color: bool) -> str:
    return f"{_GREEN}{{+{text}+}}{_RESET}" if color else f"{{+{text}+}}"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "?"
