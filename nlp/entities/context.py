"""Shared state of one document's entity pass: candidate name spans and document facts.

Owns ``Candidate`` (a token span that may name a person or an organisation, with
the evidence gathered for it) and ``DocContext`` (facts about the document computed
once: lower-case words, sentence starts, tokens that cannot be names, names used as
places, the full person names the document gives, and the names its counted cues
make organisations or people).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span

from newsmon.nlp.entities.canonical import POSSESSIVE_S, POSSESSIVES, PersonName, split_name  # noqa: F401 (shared)
from newsmon.nlp.entities.knowledge import Knowledge
from newsmon.nlp.entities.rules import EntityRules
from newsmon.nlp.gazetteer import Organisation

PERSON, ORG, OTHER = "PERSON", "ORG", "OTHER"
QUOTES = frozenset({'"', "“", "”", "‘", "’", "'", "«", "»", "``", "''"})
OPENERS = QUOTES | {"(", "[", "—", "–", "-", ":"}
YEAR = re.compile(r"^(1[89]|2[01])\d\d$")  # a number that is a year, not a model or a count

_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")


@lru_cache(maxsize=8)
def _place_pattern(place_nouns: frozenset[str]) -> re.Pattern:
    """A run of capitalised words right before a lower-case place noun: "Logar province"."""
    nouns = "|".join(sorted(map(re.escape, place_nouns), key=len, reverse=True))
    return re.compile(rf"((?:[A-Z][\w.'’&-]*[ ]){{1,4}})(?:{nouns})\b")


# Evidence strength by source; higher wins the document-level vote per name.
NO_WEIGHT, WEAK, MODEL, RULE, STRONG, GAZETTEER, PATTERN, BLOCKED = 0, 1, 2, 3, 4, 4, 5, 6
STRENGTH_NAMES = {0: "no weight", 1: "weak", 2: "model", 3: "rule", 4: "strong", 5: "pattern", 6: "blocked"}
# Overlap priority: which kind of span keeps contested tokens.
SOURCE_PRIORITY = {"blocked": 6, "pattern": 5, "gazetteer": 4, "role": 3, "cue": 3, "model": 1}


@dataclass
class Candidate:
    start: int  # token offsets
    end: int
    text: str
    source: str  # pattern | gazetteer | role | cue | model
    model_label: str = ""  # the spaCy NER label of the span it came from
    label: str = OTHER
    strength: int = 0
    canonical: str | None = None
    org: Organisation | None = None  # the gazetteer entry, if any
    fragment: bool = False  # cut out of a longer model span at a line break or separator
    titled: bool = False  # a personal or job title stood before it ("Sen.", "President")
    trace: list[str] = field(default_factory=list)  # every rule that spoke, for --explain

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def origin(self) -> str:
        """Where the span came from, as the explain trace and the entity check name it."""
        return source_key(self.source, self.model_label)

    def decide(self, label: str, strength: int, rule: str = "unnamed rule") -> None:
        """Record evidence; stronger evidence replaces weaker. The trace keeps every piece."""
        taken = strength >= self.strength
        self.trace.append(f"{rule} -> {label} ({STRENGTH_NAMES.get(strength, strength)})"
                          + ("" if taken else " outweighed"))
        if taken:
            self.label, self.strength = label, strength

    def note(self, what: str) -> None:
        """Record a change that is not a label decision (a span trimmed, a canonical name)."""
        self.trace.append(what)


def source_key(source: str, model_label: str = "") -> str:
    """A candidate's origin as the explain trace writes it ("model ORG", "pattern")."""
    return f"model {model_label}" if source == "model" else source


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The character offsets of the line that holds ``text[start:end]`` (its line break excluded)."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


def make_candidate(doc: Doc, start: int, end: int, source: str, rule: str | None = None, **kwargs) -> Candidate:
    c = Candidate(start, end, doc[start:end].text, source, **kwargs)
    if c.label != OTHER:
        c.trace.append(f"{rule or source} -> {c.label} ({STRENGTH_NAMES.get(c.strength, c.strength)})")
    elif rule:
        c.trace.append(rule)
    return c


@dataclass
class DocContext:
    doc: Doc
    rules: EntityRules
    lower_words: set[str] = field(default_factory=set)
    sent_starts: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)  # token indices that cannot be names
    placeish: set[str] = field(default_factory=set)  # names seen right before a place noun
    ent_tokens: bytearray = field(default_factory=bytearray)  # 1 where the model found an entity
    people: dict[str, PersonName] = field(default_factory=dict)  # full person names
    text: str = ""
    gazetteer_spans: set[tuple[int, int]] = field(default_factory=set)  # token spans of known names
    organisations: set[str] = field(default_factory=set)  # names the organisation cues decide
    person_names: set[str] = field(default_factory=set)  # names the person cues decide
    teams: dict[str, str] = field(default_factory=dict)  # clubs named after places -> the cue (teams.py)
    knowledge: Knowledge | None = None  # places and given names (nlp.entities.knowledge)
    model_person_count: dict[str, int] = field(default_factory=dict)  # names the model only calls PERSON
    model_person_lead: set[str] = field(default_factory=set)  # names the model calls PERSON at least as often as not
    titled_names: set[str] = field(default_factory=set)  # one-word names a title stands before somewhere
    thing_acronyms: dict[str, str] = field(default_factory=dict)  # "HSI" -> "Hang Seng Index": not a body
    model_orgs: set[str] = field(default_factory=set)  # one-word names the model calls ORG somewhere
    ents: list[Span] = field(default_factory=list)  # the model's entities, read once (Doc.ents rebuilds them)
    texts: list[str] = field(default_factory=list)  # each token's text, read once
    lowers: list[str] = field(default_factory=list)  # each token's lower-case form, read once
    # how often each token's text stands not followed by a capitalised word ("Digital" in
    # "the Digital Platforms Forum" does not count)
    standalone_counts: Counter = field(default_factory=Counter)
    sport: bool | None = None  # a sport report (teams.sport_report), once read
    shop: tuple[str, ...] | None = None  # the text's first two listing lines (products.shop_page), once read

    def __post_init__(self) -> None:
        doc, rules = self.doc, self.rules
        self.text = doc.text  # Doc.text joins every token: compute it once
        self.ent_tokens = bytearray(len(doc))
        self.ents = list(doc.ents)
        for ent in self.ents:
            self.ent_tokens[ent.start:ent.end] = b"\x01" * (ent.end - ent.start)
            if ent.label_ == "ORG" and len(ent) == 1:
                self.model_orgs.add(ent.text)
        if doc.has_annotation("SENT_START"):
            self.sent_starts = {sent.start for sent in doc.sents}
        self.lower_words = set(_LOWER_WORD.findall(self.text))
        self.texts = texts = [t.text for t in doc]
        self.lowers = [t.lower() for t in texts]
        self.standalone_counts = Counter(
            text for text, after in zip(texts, texts[1:] + [""]) if not (after.istitle() and after.isalpha()))
        for match in _place_pattern(rules.place_nouns).finditer(self.text):
            words = match.group(1).split()
            while words and doc.vocab[words[0]].is_stop:
                words.pop(0)
            if words:
                self.placeish.add(" ".join(words))

    def title_run_ending_at(self, j: int, max_len: int = 4) -> tuple[int, int] | None:
        """The run of capitalised, non-stop-word tokens that ends at token ``j``."""
        doc = self.doc
        k = j
        while k >= 0 and j - k < max_len and _is_name_token(doc[k]) and k not in self.blocked:
            k -= 1
        return (k + 1, j + 1) if k < j else None

    def title_run_starting_at(self, i: int, max_len: int = 5) -> tuple[int, int] | None:
        doc = self.doc
        k = i
        while k < len(doc) and k - i < max_len and _is_name_token(doc[k]) and k not in self.blocked:
            k += 1
        return (i, k) if k > i else None

    def sentence_initial(self, i: int) -> bool:
        """Token ``i`` starts a sentence, a line, or a quotation that starts one."""
        doc = self.doc
        for _ in range(3):
            if i <= 0 or i in self.sent_starts or doc[i - 1].is_space or "\n" in doc[i - 1].text:
                return True
            if doc[i - 1].text not in OPENERS:
                return False
            i -= 1
        return False

    def common_word(self, text: str) -> bool:
        """The lower-case form of a one-word name occurs as an ordinary word in the text."""
        return " " not in text and text.lower() in self.lower_words and text.lower() != text

    # -- people named in full ---------------------------------------------------------

    def learn_people(self, names: list[str]) -> None:
        for text in names:
            name = split_name(text, self.rules.suffixes)
            if name.is_full and text not in self.organisations:
                self.people[text] = name

    def learn_organisations(self, names: set[str]) -> None:
        """Names the document's cues make organisations: they are no full person names."""
        self.organisations |= names
        for text in names:
            self.people.pop(text, None)

    def learn_person_names(self, names: set[str]) -> None:
        """Names the document's cues make people, whatever the model said; full ones name people."""
        self.person_names |= names
        self.learn_people(sorted(names))

    def names_person(self, text: str, first_names: bool = False) -> bool:
        """``text`` is the surname part of a full person name of this document.

        With ``first_names``, a first name alone counts too ("Cho" for "Cho Joo-Bin").
        """
        tokens = tuple(text.split())
        if not tokens or len(tokens) > 2:
            return False
        for name in self.people.values():
            if len(name.tokens) > len(tokens) and name.tokens[-len(tokens):] == tokens:
                return True
            if first_names and len(tokens) == 1 and name.tokens[0] == tokens[0]:
                return True
        return False


def _is_name_token(token) -> bool:
    text = token.text
    return (
        (token.is_title or (token.is_upper and len(text) > 1)
         or (text[:1].isupper() and any(c.islower() for c in text)))
        and not token.is_stop
        and not token.is_space
        and not token.like_num
        and not token.is_punct
    )
