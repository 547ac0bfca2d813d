"""What the end-of-run summary reads from the database: the run's headline numbers.

It owns the two reads `newsmon crawl` and `newsmon demo` print after a run
(crawler/runs/report.py): the most mentioned people or organisations of the whole
database, and its largest figures of one kind.  Both are one short read-only
query each.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from newsmon.data.store import query

_TOP_ENTITIES = """
select coalesce(e.name, m.canonical) as name, count(*) as mentions,
       count(distinct m.article_id) as articles
from mentions m join articles a using (article_id)
left join entities e on e.entity_id = m.entity_id
where m.label = $label
group by 1 order by articles desc, mentions desc, name limit $n
"""

_LARGEST_FIGURES = """
select f.text, f.kind, f.value, f.unit, f.object, a.title
from figures f join articles a using (article_id)
where f.kind = $kind
order by f.value desc limit $n
"""


def top_entities(db_path: Path | str, label: str, n: int) -> pd.DataFrame:
    """The `n` entities of `label` in the most articles: name, mentions, articles."""
    return query(db_path, _TOP_ENTITIES, {"label": label, "n": n})


def largest_figures(db_path: Path | str, kind: str, n: int) -> pd.DataFrame:
    """The `n` largest figures of `kind`: text, kind, value, unit, object, title."""
    return query(db_path, _LARGEST_FIGURES, {"kind": kind, "n": n})
