"""A story's summary for the digest: its description, or the first sentences of its text.

It owns choosing the few lines a reader sees under a headline: the article's
own description when it says something the title does not, else the opening
sentences of the text (after a first line that only repeats the title), cut
at a sentence end within `limit` characters, or at a word with an ellipsis.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?][\"'”’)]?(?=\s|$)")
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def summarise(description: str | None, text: str | None, title: str | None, limit: int = 280) -> str:
    """The summary shown under a story's title ('' when there is nothing to say)."""
    title_key = _norm(title or "")
    description = _SPACE.sub(" ", description or "").strip()
    if len(description) >= 40 and _norm(description) != title_key and not title_key.startswith(_norm(description)):
        return _cut(description, limit)
    lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
    if lines and (_norm(lines[0]) == title_key or len(lines[0]) < 40 and not _SENTENCE_END.search(lines[0])):
        lines = lines[1:]  # the headline (or a dateline, a kicker) repeated at the top of the text
    return _cut(_SPACE.sub(" ", " ".join(lines)).strip(), limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit + 1) if m.end() >= limit // 3]
    if ends:
        return text[:ends[-1]]
    cut = text.rfind(" ", 0, limit - 1)
    return text[:cut if cut > 0 else limit - 1].rstrip(",;:—–- ") + "…"
