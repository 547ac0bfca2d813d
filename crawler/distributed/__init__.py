"""Distributed crawling and NLP on a shared Redis frontier (GitHub issue 7).

The package owns everything that lets several processes, on one machine or
many, share one crawl run through Redis (scrapy-redis's request queue and
duplicate filter) and hand the extracted articles to NLP worker processes (the crawl side's sink is
crawler/sinks/queue.py):

    frontier.py     the Redis connection, the run's key names and run name, FrontierError
    serializer.py   JSON (never pickle) for the requests scrapy-redis queues
    scheduler.py    scrapy-redis's Scheduler, made to report a lost frontier and busy work
    coordination.py who seeds the run, heartbeats, and when every crawl process may stop
    messages.py     an extracted article as a JSON message, and back into store frames
    crawl.py        one `newsmon crawl --frontier` process: settings overlay, run, outcome
    worker.py       one `newsmon worker` process: reliable queue, spaCy, staging, loading

The persistent fetch record in DuckDB stays the source of truth for
incremental runs; Redis only holds one run's shared state, and every key of a
run is deleted or expires (see frontier.py for the memory policy).
"""
