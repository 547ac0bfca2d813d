"""How long the alerts and the weekly digest (with its alerts and watched entities) take on
the generated 1,000,000-article database.

The database is bench/digest_bench.py's (52 weeks, 200 sources, 8 mentions and 2 figures
per article), plus what the alert rules read beyond articles: a crawl run every 6 hours
with the fetch record of every article (each source's pages in the runs that stored them;
three sources answer 403 in the last run), and 2,000 edited articles (article_versions,
a figure changed in each).  The watchlist names five entities from frequent to rare and
two terms.  Times find_alerts over the default period (the 7 days before the newest
article; each rule alone too) and over 4 weeks, and build_digest (which runs the week's
alerts too), and prints the median of 3 runs, in wall-clock seconds and in CPU seconds of
the process, DuckDB's threads included (the steadier figure on a shared machine; note the
load average).  Goal: under 2 s each at 1,000,000 articles.  A rule's time alone (one run,
wall and CPU) includes opening the database, gathering and reading back the alerts
(data/alerts/found.sql) and, for the rules that join them (watched entity, spike, new
entity), reading the period's articles and mentions (data/alerts/period.sql) and the quoted
sentences, and for the watched terms the one pass over the texts (data/alerts/terms.sql),
which a full run does once.

    .venv/bin/python bench/alerts_bench.py [--articles 1000000] [--keep DIR]

`make bench` keeps its database in bench/.work/ (about 1 GB; generated once, 2 to 4 minutes
depending on the machine's load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from digest_bench import generate  # noqa: E402
from newsmon.data.alerts import Watchlist, WatchedEntity, find_alerts  # noqa: E402
from newsmon.data.digest import build_digest, render_email, render_html  # noqa: E402
from newsmon.data.store import open_db  # noqa: E402


def add_history(db: Path) -> None:
    """Crawl runs, the fetch record and edited articles, once per database."""
    con = duckdb.connect(str(db))
    try:
        if con.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]:
            return
        con.execute("SET preserve_insertion_order = false")
        sources = [r[0] for r in con.execute("SELECT name FROM sources ORDER BY name").fetchall()]
        con.execute("""
            INSERT INTO crawl_runs (run_id, started_at, finished_at, status, sources, stats)
            SELECT i + 1, t, t + INTERVAL 40 MINUTE, 'ok', $sources, '{}'
            FROM (SELECT i, (SELECT min(first_seen_at) FROM articles) + to_hours(6 * i) AS t
                  FROM range(0, 52 * 7 * 4 + 4) r(i))""", {"sources": sources})
        # each article's page fetched by the run right after it appeared
        con.execute("""
            UPDATE articles SET run_id = 1 + (epoch(first_seen_at) - (SELECT epoch(min(first_seen_at)) FROM articles))
                                 // (6 * 3600)""")
        con.execute("""
            INSERT INTO pages (url, source, kind, status, etag, last_modified, lastmod, first_fetched_at,
                               last_fetched_at, last_changed_at, outcome, canonical_url, run_id)
            SELECT canonical_url, source, 'article', 200, NULL, NULL, NULL, fetched_at, fetched_at, fetched_at,
                   'stored', canonical_url, run_id FROM articles""")
        last = con.execute("SELECT max(run_id) FROM crawl_runs").fetchone()[0]
        con.execute("""
            INSERT INTO pages (url, source, kind, status, etag, last_modified, lastmod, first_fetched_at,
                               last_fetched_at, last_changed_at, outcome, canonical_url, run_id)
            SELECT 'https://' || name || '.example/feed.xml', name, 'feed',
                   CASE WHEN name IN ('source-001', 'source-002', 'source-003') THEN 403 ELSE 200 END,
                   NULL, NULL, NULL, TIMESTAMP '2024-01-01', now()::TIMESTAMP, NULL,
                   CASE WHEN name IN ('source-001', 'source-002', 'source-003') THEN 'failed:http_403'
                        ELSE 'listed' END, NULL, $last
            FROM sources""", {"last": last})
        # 2,000 of the last 10,000 articles edited: the old text kept, a figure changed
        con.execute("""
            INSERT INTO article_versions
            SELECT a.article_id, 1, a.first_seen_at, a.fetched_at, a.fetched_at + INTERVAL 2 HOUR, a.run_id,
                   md5(a.text || 'old'), a.title, a.description, a.text || ' Old.', true,
                   [{'kind': 'money', 'value': 1000000.0, 'unit': 'EUR', 'object': NULL, 'text': '€1m',
                     'start_char': 5}], [], false, 1, 1,
                   [{'kind': 'money', 'value': 2000000.0, 'unit': 'EUR', 'text': '€2m', 'sentence': 'Now €2m.'}],
                   [{'kind': 'money', 'value': 1000000.0, 'unit': 'EUR', 'text': '€1m', 'sentence': 'Was €1m.'}],
                   [], []
            FROM (SELECT * FROM articles ORDER BY first_seen_at DESC LIMIT 10000) a
            WHERE hash(a.article_id) % 5 = 0""")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def timed(label: str, fn, repeat: int = 3):
    """The median wall-clock seconds of `repeat` runs, and the CPU seconds of this process
    (DuckDB's threads included) per run: on a shared machine the CPU figure is the steadier."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"  {label:<58} {statistics.median(times):7.3f} s  (min {min(times):.3f}, {repeat} runs; "
          f"CPU {statistics.median(cpu):.3f} s)")
    return result


def per_rule(db: Path, watchlist, now) -> None:
    """Each rule alone (one run each, the connection's opening included)."""
    from newsmon.data.alerts.build import RULES
    for rule in ("", *RULES):
        start, start_cpu = time.perf_counter(), time.process_time()
        found = find_alerts(db, watchlist, now=now, rules=(rule,) if rule else ())
        print(f"    {rule or '(opening only)':<18} {time.perf_counter() - start:6.2f} s  "
              f"(CPU {time.process_time() - start_cpu:5.2f} s)  {len(found.alerts):>6} alerts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the database in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alerts-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"alerts-{args.articles}.duckdb"
        if not db.exists():
            start = time.perf_counter()
            generate(db, args.articles)
            print(f"generated {args.articles:,} articles in {time.perf_counter() - start:.0f} s")
        open_db(db).close()  # apply migrations added since the database was generated
        add_history(db)
        con = duckdb.connect(str(db), read_only=True)
        names = [r[0] for r in con.execute(
            "SELECT name FROM entities WHERE entity_id IN (1, 2, 7, 120, 5000) ORDER BY entity_id").fetchall()]
        newest = con.execute("SELECT max(first_seen_at) FROM articles").fetchone()[0]
        con.close()
        watchlist = Watchlist(entities=tuple(WatchedEntity(n) for n in names),
                              terms=("online safety", "age verification"))
        print(f"database {db.name}: {db.stat().st_size / 2**20:.0f} MiB; load average "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        now = newest + timedelta(hours=2)
        report = timed("find_alerts, default period (7 days), watchlist of 5 + 2",
                       lambda: find_alerts(db, watchlist, now=now))
        counts: dict[str, int] = {}
        for a in report.alerts:
            counts[a.rule] = counts.get(a.rule, 0) + 1
        print(f"    {len(report.alerts)} alerts: {counts}")
        per_rule(db, watchlist, now)
        timed("find_alerts, 28 days", lambda: find_alerts(db, watchlist, newest - timedelta(days=28), now=now))
        digest = timed("build_digest (latest week, with alerts and watched)",
                       lambda: build_digest(db, watchlist=watchlist))
        print(f"    {digest.week}: {digest.total_articles:,} articles, {len(digest.alerts)} alerts")
        timed("build_digest without alerts", lambda: build_digest(db, watchlist=watchlist, alerts=False))
        timed("render_html + render_email", lambda: (render_html(digest), render_email(digest)))
        print(f"  load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
