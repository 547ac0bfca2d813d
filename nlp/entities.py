"""People and organisations: the spaCy component ``"newsmon_entities"``.

Owns turning the NER model's guesses, the gazetteer matches (``nlp.gazetteer``) and
the news patterns (``nlp.entity_patterns``) into one consistent list of
``nlp.records.Mention`` per document, set as ``doc._.mentions``; the corrected
PERSON / ORG spans are written back to ``doc.ents``.

Steps, per document:

1. candidates: model entities cut at line breaks, commas and possessives, with
   leading "the", titles ("President", "Sen.") and trailing punctuation removed;
   gazetteer matches (ambiguous forms only when the text confirms them); patterns.
   Where spans overlap, patterns beat the gazetteer beats the model.
2. evidence per occurrence: label corrections (acronyms, platforms the model calls
   products, surnames of people named in full, words used as common nouns, product
   numbers, places, organisation-shaped names, roles, cue words, lists), and the
   counted cues of ``nlp.entity_cues`` for organisations the model calls people ("Vantor
   Inc.", "the online marketplace Lumora", "Kahani's chief legal officer") and people it
   calls organisations ("Anselm, 44,", "Ferrule's lawyer, Antoine Lefort,").
3. a vote per name over the whole document, so a name is labelled alike everywhere,
   then unlabelled occurrences of the names found are added.
4. canonical names (``nlp.canonical``).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from newsmon.nlp import entity_patterns as patterns
from newsmon.nlp.canonical import (company_canonicals, fullest_form, head_back_references,
                           person_canonicals)
from newsmon.nlp.entity_context import (
    BLOCKED, GAZETTEER, MODEL, ORG, OTHER, PATTERN, PERSON, POSSESSIVES, QUOTES, RULE, SOURCE_PRIORITY,
    STRONG, WEAK, Candidate, DocContext, make_candidate,
)
from newsmon.nlp.entity_cues import organisation_names, person_names
from newsmon.nlp.entity_rules import DEFAULT_RULES, EntityRules, load_rules
from newsmon.nlp.gazetteer import DEFAULT_GAZETTEER, SPANS_KEY, Gazetteer, load_gazetteer
from newsmon.nlp import record_codec  # noqa: F401  (docs with mentions cross processes)
from newsmon.nlp.records import Mention

log = logging.getLogger(__name__)

MODEL_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "WORK_OF_ART",
                          "EVENT", "LAW", "LANGUAGE"})
CONFIRMING_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "FAC", "PERSON"})
SPLITTERS = frozenset({",", ";", "|", "(", ")", "[", "]", "—", "–", "/", "•", ":",
                       "\"", "“", "”", "«", "»"})
HEAD_BREAKS = frozenset({"of", "on", "for", "in"})
MENTION_LABELS = {PERSON: "person", ORG: "organisation"}
_YEAR = re.compile(r"^(1[89]|2[01])\d\d$")

if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=None)


class EntityResolver:
    """The ``newsmon_entities`` component."""

    def __init__(self, nlp: Language, name: str, rules_path: str | None, gazetteer_path: str | None,
                 spans_key: str, write_ents: bool):
        self.name = name
        self.rules = load_rules(rules_path or DEFAULT_RULES)
        self.gazetteer = load_gazetteer(gazetteer_path or DEFAULT_GAZETTEER)
        self.spans_key = spans_key
        self.write_ents = write_ents

    def __call__(self, doc: Doc) -> Doc:
        ctx = DocContext(doc, self.rules)
        candidates = find_candidates(doc, ctx, self.gazetteer, self.spans_key)
        gather_evidence(doc, ctx, candidates)
        labels = vote(candidates)
        names = [c for c in candidates if labels[c.text] in MENTION_LABELS]
        for c in names:
            c.label = labels[c.text]
        names += spread(doc, ctx, labels, candidates)
        names.sort(key=lambda c: c.start)
        assign_canonicals(names, ctx, self.gazetteer)
        doc._.mentions = to_mentions(doc, ctx.text, names)
        if self.write_ents:
            write_ents(doc, names)
        return doc


@Language.factory(
    "newsmon_entities",
    default_config={"rules_path": None, "gazetteer_path": None, "spans_key": SPANS_KEY, "write_ents": True},
)
def make_entity_resolver(nlp: Language, name: str, rules_path: str | None, gazetteer_path: str | None,
                         spans_key: str, write_ents: bool) -> EntityResolver:
    return EntityResolver(nlp, name, rules_path, gazetteer_path, spans_key, write_ents)


# --- 1. candidates -------------------------------------------------------------------


def find_candidates(doc: Doc, ctx: DocContext, gazetteer: Gazetteer, spans_key: str) -> list[Candidate]:
    if spans_key in doc.spans:
        ctx.gazetteer_spans = {(s.start, s.end) for s in doc.spans[spans_key]}
    found = patterns.dateline(doc, ctx)
    model = model_candidates(doc, ctx)
    listed = gazetteer_candidates(doc, ctx, gazetteer, spans_key)
    found += patterns.copyright_holders(doc, ctx) + patterns.offices(doc, ctx)
    found += patterns.acronyms(doc, ctx, [c for c in model if c.model_label == ORG] + listed)
    return resolve_overlaps(doc, ctx, found + listed + model)


def model_candidates(doc: Doc, ctx: DocContext) -> list[Candidate]:
    found = []
    for ent in doc.ents:
        if ent.label_ not in MODEL_LABELS:
            continue
        pieces = clean_pieces(doc, ctx, ent.start, ent.end, ent.label_)
        for start, end in pieces:
            found.append(make_candidate(doc, start, end, "model", model_label=ent.label_,
                                        fragment=len(pieces) > 1))
    return found


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
        for c, d in _split_possessive(doc, ctx, a, b, label):
            parts = _split_lowercase(doc, ctx.rules, c, d, label) if label in (PERSON, ORG) else [(c, d)]
            for e, f in parts:
                if label == PERSON:
                    untitled = _strip_titles(doc, ctx.rules, e, f)
                    if untitled > e and all(t.text in ctx.rules.title_words for t in doc[untitled:f]):
                        continue  # "Lt Col": nothing but titles
                    e = untitled
                e, f = _strip_edges(doc, ctx, e, f, label)
                if f > e and any(ch.isalpha() for ch in doc[e:f].text):
                    cleaned.append((e, f))
    return cleaned


def _split_possessive(doc: Doc, ctx: DocContext, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """"Vox Media's Code Media" -> the owner; the owned part only when it is itself a named body.

    Names built on a possessive stay whole: a one-word owner ("People's Liberation Army",
    "Martha's Vineyard") unless it is a known organisation ("Google's DeepMind"), or a
    one-word owned part ("Macy's Inc.").
    """
    for i in range(start + 1, end - 1):
        if doc[i].text not in POSSESSIVES:
            continue
        owner = start + 1 if doc[start].lower_ == "the" else start
        known_owner = (owner, i) in ctx.gazetteer_spans
        one_word = i - owner == 1 or (end - i - 1 == 1 and doc[end - 1].text not in ctx.rules.strong_heads)
        if one_word and not known_owner:
            return [(start, end)]
        pieces = [(start, i)]
        if label != PERSON and doc[end - 1].text in ctx.rules.strong_heads:
            pieces.append((i + 1, end))
        return pieces
    return [(start, end)]


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
        hyphenated = (i > start + 1 and doc[i - 1].text == "-"
                      and not doc[i - 2].whitespace_ and not doc[i - 1].whitespace_)
        if hyphenated or (label == ORG and token.text.title() in rules.org_heads and i == end - 1):
            continue  # "Tsai Ing-wen", "the Communist party"
        if (token.is_lower and token.is_alpha and token.text not in allowed) or (label == PERSON and token.like_num):
            pieces.append((piece_start, i))
            piece_start = i + 1
    pieces.append((piece_start, end))
    return [(a, b) for a, b in pieces if b > a]


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
        if ((token.is_punct and token.text != "+") or token.text in QUOTES or token.text in POSSESSIVES
                or (label == ORG and token.is_lower and token.is_alpha and token.text.title() not in rules.org_heads)):
            end -= 1
        else:
            break
    while start < end:
        token = doc[start]
        if (token.is_punct or token.text in QUOTES or token.text in POSSESSIVES or token.text == "the"
                or (token.text in ("The", "THE")
                    and (ctx.sentence_initial(start) or (start + 1, end) in ctx.gazetteer_spans))
                or (token.is_lower and token.is_alpha and (label == ORG or token.is_stop))):
            start += 1
        else:
            break
    return start, end


def gazetteer_candidates(doc: Doc, ctx: DocContext, gazetteer: Gazetteer, spans_key: str) -> list[Candidate]:
    """Known organisations; an ambiguous form ("Apple", "X") needs the text to confirm it."""
    spans = list(doc.spans[spans_key]) if spans_key in doc.spans else []
    confirmed_orgs = {s.kb_id_ for s in spans if s.text not in gazetteer.by_name[s.kb_id_].ambiguous}
    model_labels = {(e.start, e.end): e.label_ for e in doc.ents}
    token_labels = {i: e.label_ for e in doc.ents for i in range(e.start, e.end)}
    in_person_names = {(doc[i].text, doc[i + 1].text)
                       for e in doc.ents if e.label_ == PERSON for i in range(e.start, e.end - 1)}
    found = []
    for span in spans:
        org = gazetteer.by_name.get(span.kb_id_)
        if org is None or any(i in ctx.blocked for i in range(span.start, span.end)):
            continue
        if len(span) == 1 and _part_of_person_name(doc, span.start, in_person_names):
            continue  # "Nielsen" in "Teresa Nielsen Hayden"
        if span.text in org.ambiguous and not (
            org.name in confirmed_orgs
            or model_labels.get((span.start, span.end)) in CONFIRMING_LABELS
            or all(token_labels.get(i) == ORG for i in range(span.start, span.end))
            or (span.start > 0 and doc[span.start - 1].lower_ in ctx.rules.cue_words)
        ):
            continue
        found.append(make_candidate(doc, span.start, span.end, "gazetteer", label=ORG, strength=GAZETTEER,
                                    org=org))
    return found


def _part_of_person_name(doc: Doc, i: int, bigrams: set[tuple[str, str]]) -> bool:
    return ((i > 0 and (doc[i - 1].text, doc[i].text) in bigrams)
            or (i + 1 < len(doc) and (doc[i].text, doc[i + 1].text) in bigrams))


def resolve_overlaps(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates, strongest source first; a model span loses only the contested tokens."""
    names = [c for c in candidates if c.source == "model" and c.model_label in (PERSON, ORG) and c.length > 1]
    candidates = [c for c in candidates if not (c.source == "gazetteer" and _strictly_inside(c, names))]
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


# --- 2. evidence ---------------------------------------------------------------------


def gather_evidence(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> None:
    as_person = Counter((c.text, c.model_label == PERSON) for c in candidates if c.source == "model")
    ctx.learn_people([c.text for c in candidates if _full_person_name(doc, ctx, c)
                      and as_person[(c.text, True)] > as_person[(c.text, False)]])
    ctx.learn_organisations(set(organisation_names(ctx, candidates)))
    ctx.learn_person_names(set(person_names(ctx, candidates)))
    candidates += patterns.roles(doc, ctx, candidates)
    ctx.learn_people([c.text for c in candidates if c.label == PERSON and c.length > 1])
    candidates += patterns.cues(doc, ctx, candidates)
    for c in candidates:
        judge(doc, ctx, c)
    patterns.lists(doc, candidates)


def _full_person_name(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    if c.source != "model" or c.model_label != PERSON or c.length < 2:
        return False
    tokens = doc[c.start:c.end]
    rules = ctx.rules
    if tokens[0].text in rules.question_words and ctx.sentence_initial(c.start):
        return False
    return (all(t.text[:1].isupper() or t.text in rules.particles for t in tokens)
            and not any(ch.isdigit() for ch in c.text)
            and tokens[-1].text not in rules.place_heads
            and tokens[-1].text not in rules.product_heads
            and tokens[-1].text not in rules.strong_heads
            and not any(i in ctx.blocked for i in range(c.start, c.end)))


def judge(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """Record this occurrence's evidence for PERSON, ORG or neither."""
    if any(i in ctx.blocked for i in range(c.start, c.end)):
        c.decide(OTHER, BLOCKED)
    elif c.source == "gazetteer":
        if c.length == 1 and ctx.names_person(c.text):
            c.decide(PERSON, PATTERN)  # "Bloomberg" when the text names Michael Bloomberg
    elif c.source in ("pattern", "role", "cue"):
        return
    elif c.fragment and c.length == 1 and not ctx.names_person(c.text):
        c.decide(OTHER, WEAK)  # one word cut from a run-on span ("Belgium (Group I")
    elif c.model_label == PERSON:
        _judge_person(doc, ctx, c)
    elif c.model_label == ORG:
        _judge_org(doc, ctx, c)
    else:
        _judge_other(doc, ctx, c)
    if c.source != "model":
        return
    if c.text in ctx.organisations:
        c.decide(ORG, STRONG)  # the document's organisation cues outweigh the model's label
        _take_corporate_suffix(doc, ctx, c)
    elif c.text in ctx.person_names:
        c.decide(PERSON, STRONG)  # and so do its person cues


def _take_corporate_suffix(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """"Vantor" + "Inc." -> "Vantor Inc." (the mention is the fullest form the text gives)."""
    if c.end < len(doc) and doc[c.end].text in ctx.rules.org_cues.corporate_suffixes and not ctx.ent_tokens[c.end]:
        c.end += 1
        c.text = doc[c.start:c.end].text


def _junk(doc: Doc, c: Candidate) -> bool:
    """Handles, links, single letters, lone function words: never a name."""
    text = c.text
    return (len(text) < 2 or text[:1] in ("@", "#") or "http" in text or "www." in text
            or (c.length == 1 and doc[c.start].is_stop)
            or any(t.like_url or t.like_email for t in doc[c.start:c.end]))


def _judge_person(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    rules = ctx.rules
    _strip_sentence_word(doc, ctx, c)
    text = c.text
    if (_junk(doc, c) or any(ch.isdigit() for ch in text) or text in rules.non_entity_acronyms
            or not text[0].isupper() or _after_number(doc, c)):
        c.decide(OTHER, STRONG)
    elif ctx.names_person(text, first_names=True):
        c.decide(PERSON, STRONG)
    elif c.length == 1 and text.isupper() and len(text) > 1:
        c.decide(PERSON, STRONG) if ctx.names_person(text.title()) else c.decide(ORG, RULE)
    elif _org_shaped(doc, ctx, c, strong=True):
        c.decide(ORG, RULE)
    elif (c.length == 1 and ctx.common_word(text)) or _place_like(doc, ctx, c):
        c.decide(OTHER, STRONG)
    elif c.length > 1 and (doc[c.end - 1].text in rules.place_heads or doc[c.end - 1].text in rules.product_heads):
        c.decide(OTHER, STRONG)
    elif _quoted(doc, c):
        c.decide(OTHER, RULE)
    else:
        c.decide(PERSON, MODEL if c.length > 1 and not c.fragment else WEAK)


def _strip_sentence_word(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """"Will Warren ...?", "Questioning Vindman's ...": a sentence-initial word glued to a surname."""
    first = doc[c.start]
    starts_clause = ctx.sentence_initial(c.start) or (c.start > 0 and not doc[c.start - 1].is_alpha)
    if c.length < 2 or c.text in ctx.people or not starts_clause:
        return
    if not (first.text in ctx.rules.question_words or ctx.common_word(first.text) or first.lower_.endswith("ing")):
        return
    rest = doc[c.start + 1:c.end].text
    if rest in ctx.people or ctx.names_person(rest):
        c.start, c.text = c.start + 1, rest


def _judge_org(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    rules, text = ctx.rules, c.text
    head = _head(doc, c)
    if (not any(ch.isupper() for ch in text) or not text[0].isalpha() or _junk(doc, c)
            or text in rules.non_entity_acronyms or text.endswith("+") or _event_or_document(doc, ctx, c)):
        c.decide(OTHER, STRONG)
    elif text in ctx.people or ctx.names_person(text):
        c.decide(PERSON, STRONG)
    elif _place_like(doc, ctx, c):
        c.decide(OTHER, STRONG)
    elif c.length == 1 and ctx.common_word(text) and ctx.sentence_initial(c.start):
        c.decide(OTHER, RULE)
    else:
        strong_form = c.length > 1 or head in rules.org_heads or text.isupper()
        c.decide(ORG, MODEL if strong_form and not c.fragment else WEAK)


def _judge_other(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    if c.model_label not in ("NORP", "LANGUAGE") and not _junk(doc, c) and (
            c.text in ctx.people or ctx.names_person(c.text)):
        c.decide(PERSON, STRONG)
    elif _org_shaped(doc, ctx, c, strong=c.model_label in ("GPE", "NORP")):
        c.decide(ORG, RULE)
    else:
        c.decide(OTHER, WEAK)


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
    if head in rules.non_org_heads:
        return True
    return head not in rules.org_heads and doc[c.end - 1].text in rules.non_org_heads


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


def _place_like(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """Used as a place: "Logar province", "the area of Sarkh", "atop Mauna Kea", "in KeyBank Center"."""
    rules = ctx.rules
    if c.text in ctx.placeish:
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


def _after_number(doc: Doc, c: Candidate) -> bool:
    """Right after a number that is not a year: a model or product ("737 Max")."""
    if c.start == 0:
        return False
    prev = doc[c.start - 1]
    return prev.like_num and not _YEAR.match(prev.text) and any(ch.isdigit() for ch in prev.text)


def _quoted(doc: Doc, c: Candidate) -> bool:
    """The whole quotation: a title of a work ("Mary Poppins")."""
    if c.start == 0 or c.end >= len(doc) or doc[c.start - 1].text not in QUOTES:
        return False
    after = doc[c.end].text
    return after in QUOTES or (after in (",", ".") and c.end + 1 < len(doc) and doc[c.end + 1].text in QUOTES)


# --- 3. document-level vote, then unlabelled occurrences --------------------------------


def vote(candidates: list[Candidate]) -> dict[str, str]:
    """One label per name: the largest total evidence; ties go to the strongest single piece, then to neither."""
    totals: dict[str, dict[str, list[int]]] = {}
    for c in candidates:
        entry = totals.setdefault(c.text, {}).setdefault(c.label, [0, 0])
        entry[0] += c.strength
        entry[1] = max(entry[1], c.strength)
    return {text: max(by_label, key=lambda label: (*by_label[label], label == OTHER))
            for text, by_label in totals.items()}


def spread(doc: Doc, ctx: DocContext, labels: dict[str, str], candidates: list[Candidate]) -> list[Candidate]:
    """Occurrences of the names found that neither the model nor a rule marked."""
    taken = bytearray(ctx.ent_tokens)
    for c in candidates:
        taken[c.start:c.end] = b"\x01" * c.length
    text = ctx.text
    found = []
    for name, label in labels.items():
        if label not in MENTION_LABELS or len(name) < 2:
            continue
        pos = text.find(name)
        while pos != -1:
            end = pos + len(name)
            if (pos == 0 or not text[pos - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
                span = doc.char_span(pos, end)
                if span is not None and not any(taken[span.start:span.end]) and _stands_alone(doc, ctx, span):
                    found.append(make_candidate(doc, span.start, span.end, "spread", label=label, strength=WEAK))
                    taken[span.start:span.end] = b"\x01" * len(span)
            pos = text.find(name, end)
    return found


def _stands_alone(doc: Doc, ctx: DocContext, span: Span) -> bool:
    """Not part of a longer capitalised name ("Parise" inside "Zach Parise")."""
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.text[:1].isupper() and not after.is_punct and not after.is_space:
        return False
    return before is None or not (before.text[:1].isupper() and before.is_alpha
                                  and not ctx.sentence_initial(before.i))


# --- 4. canonical names, output -------------------------------------------------------


def assign_canonicals(names: list[Candidate], ctx: DocContext, gazetteer: Gazetteer) -> None:
    people = [c for c in names if c.label == PERSON]
    for c, canonical in zip(people, person_canonicals([(c.text, c.start) for c in people], ctx.rules.suffixes)):
        c.canonical = canonical
    forms_present: dict[str, set[str]] = {}
    orgs = [c for c in names if c.label == ORG]
    for c in orgs:
        c.org = c.org or gazetteer.by_form.get(c.text)
        if c.org is not None:
            forms_present.setdefault(c.org.name, set()).add(c.text)
    companies = company_canonicals([c.text for c in orgs if c.org is None], ctx.rules.org_cues.corporate_suffixes)
    for c in orgs:
        if c.canonical:
            continue  # an acronym defined in the text
        if c.org is not None:
            c.canonical = fullest_form(forms_present[c.org.name], c.org.forms) or c.text
        else:
            c.canonical = companies[c.text]
    back = head_back_references(c.canonical for c in orgs)
    for c in orgs:
        c.canonical = back.get(c.canonical, c.canonical)


def to_mentions(doc: Doc, text: str, names: list[Candidate]) -> list[Mention]:
    bounds = _sentence_bounds(doc, text)
    starts = [b[0] for b in bounds]
    mentions = []
    for c in names:
        span = doc[c.start:c.end]
        k = max(bisect_right(starts, span.start_char) - 1, 0)
        sentence = text[bounds[k][0]:bounds[k][1]].strip() if bounds else ""
        mentions.append(Mention(label=MENTION_LABELS[c.label], text=c.text, canonical=c.canonical or c.text,
                                start=span.start_char, end=span.end_char, sentence=sentence))
    return mentions


def _sentence_bounds(doc: Doc, text: str) -> list[tuple[int, int]]:
    if doc.has_annotation("SENT_START"):
        return [(s.start_char, s.end_char) for s in doc.sents]
    bounds, start = [], 0  # no sentencizer: fall back to lines
    for line in text.splitlines(keepends=True):
        bounds.append((start, start + len(line)))
        start += len(line)
    return bounds


def write_ents(doc: Doc, names: list[Candidate]) -> None:
    """Corrected PERSON/ORG spans replace the model's; its other entities stay where free."""
    taken = bytearray(len(doc))
    spans = []
    for c in names:
        spans.append(Span(doc, c.start, c.end, label=c.label))
        taken[c.start:c.end] = b"\x01" * c.length
    for ent in doc.ents:
        if ent.label_ not in (PERSON, ORG) and not any(taken[ent.start:ent.end]):
            spans.append(ent)
    doc.ents = sorted(spans, key=lambda s: s.start)
