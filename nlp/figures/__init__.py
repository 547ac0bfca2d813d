"""The `newsmon_figures` spaCy component: amounts a text states, as `nlp.records.Figure`.

Owns deciding what an amount measures (money, percent, count, duration, quantity, age),
its normalised value and unit, the counted thing for counts, and what is not an amount at
all (dates, years, times, ordinals, model numbers, phone numbers, scores, "one" as a
pronoun). Reading the number itself is `nlp.numbers`; finding the counted noun is
`nlp.nouns`. All word lists and patterns are data in nlp/resources/.

Internals, one job each:

    tables     the data files, loaded once per component
    tokens     token-level facts the rules share, and the `newsmon_amount_tokens` splitter
    reject     what is not an amount (dates, identifiers, scores)
    classify   what one number measures (money, units, counts)
    links      ranges, lists and bare numbers that take a neighbour's meaning
    component  the factory and the order of the rules

Needs only the tokenizer; uses `ner` entities and sentence boundaries when present
(the tagger, parser and lemmatizer are never run). Usage:

    nlp.add_pipe("sentencizer", before="ner")
    nlp.add_pipe("newsmon_figures")
    doc._.figures  # list[Figure], in text order
"""

from newsmon.nlp.figures.component import FiguresComponent, find_figures, make_figures, number_starts
from newsmon.nlp.figures.tables import RESOURCES, Tables

__all__ = ["RESOURCES", "FiguresComponent", "Tables", "find_figures", "make_figures", "number_starts"]
