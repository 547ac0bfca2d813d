"""What the end-of-run summary reads from the database: the run's headline numbers.

It owns the two reads `newsmon crawl` and `newsmon demo` print after a run
(crawler/runs/report.py): the most mentioned people or organisations of the whole
database, its largest fines and its largest figures of one kind; and the list of
recent runs `newsmon runs` prints.  Each is one short read-only query.
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

# money in euros where the ECB quotes the currency (amounts it does not quote after them);
# fines have their own table (largest_fines)
_LARGEST_FIGURES = """
select f.text, f.kind, f.value, f.unit, f.object, a.title
from figures f join articles a using (article_id)
where f.kind = $kind and (f.kind <> 'money' or f.role is distinct from 'fine')
order by f.value_eur desc nulls last, f.value desc limit $n
"""

_LARGEST_FINES = """
select authority, target, text, value, unit, value_eur, status, basis, title, reports
from fines order by value_eur desc nulls last, value desc limit $n
"""


def top_entities(db_path: Path | str, label: str, n: int) -> pd.DataFrame:
    """The `n` entities of `label` in the most articles: name, mentions, articles."""
    return query(db_path, _TOP_ENTITIES, {"label": label, "n": n})


def largest_figures(db_path: Path | str, kind: str, n: int) -> pd.DataFrame:
    """The `n` largest figures of `kind` (money: other than fines, by their value in euros):
    text, kind, value, unit, object, title."""
    return query(db_path, _LARGEST_FIGURES, {"kind": kind, "n": n})


def largest_fines(db_path: Path | str, n: int) -> pd.DataFrame:
    """The `n` largest fines by their value in euros: authority, target, text, value, unit,
    value_eur, status, basis, title, reports."""
    return query(db_path, _LARGEST_FINES, {"n": n})


_RECENT_RUNS = """
select run_id, started_at, finished_at, status, array_to_string(sources, ',') as sources,
       coalesce(json_extract(stats, '$."newsmon/processed"')::int, 0) as kept,
       coalesce(json_extract(stats, '$."newsmon/stored/inserted"')::int, 0) as new,
       coalesce(json_extract(stats, '$."newsmon/stored/updated"')::int, 0) as updated
from crawl_runs order by run_id desc limit $limit
"""


def recent_runs(db_path: Path | str, limit: int) -> pd.DataFrame:
    """The last `limit` crawl runs, newest first, with their status and main counts."""
    return query(db_path, _RECENT_RUNS, {"limit": limit})
