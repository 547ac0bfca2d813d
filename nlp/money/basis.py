"""The legal basis of a fine: the law a text names near it.

Owns `find_laws` (every law named in a text, by its shape: a run of capitalised words
ending in Act, Law, Regulation, Directive, Code...; "Law 25", "Article 17"; or a known
acronym such as DSA, GDPR, NetzDG), `basis_near` (the law named in the fine's own
sentence, else the one named nearest to it in its paragraph) and `basis_in` (the one law
named in given sentences: those naming the fine's authority, "As the lead authority under
the GDPR, the DPC acted ..." a paragraph after the fine). An acronym becomes its
full name, from the text ("Digital Markets Act (DMA)") or from the table in
nlp/resources/money.toml, so one law has one name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from newsmon.nlp.money.lexicon import MoneyLexicon

_CONNECTORS = r"(?:of|and|or|on|for|the|to|in|de|des|du|la|le|über)"
_WORD = r"[A-Z][\w'’&.-]*"


@dataclass(frozen=True)
class Law:
    start: int
    end: int
    name: str


class LawFinder:
    def __init__(self, lex: MoneyLexicon) -> None:
        suffixes = "|".join(sorted(lex.basis_suffixes, key=len, reverse=True))
        # ... not followed by another capitalised word: "National Company Law Appellate
        # Tribunal" is a court, not a law
        self.named = re.compile(
            rf"\b{_WORD}(?:\s+(?:{_WORD}|{_CONNECTORS}))*?\s+(?:{suffixes})\b(?:\s+\d+)?(?!\s+[A-Z][a-z])")
        self.numbered = re.compile(r"\b(?:Law|Bill|Article|Section)\s+\d+[A-Za-z]?\b")
        acronyms = sorted(lex.basis_acronyms, key=len, reverse=True)
        self.acronym = re.compile(r"\b(" + "|".join(re.escape(a) for a in acronyms) + r")\b")
        self.table = lex.basis_acronyms
        self.defined = re.compile(r"\s*\(([A-Za-z][A-Za-z0-9-]{1,9})\)")

    def find_laws(self, text: str, names: list[tuple[int, int]] = ()) -> list[Law]:
        """The laws a text names, in order; none inside `names` (the char spans of bodies:
        "State Administration for Market Regulation" is a regulator)."""
        laws: list[Law] = []
        expansions = dict(self.table)
        for m in self.named.finditer(text):
            defined = self.defined.match(text, m.end())
            name = _clean(m.group(), defined.group(1) if defined else None)
            if name is None:
                continue
            laws.append(Law(m.start(), m.end(), name))
            if defined:
                expansions[defined.group(1)] = name
        for m in self.numbered.finditer(text):
            if not any(law.start <= m.start() < law.end for law in laws):
                laws.append(Law(m.start(), m.end(), m.group()))
        for m in self.acronym.finditer(text):
            if not any(law.start <= m.start() < law.end for law in laws):
                laws.append(Law(m.start(), m.end(), expansions.get(m.group(1), m.group(1))))
        for m in re.finditer(r"\b([A-Z][A-Za-z]{1,9})\b", text):  # acronyms the text defined
            if m.group(1) in expansions and m.group(1) not in self.table and not any(
                    law.start <= m.start() < law.end for law in laws):
                laws.append(Law(m.start(), m.end(), expansions[m.group(1)]))
        laws = [law for law in laws if not any(law.start < e and s < law.end for s, e in names)]
        return sorted(laws, key=lambda law: law.start)


def _clean(name: str, acronym: str | None = None) -> str | None:
    """Drop a leading "The"/"Under"/"Its" and possessives: "Quebec's Law 25" is "Law 25";
    but "Children's Online Privacy Protection Act (COPPA)": the acronym keeps the "C"."""
    if acronym and _initials(name) == acronym.upper():
        return name
    if " the " in name:  # "In March the Online Safety Act": the name starts after "the"
        tail = name.rsplit(" the ", 1)[1]
        if len(tail.split()) >= 2:
            name = tail
    words = name.split()
    while words and (words[0] in ("The", "Under", "Its", "Their", "A", "An", "New", "This", "That")
                     or words[0].endswith(("'s", "’s"))):
        words = words[1:]
    while words and words[0].islower():
        words = words[1:]
    if len(words) < 2 and not re.search(r"\d", " ".join(words)):
        return None  # a bare "Act" or "Law"
    return " ".join(words)


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def basis_near(laws: list[Law], text: str, sentence_start: int, sentence_end: int,
               other_fines: Iterable[tuple[int, int]] = ()) -> str | None:
    """The law named in [sentence_start, sentence_end), else the nearest one in the same
    paragraph (a line: a law named paragraphs away is another matter's) that is not named
    in the sentence of another fine (`other_fines`: their char spans; that law is theirs)."""
    inside = [law for law in laws if sentence_start <= law.start < sentence_end]
    if inside:
        return inside[0].name
    laws = [law for law in laws if not any(s <= law.start < e for s, e in other_fines)]
    first = text.rfind("\n", 0, sentence_start)
    last = text.find("\n", sentence_end)
    paragraph = [law for law in laws if first < law.start and (last < 0 or law.start < last)]
    if not paragraph:
        return None
    nearest = min(paragraph, key=lambda law: min(abs(law.start - sentence_start), abs(law.start - sentence_end)))
    return nearest.name


def basis_in(laws: list[Law], spans: list[tuple[int, int]]) -> str | None:
    """The law named inside the char `spans`, when they name exactly one (several: which
    one the fine was imposed under is not said)."""
    names = {law.name for law in laws if any(s <= law.start < e for s, e in spans)}
    return names.pop() if len(names) == 1 else None
