"""Step 1 of the entity pass: the candidate name spans of a document.

Owns cutting the NER model's entities into clean name spans (at line breaks, separators,
possessives and lower-case words; titles, edge punctuation and a leading "the" removed),
the gazetteer's matches that the text confirms, and the choice among overlapping spans
(patterns beat the gazetteer beats the model).
"""

from __future__ import annotations

import logging
import re

from spacy.tokens import Doc, Span

from newsmon.nlp.entities import credits, lineups, patterns, platform
from newsmon.nlp.entities.possessives import possessive_bodies, split_possessive
from newsmon.nlp.entities.joins import (
    given_name_before, given_name_then_particles, hyphenated_given_names, join_and_pairs, join_comma_lists,
    join_for_pairs, join_place_pairs, join_subject_lists, particle_tail, split_and_pair, split_pairing,
)
from newsmon.nlp.entities.context import (
    GAZETTEER, ORG, PERSON, POSSESSIVES, QUOTES, SOURCE_PRIORITY, Candidate, DocContext, line_bounds, make_candidate,
)
from newsmon.nlp.entities.rules import EntityRules
from newsmon.nlp.entities.shapes import given_name_first, hyphen_joined
from newsmon.nlp.gazetteer import Gazetteer, Organisation

log = logging.getLogger(__name__)

MODEL_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "WORK_OF_ART",
                          "EVENT", "LAW", "LANGUAGE"})
CONFIRMING_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "FAC", "PERSON"})
SPLITTERS = frozenset({",", ";", "|", "(", ")", "[", "]", "—", "–", "/", "•", ":",
                       "\"", "“", "”", "«", "»", "@", "=", "--", "#"})
HEAD_BREAKS = frozenset({"of", "on", "for", "in"})
WORD_BEFORE_NAME_ZIPF = 3.0  # an English word this common before a given name is a role, not a name ("Fullback")
_LIST_NUMBER = re.compile(r"^\d+[.)]?$")  # "1." before a listed name
# one item of a results, standings or box-score line: "Nashville SC 3", "Ottawa 27", closed by a
# comma, a semicolon, a bracket, a dash or the line's end ("Nashville SC 3, Charlotte FC 1"), or
# by one counted word and a stop ("Osas Osaro 3 goals, 1 assist.")
_SCORE_ITEM = re.compile(
    r"[A-Z][\w.'’&-]*(?:[ \t][A-Z][\w.'’&-]*){0,3}[ \t]\d{1,3}"
    r"(?=[ \t]*(?:[,;(—–]|$)|[ \t][a-z]+[,.;])", re.M)


def find_candidates(doc: Doc, ctx: DocContext, gazetteer: Gazetteer, spans_key: str) -> list[Candidate]:
    if spans_key in doc.spans:
        ctx.gazetteer_spans = {(s.start, s.end) for s in doc.spans[spans_key]}
    found = patterns.dateline(doc, ctx)
    model = model_candidates(doc, ctx)
    listed = gazetteer_candidates(doc, ctx, gazetteer, spans_key)
    found += (patterns.copyright_holders(doc, ctx) + credits.wire_credits(doc, ctx) + credits.photo_credits(doc, ctx)
              + credits.single_credits(doc, ctx) + credits.issuers(doc, ctx) + credits.bylines(doc, ctx)
              + patterns.offices(doc, ctx) + possessive_bodies(doc, ctx)
              + platform.platform_x(doc, ctx) + platform.site_names(doc, ctx) + lineups.lineups(doc, ctx)
              + hyphenated_given_names(doc, ctx))
    found += patterns.acronyms(doc, ctx, [c for c in model if c.model_label == ORG] + listed)
    return resolve_overlaps(doc, ctx, found + listed + model)


def model_candidates(doc: Doc, ctx: DocContext) -> list[Candidate]:
    found = []
    ents = ctx.ents
    for k, ent in enumerate(ents):
        if (ent.label_ not in MODEL_LABELS or ent.label_ == "NORP" and _nationality_of_body(doc, ctx, ent, ents, k)
                or ent.label_ == "GPE" and k > 0 and (_of_place(doc, ctx, ents, k - 1)
                                                      or _campus(doc, ctx, ents, k - 1))):
            continue
        start, end, ent_label = ent.start, ent.end, ent.label_
        if k > 0 and ent_label == ORG and _nationality_of_body(doc, ctx, ents[k - 1], ents, k - 1):
            start = ents[k - 1].start  # "Chinese" + "Foreign Ministry"
        if ent_label == ORG and (place_end := _of_place(doc, ctx, ents, k)):
            end = place_end  # "National Research Foundation" + "of" + "Korea"
        if (end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
                and not doc[end].whitespace_ and doc[end + 1].is_alpha
                and (ent_label == PERSON or ent_label == ORG and given_name_first(doc, ctx, ent.start, end + 2))):
            end += 2  # "Kang Yoon" + "-ah", "Hirokazu Kore" + "-eda": a hyphenated name stays whole
        if ent_label == PERSON and ctx.knowledge is not None and ctx.knowledge.given_name(doc[start].text):
            end = particle_tail(doc, ctx, end)
        if ent_label == PERSON or ent_label == ORG and given_name_first(doc, ctx, start, end):
            start = given_name_before(doc, ctx, start)
        pieces = clean_pieces(doc, ctx, start, end, ent_label)
        if ent_label == ORG and len(pieces) == 1 and pieces[0][1] == end and (campus := _campus(doc, ctx, ents, k)):
            pieces = [(pieces[0][0], campus)]  # "University of California" + "," + "San Francisco"
        fragment = len(pieces) > 1
        if ent_label == ORG and not fragment:
            pieces = split_pairing(doc, ctx, *pieces[0]) if pieces else pieces
        if ent_label in (ORG, "GPE") and len(pieces) == 1:
            pieces = split_and_pair(doc, ctx, *pieces[0], ent_label)  # each part a name known alone
        for start, end in pieces:
            found.append(make_candidate(doc, start, end, "model", model_label=ent_label, fragment=fragment))
    found = join_comma_lists(doc, ctx, join_and_pairs(doc, ctx, join_place_pairs(doc, ctx, found)))
    return join_subject_lists(doc, ctx, join_for_pairs(doc, ctx, found))


def _nationality_of_body(doc: Doc, ctx: DocContext, norp, ents, k: int) -> bool:
    """A one-word nationality right before a body's generic name ("Chinese" + "Foreign
    Ministry", "Indian" + "Army"): the body's name includes it, as the text gives it."""
    if norp.label_ != "NORP" or len(norp) != 1 or k + 1 >= len(ents) or not norp.text[:1].isupper():
        return False
    body = ents[k + 1]
    return (body.label_ == ORG and body.start == norp.end and norp[-1].whitespace_ == " "
            and doc[body.end - 1].text in ctx.rules.strong_heads
            and all(t.is_title for t in body))


def _of_place(doc: Doc, ctx: DocContext, ents, k: int) -> int:
    """The end of a place after "of" that the model cut from a body's name ("National Research
    Foundation" + "of Korea", "Federal Reserve Bank" + "of New York"): the model's place
    entity, or a known place of up to three capitalised words; 0 when there is none."""
    body = ents[k]
    if body.label_ != ORG or body.end + 1 >= len(doc) or doc[body.end].text != "of" or not doc[body.end - 1].is_title:
        return 0
    start = body.end + 1
    if k + 1 < len(ents) and ents[k + 1].start == start:
        end = ents[k + 1].end if ents[k + 1].label_ == "GPE" else 0
    else:
        end = next((e for e in range(min(start + 3, len(doc)), start, -1)
                    if all(t.is_title for t in doc[start:e]) and ctx.knowledge is not None
                    and not any(ctx.ent_tokens[start:e]) and ctx.knowledge.place(doc[start:e].text) is not None), 0)
    return end


def _campus(doc: Doc, ctx: DocContext, ents, k: int) -> int:
    """The end of a city after a comma that the model cut from a body "of" a region ("University
    of California" + ", San Francisco", "University of Texas" + ", Austin": one name, as the
    campus is named); 0 when there is none, or when the city opens a list ("..., Austin and
    Dallas")."""
    body = ents[k]
    if (body.label_ != ORG or k + 1 >= len(ents) or ctx.knowledge is None or body.end + 1 >= len(doc)
            or doc[body.end].text != "," or ents[k + 1].label_ != "GPE" or ents[k + 1].start != body.end + 1):
        return 0
    words = [t.text for t in body]
    if "of" not in words:
        return 0
    region = ctx.knowledge.place(" ".join(words[len(words) - words[::-1].index("of"):]))
    city, after = ents[k + 1], ents[k + 1].end
    if region is None or region.kind != "region" or (fact := ctx.knowledge.place(city.text)) is None \
            or fact.kind != "city" or after < len(doc) and doc[after].lower_ in ("and", "or", "&"):
        return 0
    return city.end


def clean_pieces(doc: Doc, ctx: DocContext, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """Cut a span at line breaks and separators, then trim each piece to the name in it."""
    pieces, piece_start = [], start
    for i in range(start, end):
        token = doc[i]
        if token.is_space or "\n" in token.text or token.text in SPLITTERS and not _enumerated_name(doc, start, i, end):
            pieces.append((piece_start, i))
            piece_start = i + 1
    pieces.append((piece_start, end))
    cleaned = []
    for a, b in pieces:
        for c, d in split_possessive(doc, ctx, a, b, label):
            named = label == PERSON or label == ORG and given_name_then_particles(doc, ctx, c, d)
            parts = _split_lowercase(doc, ctx.rules, c, d, PERSON if named else label) if label in (PERSON, ORG) \
                else [(c, d)]
            parts = [piece for e, f in parts for piece in _split_person_of(doc, ctx, e, f)]
            for e, f in parts:
                if label == PERSON:
                    untitled = _strip_titles(doc, ctx.rules, e, f)
                    if untitled > e and all(t.text in ctx.rules.title_words for t in doc[untitled:f]):
                        continue  # "Lt Col": nothing but titles
                    e = _strip_role_prefix(doc, ctx, untitled, f)
                e = _strip_office_before_name(doc, ctx, e, f)
                if label == ORG and f - e > 2 and doc[e].text in ctx.rules.personal_titles:
                    e += 1  # "Dr Kassoum Traoré": the title says a person follows (cues.person_names)
                e, f = _strip_edges(doc, ctx, e, f, label)
                e = _strip_word_before_name(doc, ctx, e, f)
                if label == ORG:
                    f = _strip_trailing_titles(doc, ctx, e, f)
                    f = _strip_byline_word(doc, ctx, e, f)
                elif label == PERSON:
                    while f - e > 2 and doc[f - 1].text in ctx.rules.post_nominals:
                        f -= 1  # "Jonathan Crowther KC"
                f = _strip_score(doc, e, f)
                if f > e and any(ch.isalpha() for ch in doc[e:f].text):
                    cleaned.append((e, f))
    return cleaned


def _strip_role_prefix(doc: Doc, ctx: DocContext, start: int, end: int) -> int:
    """"Defender Myles Garrett", "Veteran Nollywood", "DL Myles Garrett": a capitalised job word,
    or a short position code before a given name, is no part of the name."""
    rules = ctx.rules
    while end - start > 1:
        token = doc[start]
        role_word = token.is_title and (token.lower_ in rules.roles or token.lower_ in rules.role_modifiers)
        code = (token.is_upper and len(token) <= 3 and ctx.knowledge is not None
                and ctx.knowledge.given_name(doc[start + 1].text) is not None and doc[start + 1].is_title)
        if not (role_word or code):
            break
        start += 1
    return start


def _strip_office_before_name(doc: Doc, ctx: DocContext, start: int, end: int) -> int:
    """"National Security Adviser Ajit Doval", "Foreign Affairs Minister Penny Wong": an
    office whose last word is a job, then a name that starts with a given name; the name
    alone is kept (the office is no body of its own)."""
    if ctx.knowledge is None:
        return start
    for i in range(end - 3, start, -1):  # the job word, with two or more words after it
        token = doc[i]
        if not (token.is_title and token.lower_ in ctx.rules.roles):
            continue
        rest = doc[i + 1:end]
        if (len(rest) <= 4 and all(t.is_title or t.text == "-" or hyphen_joined(doc, t.i, i + 1) for t in rest)
                and ctx.knowledge.given_name(rest[0].text) is not None):
            return i + 1
        return start
    return start


def _split_person_of(doc: Doc, ctx: DocContext, start: int, end: int) -> list[tuple[int, int]]:
    """"Helena Marsh of University College London", "Connor Hale of Sheffield": a given name and
    a known surname (Faker), then "of": the person, and what follows as a name of its own."""
    knowledge = ctx.knowledge
    if knowledge is None or end - start < 4 or doc[start + 2].lower_ != "of":
        return [(start, end)]
    given, surname = doc[start], doc[start + 1]
    if not (given.is_title and surname.is_title and knowledge.given_name(given.text)
            and knowledge.surname(surname.text) and not knowledge.common_word(surname.text)):
        return [(start, end)]
    rest = start + 4 if doc[start + 3].lower_ == "the" and end - start > 4 else start + 3
    return [(start, start + 2), (rest, end)]


def _strip_word_before_name(doc: Doc, ctx: DocContext, start: int, end: int) -> int:
    """"Fullback Dylan Edwards", "Superintendent Karen Whitfield": an English word (``wordfreq``,
    Zipf 3 or more) that is no given name, surname or place, before a given name and one more
    capitalised word that is no organisation or place word; the name alone is kept."""
    knowledge = ctx.knowledge
    if knowledge is None or end - start != 3:
        return start
    first, given, last = doc[start], doc[start + 1], doc[end - 1]
    rules = ctx.rules
    if not (first.is_title and first.is_alpha and len(first) >= 3 and given.is_title and last.is_title
            and last.is_alpha):
        return start  # not an initial: "K Venkatesh Gowda"
    if (knowledge.word_zipf(first.text) < WORD_BEFORE_NAME_ZIPF or knowledge.given_name(first.text)
            or knowledge.surname(first.text) or knowledge.place(first.text) or knowledge.given_name(given.text) is None
            or last.text in rules.org_heads or last.text in rules.place_heads or last.text in rules.non_org_heads
            or knowledge.place(doc[start + 1:end].text) or knowledge.place(doc[start:start + 2].text)):
        return start
    return start + 1


def _strip_trailing_titles(doc: Doc, ctx: DocContext, start: int, end: int) -> int:
    """"House of Representatives Speaker", "BART Police Chief": a title after a body's name."""
    while end - start > 1 and (doc[end - 1].text in ctx.rules.trailing_titles):
        end -= 1
        while end - start > 1 and (doc[end - 1].is_punct or doc[end - 1].is_lower):
            end -= 1
    return end


def _strip_byline_word(doc: Doc, ctx: DocContext, start: int, end: int) -> int:
    """"AP Photo" -> "AP", "AP Sports Writer" -> "AP", "Retail Correspondent" -> nothing: a
    byline's role or a credit's word ends no body's name; before it, a name of common English
    words is a desk, not a body, and so are common words after an agency's acronym."""
    if end - start < 2 or doc[end - 1].text not in ctx.rules.byline_words or ctx.knowledge is None:
        return end
    rest = doc[start:end - 1]
    if all(t.is_title and ctx.knowledge.common_word(t.text) and not ctx.knowledge.place(t.text) for t in rest):
        return start
    desk = end - 1
    while desk - 1 > start and doc[desk - 1].is_title and ctx.knowledge.common_word(doc[desk - 1].text):
        desk -= 1
    if desk < end - 1 and doc[desk - 1].is_upper:
        return desk  # "AP Sports Writer" -> "AP": an agency, then its desk
    return end - 1


def _strip_score(doc: Doc, start: int, end: int) -> int:
    """"Nashville SC 3, Charlotte FC 1", "Ottawa 27, New York 24", a box score's "Osas Osaro 3
    goals, 1 assist. Aden O'Hara 2 goals.": in a line of two or more names each followed by a
    number (and at most one lower-case word), the number is a score or a tally, not part of
    the name ("BBC Radio 1 in an interview", "Channel 4, which" stand alone and keep theirs)."""
    if end - start < 2 or not doc[end - 1].is_digit:
        return end
    text = doc.text
    items = _SCORE_ITEM.findall(text, *line_bounds(text, doc[start].idx, doc[end - 1].idx))
    if len(items) < 2 or doc[start:end].text not in items:
        return end
    return end - 1


def _enumerated_name(doc: Doc, start: int, comma: int, end: int) -> bool:
    """A comma inside a name that enumerates: "Council on Energy, Environment and Water"."""
    return (doc[comma].text == ","
            and any(t.lower_ in HEAD_BREAKS and t.is_lower for t in doc[start:comma])
            and any(t.lower_ in ("and", "&") for t in doc[comma + 1:end]))


def _split_lowercase(doc: Doc, rules: EntityRules, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """Names break at ordinary lower-case words ("marijuana legalization" -> nothing,
    "Thibaut Courtois to Real Madrid" -> two names)."""
    allowed = rules.particles if label == PERSON else rules.connectors
    pieces, piece_start = [], start
    for i in range(start, end):
        token = doc[i]
        if hyphen_joined(doc, i, start) and _compound_ending(token.text, rules):
            pieces.append((piece_start, i - 1))  # "Chris Waller-trained": the name before the hyphen
            piece_start = i + 1
            continue
        if hyphen_joined(doc, i, start) or (label == ORG and token.text.title() in rules.org_heads and i == end - 1):
            continue  # "Tsai Ing-wen", "the Communist party"
        if (token.is_lower and token.is_alpha and token.text not in allowed) or (label == PERSON and token.like_num):
            pieces.append((piece_start, i))
            piece_start = i + 1
    pieces.append((piece_start, end))
    return [(a, b) for a, b in pieces if b > a]


def _compound_ending(word: str, rules: EntityRules) -> bool:
    """"trained" in "Waller-trained", "based" in "Madrid-based": a describing compound's end,
    never part of a name ("Ing-wen", "Kore-eda", "Yoon-ah" are)."""
    return word.islower() and (word in rules.compound_endings or len(word) >= 3 and word.endswith("ed"))


def _strip_titles(doc: Doc, rules: EntityRules, start: int, end: int) -> int:
    changed = True
    while changed and start < end - 1:
        changed = False
        if doc[start].text not in rules.title_words:
            break
        for title in rules.titles:
            n = len(title)
            if start + n < end and tuple(t.text for t in doc[start:start + n]) == title:
                start += n
                changed = True
                break
    return start


def _strip_edges(doc: Doc, ctx: DocContext, start: int, end: int, label: str) -> tuple[int, int]:
    """Drop punctuation, quotes, possessives and stray lower-case words at both ends, and a
    leading "the" ("The" only at a sentence start or before a known name: "The Hill" stays)."""
    rules = ctx.rules
    while end > start:
        token = doc[end - 1]
        if token.text == "." and end - 1 > start and _abbreviated_suffix(doc[end - 2].text, rules):
            break  # "Home Depot Inc." keeps its full stop
        if end - 3 > start and token.is_digit and doc[end - 2].text in ("-", "–") and doc[end - 3].is_digit:
            end -= 3  # a score: "Iceland 0-0"
            continue
        if ((token.is_punct and token.text != "+") or token.text in QUOTES or token.text in POSSESSIVES
                or token.is_currency or _code_or_number(token.text)
                or (label == ORG and token.is_lower and token.is_alpha and token.text.title() not in rules.org_heads
                    and not (hyphen_joined(doc, end - 1, start) and given_name_first(doc, ctx, start, end)))):
            end -= 1
        else:
            break
    while start < end:
        token = doc[start]
        if (token.is_punct or token.text in QUOTES or _hashtag(doc, start, end) or token.text in POSSESSIVES
                or token.text == "the" or token.is_currency or _LIST_NUMBER.match(token.text)
                or (token.text in ("The", "THE")
                    and (ctx.sentence_initial(start) or (start + 1, end) in ctx.gazetteer_spans))
                or (token.is_lower and token.is_alpha and (label == ORG or token.is_stop))):
            start += 1
        else:
            break
    return start, end


def _hashtag(doc: Doc, start: int, end: int) -> bool:
    """"#Browns Greedy Williams": a word written as a hashtag opens no longer name (a hashtag
    alone, "#MeToo", stays what it is)."""
    return end - start > 1 and start > 0 and doc[start - 1].text == "#" and not doc[start - 1].whitespace_


def _code_or_number(text: str) -> bool:
    """A score, version, price, year or ticker at a name's end: "0-0", "4.2", "A$", "CMAL3", "2019"
    (not a short number that is part of the name: "Channel 4")."""
    if text.endswith(("$", "=")):
        return True
    if not any(ch.isdigit() for ch in text):
        return False
    return not text.isdigit() or len(text) >= 3


def _abbreviated_suffix(word: str, rules: EntityRules) -> bool:
    folded = word.casefold() + "."
    return any(folded == s.casefold() for s in rules.org_cues.corporate_suffixes if s.endswith("."))


def gazetteer_candidates(doc: Doc, ctx: DocContext, gazetteer: Gazetteer, spans_key: str) -> list[Candidate]:
    """Known organisations; an ambiguous form ("Apple", "X") needs the text to confirm it."""
    spans = list(doc.spans[spans_key]) if spans_key in doc.spans else []
    confirmed_orgs = {s.kb_id_ for s in spans if s.text not in gazetteer.by_name[s.kb_id_].ambiguous}
    model_labels = {(e.start, e.end): e.label_ for e in ctx.ents}
    token_labels = {i: e.label_ for e in ctx.ents for i in range(e.start, e.end)}
    in_person_names = {(doc[i].text, doc[i + 1].text)
                       for e in ctx.ents if e.label_ == PERSON for i in range(e.start, e.end - 1)}
    found = []
    for span in spans:
        org = gazetteer.by_name.get(span.kb_id_)
        if org is None or any(i in ctx.blocked for i in range(span.start, span.end)):
            continue
        if len(span) == 1 and _part_of_person_name(doc, span.start, in_person_names) \
                and not _after_slash(doc, span.start):
            continue  # "Nielsen" in "Teresa Nielsen Hayden"; not "Julien Morel/AFP"
        if span.text in org.ambiguous and not (
            org.name in confirmed_orgs
            or (not _the_common_noun(doc, span, org)
                and (model_labels.get((span.start, span.end)) in CONFIRMING_LABELS
                     or all(token_labels.get(i) == ORG for i in range(span.start, span.end))))
            or (span.start > 0 and doc[span.start - 1].lower_ in ctx.rules.cue_words)
        ):
            continue
        found.append(make_candidate(doc, span.start, span.end, "gazetteer", label=ORG, strength=GAZETTEER,
                                    rule=f"gazetteer:{org.name}",
                                    org=org))
    return found


def _the_common_noun(doc: Doc, span: Span, org: Organisation) -> bool:
    """"the Amazon", "the Brazilian Amazon": a company's or platform's ambiguous one-word form after
    "the" is the river or the thing, whatever the model says; only a cue word or the company's
    unambiguous form confirms it there ("the Fed", "the House" are no companies)."""
    if org.kind not in ("company", "platform") or len(span) != 1 or span.text.isupper():
        return False
    i = span.start - 1
    if i > 0 and doc[i].is_title and doc[i - 1].lower_ == "the":
        i -= 1  # "the Brazilian Amazon"
    return i >= 0 and doc[i].lower_ == "the"


def _part_of_person_name(doc: Doc, i: int, bigrams: set[tuple[str, str]]) -> bool:
    return ((i > 0 and (doc[i - 1].text, doc[i].text) in bigrams)
            or (i + 1 < len(doc) and (doc[i].text, doc[i + 1].text) in bigrams))


def resolve_overlaps(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates, strongest source first; a model span loses only the contested tokens."""
    names = [c for c in candidates if c.source == "model" and c.model_label in (PERSON, ORG) and c.length > 1]
    candidates = [c for c in candidates if not (c.source == "gazetteer" and _strictly_inside(c, names)
                                                and not _after_slash(doc, c.start))]
    order = sorted(candidates, key=lambda c: (-SOURCE_PRIORITY[c.source], -c.length, c.start))
    taken = bytearray(len(doc))
    kept = []
    for c in order:
        if not any(taken[c.start:c.end]):
            kept.append(c)
            taken[c.start:c.end] = b"\x01" * c.length
        elif c.source == "model":
            for start, end in _free_runs(taken, c.start, c.end):
                for a, b in clean_pieces(doc, ctx, start, end, c.model_label):
                    kept.append(make_candidate(doc, a, b, "model", model_label=c.model_label, fragment=True))
                    taken[a:b] = b"\x01" * (b - a)
    kept.sort(key=lambda c: c.start)
    return kept


def _strictly_inside(c: Candidate, names: list[Candidate]) -> bool:
    return any(n.start <= c.start and c.end <= n.end and n.length > c.length for n in names)


def _after_slash(doc: Doc, start: int) -> bool:
    """"Julien Morel/AFP": a photo credit's agency, which the model glues to the photographer."""
    return start > 0 and doc[start - 1].text == "/"


def _free_runs(taken: bytearray, start: int, end: int) -> list[tuple[int, int]]:
    runs, run_start = [], None
    for i in range(start, end):
        if not taken[i] and run_start is None:
            run_start = i
        elif taken[i] and run_start is not None:
            runs.append((run_start, i))
            run_start = None
    if run_start is not None:
        runs.append((run_start, end))
    return runs
