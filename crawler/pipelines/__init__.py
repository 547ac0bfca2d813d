"""Item pipeline stages: process pages in worker processes, then store in bulk.

    drops.py       one DropItem subclass per drop reason
    processing.py  the CPU-bound stage run in worker processes (extraction, relevance, NLP)
    process.py     ProcessPipeline (300): PageItem -> ArticleItem, or a drop
    store.py       StorePipeline (800): batches -> DuckDB, with the fetch record's rows

ITEM_PIPELINES (crawler/settings.py) lists them by dotted path:

    crawler.pipelines.process.ProcessPipeline  300  PageItem -> ArticleItem, or a DropItem subclass
    crawler.pipelines.store.StorePipeline      800  buffers ArticleItems, writes batches to DuckDB

Every drop reason is its own `DropItem` subclass, so Scrapy's stats count them
(`item_dropped_reasons_count/<Class>`); `newsmon/dropped/<reason>` is counted
too, in the reason's own words.  A stage that is switched off by its setting
raises `NotConfigured`.

The StorePipeline also keeps the fetch record (crawler.fetchlog): it attaches
the spider's FetchLog to the database when the spider opens, puts each stored
article's `pages` row in the article's own batch transaction, writes the rows
of dropped pages (from Scrapy's item_dropped signal), failures and 304s with
its batches (at least every NEWSMON_FLUSH_SECONDS), and the feed and sitemap
rows when the spider closes with reason 'finished'.
"""
