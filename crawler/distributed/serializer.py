"""JSON for the requests in the shared queue (scrapy-redis's SCHEDULER_SERIALIZER).

scrapy-redis pickles queued requests by default; a Redis server may be shared,
and unpickling what anyone with access wrote there runs their code, so newsmon
queues requests as JSON.  It owns `dumps` and `loads` (the module interface
scrapy-redis expects): `Request.to_dict()` output with its bytes (headers,
body) and bytes-keyed dicts tagged, so the round trip is exact.  A value that is
not JSON (a custom object in `request.meta`) raises TypeError instead of being
quietly turned into text.
"""

from __future__ import annotations

import base64
import json
from typing import Any

BYTES_TAG = "$b"  # {"$b": base64} is a bytes value
DICT_TAG = "$d"  # {"$d": [[key, value], ...]} is a dict whose keys are not all str


def dumps(obj: Any) -> bytes:
    """`obj` (a request dict) as compact UTF-8 JSON."""
    return json.dumps(_encode(obj), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """The object `dumps` encoded."""
    return _decode(json.loads(data))


def _encode(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (bytes, bytearray)):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {DICT_TAG: [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot queue a {type(value).__name__} in a request as JSON: {value!r:.80}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and BYTES_TAG in value:
            return base64.b64decode(value[BYTES_TAG])
        if len(value) == 1 and DICT_TAG in value:
            return {_decode(k): _decode(v) for k, v in value[DICT_TAG]}
        return {k: _decode(v) for k, v in value.items()}
    return value
