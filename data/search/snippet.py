"""The passage of a hit that best shows why it matched, with the matched words marked.

Pure functions, no database.  Words are cut where the index cuts them (the fts
extension's tokenizer: digits, punctuation and white space separate words), so
a marked word is one the index saw.  Which words match is the caller's
question, answered by the same folding and stemming as the index (in SQL, see
query.py): "fined" and "fines" match a search for "fine", "Ofcom's" matches
"ofcom".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# the fts extension's default `ignore` class plus white space (see migration 006)
WORD = re.compile(r"[^0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/|'\"`\s-]+")
WIDTH = 32          # words in a passage
MARK = ("**", "**")  # around a matched word (Markdown bold: readable as plain text too)


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str


def words(text: str) -> list[Word]:
    """The words of `text` with their character offsets."""
    return [Word(m.start(), m.end(), m.group()) for m in WORD.finditer(text or "")]


def best_passage(tokens: list[Word], matches: Callable[[str], str | None],
                 width: int = WIDTH) -> tuple[int, int]:
    """The window of `width` words (start, stop indexes) with the most distinct matched
    terms, then the most matched words; the earliest such window.  `matches(word)` gives
    the query term a word matches, or None."""
    if len(tokens) <= width:
        return 0, len(tokens)
    terms = [matches(t.text) for t in tokens]
    counts: dict[str, int] = {}
    hits = 0

    def add(term: str | None, step: int) -> None:
        nonlocal hits
        if term:
            hits += step
            counts[term] = counts.get(term, 0) + step
            if not counts[term]:
                del counts[term]

    for term in terms[:width]:
        add(term, 1)
    best, best_key = 0, (len(counts), hits)
    for start in range(1, len(tokens) - width + 1):  # slide by one word
        add(terms[start - 1], -1)
        add(terms[start + width - 1], 1)
        if (len(counts), hits) > best_key:
            best, best_key = start, (len(counts), hits)
    if best_key[1] > 0:  # start a few words before the first match, for context
        first = next(i for i in range(best, best + width) if terms[i])
        best = max(0, min(first - 4, len(tokens) - width))
    return best, best + width


def render(text: str, tokens: list[Word], span: tuple[int, int],
           matches: Callable[[str], str | None], mark: tuple[str, str] = MARK) -> str:
    """The passage `span` of `text`, widened to whole white-space-separated words (so
    "Australia's" is not cut to "s"), white space folded, matched words between `mark`s,
    "…" where it was cut."""
    start, stop = span
    if start >= stop:
        return ""
    first = _word_start(text, tokens[start].start)
    last = _word_end(text, tokens[stop - 1].end)
    pieces: list[str] = []
    cursor = first
    for token in tokens[start:stop]:
        if matches(token.text):
            pieces.append(text[cursor:token.start])
            pieces.append(f"{mark[0]}{token.text}{mark[1]}")
            cursor = token.end
    pieces.append(text[cursor:last])
    passage = re.sub(r"\s+", " ", "".join(pieces)).strip()
    return ("…" if text[:first].strip() else "") + passage + ("…" if text[last:].strip() else "")


def _word_start(text: str, i: int) -> int:
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


def snippet(text: str, matches: Callable[[str], str | None], width: int = WIDTH,
            mark: tuple[str, str] = MARK) -> str:
    """The best passage of `text` for the query whose words `matches` recognises."""
    tokens = words(text)
    return render(text, tokens, best_passage(tokens, matches, width), matches, mark)


def distinct_words(texts: Iterable[str]) -> list[str]:
    """Every distinct word of `texts` (to fold and stem them in one query)."""
    return sorted({w.group() for text in texts for w in WORD.finditer(text or "")})
