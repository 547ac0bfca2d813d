"""msgpack support for the ``nlp.records`` dataclasses.

Owns the srsly msgpack encoder/decoder pair that lets a ``Doc`` whose extensions
hold ``Mention`` / ``Figure`` / ``Fine`` records cross a process boundary
(``nlp.pipe(..., n_process=2)`` serialises each Doc with ``Doc.to_bytes``).
Importing this module registers the pair once.
"""

from __future__ import annotations

from dataclasses import asdict, fields

import srsly.msgpack as srsly_msgpack

from newsmon.nlp import records

MARKER = "__newsmon_record__"
RECORD_TYPES = {cls.__name__: cls for cls in (records.Mention, records.Figure, records.Fine, records.Relevance,
                                              records.Article, records.NotArticle)}


def encode_record(obj, chain=None):
    cls = RECORD_TYPES.get(type(obj).__name__)
    if cls is not None and isinstance(obj, cls):
        return {MARKER: cls.__name__, "fields": asdict(obj)}
    return obj if chain is None else chain(obj)


def decode_record(obj, chain=None):
    if isinstance(obj, dict) and MARKER in obj:
        cls = RECORD_TYPES[obj[MARKER]]
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in obj["fields"].items() if k in names})
    return obj if chain is None else chain(obj)


if "newsmon_records" not in srsly_msgpack.msgpack_encoders.get_all():
    srsly_msgpack.msgpack_encoders.register("newsmon_records", func=encode_record)
    srsly_msgpack.msgpack_decoders.register("newsmon_records", func=decode_record)
