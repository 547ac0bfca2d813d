"""CSV formula-injection safety, one rule for every CSV newsmon writes.

A spreadsheet runs a cell that starts with = + - @ (or tab / carriage return,
which some spreadsheets strip before looking) as a formula, so a scraped title
like `=HYPERLINK("http://evil", "click")` would run on the reader's machine.
Such text cells get a leading single quote, the OWASP-recommended neutraliser;
numbers stay numbers.  Python frames use `neutralise_frame`; the streaming
exporter applies the same rule inside DuckDB with `sql_neutralise`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: Any) -> Any:
    """The cell value a spreadsheet shows as text; non-strings pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot run as formulas."""
    import pandas as pd  # only here: `newsmon sql --format csv` starts without pandas

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def sql_neutralise(column_sql: str) -> str:
    """A DuckDB expression applying `neutralise` to the VARCHAR expression `column_sql`."""
    firsts = ", ".join(_sql_literal(c) for c in FORMULA_STARTS)
    return (f"CASE WHEN left({column_sql}, 1) IN ({firsts}) "
            f"THEN {_sql_literal(QUOTE)} || {column_sql} ELSE {column_sql} END")


def _sql_literal(text: str) -> str:
    if text == "\t":
        return "chr(9)"
    if text == "\r":
        return "chr(13)"
    return "'" + text.replace("'", "''") + "'"
