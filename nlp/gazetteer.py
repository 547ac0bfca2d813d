"""The organisation gazetteer and the spaCy component that finds its names in a text.

Owns loading ``nlp/resources/organisations.jsonl`` (one organisation a line: its
canonical ``name``, ``aliases``, ``acronyms``, and the ``ambiguous`` forms that only
count when the text confirms them) and the factory ``"newsmon_gazetteer"``, which
puts every exact, case-sensitive occurrence of a known form into
``doc.spans["newsmon_gazetteer"]`` (label ORG, ``kb_id_`` = the entry's name).
Deciding which matches to keep is the job of ``nlp.entities``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_GAZETTEER = RESOURCES / "organisations.jsonl"
SPANS_KEY = "newsmon_gazetteer"


@dataclass(frozen=True)
class Organisation:
    """One gazetteer entry. ``forms`` runs from the fullest form to the shortest acronym."""
    name: str
    forms: tuple[str, ...]
    ambiguous: frozenset[str] = frozenset()
    kind: str = ""

    def rank(self, form: str) -> int:
        """Position of ``form`` in the fullest-first order (unknown forms last)."""
        try:
            return self.forms.index(form)
        except ValueError:
            return len(self.forms)


@dataclass
class Gazetteer:
    organisations: list[Organisation]
    by_name: dict[str, Organisation] = field(default_factory=dict)
    by_form: dict[str, Organisation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for org in self.organisations:
            self.by_name[org.name] = org
            for form in org.forms:
                if form in self.by_form and self.by_form[form] is not org:
                    log.warning("gazetteer form %r belongs to %r and %r; keeping the first",
                                form, self.by_form[form].name, org.name)
                    continue
                self.by_form[form] = org


def parse_entry(record: dict) -> Organisation:
    """One JSONL record -> Organisation (forms deduplicated, fullest first)."""
    forms: dict[str, None] = {}
    for form in [record["name"], *record.get("aliases", []), *record.get("acronyms", [])]:
        if form and form.strip():
            forms.setdefault(form.strip(), None)
    return Organisation(
        name=record["name"].strip(),
        forms=tuple(forms),
        ambiguous=frozenset(record.get("ambiguous", [])),
        kind=record.get("kind", ""),
    )


@lru_cache(maxsize=8)
def load_gazetteer(path: str | Path = DEFAULT_GAZETTEER) -> Gazetteer:
    """Read a gazetteer JSONL file (cached per path)."""
    organisations = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                organisations.append(parse_entry(json.loads(line)))
            except (json.JSONDecodeError, KeyError) as exc:
                log.warning("%s:%d: skipping bad gazetteer line: %s", path, line_no, exc)
    return Gazetteer(organisations)


class GazetteerMatcher:
    """Marks every known organisation form (case-sensitive token match)."""

    def __init__(self, nlp: Language, name: str, path: str | None, spans_key: str):
        self.name = name
        self.spans_key = spans_key
        self.gazetteer = load_gazetteer(path or DEFAULT_GAZETTEER)
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for org in self.gazetteer.organisations:
            self.matcher.add(org.name, list(nlp.tokenizer.pipe(org.forms)))

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            spans.append(Span(doc, start, end, label="ORG", kb_id=match_id))
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "newsmon_gazetteer",
    default_config={"path": None, "spans_key": SPANS_KEY},
)
def make_gazetteer_matcher(nlp: Language, name: str, path: str | None, spans_key: str) -> GazetteerMatcher:
    return GazetteerMatcher(nlp, name, path, spans_key)
