"""Money an analyst can act on: the role of every money figure, and fines as records.

The `newsmon_money` spaCy component (after `newsmon_figures` and `newsmon_entities`)
sets `Figure.role` (fine, revenue, cost, funding, price, compensation, maximum, other)
and `doc._.fines` (list of `nlp.records.Fine`: authority, target, amount, currency,
status, legal basis). Internals, one job each:

    lexicon    the word lists (nlp/resources/money.toml)
    parse      parsing only the sentences that hold money
    roles      what an amount is for, from its sentence's structure
    parties    who imposed a fine and who pays it
    basis      the law a fine was imposed under
    fines      one record per distinct fine of an article
    component  the factory and the order of the steps
"""

from newsmon.nlp.money.component import MoneyComponent, make_money
from newsmon.nlp.money.lexicon import MoneyLexicon

__all__ = ["MoneyComponent", "MoneyLexicon", "make_money"]
