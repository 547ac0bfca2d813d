"""The write contract: incoming pandas DataFrames -> typed Arrow tables.

Each frame kind has a column spec (name, Arrow type, required).  `to_arrow`
checks required columns are present and non-null, fills absent optional
columns with nulls, converts every column strictly (a string in an integer
column is an error, not a silent NaN) and drops unknown columns.  Timestamps
are ISO strings (or datetimes), parsed to naive UTC; an unparseable optional
timestamp becomes null with a warning.  Conversion problems raise WriteError
before any transaction starts.

article_id is derived from canonical_url (`article_id_for`), so every frame
keyed by canonical_url gets an `article_id` column here, in one place.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from newsmon.data.errors import WriteError

logger = logging.getLogger(__name__)

STR = pa.string()
STR_LIST = pa.list_(pa.string())
TIMESTAMP = pa.timestamp("us")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    required: bool = False


ARTICLE_ID = Column("article_id", pa.int64(), required=True)
CANONICAL_URL = Column("canonical_url", STR, required=True)

ARTICLE_COLUMNS: tuple[Column, ...] = (
    ARTICLE_ID,
    Column("url", STR, required=True),
    CANONICAL_URL,
    Column("source", STR),
    Column("title", STR),
    Column("authors", STR_LIST),
    Column("published_at", TIMESTAMP),
    Column("fetched_at", TIMESTAMP),
    Column("language", STR),
    Column("sitename", STR),
    Column("description", STR),
    Column("text", STR, required=True),
    Column("text_hash", STR, required=True),
    Column("word_count", pa.int32()),
    Column("relevance", pa.float64()),
    Column("matched_terms", STR_LIST),
    Column("annotated", pa.bool_()),
)

MENTION_COLUMNS: tuple[Column, ...] = (
    ARTICLE_ID,
    Column("label", STR, required=True),
    Column("text", STR, required=True),
    Column("canonical", STR),
    Column("start", pa.int32(), required=True),
    Column("end", pa.int32(), required=True),
    Column("sentence", STR),
)

FIGURE_COLUMNS: tuple[Column, ...] = (
    ARTICLE_ID,
    Column("kind", STR, required=True),
    Column("value", pa.float64(), required=True),
    Column("unit", STR),
    Column("object", STR),
    Column("text", STR, required=True),
    Column("start", pa.int32(), required=True),
    Column("end", pa.int32(), required=True),
    Column("sentence", STR),
    Column("role", STR),  # money: fine | revenue | cost | funding | price | compensation | maximum | other
    Column("party", STR),  # money: whose amount it is (canonical name), when the sentence says
    Column("party_label", STR),
)

# one fine an article reports (table fine_reports; data/migrations/009_money.sql)
FINE_COLUMNS: tuple[Column, ...] = (
    ARTICLE_ID,
    Column("authority", STR),
    Column("authority_label", STR),
    Column("target", STR),
    Column("target_label", STR),
    Column("value", pa.float64(), required=True),
    Column("unit", STR, required=True),
    Column("precision", pa.float64()),
    Column("status", STR, required=True),
    Column("basis", STR),
    Column("text", STR, required=True),
    Column("start", pa.int32(), required=True),
    Column("end", pa.int32(), required=True),
    Column("sentence", STR),
)

# one row of the fetch record (table pages; data/migrations/003_fetch_log.sql, 011_redirects.sql)
PAGE_COLUMNS: tuple[Column, ...] = (
    Column("url", STR, required=True),
    Column("source", STR),
    Column("kind", STR, required=True),
    Column("status", pa.int32()),
    Column("etag", STR),
    Column("last_modified", STR),
    Column("lastmod", TIMESTAMP),
    Column("fetched_at", TIMESTAMP, required=True),
    Column("outcome", STR, required=True),
    Column("canonical_url", STR),
    Column("redirect_to", STR),
)

# one loaded staged batch (table staged_batches; data/migrations/005_staged_batches.sql)
BATCH_COLUMNS: tuple[Column, ...] = (
    Column("batch_id", STR, required=True),
    Column("staged_at", TIMESTAMP),
    Column("articles", pa.int32(), required=True),
    Column("mentions", pa.int32(), required=True),
    Column("figures", pa.int32(), required=True),
    Column("pages", pa.int32(), required=True),
    Column("fines", pa.int32()),
)

SOURCE_COLUMNS: tuple[Column, ...] = (
    Column("name", STR, required=True),
    Column("homepage", STR),
    Column("language", STR),
    Column("feeds", STR_LIST),
    Column("sitemaps", STR_LIST),
    Column("config", STR),  # JSON text; dicts are serialised here
)


def incoming_names(columns: tuple[Column, ...]) -> list[str]:
    """The column names a writer gives for `columns`: article_id is derived here, so
    frames keyed by article carry canonical_url in its place (first, for mentions
    and figures; where it already stands, for articles)."""
    names = [c.name for c in columns if c is not ARTICLE_ID]
    if columns and columns[0] is ARTICLE_ID and "canonical_url" not in names:
        names.insert(0, "canonical_url")
    return names


def article_id_for(canonical_url: str) -> int:
    """The stable article id: the first 63 bits of md5(canonical_url), a positive BIGINT."""
    digest = hashlib.md5(canonical_url.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def with_article_id(df: pd.DataFrame, what: str) -> pd.DataFrame:
    """`df` with an article_id column derived from canonical_url (kept if already there)."""
    if "article_id" in df.columns:
        return df
    if "canonical_url" not in df.columns:
        raise WriteError(f"{what}: needs a canonical_url (or article_id) column; got {list(df.columns)}")
    urls = df["canonical_url"]
    if urls.isna().any():
        raise WriteError(f"{what}.canonical_url: {int(urls.isna().sum())} empty values")
    ids = {url: article_id_for(url) for url in urls.unique()}
    return df.assign(article_id=urls.map(ids).astype("int64"))


def last_per_article(articles: pd.DataFrame) -> pd.DataFrame:
    """Keep the last row per canonical_url (the rule for duplicates within a batch)."""
    deduped = articles.drop_duplicates("canonical_url", keep="last")
    dropped = len(articles) - len(deduped)
    if dropped:
        logger.info("batch repeats %d canonical_url(s); the last row of each wins", dropped)
    return deduped


def last_per_url(pages: pd.DataFrame) -> pd.DataFrame:
    """Keep the last row per url (a fetch record batch holds one row per page)."""
    return pages.drop_duplicates("url", keep="last")


def to_arrow(df: pd.DataFrame, columns: tuple[Column, ...], what: str) -> pa.Table:
    """Convert `df` to an Arrow table with exactly `columns`, strictly typed."""
    missing = [c.name for c in columns if c.required and c.name not in df.columns]
    if missing and len(df):
        raise WriteError(f"{what}: missing required column(s) {missing}; got {list(df.columns)}")
    extra = sorted(set(df.columns) - {c.name for c in columns} - {"canonical_url"})
    if extra:
        logger.debug("%s: ignoring columns %s", what, extra)
    arrays = [_column_array(df, column, what) for column in columns]
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def _column_array(df: pd.DataFrame, column: Column, what: str) -> pa.Array:
    if column.name not in df.columns:
        return pa.nulls(len(df), type=column.type)
    series = df[column.name].reset_index(drop=True)
    empty = series.isna()
    if column.required and empty.any():
        raise WriteError(f"{what}.{column.name}: {int(empty.sum())} empty values in a required column")
    if empty.all():  # e.g. a float NaN column standing for "no lists"
        return pa.nulls(len(series), type=column.type)
    try:
        if column.type == TIMESTAMP:
            series = _parse_timestamps(series, f"{what}.{column.name}")
        elif column.name == "config":
            series = series.map(_json_text)
        return pa.array(series, type=column.type, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise WriteError(f"{what}.{column.name}: cannot convert to {column.type}: {exc}") from exc


def _parse_timestamps(series: pd.Series, where: str) -> pd.Series:
    parsed = pd.to_datetime(series, utc=True, format="ISO8601", errors="coerce")
    bad = int((parsed.isna() & series.notna()).sum())
    if bad:
        logger.warning("%s: %d unparseable timestamp(s) stored as null", where, bad)
    return parsed.dt.tz_convert(None).dt.floor("us")


def _json_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
