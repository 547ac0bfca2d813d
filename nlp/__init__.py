"""newsmon.nlp: turns a fetched page into a record.

extract   trafilatura: HTML -> clean text and metadata, or None with a reason
relevance topic profiles (data files) -> score and matched terms
pipeline  the spaCy pipeline: people, organisations and figures with canonical names
evaluate  scoring against gold annotations by the rules in GUIDELINES.md

This package never imports `crawler` or `data`.
"""
