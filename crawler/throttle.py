"""AutoThrottle whose floor is each source's configured delay.

It owns one politeness rule.  Scrapy's stock AutoThrottle adapts every slot's
delay to the server's latency, floored at the global DOWNLOAD_DELAY for every
slot: a source configured with `delay = 2.0` drifts down to DOWNLOAD_DELAY on
a fast server, and one configured with `delay = 0.05` (the demo) is pushed up
to it.  `SourceAutoThrottle` floors each slot at its own DOWNLOAD_SLOTS delay
(the source's, set by `crawler.settings.build_settings`) and other slots at
DOWNLOAD_DELAY; above the floor, the stock latency policy applies unchanged.
"""

from __future__ import annotations

import logging

from scrapy.extensions.throttle import AutoThrottle

logger = logging.getLogger(__name__)


class SourceAutoThrottle(AutoThrottle):
    def _spider_opened(self, spider) -> None:
        super()._spider_opened(spider)
        self.default_floor = self.mindelay
        self.slot_floors: dict[str, float] = {
            key: float(conf.get("delay", self.default_floor))
            for key, conf in self.crawler.settings.getdict("DOWNLOAD_SLOTS").items()
        }

    def _response_downloaded(self, response, request, spider) -> None:
        # the stock policy reads its floor from self.mindelay; set it per slot
        key = request.meta.get("download_slot")
        self.mindelay = self.slot_floors.get(key, self.default_floor)
        super()._response_downloaded(response, request, spider)
