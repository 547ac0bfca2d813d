"""Item pipeline stages: process pages in a process pool, then deliver them to a sink.

    drops.py       one DropItem subclass per drop reason
    processing.py  the CPU-bound stage run in the NLP pool's processes (extraction, relevance, NLP)
    process.py     ProcessPipeline (300): PageItem -> ArticleItem, or a drop
    deliver.py     DeliverPipeline (800): batches of articles and fetch-record rows -> the sink

ITEM_PIPELINES (crawler/settings.py) lists them by dotted path:

    crawler.pipelines.process.ProcessPipeline  300  PageItem -> ArticleItem, or a DropItem subclass
    crawler.pipelines.deliver.DeliverPipeline  800  buffers ArticleItems, hands batches to NEWSMON_SINK

The sink (crawler/sinks/) is chosen by NEWSMON_SINK: DuckDB for a one-process
crawl, the Redis article queue for a frontier crawl.  Every drop reason is its
own `DropItem` subclass, so Scrapy's stats count them
(`item_dropped_reasons_count/<Class>`); `newsmon/dropped/<reason>` is counted
too, in the reason's own words.  A stage that is switched off by its setting
raises `NotConfigured`.  The fetch record's rows (crawler.fetchrecord) ride
in the delivering stage's batches: a kept article's row in its own batch, the
rest (drops, failures, 304s, redirects) in the next one, the feed and sitemap
rows at the end of a run that finished normally.
"""
