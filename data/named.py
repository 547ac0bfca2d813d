"""Named queries: the SQL files in data/queries/, their headers, and running them.

A named query is one `.sql` file whose header comment says what it is:

    -- name: top_stories
    -- about: the week's stories, syndicated copies grouped
    -- param: week week = latest : the ISO week, YYYY-Www
    -- param: limit int = 10 : how many stories
    -- row: one story: title, link, sources, ...

Other comment lines of the leading block continue the field above them.  A
`param` line is `name type [= default] [: help]`.  Types are `week` (YYYY-Www,
bound as the Monday DATE; `latest` makes the runner bind the latest week with
articles matching the query's min_relevance/terms), `date`, `int`, `float`,
`text` and `terms` (a comma-separated list bound as VARCHAR[]).  A default of
`none`/`latest` binds NULL; a param without a default is required.  Values arrive as strings (from
`--param key=value`) or as Python values (from code) and are checked and
converted here, so the SQL only sees typed DuckDB named parameters ($week).

Files whose name starts with `_` are not queries: `_prelude.sql` holds the
temporary macros every query may use (the article date, the topic filter,
the week's articles); it runs once per connection.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import duckdb
import pandas as pd

from newsmon.data.errors import QueryError, QueryParamError, UnknownQueryError
from newsmon.data.connection import run_sandboxed, sandbox

logger = logging.getLogger(__name__)

QUERY_DIR = Path(__file__).with_name("queries")
PRELUDE = "_prelude.sql"

_HEADER_LINE = re.compile(r"^--\s?(name|about|param|row):\s*(.*?)\s*$")
_PARAM_SPEC = re.compile(r"^(\w+)\s+(\w+)(?:\[([^\]]*)\])?(?:\s*=\s*([^\s:]+))?\s*(?::\s*(.*))?$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_NULL_DEFAULTS = {"none", "null", "latest"}


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str
    default: Any = None  # already converted; None binds NULL
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()  # the allowed values (of a text, or of each of the terms)


@dataclass(frozen=True)
class QueryInfo:
    name: str
    params: tuple[QueryParam, ...]
    row_doc: str
    path: Path
    about: str = ""
    sql: str = field(default="", repr=False)

    def param(self, name: str) -> QueryParam | None:
        return next((p for p in self.params if p.name == name), None)


# -- parameter types ---------------------------------------------------------

WEEK_YEARS = (1900, 9998)  # years a week may be in (9999-W52 ends in the year 10000)


def parse_week(value: str | date | None) -> date | None:
    """'2025-W07' (or a date inside the week) -> the Monday of that ISO week; None/'latest' -> None."""
    if value is None or isinstance(value, date):
        return None if value is None else _monday(value)
    text = str(value).strip()
    if text.lower() in ("", *_NULL_DEFAULTS):
        return None
    match = _WEEK.match(text)
    if not match:
        raise ValueError(f"{value!r} is not an ISO week like 2025-W07")
    year, week = int(match.group(1)), int(match.group(2))
    if not WEEK_YEARS[0] <= year <= WEEK_YEARS[1]:  # the digest reads weeks before and after it
        raise ValueError(f"{value!r}: weeks run from {WEEK_YEARS[0]}-W01 to {WEEK_YEARS[1]}-W52")
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{value!r}: {year} has no ISO week {week}") from exc


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _monday(day: date) -> date:
    if isinstance(day, datetime):
        day = day.date()
    return date.fromordinal(day.toordinal() - day.weekday())


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _to_terms(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    terms = [str(t).strip() for t in items if str(t).strip()]
    return terms or None


def _to_count(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("a whole number >= 0")
    return number


def _to_name(value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise ValueError("an empty name")
    return text


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "week": parse_week,
    "date": _to_date,
    "int": _to_count,
    "float": float,
    "text": str,
    "terms": _to_terms,
    "entity": _to_name,
}


def _convert(info: QueryInfo, param: QueryParam, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip().lower() in _NULL_DEFAULTS):
        return None
    try:
        converted = _CONVERTERS[param.type](value)
    except (TypeError, ValueError) as exc:
        raise QueryParamError(
            f"query {info.name!r}: parameter {param.name!r} wants a {param.type}, got {value!r} ({exc})"
        ) from exc
    if param.choices and converted is not None:
        wrong = [v for v in (converted if isinstance(converted, list) else [converted])
                 if v not in param.choices]
        if wrong:
            raise QueryParamError(f"query {info.name!r}: {param.name} must be "
                                  f"{'one' if param.type == 'text' else 'some'} of "
                                  f"{', '.join(param.choices)}; got {', '.join(map(repr, wrong))}")
    return converted


# -- reading the files -------------------------------------------------------

def parse_header(sql: str, path: Path) -> QueryInfo:
    """Read the leading `-- key: value` comment lines of one query file."""
    fields: dict[str, list[str]] = {}
    for line in sql.splitlines():
        if not line.strip():
            continue
        if not line.lstrip().startswith("--"):
            break
        match = _HEADER_LINE.match(line.strip())
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2))
        elif fields:  # a continuation line of the previous field
            key = list(fields)[-1]
            fields[key][-1] += " " + line.strip().lstrip("-").strip()
    name = (fields.get("name") or [path.stem])[0]
    if name != path.stem:
        raise QueryError(f"{path}: header says name {name!r} but the file is {path.stem!r}")
    placeholder = QueryInfo(name, (), "", path)
    params = tuple(_parse_param(placeholder, spec) for spec in fields.get("param", []))
    return QueryInfo(
        name=name,
        params=params,
        row_doc=" ".join(fields.get("row", [])),
        path=path,
        about=" ".join(fields.get("about", [])),
        sql=sql,
    )


def _parse_param(info: QueryInfo, spec: str) -> QueryParam:
    match = _PARAM_SPEC.match(spec)
    if not match or match.group(2) not in _CONVERTERS:
        raise QueryError(f"{info.path}: bad param line {spec!r} (want 'name type [= default] [: help]', "
                         f"types {sorted(_CONVERTERS)})")
    name, type_, choices, default, help_ = match.groups()
    allowed = tuple(c.strip() for c in (choices or "").split("|") if c.strip())
    if allowed and type_ not in ("text", "terms"):
        raise QueryError(f"{info.path}: {spec!r}: only text and terms params take [choices]")
    param = QueryParam(name, type_, None, default is None, help_ or "", allowed)
    if default is not None:
        param = QueryParam(name, type_, _convert(info, param, default), False, help_ or "", allowed)
    return param


@lru_cache(maxsize=None)
def _load(directory: Path) -> dict[str, QueryInfo]:
    infos = {}
    for path in sorted(directory.glob("*.sql")):
        if path.name.startswith("_"):
            continue
        info = parse_header(path.read_text(encoding="utf-8"), path)
        infos[info.name] = info
    return infos


def list_queries(directory: Path = QUERY_DIR) -> list[QueryInfo]:
    """Every named query, sorted by name."""
    return list(_load(Path(directory)).values())


def get_query(name: str, directory: Path = QUERY_DIR) -> QueryInfo:
    queries = _load(Path(directory))
    if name not in queries:
        raise UnknownQueryError(f"no named query {name!r}; known: {', '.join(sorted(queries)) or 'none'}")
    return queries[name]


def parse_param_args(pairs: Sequence[str]) -> dict[str, str]:
    """CLI `--param key=value` strings -> {key: value} (values stay strings; bind_params converts)."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryParamError(f"--param wants key=value, got {pair!r}")
        params[key.strip()] = value.strip()
    return params


def bind_params(info: QueryInfo, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check names against the header, convert values, fill defaults; the dict DuckDB binds."""
    given = dict(params or {})
    unknown = sorted(set(given) - {p.name for p in info.params})
    if unknown:
        known = ", ".join(p.name for p in info.params) or "none"
        raise QueryParamError(f"query {info.name!r} has no parameter {', '.join(unknown)}; it takes: {known}")
    bound = {}
    for param in info.params:
        if param.name in given:
            bound[param.name] = _convert(info, param, given[param.name])
        elif param.required:
            raise QueryParamError(f"query {info.name!r} needs --param {param.name}=<{param.type}>")
        else:
            bound[param.name] = param.default
    # a parameter the header declares but the SQL never uses would make DuckDB refuse to bind
    return {k: v for k, v in bound.items() if re.search(rf"\${k}\b", info.sql)}


# -- running ---------------------------------------------------------------------

def prepare(con: duckdb.DuckDBPyConnection, directory: Path = QUERY_DIR) -> None:
    """Create the prelude's temporary macros on `con` (idempotent)."""
    prelude = Path(directory) / PRELUDE
    if prelude.exists():
        con.execute(prelude.read_text(encoding="utf-8"))


def run_on(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None,
           directory: Path = QUERY_DIR, fetch: Callable[[duckdb.DuckDBPyConnection], Any] | None = None
           ) -> pd.DataFrame | Any:
    """Run a named query on an open connection (a `sandbox` one) that `prepare` has seen;
    the result as a DataFrame, or as `fetch(result)` returns it."""
    info = get_query(name, directory)
    bound = bind_params(info, params)
    logger.debug("query %s with %s", name, bound)
    _resolve_entities(con, info, bound)
    try:
        _resolve_latest_week(con, info, bound)
        return run_sandboxed(con, info.sql, bound, **({"fetch": fetch} if fetch else {}))
    except duckdb.Error as exc:
        raise QueryError(f"query {name!r} failed: {exc}") from exc


def latest_week(con: duckdb.DuckDBPyConnection, min_relevance: float | None = None,
                terms: Sequence[str] | None = None) -> date | None:
    """Monday of the latest ISO week with (topic) articles; None when there are none."""
    row = con.execute("SELECT latest_week($min_relevance, $terms)",
                      {"min_relevance": min_relevance, "terms": list(terms) if terms else None}).fetchone()
    return row[0] if row else None


def _resolve_latest_week(con: duckdb.DuckDBPyConnection, info: QueryInfo, bound: dict[str, Any]) -> None:
    """Replace a NULL week parameter by the latest week, so the SQL gets a constant Monday."""
    for param in info.params:
        if param.type == "week" and param.name in bound and bound[param.name] is None:
            bound[param.name] = latest_week(con, bound.get("min_relevance"), bound.get("terms"))


def _resolve_entities(con: duckdb.DuckDBPyConnection, info: QueryInfo, bound: dict[str, Any]) -> None:
    """Bind `$<name>_ids` of each entity param the SQL uses: the ids of that name."""
    for param in info.params:
        if param.type == "entity" and re.search(rf"\${param.name}_ids\b", info.sql):
            value = bound.get(param.name)
            bound[f"{param.name}_ids"] = None if value is None else entity_ids(con, value)


def entity_ids(con: duckdb.DuckDBPyConnection, name: str) -> list[int]:
    """The ids of the people and organisations called `name` (their name, or an alias as the
    entity resolver keys it); an empty list when only mentions without an id carry that
    name.  A name nothing carries is a QueryParamError naming the closest known names."""
    ids = [r[0] for r in con.execute("""
        SELECT DISTINCT entity_id FROM entity_aliases
        WHERE alias IN (alias_key('person', $e), alias_key('organisation', $e))
        UNION
        SELECT entity_id FROM entities WHERE lower(name) = lower($e)""", {"e": name}).fetchall()]
    if ids or con.execute("SELECT 1 FROM mentions WHERE entity_id IS NULL AND lower(canonical) = lower($e) "
                          "LIMIT 1", {"e": name}).fetchone():
        return ids
    names = [r[0] for r in con.execute("SELECT name FROM entities").fetchall()]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise QueryParamError(f"no person or organisation named {name!r} in the database{hint}")


def run_query(db_path: str | Path, name: str, params: Mapping[str, Any] | None = None,
              timeout: float = 10.0, directory: Path = QUERY_DIR,
              fetch: Callable[[duckdb.DuckDBPyConnection], Any] | None = None) -> pd.DataFrame | Any:
    """Run the named query `name` in the SQL sandbox against the database at `db_path`."""
    get_query(name, directory)  # fail on an unknown name before touching the file
    with sandbox(db_path, timeout, setup=lambda con: prepare(con, directory)) as con:
        return run_on(con, name, params, directory, fetch)
