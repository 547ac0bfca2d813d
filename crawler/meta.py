"""The `request.meta` keys newsmon's components share.

It owns their names: the spiders set them on every request they build
(crawler.spiders.base.NewsmonSpider.make_request); the fetch record middleware
(crawler.fetchrecord) and the charset middleware read them.

* META_SOURCE: the name of the request's source (sources file);
* META_VIA: the mode that led to it: "feed" | "sitemap" | "links";
* META_HINTS: what the listing said about the page (title, published, lastmod,
  the feed or sitemap URL that listed it...);
* META_KIND: what the fetch record calls the request: "feed" | "sitemap" |
  "article" (an article candidate); absent on link hubs.
"""

META_SOURCE = "newsmon_source"
META_VIA = "newsmon_via"
META_HINTS = "newsmon_hints"
META_KIND = "newsmon_kind"
