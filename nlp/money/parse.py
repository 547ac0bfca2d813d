"""Parsing only the sentences that hold money: the model's tagger, parser and lemmatizer
run on copies of those sentences, never on the whole text.

Owns `SentenceParser`: it takes the model's own components (loaded but disabled by
`nlp.pipeline.load_pipeline`, so the default pipeline still runs only `ner`) and
applies them, batched, to small Docs made of the sentences that hold a money figure.
Those are a few per cent of a news text, so parsing them costs a few per cent of the
time the whole pipeline takes (bench/nlp_speed.py). A `Parsed` sentence maps its
tokens back to the article's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

PARSE_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


@dataclass
class Parsed:
    """One sentence of an article, parsed: token j of `doc` is token `offset + j` of the article."""
    doc: Doc
    sent: Span  # the sentence in the article's Doc
    offset: int
    char_offset: int

    def token(self, article_i: int):
        return self.doc[article_i - self.offset]

    def span(self, start_char: int, end_char: int) -> Span | None:
        return self.doc.char_span(start_char - self.char_offset, end_char - self.char_offset,
                                  alignment_mode="expand")


class SentenceParser:
    """Runs the model's parsing components (by name) on copies of chosen sentences."""

    def __init__(self, nlp: Language, names: Sequence[str] = PARSE_COMPONENTS) -> None:
        available = set(nlp.component_names)
        self.components = [(name, nlp.get_pipe(name)) for name in names if name in available]
        self.vocab = nlp.vocab
        if not any(name == "parser" for name, _ in self.components):
            log.warning("the model has no parser: money roles and fines fall back to word order")

    @property
    def available(self) -> bool:
        return any(name == "parser" for name, _ in self.components)

    def parse(self, sentences: list[Span], batch_size: int = 64) -> list[Parsed]:
        copies = [Doc(self.vocab, words=[_word(t) for t in s], spaces=[bool(t.whitespace_) for t in s],
                      ents=[f"{t.ent_iob_}-{t.ent_type_}" if t.ent_type_ else "O" for t in s])
                  for s in sentences]  # the article's entity types come along ("Hamburg": GPE)
        if self.available and copies:
            for _, component in self.components:
                copies = list(component.pipe(copies, batch_size=batch_size))
        return [Parsed(copy, sent, sent.start, sent.start_char) for copy, sent in zip(copies, sentences)]


# Currency words the parser reads as another part of speech: "fined Park 20 million won for
# destroying evidence" parses "won" as the sentence's verb. The copy gets a currency noun of
# the same length (offsets stay), only after a number ("the company won the case" keeps it).
_READ_AS_VERB = {"won": "yen"}


def _word(tok) -> str:
    alt = _READ_AS_VERB.get(tok.lower_)
    if alt is not None and tok.i > 0 and tok.nbor(-1).like_num:
        return alt if tok.text.islower() else alt.capitalize()
    return tok.text
