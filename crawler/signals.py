"""newsmon's own Scrapy signals: what a spider reports about its requests.

A spider yields requests and parses pages; it never touches the fetch record.
What only the spider can know it sends as a signal (like Scrapy's own
`item_dropped`), and whoever cares connects to it (crawler.fetchrecord):

* `request_failed(request, reason, status)`: a request ended in a failure
  (its errback), `reason` the word of ``newsmon/fetch_failed/<reason>``,
  `status` the HTTP status when there was a response;
* `listing_read(response, outcome)`: a feed or sitemap response was parsed;
  `outcome` is "listed", "index" (a sitemap index), "bad_feed" or "bad_sitemap".
"""

request_failed = object()
listing_read = object()
