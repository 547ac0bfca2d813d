"""Step 4 of the entity pass: canonical names and the records that leave the component.

Owns the fullest name of each mention within its document (``nlp.entities.canonical``),
the ``Mention`` records with their sentence, and the corrected ``doc.ents``.
"""

from __future__ import annotations

import logging
from bisect import bisect_right

from spacy.tokens import Doc, Span

from newsmon.nlp.entities.canonical import (company_canonicals, fullest_form, head_back_references,
                                            person_canonicals)
from newsmon.nlp.entities.context import ORG, PERSON, Candidate, DocContext
from newsmon.nlp.gazetteer import Gazetteer
from newsmon.nlp.entities.vote import MENTION_LABELS
from newsmon.nlp.records import Mention

log = logging.getLogger(__name__)



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
    back = head_back_references((c.canonical for c in orgs), ctx.rules.strong_heads)
    for c in orgs:
        c.canonical = back.get(c.canonical, c.canonical)
    present = {c.canonical for c in orgs}
    for name, head, context in ctx.rules.context_names:
        if present & context:
            for c in orgs:
                if c.canonical == head:
                    c.canonical = name
                    c.note(f"canonical: {head!r} in a text that names {sorted(present & context)[0]!r} is {name!r}")


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


def trace(doc: Doc, candidates: list[Candidate], labels: dict[str, str]) -> list[dict]:
    """Every candidate span in text order: its final label, and the rules behind it."""
    out = []
    for c in sorted(candidates, key=lambda c: (c.start, c.end)):
        span = doc[c.start:c.end]
        final = labels.get(c.text, c.label)
        steps = list(c.trace)
        if c.source != "spread" and final != c.label and not any(
                step.startswith("check:") and step.endswith(f"-> {final}") for step in steps):
            steps.append(f"vote: the name's other occurrences -> {final}")
        out.append({"text": c.text, "start": span.start_char, "end": span.end_char,
                    "label": MENTION_LABELS.get(final, "none"), "canonical": c.canonical,
                    "source": c.origin,
                    "rules": steps})
    return out
