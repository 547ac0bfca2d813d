"""How long the weekly digest takes: on a small and on a 1,000,000-article database.

Generates databases through the real migrations (data.store.open_db) and fills
them with DuckDB SQL alone (range() and hash-based pseudo-random numbers, so
runs are reproducible): articles spread over 52 weeks and 200 sources, 5% of
them syndicated copies of an earlier article, 8 mentions and 2 figures per
article drawn from a skewed pool of 20,000 entities; money figures carry a role
and their euro value, and one in 50 is a fine with its fine_reports row.  Then it times
build_digest (default = latest week, and a mid-year week), the renderers and
the data writers, and prints seconds.  `--db PATH` times an existing database
instead (e.g. the demo's, after `make demo`).

    .venv/bin/python bench/digest_bench.py                 # 2,000 and 1,000,000 articles
    .venv/bin/python bench/digest_bench.py --articles 100000
    .venv/bin/python bench/digest_bench.py --db data/newsmon.duckdb
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsmon.data.digest import build_digest, render_html, render_markdown, write_data  # noqa: E402
from newsmon.data.export import export_table  # noqa: E402
from newsmon.data.named import run_query  # noqa: E402
from newsmon.data import entity_weeks  # noqa: E402
from newsmon.data.store import open_db, query  # noqa: E402

SOURCES = 200
ENTITIES = 20_000
WEEKS = 52
START = "2024-01-01"

_WORDS = ("regulator platform commission fine investigation content moderation online safety act digital "
          "services market competition privacy data protection children age verification app store "
          "advertising transparency algorithm recommender election disinformation court ruling appeal "
          "minister parliament law draft consultation guidance audit risk assessment compliance penalty "
          "company users million billion report week said officials statement european national").split()
_FIRST = "Anna Pavel Ursula Thierry Margrethe Lina Elon Mark Sundar Tim Nick Jean Maria Olaf Emily".split()
_LAST = "Durov Breton Vestager Khan Musk Zuckerberg Pichai Cook Clegg Dupont Rossi Schmidt Chen Novak".split()
_ORGS = "Commission Ofcom Arcom Meta Google Apple TikTok Telegram Amazon Microsoft Agency Authority Court".split()


def _sql_list(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join("'" + w + "'" for w in items) + "]"


def generate(path: Path, articles: int) -> None:
    """Create `path` with the real schema and `articles` generated articles."""
    con = open_db(path)
    try:
        con.execute("SET preserve_insertion_order = false")
        con.execute("CREATE TEMP MACRO rnd(h, n) AS (h % n)::BIGINT")  # hash -> 0..n-1
        con.execute("CREATE TEMP MACRO cap(s) AS upper(left(s, 1)) || substr(s, 2)")
        con.execute(f"CREATE TEMP TABLE words AS SELECT {_sql_list(_WORDS)} AS w")
        _sources(con)
        _articles(con, articles)
        _entities(con)
        _mentions(con)
        entity_weeks.rebuild(con)  # the writer's weekly counts, for mentions written around it
        _figures(con)
        _fines(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _sources(con) -> None:
    con.execute(f"""
        INSERT INTO sources (name, homepage, language, feeds, sitemaps, config, updated_at)
        SELECT 'source-' || lpad(i::VARCHAR, 3, '0'), 'https://source-' || i || '.example/', 'en',
               [], [], '{{}}', TIMESTAMP '{START}'
        FROM range({SOURCES}) t(i)""")


def _articles(con, n: int) -> None:
    seconds = WEEKS * 7 * 86400
    # article_id is hash-like, as md5-based ids are in production (no accidental time order);
    # story: 5% of articles copy the text of an article up to 60 positions earlier (hours apart),
    # half of those under a title of their own
    con.execute(f"""
        CREATE TEMP TABLE gen AS
        SELECT i, (hash(i, 'id') >> 1)::BIGINT AS article_id,
               CASE WHEN rnd(hash(i, 1), 100) < 5 AND i > 60 THEN i - 1 - rnd(hash(i, 2), 60) ELSE i END AS story,
               rnd(hash(i, 3), {SOURCES}) AS src,
               TIMESTAMP '{START}' + to_seconds((i * {seconds} // {n})::BIGINT) AS published_at
        FROM range({n}) t(i)""")
    # sentences are three 4-word fragments from pools of 1,000: unrelated articles rarely share one
    con.execute("""
        CREATE TEMP TABLE pools AS
        SELECT list(array_to_string(list_transform(range(4), j -> w[1 + rnd(hash(p, f, j), len(w))]), ' ')
                    ORDER BY f) FILTER (WHERE p = 0) AS f0,
               list(array_to_string(list_transform(range(4), j -> w[1 + rnd(hash(p, f, j), len(w))]), ' ')
                    ORDER BY f) FILTER (WHERE p = 1) AS f1,
               list(array_to_string(list_transform(range(4), j -> w[1 + rnd(hash(p, f, j), len(w))]), ' ')
                    ORDER BY f) FILTER (WHERE p = 2) AS f2
        FROM range(3) a(p), range(1000) b(f), words""")
    con.execute("""
        INSERT INTO articles
        SELECT article_id, url, url, 'source-' || lpad(src::VARCHAR, 3, '0'), title, ['Staff'], published_at,
               published_at + INTERVAL 1 HOUR, published_at + INTERVAL 1 HOUR, published_at + INTERVAL 1 HOUR,
               'en', NULL, NULL, text, md5(text), 200, relevance, terms, true, 1
        FROM (
            SELECT g.*, 'https://source-' || g.src || '.example/a/' || g.i AS url,
                   cap(array_to_string(list_transform(range(8),
                       j -> w[1 + rnd(hash(CASE WHEN g.i % 2 = 0 THEN g.story ELSE g.i END, j, 't'), len(w))]), ' '))
                       AS title,
                   array_to_string(list_transform(range(16), s ->
                       cap(f0[1 + rnd(hash(g.story, s, 0), 1000)]) || ' ' || f1[1 + rnd(hash(g.story, s, 1), 1000)]
                       || ' ' || f2[1 + rnd(hash(g.story, s, 2), 1000)] || '.'), ' ')
                       || CASE WHEN g.story <> g.i THEN ' Reporting by the staff of source ' || g.src || '.' ELSE '' END
                       || ' Follow source ' || g.src || ' on social media for more updates.' AS text,
                   (rnd(hash(g.story, 5), 1000)) / 1000.0 AS relevance,
                   ['digital services act', 'online safety act', 'dma'][1 + rnd(hash(g.story, 6), 3):1 + rnd(hash(g.story, 6), 3)]
                       AS terms
            FROM gen g, words, pools
        )""")


def _entities(con) -> None:
    con.execute(f"""
        INSERT INTO entities (entity_id, label, name, first_seen_at)
        SELECT e, CASE WHEN e % 2 = 0 THEN 'person' ELSE 'organisation' END,
               CASE WHEN e % 2 = 0
                    THEN {_sql_list(_FIRST)}[1 + e // 2 % {len(_FIRST)}] || ' ' ||
                         {_sql_list(_LAST)}[1 + e // 30 % {len(_LAST)}] || ' ' || e
                    ELSE {_sql_list(_ORGS)}[1 + e // 2 % {len(_ORGS)}] || ' ' || e END,
               TIMESTAMP '{START}'
        FROM range(1, {ENTITIES} + 1) t(e)""")
    con.execute("""
        INSERT INTO entity_aliases SELECT name_key(name), label, entity_id FROM entities""")


def _mentions(con) -> None:
    # entity rank ~ ENTITIES ^ u: a few entities are everywhere, most are rare
    con.execute(f"""
        INSERT INTO mentions
        SELECT g.article_id, e.label, e.name, e.name, e.entity_id, 10 * k, 10 * k + 8, 'A sentence about ' || e.name || '.'
        FROM gen g, range(8) r(k),
             LATERAL (SELECT greatest(1, least({ENTITIES},
                         floor(pow({ENTITIES}, (rnd(hash(g.story, k, 'm'), 100000)) / 100000.0))::BIGINT)) AS eid) x
        JOIN entities e ON e.entity_id = x.eid""")


def _figures(con) -> None:
    # money as nlp.money leaves it (migration 009): a role, and the value in euros and dollars
    # at the article's day (fixed rates here: the ECB table is not what is measured); one
    # money figure in 50 is a fine
    con.execute("""
        INSERT INTO figures (article_id, kind, value, unit, object, text, start_char, end_char, sentence,
                             role, value_eur, value_usd, rate_date)
        SELECT g.article_id, kind, value, unit, CASE WHEN kind = 'count' THEN 'user' END, value::VARCHAR,
               100 * k, 100 * k + 9, 'The figure was ' || value::VARCHAR || ' according to the report.',
               CASE WHEN kind = 'money' THEN CASE WHEN rnd(hash(g.story, k, 'f'), 50) = 0 THEN 'fine'
                    ELSE ['revenue', 'cost', 'funding', 'price', 'other'][1 + rnd(hash(g.story, k, 'r'), 5)] END END,
               CASE WHEN kind = 'money' THEN value * per_eur END,
               CASE WHEN kind = 'money' THEN value * per_eur * 1.08 END,
               CASE WHEN kind = 'money' THEN g.published_at::DATE END
        FROM gen g, range(2) r(k),
             LATERAL (SELECT ['money', 'money', 'count', 'percent'][1 + rnd(hash(g.story, k, 'k'), 4)] AS kind,
                             1 + rnd(hash(g.story, k, 'u'), 3) AS c,
                             round(exp((rnd(hash(g.story, k, 'v'), 20000)) / 1000.0)) AS value) x,
             LATERAL (SELECT CASE kind WHEN 'money' THEN ['EUR', 'USD', 'GBP'][c] WHEN 'percent' THEN '%' END AS unit,
                             [1.0, 0.92, 1.17][c] AS per_eur) y""")


def _fines(con) -> None:
    # each fine figure reported as a fine: an authority among the 100 most named organisations
    # fines one of the 1,000 most named; a syndicated copy reports its original's fine (one
    # fine_id, several reports)
    con.execute("""
        INSERT INTO fine_reports
        SELECT f.article_id::VARCHAR || ':' || f.start_char,
               ((hash(g.story, 'id') >> 1)::BIGINT)::VARCHAR || ':' || f.start_char,
               f.article_id, auth.name, 'organisation', auth.entity_id, tgt.name, 'organisation', tgt.entity_id,
               f.value, f.unit, NULL, 'imposed',
               CASE WHEN rnd(hash(g.story, 'b'), 2) = 0 THEN 'Digital Services Act' END,
               f.value_eur, f.value_usd, f.rate_date, f.text, f.start_char, f.end_char, f.sentence
        FROM figures f
        JOIN gen g USING (article_id)
        JOIN entities auth ON auth.entity_id = 1 + 2 * rnd(hash(g.story, f.start_char, 'a'), 100)
        JOIN entities tgt ON tgt.entity_id = 1 + 2 * (100 + rnd(hash(g.story, f.start_char, 't'), 1000))
        WHERE f.role = 'fine'""")


def timed(label: str, fn, repeat: int = 3):
    """Run fn `repeat` times, print the median seconds, return the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"  {label:<48} {statistics.median(times):8.3f} s  (min {min(times):.3f}, {repeat} runs)")
    return result


def bench(db: Path, work: Path) -> None:
    digest = timed("build_digest (latest week)", lambda: build_digest(db))
    print(f"    week {digest.week}: {digest.total_articles:,} articles, {len(digest.stories)} stories, "
          f"{len(digest.entities)} entity rows, {len(digest.money)} money figures")
    weeks = list(run_query(db, "weeks", {"limit": 1000})["week"])
    if len(weeks) > 2:
        middle = weeks[len(weeks) // 2]
        timed(f"build_digest (a middle week, {middle})", lambda: build_digest(db, middle))
    common = query(db, "SELECT t, count(*) AS n FROM (SELECT unnest(matched_terms) AS t FROM articles) "
                       "GROUP BY t ORDER BY n DESC LIMIT 1")
    if not common.empty:
        term = common["t"].iloc[0]
        timed(f"build_digest (topic: terms={term!r}, min_relevance=0.5)",
              lambda: build_digest(db, terms=[term], min_relevance=0.5, topic=term))
    html = timed("render_html", lambda: render_html(digest))
    timed("render_markdown", lambda: render_markdown(digest))
    timed("write_data parquet", lambda: write_data(digest, "parquet", work / "data"))
    print(f"    html: {len(html) / 1024:.0f} KiB")
    rows = timed("export mentions --format parquet (all rows)",
                 lambda: export_table(db, "mentions", "parquet", work / "mentions.parquet"), repeat=1)
    print(f"    {rows:,} rows; peak RSS of this process so far "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, action="append",
                        help="generate a database of this many articles (repeatable; default 2000 and 1000000)")
    parser.add_argument("--db", type=Path, help="time an existing database instead of generating one")
    parser.add_argument("--keep", type=Path, help="directory to keep generated databases in (reused when present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        work = Path(tmp)
        if args.db:
            print(f"database {args.db}")
            bench(args.db, work)
            return
        for n in args.articles or [2_000, 1_000_000]:
            db = (args.keep or work) / f"bench-{n}.duckdb"
            if not db.exists():
                start = time.perf_counter()
                generate(db, n)
                print(f"generated {n:,} articles in {time.perf_counter() - start:.1f} s "
                      f"({db.stat().st_size / 2**20:.0f} MiB)")
            print(f"database of {n:,} articles")
            bench(db, work)


if __name__ == "__main__":
    main()
