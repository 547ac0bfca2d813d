"""Runs: starting a crawl, recording it, judging it, repeating it, summarising it.

runner      run_crawl / run_crawl_isolated: sources + settings in, Scrapy's stats out
record      crawl_and_record: the run lock, a crawl_runs row around one crawl
outcome     judge and Outcome: a crawl's status, for one-process and frontier crawls alike
schedule    newsmon schedule: cycles of `newsmon run` at fixed times
report      the summary printed after a crawl or the demo
reannotate  newsmon reannotate: NLP again over stored articles
"""
