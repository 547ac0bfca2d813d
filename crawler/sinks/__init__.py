"""Where a crawl's kept articles and fetch-record rows end up: the delivering stage's sinks.

The delivering stage (crawler.pipelines.deliver.DeliverPipeline) batches kept
articles and the fetch record's rows and hands each batch to one sink, the
class named by NEWSMON_SINK (None: no delivering stage, nothing stored and no
fetch record kept):

    store.py  StoreSink: one DuckDB transaction per batch (a one-process crawl)
    queue.py  ArticleQueueSink: articles onto the run's Redis list for the NLP
              workers, fetch-record rows staged as Parquet (a frontier crawl)

A sink is built by `from_crawler(crawler)` (NotConfigured when it cannot run)
and offers:

* ``flush_seconds``: how often the stage hands over what waits;
* ``async open(record)``: the crawl starts; `record` is the crawl's fetch record
  (crawler.fetchrecord.record.FetchRecord) or None;
* ``refuse(item) -> str | None``: why an item cannot be taken now (the stage
  drops it as `NotDelivered`, which gets no fetch-record row);
* ``async write(items, rows)``: one batch of ArticleItems and fetch-record rows;
  raises `SinkBusy` when nothing was taken and the batch should be offered
  again later, `SinkFailed` when the sink cannot take any more (the crawl
  stops); a sink that can recover on its own counts its failures itself;
* ``stop()``: the crawl is stopping (crawler.shutdown): wait less from now on;
* ``async write_listings(rows)``: the feed and sitemap rows of a run that
  finished normally;
* ``async close()``: after the last batch.
"""


class SinkBusy(Exception):
    """The sink could not take the batch now (e.g. readers hold the database); nothing
    of it was written, offer it again later."""


class SinkFailed(Exception):
    """The sink cannot take this batch or any later one (a full or read-only disk, a
    damaged file); nothing of the batch was written."""
