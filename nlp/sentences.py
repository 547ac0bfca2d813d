"""Sentence ends where the text ends them: the spaCy component ``"newsmon_sentences"``.

Owns one correction to spaCy's rule-based ``sentencizer``, which keeps the punctuation
after a sentence's last full stop in that sentence. After a paragraph break, or after a
space, an opening quotation mark or bracket begins the next sentence instead: without it,
the stored sentence of a mention ends in a stray opening quote from the next paragraph
(``...said.\\n\\n"We`` -> ``...said. "``). The component runs after the sentencizer and
moves such a sentence start back onto the opening mark.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

OPENERS = frozenset({'"', "“", "‘", "'", "«", "(", "[", "``"})


@Language.component("newsmon_sentences")
def fix_sentence_starts(doc: Doc) -> Doc:
    if not doc.has_annotation("SENT_START") or len(doc) < 2:
        return doc
    for token in doc:
        i = token.i
        if i == 0 or token.text not in OPENERS or token.is_sent_start:
            continue
        before = doc[i - 1]
        after_break = before.is_space and "\n" in before.text
        after_space = bool(before.whitespace_) or before.is_space
        if not (after_break or after_space) or token.whitespace_:
            continue  # a closing mark ("said." ") or a free-standing one
        nxt = i + 1
        if nxt < len(doc) and doc[nxt].is_sent_start:
            token.is_sent_start = True
            doc[nxt].is_sent_start = False
    return doc
