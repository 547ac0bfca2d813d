"""People and organisations: the spaCy component ``"newsmon_entities"`` and its internals.

Owns turning the NER model's guesses, the gazetteer matches (``nlp.gazetteer``) and
the news patterns (``patterns``) into one consistent list of
``nlp.records.Mention`` per document, set as ``doc._.mentions``; the corrected
PERSON / ORG spans are written back to ``doc.ents``.

Steps, per document, one module each:

1. candidates (``candidates``): model entities cut at line breaks, commas and possessives, with
   leading "the", titles ("President", "Sen.") and trailing punctuation removed, joined or
   split where the model cut them wrong at "and", hyphens and name particles (``joins``);
   gazetteer matches (ambiguous forms only when the text confirms them); patterns.
   Where spans overlap, patterns beat the gazetteer beats the model.
2. evidence per occurrence (``judge``): label corrections (acronyms, platforms the model calls
   products, surnames of people named in full, words used as common nouns, product
   numbers, places, organisation-shaped names, venues and headlines (``shapes``), products by
   their model designation, maker, listing line or owner (``products``), clubs named after
   their place in sport reports (``teams``), roles, cue words, sources of news, lists), and the
   counted cues of ``cues`` for organisations the model calls people ("Vantor
   Inc.", "the online marketplace Lumora", "Kahani's chief legal officer") and people it
   calls organisations ("Anselm, 44,", "Ferrule's lawyer, Antoine Lefort,").
3. a vote per name (``vote``) over the whole document, so a name is labelled alike everywhere
   (unlabelled occurrences of the names found are added after step 4).
4. a second opinion (``check``): a pretrained sentence encoder reads every name the vote
   kept, and a name it reads as no person or no organisation is dropped.
5. canonical names and output (``output``, ``canonical``).

Shared state: ``context`` (a candidate, the document's facts); word lists: ``rules``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from newsmon.nlp import record_codec  # noqa: F401  (docs with mentions cross processes)
from newsmon.nlp.entities.candidates import find_candidates
from newsmon.nlp.entities.check import EntityCheck
from newsmon.nlp.entities.context import Candidate, DocContext
from newsmon.nlp.entities.judge import gather_evidence
from newsmon.nlp.entities.knowledge import load_knowledge
from newsmon.nlp.entities.output import assign_canonicals, to_mentions, trace, write_ents
from newsmon.nlp.entities.rules import DEFAULT_RULES, load_rules
from newsmon.nlp.entities.vote import MENTION_LABELS, spread, vote
from newsmon.nlp.gazetteer import DEFAULT_GAZETTEER, SPANS_KEY, load_gazetteer

log = logging.getLogger(__name__)

if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=None)
if not Doc.has_extension("entity_trace"):
    Doc.set_extension("entity_trace", default=None)


class EntityResolver:
    """The ``newsmon_entities`` component. With ``explain``, ``doc._.entity_trace`` lists every
    candidate span, the label it ended with and each rule that spoke about it."""

    def __init__(self, nlp: Language, name: str, rules_path: str | None, gazetteer_path: str | None,
                 spans_key: str, write_ents: bool, knowledge: bool, explain: bool, check: bool,
                 check_path: str | None):
        self.name = name
        self.rules = load_rules(rules_path or DEFAULT_RULES)
        self.gazetteer = load_gazetteer(gazetteer_path or DEFAULT_GAZETTEER)
        self.knowledge = load_knowledge() if knowledge else None
        self.spans_key = spans_key
        self.write_ents = write_ents
        self.explain = explain
        self.check = EntityCheck(check_path) if check else None

    def __call__(self, doc: Doc) -> Doc:
        ctx, candidates, labels = self.decide(doc)
        if self.check is not None:
            self.check([(doc, candidates, labels)])
        return self._finish(doc, ctx, candidates, labels)

    def warm(self) -> None:
        """Load what the check loads on its first name (``nlp.pipeline.warm``)."""
        if self.check is not None:
            self.check.warm()

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """As ``__call__``, with one run of the check's encoder per batch of documents (each run
        has a fixed cost that a document's few names would otherwise pay alone)."""
        for batch in minibatch(docs, size=batch_size):
            decided = [self.decide(doc) for doc in batch]
            if self.check is not None:
                self.check([(doc, candidates, labels) for doc, (_, candidates, labels) in zip(batch, decided)])
            for doc, parts in zip(batch, decided):
                yield self._finish(doc, *parts)

    def decide(self, doc: Doc) -> tuple[DocContext, list[Candidate], dict[str, str]]:
        """Steps 1 to 3: the candidates, their evidence and one label per name (what the check
        reads; ``bench/entity_check_train.py`` reads it too)."""
        ctx = DocContext(doc, self.rules, knowledge=self.knowledge)
        candidates = find_candidates(doc, ctx, self.gazetteer, self.spans_key)
        gather_evidence(doc, ctx, candidates)
        return ctx, candidates, vote(candidates)

    def _finish(self, doc: Doc, ctx: DocContext, candidates: list[Candidate], labels: dict[str, str]) -> Doc:
        """Step 5, after the check: the names' other occurrences, canonical names and output."""
        names = [c for c in candidates if labels[c.text] in MENTION_LABELS]
        for c in names:
            c.label = labels[c.text]
        names += spread(doc, ctx, labels, candidates)
        names.sort(key=lambda c: c.start)
        assign_canonicals(names, ctx, self.gazetteer)
        doc._.mentions = to_mentions(doc, ctx.text, names)
        if self.explain:
            doc._.entity_trace = trace(doc, candidates + [c for c in names if c.source == "spread"], labels)
        if self.write_ents:
            write_ents(doc, names)
        return doc


@Language.factory(
    "newsmon_entities",
    default_config={"rules_path": None, "gazetteer_path": None, "spans_key": SPANS_KEY, "write_ents": True,
                    "knowledge": True, "explain": False, "check": True, "check_path": None},
)
def make_entity_resolver(nlp: Language, name: str, rules_path: str | None, gazetteer_path: str | None,
                         spans_key: str, write_ents: bool, knowledge: bool, explain: bool, check: bool,
                         check_path: str | None) -> EntityResolver:
    return EntityResolver(nlp, name, rules_path, gazetteer_path, spans_key, write_ents, knowledge, explain, check,
                          check_path)
