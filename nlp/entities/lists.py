"""Names listed with organisations: "Currys, Argos and John Lewis".

Owns the coordination evidence of the entity pass, read after each candidate is judged: a
name listed between two organisations, or before or after two, is an organisation too, as is a
single word paired by "and"/"or" with a body the gazetteer or strong cues make one (``lists``);
and capitalised words no span covers, listed so, become a candidate (``list_items``).
"""

from __future__ import annotations

from spacy.tokens import Doc

from newsmon.nlp.entities.context import ORG, PERSON, RULE, STRONG, Candidate, DocContext, make_candidate
from newsmon.nlp.entities.patterns import may_name_body, taken_tokens


def lists(doc: Doc, candidates: list[Candidate]) -> None:
    """A name listed between two organisations ("A, B and C") is an organisation too, and so
    is the first or last of a list whose other two are ("Currys, Argos and John Lewis"); and one
    word the model calls a person or a body, with no strong evidence, paired by "and" or "or"
    with a body the gazetteer or strong cues make one ("supermarket chains Naivas and
    Quickmart", "Nikwax or Grangers"): not a place (the model's GPE), nor a person the text
    supports ("Apple and Cook": the surname of a person named in full is strong)."""
    ordered = sorted(candidates, key=lambda c: c.start)
    for left, middle, right in zip(ordered, ordered[1:], ordered[2:]):
        if not (_list_gap(doc, left.end, middle.start) and _list_gap(doc, middle.end, right.start)):
            continue
        for name, others, where in ((middle, (left, right), "between"), (right, (left, middle), "after"),
                                    (left, (middle, right), "before")):
            if (name.label != ORG and name.strength < STRONG and name.source != "gazetteer"
                    and all(other.label == ORG for other in others)):
                name.decide(ORG, RULE, f"pattern:listed {where} organisations")
    for left, right in zip(ordered, ordered[1:]):  # "Naivas and Quickmart", "Nikwax or Grangers"
        if right.start - left.end != 1 or doc[left.end].lower_ not in ("and", "or"):
            continue
        for name, other in ((right, left), (left, right)):
            if (name.label != ORG and name.strength < STRONG and name.source != "gazetteer" and name.length == 1
                    and name.model_label in (PERSON, ORG) and other.label == ORG
                    and (other.strength >= STRONG or other.source == "gazetteer")):
                name.decide(ORG, RULE, f"pattern:paired with the organisation {other.text!r}")


def list_items(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """Capitalised words no span covers, listed between two organisations or after or before two
    ("Astrobotic, Deep Space Systems, Draper", "Disney, Pixar, Marvel"), are an organisation:
    the model often leaves an unknown company in a list unnamed. Not a person's or place's name,
    a calendar word or title, or a lone common word opening a sentence (``may_name_body``); a
    given name may open it ("Deep Space Systems", "Marvel")."""
    orgs = [c for c in candidates if c.label == ORG]
    if len(orgs) < 2:
        return []
    ends, starts = {c.end: c for c in orgs}, {c.start: c for c in orgs}

    def org_before(i: int) -> Candidate | None:
        return next((ends[e] for e in (i - 1, i - 2) if e in ends and _list_gap(doc, e, i)), None)

    def org_after(i: int) -> Candidate | None:
        return next((starts[s] for s in (i + 1, i + 2) if s in starts and _list_gap(doc, i, s)), None)

    runs = set()
    for c in orgs:
        for i in (c.end + 1, c.end + 2):
            if i < len(doc) and _list_gap(doc, c.end, i) and (run := ctx.title_run_starting_at(i)):
                runs.add(run)
        for i in (c.start - 1, c.start - 2):
            if i > 0 and _list_gap(doc, i, c.start) and (run := ctx.title_run_ending_at(i - 1)):
                runs.add(run)
    taken = taken_tokens(doc, candidates)
    created = []
    for start, end in sorted(runs):
        if any(taken[start:end]) or not may_name_body(doc, ctx, start, end, given_name_first=True):
            continue
        left, right = org_before(start), org_after(end)
        where = ("between" if left and right else "after" if left and org_before(left.start)
                 else "before" if right and org_after(right.end) else None)
        if where:
            created.append(make_candidate(doc, start, end, "pattern", label=ORG, strength=RULE,
                                          rule=f"pattern: listed {where} organisations, where the model named nothing"))
            taken[start:end] = b"\x01" * (end - start)
    return created


def _list_gap(doc: Doc, end: int, start: int) -> bool:
    """Only a list's separator between two names: ",", "and", "or", ", and", ", or"."""
    if not 0 < start - end <= 2:  # most pairs of names are further apart: no span to build
        return False
    gap = [t.lower_ for t in doc[end:start]]
    return gap in ([","], ["and"], ["or"], [",", "and"], [",", "or"])
