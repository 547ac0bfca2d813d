"""Reaching a site by its own name on 127.0.0.1: the downloader middleware behind the
demo's stable identity.

NEWSMON_ROUTES maps a host name to the HTTP server that answers for it, e.g.
{"newsmon-demo.invalid": "http://127.0.0.1:43117"}.  A request to a routed host
goes through that server as through an HTTP proxy (Scrapy's own proxy support:
request.meta["proxy"], applied by its HttpProxyMiddleware), so the request's
URL, and everything derived from it (canonical URLs, article ids, the fetch
record) keeps the name while the bytes go to 127.0.0.1.  The demo serves its
site as http://newsmon-demo.invalid (.invalid never resolves, RFC 6761: a
request that missed the route could not leave the machine), so a second
`newsmon demo`, on another free port, finds the same articles.  Off
(NotConfigured) when NEWSMON_ROUTES is empty; other hosts are left alone.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class HostRouteMiddleware:
    def __init__(self, routes: dict[str, str]):
        self.routes = {host.lower(): target for host, target in routes.items()}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "HostRouteMiddleware":
        routes = crawler.settings.getdict("NEWSMON_ROUTES")
        if not routes:
            raise NotConfigured  # no message: Scrapy would log one as a warning in every crawl
        logger.info("routing %s", ", ".join(f"{h} -> {t}" for h, t in routes.items()))
        return cls(routes)

    def process_request(self, request: Request) -> None:
        target = self.routes.get((urlparse_cached(request).hostname or "").lower())
        if target is not None:
            request.meta["proxy"] = target
        return None
