"""newsmon.crawler: the outermost layer. Scrapy spiders and pipelines, the demo, the CLI.

It uses `nlp` (page -> record) and `data` (DuckDB); neither of those imports it.
"""
