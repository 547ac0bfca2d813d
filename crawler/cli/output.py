"""Query results as people and programs read them: table, csv, json, jsonl, markdown.

It owns `Rows` (column names, DuckDB types and Python values, straight from
DuckDB: no pandas on the way, so an INTEGER stays 15, not 15.0, and NULL stays
None, not NaN) and `emit`.  The rules, the same for every command that prints
rows (`sql`, `search`, `runs`, `db status`, ...):

* table: a `rich` table; NULL is an empty cell, numbers align right, dates are
  ISO (2026-01-01), timestamps to the second, floats show at most six decimals
  (csv and json keep every digit); on a terminal long text is
  cut to its width with "…", elsewhere nothing is cut; line breaks in a cell
  become spaces.  The row count goes to stderr.
* markdown: a GitHub table, the same cells, `|` escaped.
* csv: a header and the rows, every cell complete; text that a spreadsheet would
  run as a formula is neutralised (data.csvsafe); lists are "a; b".
* json: one array of objects; jsonl: one object per line.  NULL is null,
  integers (HUGEINT too) are integers, dates and timestamps ISO strings, lists
  arrays, structs objects.
* an empty result prints "no rows" (on stderr for csv/json/jsonl, so their
  output stays valid: a header, [] or nothing).
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO
from uuid import UUID

FORMATS = ("table", "csv", "json", "jsonl", "markdown")
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


@dataclass
class Rows:
    columns: list[str]
    types: list[str]
    rows: list[tuple]

    @classmethod
    def from_result(cls, con) -> "Rows":
        """The pending result of a DuckDB connection (after `execute`)."""
        description = con.description
        if description is None:
            return cls([], [], [])
        rows = con.fetchall()
        if not rows and [(d[0], str(d[1])) for d in description] == [("Success", "BOOLEAN")]:
            return cls([], [], [])  # DuckDB's answer to a statement without a result (SET VARIABLE)
        return cls([d[0] for d in description], [str(d[1]) for d in description], rows)

    @classmethod
    def from_frame(cls, df) -> "Rows":
        """A pandas frame (what some library calls return), NaN/NaT as None, whole floats of an
        integer column (pandas' NULL-able ints) as ints."""
        columns = [str(c) for c in df.columns]
        types = []
        values = []
        for col in df.columns:
            series = df[col]
            kind = _frame_type(str(series.dtype))
            cells = [None if _is_missing(v) else _unwrap(v) for v in series.tolist()]
            if kind == "DOUBLE" and any(v is not None for v in cells) and all(
                    v is None or (isinstance(v, float) and v.is_integer()) for v in cells):
                cells = [None if v is None else int(v) for v in cells]
                kind = "BIGINT"
            types.append(kind)
            values.append(cells)
        return cls(columns, types, list(zip(*values)) if values else [])

    def numeric(self, i: int) -> bool:
        return self.types[i].upper().startswith(_NUMERIC)


def _frame_type(kind: str) -> str:
    if kind.startswith(("int", "Int", "uint", "UInt")):
        return "BIGINT"
    if kind.startswith(("float", "Float")):
        return "DOUBLE"
    if kind.startswith("datetime"):
        return "TIMESTAMP"
    if kind == "bool" or kind == "boolean":
        return "BOOLEAN"
    return "VARCHAR"


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return type(v).__name__ in ("NaTType", "NAType")


def _unwrap(v: Any) -> Any:
    """numpy and pandas scalars and arrays as plain Python values."""
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime()
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return v.tolist()
    if hasattr(v, "item") and not isinstance(v, (str, bytes, list, dict)):
        return v.item()
    return v


def emit(rows: Rows, fmt: str, out: TextIO | None = None, *, tty: bool | None = None,
         width: int | None = None, err: TextIO | None = None,
         bold: tuple[str, str] | None = None) -> None:
    """Write `rows` to `out` (stdout) in `fmt` (module docstring).  `bold`: the markers
    around text that a table shows in bold (the markers themselves are not shown)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if not rows.columns:
        return
    if not rows.rows:
        if fmt == "csv":
            _csv(rows, out)
        elif fmt == "json":
            out.write("[]\n")
        if fmt in ("table", "markdown"):
            print("no rows", file=out)
        elif not _quiet():
            print("no rows", file=err)
        return
    if fmt == "csv":
        _csv(rows, out)
    elif fmt == "json":
        out.write(json.dumps([_record(rows, r) for r in rows.rows], ensure_ascii=False, indent=2) + "\n")
    elif fmt == "jsonl":
        for r in rows.rows:
            out.write(json.dumps(_record(rows, r), ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        _markdown(rows, out)
    else:
        tty = out.isatty() if tty is None else tty
        _table(rows, out, tty, width, bold)
        if not _quiet():
            print(f"{len(rows.rows)} row{'s' if len(rows.rows) != 1 else ''}", file=err)


# -- one cell ----------------------------------------------------------------------

def cell_text(value: Any, complete: bool = False) -> str:
    """A value as a table cell shows it (timestamps to the second, floats to six
    decimals), or `complete` as a CSV cell holds it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if complete and math.isfinite(value) and not value.is_integer() \
            else _float_text(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="auto" if complete else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v, complete) for v in value)
    if isinstance(value, dict):
        return json.dumps(json_value(value), ensure_ascii=False)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


def _float_text(v: float) -> str:
    if not math.isfinite(v):
        return str(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if abs(v) >= 1e15 or abs(v) < 1e-4:
        return f"{v:.6g}"
    return f"{v:.6f}".rstrip("0").rstrip(".")


def json_value(value: Any) -> Any:
    """A value as JSON holds it: null, integers, ISO dates, arrays, objects."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


def _record(rows: Rows, row: tuple) -> dict:
    return {name: json_value(v) for name, v in zip(rows.columns, row)}


# -- formats --------------------------------------------------------------------------

def _quiet() -> bool:
    from newsmon.crawler.cli import quiet  # the package imports this module
    return quiet()


def _csv(rows: Rows, out: TextIO) -> None:
    from newsmon.data.csvsafe import neutralise
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows.columns)
    for row in rows.rows:
        writer.writerow([neutralise(cell_text(v, complete=True)) for v in row])


def _markdown(rows: Rows, out: TextIO) -> None:
    def esc(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    out.write("| " + " | ".join(esc(c) for c in rows.columns) + " |\n")
    out.write("|" + "|".join("---:" if rows.numeric(i) else "---" for i in range(len(rows.columns))) + "|\n")
    for row in rows.rows:
        out.write("| " + " | ".join(esc(cell_text(v)) for v in row) + " |\n")


def _table(rows: Rows, out: TextIO, tty: bool, width: int | None,
           bold: tuple[str, str] | None = None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    cells = [[" ".join(cell_text(v).split()) if isinstance(v, str) else cell_text(v) for v in row]
             for row in rows.rows]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i, name in enumerate(rows.columns):
        table.add_column(name, justify="right" if rows.numeric(i) else "left",
                         overflow="ellipsis" if tty else "fold", no_wrap=tty)
    for row in cells:
        table.add_row(*(_styled(c, bold) for c in row))
    buffer = io.StringIO()
    if tty:
        console = Console(file=buffer, width=width or shutil.get_terminal_size().columns,
                          highlight=False, soft_wrap=False, force_terminal=True,
                          color_system="standard")
    else:  # nothing is cut: as wide as the widest row needs
        natural = [max([len(name), *(len(r[i]) for r in cells)]) for i, name in enumerate(rows.columns)]
        console = Console(file=buffer, width=width or sum(natural) + 3 * len(natural) + 2,
                          highlight=False, no_color=True, color_system=None)
    console.print(table)
    out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def _styled(text: str, bold: tuple[str, str] | None):
    """`text` as a rich Text, the parts between the `bold` markers in bold."""
    from rich.text import Text
    if not bold or bold[0] not in text:
        return Text(text)
    out = Text()
    for i, part in enumerate(text.split(bold[0])):
        inner, sep, rest = part.partition(bold[1]) if i else ("", "", part)
        if inner:
            out.append(inner, style="bold")
        out.append(rest if (sep or not i) else inner + rest)
    return out


def format_option(func=None, *, choices: tuple[str, ...] = FORMATS):
    """--format table|csv|json|jsonl|markdown (the commands that print rows)."""
    import click

    def decorate(f):
        return click.option("--format", "fmt", type=click.Choice(list(choices)), default="table",
                            show_default=True,
                            help="table (cut to the terminal's width on a terminal), csv, json (an "
                                 "array), jsonl (one object per line) or markdown.")(f)
    return decorate(func) if func is not None else decorate
