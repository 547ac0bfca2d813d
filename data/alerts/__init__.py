"""Alerts: what changed that an analyst wants to be told about.

watchlist  the TOML watchlist (entities, terms, fine threshold, rule settings): `load_watchlist`
rules/     one .sql file per rule, each saying what it finds and why
build      `find_alerts(db, watchlist, since)` -> AlertReport; `Alert` and its stable id
memory     the alerts already reported, per channel (print, mail, feed)
render     text, JSON, Atom (feedgen) and HTML for mail
"""

from newsmon.data.alerts.build import (RULE_NAMES, RULES, Alert, AlertReport, Evidence, alerts_on, find_alerts,
                                      parse_since)
from newsmon.data.alerts.memory import remember, reported, unreported
from newsmon.data.alerts.watchlist import EXAMPLE, Rules, WatchedEntity, Watchlist, load_watchlist

__all__ = ["EXAMPLE", "RULES", "RULE_NAMES", "Alert", "AlertReport", "Evidence", "Rules", "WatchedEntity",
           "Watchlist", "alerts_on", "find_alerts", "load_watchlist", "parse_since", "remember", "reported", "unreported"]
