"""Counted, document-wide evidence about what a name is, where the NER model is unreliable.

Owns two readings of the text around every occurrence of a name, with the cue words of
``nlp/resources/entity_rules.toml``:

* ``organisation_names`` (``[org_evidence]``): names the model calls people (or places,
  products) that the text shows to be organisations -- a corporate suffix ("Vantor Inc."),
  a descriptor before the name or in apposition after it ("the online marketplace Lumora",
  "Lumora, one of Europe's largest online marketplaces"), what a company has ("Kahani's
  chief legal officer", "Vantor shareholders", "shares of Vantor"), a list introduced by a
  plural descriptor ("platforms including Chirply and Mercato Social"). A personal title
  before the name, an age after it, or a full person name of the document that ends in it
  keep it a person.
* ``person_names`` (``[person_evidence]``): names the model calls organisations that the
  text shows to be people -- a personal title, an age ("Anselm, 44,"), a role in
  apposition ("Ferrule's lawyer, Antoine Lefort,"), family ("Anselm's wife").

Each distinct cue adds its weight to the name (a cue repeated in the text counts once); the
names whose total reaches the threshold are returned, and ``nlp.entities`` labels them
alike in the whole document. A cue phrase that opens a sentence counts as in lower case
("Shares in Vantor fell").

Also owns two readings of the same cue words: ``appositive_bodies``, a name the model left
unlabelled in apposition to a company noun ("Inditex, the world's biggest fashion
retailer,"), and ``acts_as_person``, whether a name speaks ("Okafor said"), takes a
personal pronoun in its sentence or follows a given name ("Zach Parise's").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from newsmon.nlp.entities.context import ORG, PERSON, POSSESSIVES, RULE, Candidate, DocContext, make_candidate
from newsmon.nlp.entities.patterns import taken_tokens
from newsmon.nlp.entities.rules import EntityRules, OrgCues, PersonCues

log = logging.getLogger(__name__)

BEFORE_WINDOW = 60  # characters before a name searched for preceding cues
LIST_WINDOW = 160  # ... for "platforms including A, B and <name>"
_POSSESSIVE_ENDINGS = tuple(POSSESSIVES)  # str.startswith takes a tuple
PLACE_OR_THING = frozenset({"GPE", "LOC", "FAC", "PRODUCT"})
# Cues that say what a thing is; the only ones trusted for a name the model calls a place
# or a product ("the short-video app Ishani"), where "UK users" or "Brazil's workforce" mislead.
NAMING_KINDS = frozenset({"suffix", "before", "apposition", "one of"})
_NEVER = r"(?!)"
_STOPS = "|".join(sorted((re.escape(w) for w in STOP_WORDS if "'" not in w and "’" not in w),
                         key=len, reverse=True))
_NOT_STOP = rf"(?!(?i:{_STOPS})[ ])"
# Words allowed before a possessed noun ("Kahani's 190 million users"): lower case or numbers.
_LOWER_MODIFIER = rf"{_NOT_STOP}(?:[a-z][a-z-]*|\d[\d,.]*)[ ]"
# Words allowed between an article and a descriptor ("the Berlin-based online marketplace").
_MODIFIER = rf"{_NOT_STOP}[\w-]+[ ]"
# ... and after "one of", possessives too ("one of Europe's largest marketplaces").
_POSSESSIVE_MODIFIER = rf"{_NOT_STOP}[\w'’-]+[ ]"
# Names listed before this one: "platforms including Chirply, Pinbo and <name>".
_LISTED_NAMES = r"(?:[A-Z][\w.&'’-]*(?:[ ][A-Z][\w.&'’-]*){0,3}(?:,[ ]|,?[ ](?:and|or)[ ]))*"
# A descriptor ends its noun phrase: punctuation or a function word follows ("the
# marketplace that ...", "the operator of ..."), or a participle ("a group co-founded by"), not
# another noun ("the company founder").
_PHRASE_END = rf"(?=[,.;:!?)\]—–\n]|$|[ ](?:(?i:{_STOPS})(?![\w'’-])|[—–-])|[ ][\w-]+ed[ ](?:by|in)[ ])"
# A capitalised name of up to four words ("Whisperline", "Ferrule Labs").
_CAPITALISED_NAME = r"[A-Z][\w&'’.-]*(?:[ ][A-Z][\w&'’.-]*){0,3}"
_LONGER_NAME = re.compile(r"(?:['’]s)?[ ][A-Z]|-\w")  # "Emirates" in "Emirates Airline", "AI-generated"
_AGE = re.compile(r",[ ](?:1[01]\d|[1-9]\d?),")  # "Anselm, 44,"
# A capitalised word that opens a sentence or a line ("Shares in Vantor fell"): the cues are
# written in lower case.
_SENTENCE_START = re.compile(r"(?:(?<=[.!?][ ])|(?<=[.!?][\"”’][ ])|(?<=\n)|(?<=^))[A-Z](?=[a-z]+[ ])")


@dataclass(frozen=True)
class OrgPatterns:
    """The compiled organisation cues; "after" patterns match at a name's end, the others end at its start."""
    suffix: re.Pattern
    descriptor_before: re.Pattern
    preceding: re.Pattern
    listed: re.Pattern
    after: tuple[tuple[str, re.Pattern], ...]  # (kind, pattern)
    title: re.Pattern


@dataclass(frozen=True)
class PersonPatterns:
    """The compiled person cues."""
    title: re.Pattern
    role_before: re.Pattern
    after: tuple[tuple[str, re.Pattern], ...]  # (kind, pattern)


def organisation_names(ctx: DocContext, candidates: Iterable[Candidate]) -> dict[str, int]:
    """Names the model calls a person (or a place or product) whose organisation cues reach
    the threshold -> their weight. A known place takes only the cues that name a body
    (``NAMING_KINDS``: "Texas said it" is said of places too), a country or region none."""
    cues = ctx.rules.org_cues
    model_labels: dict[str, set[str]] = {}
    for c in candidates:
        if c.source == "model" and _name_like(c.text):
            model_labels.setdefault(c.text, set()).add(c.model_label)
    found = {}
    for name, labels in sorted(model_labels.items()):
        if PERSON in labels:
            kinds = None
        elif labels & PLACE_OR_THING:
            knowledge = ctx.knowledge
            if knowledge is not None and knowledge.region(name) is not None:
                continue  # "Magazine Luiza, Brazil's biggest retailer": the cues are the company's
            # "an analyst at Jefferies": a name no place list knows takes every cue
            kinds = NAMING_KINDS if knowledge is None or knowledge.place(name) is not None else None
        else:
            continue
        weight = organisation_weight(ctx, name, kinds)
        if weight is not None and weight >= cues.threshold:
            found[name] = weight
            log.debug("%r is an organisation (cue weight %d)", name, weight)
    return found


def organisation_weight(ctx: DocContext, name: str, kinds: frozenset[str] | None = None) -> int | None:
    """The total weight of the distinct organisation cues (of ``kinds``, default all) around
    ``name`` in the document; None when the document treats the name as a person."""
    if ctx.names_person(name, first_names=True):
        return None
    cues = ctx.rules.org_cues
    patterns = org_patterns(cues, ctx.rules.personal_titles)
    text = ctx.text
    found: dict[tuple[str, str], int] = {}
    for start, end in occurrences(text, name):
        if _LONGER_NAME.match(text, end) and not patterns.suffix.match(text, end):
            continue  # "Emirates" in "the carrier Emirates Airline": the cues are another name's
        if patterns.title.search(text, max(0, start - BEFORE_WINDOW), start) or _AGE.match(text, end):
            log.debug("%r stays a person: title or age at %d", name, start)
            return None
        found.update(org_cues_at(text, start, end, patterns, cues))
    return sum(weight for (kind, _), weight in found.items() if kinds is None or kind in kinds)


def org_cues_at(text: str, start: int, end: int, patterns: OrgPatterns,
                cues: OrgCues) -> dict[tuple[str, str], int]:
    """The organisation cues around one occurrence ``text[start:end]``: {(kind, cue text): weight}."""
    found = {}
    if patterns.suffix.match(text, end):
        found[("suffix", "")] = cues.suffix_weight
    window = max(0, start - BEFORE_WINDOW)
    # A capitalised descriptor right before a name is the name's own word ("Bank Indonesia")
    matches = [("before", patterns.descriptor_before.search(text, window, start))]
    if not text.startswith(_POSSESSIVE_ENDINGS, end):  # "a stake in Kylie Jenner's company"; "Shares in Vantor"
        matches.append(("preceding", patterns.preceding.search(_lowered_sentence_starts(text, window, start))))
    matches.append(("listed", patterns.listed.search(text, max(0, start - LIST_WINDOW), start)))
    matches += [(kind, pattern.match(text, end)) for kind, pattern in patterns.after]
    found.update(_weigh(matches, cues.strong_weight, cues.weak_weight))
    return found


def _lowered_sentence_starts(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with the first letter of each word that opens a sentence there in lower case."""
    piece = text[start:end]
    for m in _SENTENCE_START.finditer(text, start, end):
        i = m.start() - start
        piece = piece[:i] + piece[i].lower() + piece[i + 1:]
    return piece


def appositive_bodies(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """Capitalised words the model left unlabelled, in apposition to a noun for a company or body
    (the strong descriptors): "Inditex, the world's biggest fashion retailer,". Not a place the
    packages know, a name opening with a given name, or a common word opening a sentence
    ("Separately, the bank said")."""
    matches = list(_appositive_descriptor(ctx.rules.org_cues).finditer(ctx.text))
    if not matches:
        return []
    taken = taken_tokens(doc, candidates)
    knowledge = ctx.knowledge
    created = []
    for m in matches:
        span = doc.char_span(m.start(), m.start() + 1)
        if span is None or span.start == 0 or taken[span.start - 1]:
            continue
        comma = span.start
        run = ctx.title_run_ending_at(comma - 1)
        if run is None or any(taken[run[0]:run[1]]) or doc[comma - 1].idx + len(doc[comma - 1]) != doc[comma].idx:
            continue
        start, end = run
        first, text = doc[start].text, doc[start:end].text
        if text in ctx.people or ctx.names_person(text) or first in ctx.rules.calendar_words:
            continue
        if knowledge is not None and (
                knowledge.place(text) is not None
                or (knowledge.given_name(first) is not None and not doc[start].is_upper and end - start > 1)
                or (end - start == 1 and ctx.sentence_initial(start) and knowledge.common_word(first) is not None)):
            continue
        created.append(make_candidate(doc, start, end, "cue", label=ORG, strength=RULE,
                                      rule=f"pattern: in apposition to {m.group('noun')!r}"))
        taken[start:end] = b"\x01" * (end - start)
    return created


@lru_cache(maxsize=8)
def _appositive_descriptor(cues: OrgCues) -> re.Pattern:
    return re.compile(rf",[ ](?:the|a|an)[ ](?:{_POSSESSIVE_MODIFIER}){{0,4}}?"
                      rf"(?P<noun>{_alternatives(cues.strong.descriptors)}){_PHRASE_END}")


def take_corporate_suffix(doc, ctx: DocContext, c: Candidate) -> None:
    """"Vantor" + "Inc." -> "Vantor Inc." (the mention is the fullest form the text gives)."""
    if c.end < len(doc) and doc[c.end].text in ctx.rules.org_cues.corporate_suffixes and not ctx.ent_tokens[c.end]:
        c.end += 1
        c.text = doc[c.start:c.end].text
        c.note(f"span: took the corporate suffix {doc[c.end - 1].text!r}")


# --- people the model calls organisations --------------------------------------------


def person_names(ctx: DocContext, candidates: Iterable[Candidate]) -> dict[str, int]:
    """Names the model calls an organisation whose person cues reach the threshold and
    outweigh their organisation cues -> their weight."""
    cues = ctx.rules.person_cues
    names, known = set(), set()
    for c in candidates:
        if c.source != "model" or (c.start, c.end) in ctx.gazetteer_spans:
            known.add(c.text)
        elif c.model_label == ORG and c.text not in ctx.organisations and _person_shaped(c.text, ctx.rules):
            names.add(c.text)
    found = {}
    for name in sorted(names - known):
        weight = person_weight(ctx, name)
        if weight >= cues.threshold and weight > (organisation_weight(ctx, name) or 0):
            found[name] = weight
            log.debug("%r is a person (cue weight %d)", name, weight)
    return found


def person_weight(ctx: DocContext, name: str) -> int:
    """The total weight of the distinct person cues around ``name`` in the document."""
    cues = ctx.rules.person_cues
    patterns = person_patterns(cues, ctx.rules.personal_titles)
    text = ctx.text
    found: dict[tuple[str, str], int] = {}
    for start, end in occurrences(text, name):
        if _LONGER_NAME.match(text, end):
            continue
        window = max(0, start - BEFORE_WINDOW)
        matches = [("title", patterns.title.search(text, window, start)),
                   ("role", patterns.role_before.search(text, window, start))]
        matches += [(kind, pattern.match(text, end)) for kind, pattern in patterns.after]
        found.update(_weigh(matches, cues.strong_weight, cues.weak_weight))
        if _AGE.match(text, end):
            found[("age", "")] = cues.strong_weight
    return sum(found.values())


# What a person does right after the name: speaks ("Mendez said", "Mendez, who"), or a
# personal pronoun follows in the same sentence ("Mendez ... his").
_SPEAKS = re.compile(r"[ ](?:said|says|told|added|explained|wrote|recalled|insisted|admitted)(?![\w-])|,[ ]who[ ]")
_WORD_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+)[ ]$")
_PERSONAL_PRONOUN = re.compile(r"[^.!?\n]{0,80}?(?<![\w'’-])(?:he|she|his|her|him)(?![\w'’-])")


def acts_as_person(ctx: DocContext, name: str) -> bool:
    """An occurrence of ``name`` speaks, is followed by a personal pronoun in its sentence, or
    follows a given name ("Zach Parise's goal", a full name the model did not label)."""
    text, knowledge = ctx.text, ctx.knowledge
    for start, end in occurrences(text, name):
        if _SPEAKS.match(text, end) or _PERSONAL_PRONOUN.match(text, end):
            return True
        before = _WORD_BEFORE.search(text, max(0, start - 30), start)
        if before and knowledge is not None and knowledge.plain_given_name(before.group(1)) is not None:
            return True
    return False


_INITIALS = re.compile(r"^(?:[A-Z]\.)+$")


def _person_shaped(name: str, rules: EntityRules) -> bool:
    """One to three capitalised words, none of them an organisation word ("Bank", "Inc."), the
    first may be initials ("R.M.A.L. Rathnayake", "U. Vimal Kumar")."""
    words = name.split()
    if not 1 <= len(words) <= 3 or any(tuple(words[:len(p)]) == p for p in rules.org_prefixes):
        return False
    if len(words) > 1 and _INITIALS.match(words[0]):
        words = words[1:]
    return all(w[:1].isupper() and any(ch.islower() for ch in w) and all(ch.isalpha() or ch in "-'’." for ch in w)
               and w not in rules.org_heads and w not in rules.org_cues.corporate_suffixes for w in words)


# --- shared ------------------------------------------------------------------------------


def _weigh(matches: Iterable[tuple[str, re.Match | None]], strong: int, weak: int) -> dict[tuple[str, str], int]:
    """{(kind, cue text): weight} of the matches of tiered patterns."""
    found = {}
    for kind, match in matches:
        if match is None:
            continue
        if "strong" not in match.re.groupindex:
            found[(kind, match.group().lower())] = strong
            continue
        tier = "strong" if match.group("strong") is not None else "weak"
        found[(kind, match.group(tier).lower())] = strong if tier == "strong" else weak
    return found


def occurrences(text: str, name: str) -> Iterator[tuple[int, int]]:
    """Character spans where ``name`` occurs as whole words."""
    pos = text.find(name)
    while pos != -1:
        end = pos + len(name)
        if (pos == 0 or not text[pos - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            yield pos, end
        pos = text.find(name, end)


def _name_like(text: str) -> bool:
    return text[:1].isupper() and not any(ch.isdigit() for ch in text)


# --- patterns ------------------------------------------------------------------------


@lru_cache(maxsize=8)
def org_patterns(cues: OrgCues, personal_titles: tuple[str, ...]) -> OrgPatterns:
    strong, weak = cues.strong, cues.weak
    codes = [s for s in cues.corporate_suffixes if len(s) == 2 and s.isupper()]
    return OrgPatterns(
        suffix=re.compile(rf"(?:[ ](?:{_alternatives(cues.corporate_suffixes)})"
                          rf"|,[ ](?:{_alternatives(s for s in cues.corporate_suffixes if s not in codes)}))(?!\w)"),
        descriptor_before=re.compile(rf"(?<![\w'’-]){_not_after(cues.verb_context)}"
                                     rf"{_tiers(strong.descriptors, weak.descriptors)}[ ]$"),
        preceding=re.compile(rf"(?<![\w'’-]){_tiers(strong.preceding, weak.preceding)}[ ]$"),
        listed=re.compile(rf"(?<![\w'’-]){_tiers(_plurals(strong.descriptors), _plurals(weak.descriptors))}"
                          rf",?[ ](?:including|such[ ]as|like)[ ]{_LISTED_NAMES}$"),
        after=(
            ("possessed", re.compile(
                rf"['’]s?[ ](?:{_LOWER_MODIFIER}){{0,3}}?{_tiers(strong.possessed, weak.possessed)}(?![\w-])")),
            ("attributive", re.compile(rf"[ ]{_tiers(strong.attributive, weak.attributive)}(?![\w-])")),
            ("apposition", re.compile(
                rf",[ ](?:the|a|an)[ ](?:{_MODIFIER}){{0,3}}?{_tiers(strong.descriptors, weak.descriptors)}"
                rf"{_PHRASE_END}")),
            ("one of", re.compile(
                rf",[ ]one[ ]of[ ](?:the[ ])?(?:{_POSSESSIVE_MODIFIER}){{0,4}}?"
                rf"{_tiers(_plurals(strong.descriptors), _plurals(weak.descriptors))}{_PHRASE_END}")),
            ("following", re.compile(rf"[ ]?{_tiers(strong.following, weak.following)}(?![\w-])")),
        ),
        title=_title_pattern(personal_titles),
    )


@lru_cache(maxsize=8)
def person_patterns(cues: PersonCues, personal_titles: tuple[str, ...]) -> PersonPatterns:
    roles = _alternatives(cues.roles)
    return PersonPatterns(
        title=_title_pattern(personal_titles),
        # "Ferrule's lawyer, X", "the founder of Ferrule, X"
        role_before=re.compile(rf"(?<![\w'’-])(?:{roles})(?:[ ](?:of|at|for)[ ](?:the[ ])?{_CAPITALISED_NAME})?"
                               rf",[ ]$"),
        after=(
            # "X, Whisperline's vice-president for ...", "X, the founder of ..."
            ("role", re.compile(rf",[ ](?:(?:the|a|an|its|their)[ ]|{_CAPITALISED_NAME}['’]s[ ])"
                                rf"(?:{_MODIFIER}){{0,3}}?(?:{roles}){_PHRASE_END}")),
            ("possessed", re.compile(rf"['’]s[ ](?:{_alternatives(cues.possessed)})(?![\w-])")),
            ("following", re.compile(rf"[ ]?{_tiers((), cues.following)}(?![\w-])")),
        ),
    )


def _title_pattern(titles: Iterable[str]) -> re.Pattern:
    return re.compile(rf"(?<![\w.])(?:{_alternatives(titles)})[ ]$")


def _not_after(words: Iterable[str]) -> str:
    """Lookbehinds: not right after one of ``words`` and a space."""
    return "".join(rf"(?<!{_boundary(w)}{re.escape(w)}[ ])" for w in words)


def _boundary(word: str) -> str:
    return r"\b" if word.isalpha() else ""  # "n't" ends "didn't"


def _tiers(strong: Iterable[str], weak: Iterable[str]) -> str:
    return rf"(?:(?P<strong>{_alternatives(strong)})|(?P<weak>{_alternatives(weak)}))"


def _alternatives(phrases: Iterable[str]) -> str:
    """Phrases as a regex alternation, longest first; "*" is any one lower-case word."""
    unique = sorted(set(phrases), key=len, reverse=True)
    return "|".join(_phrase(p) for p in unique) or _NEVER


def _phrase(phrase: str) -> str:
    return "[ ]".join(r"[a-z][a-z-]*" if word == "*" else re.escape(word) for word in phrase.split())


def _plurals(words: Iterable[str]) -> tuple[str, ...]:
    """"company" -> "companies", "marketplace" -> "marketplaces" (the last word of a phrase)."""
    return tuple(_plural(w) for w in words)


def _plural(phrase: str) -> str:
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        return phrase[:-1] + "ies"
    if phrase.endswith(("s", "x", "ch", "sh")):
        return phrase + "es"
    return phrase + "s"


def cued_body(ctx: DocContext, c: Candidate, shape: str) -> bool:
    """A name of common words that any organisation cue around it keeps a body ("promoted by
    Live Nation", "the journal Scientific Reports", "the charity Yorkshire Cancer Research"):
    such a name is no person, so one weak cue is enough. The trace notes it."""
    weight = organisation_weight(ctx, c.text)
    if not weight:
        return False
    c.note(f"org: {shape}, but organisation cues around it (weight {weight}) keep the model's body")
    return True
