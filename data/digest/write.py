"""Writing a digest to files: Markdown, HTML, and the data behind it as JSON, CSV or Parquet.

It owns file names and formats, not content.  JSON is one file (stories keep
their copies nested); CSV and Parquet are a folder with one file per section
(copies flattened into story_copies), and every CSV text cell is neutralised
against spreadsheet formulas (data.csvsafe).
"""

from __future__ import annotations

import json
import logging
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from newsmon.data.csvsafe import neutralise_frame
from newsmon.data.digest.build import Digest
from newsmon.data.digest.render import render_html, render_markdown

logger = logging.getLogger(__name__)

FORMATS = ("md", "html", "json", "csv", "parquet")
DATA_FORMATS = ("json", "csv", "parquet")


def sections(d: Digest) -> dict[str, pd.DataFrame]:
    """The digest's tables by section name, flat (no nested copies)."""
    return {
        "stories": d.stories.drop(columns=["copies"], errors="ignore"),
        "story_copies": d.story_copies(),
        "entities": d.entities,
        "entity_trend": d.entity_trend,
        "fines": d.fines,
        "money": d.money,
        "counts": d.counts,
        "per_day": d.per_day,
        "per_source": d.per_source,
    }


def default_name(d: Digest, fmt: str) -> str:
    suffix = f"-{_slug(d.topic)}" if d.topic else ""
    return f"digest-{d.week}{suffix}" + (f".{fmt}" if fmt in ("md", "html", "json") else "")


def write_digest(d: Digest, fmt: str, out: str | Path) -> list[Path]:
    """Write `d` as `fmt` to `out` and return the files written.

    md, html and json write one file (`out` may be a directory: the file is
    then digest-<week>.<fmt> inside it); csv and parquet write a directory.
    """
    if fmt not in FORMATS:
        raise ValueError(f"digest format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt in DATA_FORMATS:
        return write_data(d, fmt, out)
    target = _file_target(Path(out), default_name(d, fmt))
    text = render_markdown(d) if fmt == "md" else render_html(d)
    target.write_text(text, encoding="utf-8")
    logger.info("wrote %s", target)
    return [target]


def write_data(d: Digest, fmt: str, out: str | Path) -> list[Path]:
    """The data behind the digest: json -> one file; csv/parquet -> a folder of one file per section."""
    if fmt not in DATA_FORMATS:
        raise ValueError(f"data format must be one of {', '.join(DATA_FORMATS)}, not {fmt!r}")
    out = Path(out)
    if fmt == "json":
        target = _file_target(out, default_name(d, "json"))
        target.write_text(json.dumps(to_json_dict(d), ensure_ascii=False, indent=1), encoding="utf-8")
        return [target]
    out.mkdir(parents=True, exist_ok=True)
    written = [_write_meta(d, out, fmt)]
    for name, frame in sections(d).items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            _flat_for_csv(frame).to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        written.append(path)
    logger.info("wrote %d %s files to %s", len(written), fmt, out)
    return written


def to_json_dict(d: Digest) -> dict[str, Any]:
    """Metadata plus every section as a list of records, JSON-ready."""
    data = {name: frame for name, frame in sections(d).items() if name != "story_copies"}
    data["stories"] = d.stories
    return {"meta": d.meta(), **{name: _records(frame) for name, frame in data.items()}}


def _write_meta(d: Digest, out: Path, fmt: str) -> Path:
    meta = pd.DataFrame([{k: (", ".join(v) if isinstance(v, list) else v) for k, v in d.meta().items()}])
    path = out / f"meta.{fmt}"
    if fmt == "csv":
        neutralise_frame(meta).to_csv(path, index=False)
    else:
        meta.to_parquet(path, index=False)
    return path


def _flat_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            flat[column] = flat[column].map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return neutralise_frame(flat)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    """A JSON-ready version of one cell (timestamps as ISO, NaN as null, arrays as lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _file_target(out: Path, name: str) -> Path:
    target = out / name if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "topic"
