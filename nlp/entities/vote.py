"""Step 3 of the entity pass: one label per name in the document, and its other occurrences.

Owns the document-wide vote over the evidence of every occurrence of a name and the
spreading of the names found to occurrences that neither the model nor a rule marked.
"""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Span

from newsmon.nlp.entities.context import ORG, OTHER, PERSON, WEAK, Candidate, DocContext, make_candidate

log = logging.getLogger(__name__)

MENTION_LABELS = {PERSON: "person", ORG: "organisation"}


def vote(candidates: list[Candidate]) -> dict[str, str]:
    """One label per name. First whether it is a name at all: the evidence for a person and
    for an organisation add up against the evidence for neither (a name the model labels
    inconsistently is still a name); then which of the two, by total, then strongest piece."""
    totals: dict[str, dict[str, list[int]]] = {}
    for c in candidates:
        entry = totals.setdefault(c.text, {}).setdefault(c.label, [0, 0])
        entry[0] += c.strength
        entry[1] = max(entry[1], c.strength)
    labels = {}
    for text, by_label in totals.items():
        names = {label: v for label, v in by_label.items() if label != OTHER}
        other = by_label.get(OTHER, [0, 0])
        name_total = sum(v[0] for v in names.values())
        name_best = max((v[1] for v in names.values()), default=0)
        if not names or (other[0], other[1]) >= (name_total, name_best):
            labels[text] = OTHER  # first: is it a name at all? (person and organisation evidence add up)
        else:
            labels[text] = max(names, key=lambda label: names[label])
    return labels


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
                    found.append(make_candidate(doc, span.start, span.end, "spread", label=label, strength=WEAK,
                                                rule=f"vote:another occurrence of {name!r}"))
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
