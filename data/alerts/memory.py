"""Which alerts were already reported: the table alerts_reported (migration 010).

It owns reading and writing that memory, per channel: 'print' (newsmon alerts
in text or json), 'mail' (alerts --send) and 'feed' (the Atom feed, whose
entries keep the time they were first written).  `remember` is one short
write transaction; the caller calls it only once the alerts reached their
reader (printed, or accepted by the mail server), so a failure marks nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterable

import pyarrow as pa

from newsmon.data.alerts.build import Alert
from newsmon.data.connection import utc_now
from newsmon.data.errors import WriteError
from newsmon.data.store.read import connect_read, open_db

CHANNELS = ("print", "mail", "feed")


def reported(db_path: str | Path, alerts: Iterable[Alert], channel: str,
             timeout: float = 30.0) -> dict[str, datetime]:
    """{alert_id: reported_at} of the `alerts` already reported on `channel`."""
    ids = sorted({a.id for a in alerts})
    if not ids:
        return {}
    with connect_read(db_path, timeout=timeout) as con:
        con.register("in_ids", pa.table({"alert_id": pa.array(ids, type=pa.string())}))
        return dict(con.execute(
            "SELECT r.alert_id, r.reported_at FROM alerts_reported r SEMI JOIN in_ids i USING (alert_id) "
            "WHERE r.channel = $channel", {"channel": channel}).fetchall())


def unreported(db_path: str | Path, alerts: list[Alert], channel: str, timeout: float = 30.0) -> list[Alert]:
    """The `alerts` not reported on `channel` yet, in their order."""
    done = reported(db_path, alerts, channel, timeout)
    return [a for a in alerts if a.id not in done]


def remember(db_path: str | Path, alerts: Iterable[Alert], channel: str, *, now: datetime | None = None,
             timeout: float = 30.0) -> int:
    """Record `alerts` as reported on `channel` (those already recorded keep their time);
    return how many were new."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
    rows = {a.id: a for a in alerts}
    if not rows:
        return 0
    table = pa.table({
        "alert_id": pa.array(list(rows), type=pa.string()),
        "rule": pa.array([a.rule for a in rows.values()], type=pa.string()),
        "title": pa.array([a.title for a in rows.values()], type=pa.string()),
    })
    with open_db(db_path, timeout=timeout) as con:
        con.register("in_alerts", table)
        con.begin()
        try:
            n = con.execute(
                "INSERT INTO alerts_reported (alert_id, channel, rule, title, reported_at) "
                "SELECT alert_id, $channel, rule, title, $now FROM in_alerts ON CONFLICT DO NOTHING",
                {"channel": channel, "now": now or utc_now()}).fetchone()[0]
            con.commit()
        except Exception as exc:
            con.rollback()
            raise WriteError(f"remembering the reported alerts in {db_path} failed: {exc}") from exc
    return int(n)
