"""A small threaded HTTP server on 127.0.0.1 for the demo site and the tests.

It owns serving a fixed set of routes (path -> Response, or a callable that
builds one per request) on a free port, and counting what crawlers do to it:
requests per path and the highest number of requests in flight at once, which
is how the tests prove politeness.  `python -m http.server` stalls under crawl
load (its listen queue is 5); this one has a queue of 128 and a thread per
request.

A server may answer for a site name (`site_url`, e.g. http://newsmon-demo.invalid):
`base_url` is then that name, and requests for it arrive as through an HTTP proxy
(absolute-form targets, RFC 9112 3.2.2; Scrapy sends them when request.meta["proxy"]
is this server, see crawler/demo/routing.py), so the URLs a crawler stores do not
carry the random port.  It proxies nothing else: another host gets 502.

Conditional GETs (RFC 9110 13.1): a 200 route whose Response carries an ETag
answers 304 Not Modified (no body) to a matching If-None-Match; one with a
Last-Modified header answers 304 to an If-Modified-Since at or after it (only
when the request has no If-None-Match).  304s are counted in `hits` like any
request and also in `not_modified`, so tests can prove a second crawl fetched
nothing again.  `conditional=False` turns this off.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Mapping, Union
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (simulates a slow server)

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Request:
    method: str
    path: str  # path with query string
    headers: Mapping[str, str]


Handler = Callable[[Request], Response]
Route = Union[Response, Handler]

_VALIDATORS = ("ETag", "Last-Modified", "Cache-Control", "Expires", "Vary", "Date")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _etags_match(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 8.8.3.2) of an ETag against an If-None-Match list."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.strip().removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def _not_modified_since(if_modified_since: str, last_modified: str) -> bool:
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False


def is_not_modified(request: Request, response: Response) -> bool:
    """Whether a GET/HEAD for `response` should be answered 304 Not Modified."""
    if request.method not in ("GET", "HEAD") or response.status != 200:
        return False
    inm = _header(request.headers, "If-None-Match")
    etag = _header(response.headers, "ETag")
    if inm is not None:
        return etag is not None and _etags_match(inm, etag)
    ims = _header(request.headers, "If-Modified-Since")
    last_modified = _header(response.headers, "Last-Modified")
    return ims is not None and last_modified is not None and _not_modified_since(ims, last_modified)


def not_modified_response(response: Response) -> Response:
    """The 304 for `response`: its validator headers, no body."""
    headers = {k: v for k, v in response.headers.items() if k in _VALIDATORS}
    return Response(304, b"", content_type="", headers=headers, delay=response.delay)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-response (a killed crawl, a timeout) is normal here."""
        import sys
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            logger.debug("client %s went away: %s", client_address, exc)
            return
        super().handle_error(request, client_address)


class LocalServer:
    """Serve `routes` on 127.0.0.1:<free port> from a background thread.

    >>> with LocalServer({"/": Response(body="<h1>hi</h1>")}) as srv:
    ...     srv.url("/")
    'http://127.0.0.1:.../'
    """

    def __init__(self, routes: Mapping[str, Route] | None = None, *,
                 default: Handler | None = None, host: str = "127.0.0.1", port: int = 0,
                 min_latency: float = 0.0, conditional: bool = True, site_url: str | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.site_url = site_url.rstrip("/") if site_url else None
        self.default = default
        self.min_latency = min_latency
        self.conditional = conditional
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), self._handler_class())
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def address(self) -> str:
        """Where the server listens: http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The site's URL: its name (`site_url`) when it has one, else its address."""
        return self.site_url or self.address

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def start(self) -> "LocalServer":
        """Start serving; a second call on a running server does nothing."""
        if self._thread is not None and self._thread.is_alive():
            return self
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        logger.debug("serving %s on %s", self.base_url, self.address)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice or before start."""
        if self._thread is not None and self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset_counts(self) -> None:
        with self._lock:
            self.hits.clear()
            self.not_modified.clear()
            self.max_in_flight = 0

    # -- request handling ------------------------------------------------
    def resolve(self, request: Request) -> Response:
        route = self.routes.get(request.path)
        if route is None:
            route = self.routes.get(urlsplit(request.path).path)
        if route is None and self.default is not None:
            route = self.default
        if route is None:
            return Response(404, "<html><body>not found</body></html>")
        response = route(request) if callable(route) else route
        if self.conditional and is_not_modified(request, response):
            with self._lock:
                self.not_modified[request.path] += 1
            return not_modified_response(response)
        return response

    def _origin_form(self, target: str) -> tuple[str, bool]:
        """The path (with query) of a request target, and whether an absolute-form target
        asked for another host than this server's site."""
        if "://" not in target.split("?", 1)[0]:
            return target, False
        parts = urlsplit(target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        own = {urlsplit(self.site_url).netloc} if self.site_url else set()
        own.add(urlsplit(self.address).netloc)
        return path, parts.netloc not in own

    def _handler_class(self):
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # quiet: tests read counters instead
                logger.debug("%s " + fmt, self.address_string(), *args)

            def _serve(self, with_body: bool) -> None:
                path, foreign = server._origin_form(self.path)
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    server.hits[path] += 1
                try:
                    req = Request(self.command, path, dict(self.headers.items()))
                    resp = Response(502, "<html><body>not this site</body></html>") if foreign \
                        else server.resolve(req)
                    wait = max(resp.delay, server.min_latency)
                    if wait:
                        time.sleep(wait)
                    body = resp.payload()
                    self.send_response(resp.status)
                    headers = dict(resp.headers) if resp.status == 304 else {
                        "Content-Type": resp.content_type, **resp.headers}
                    for k, v in headers.items():
                        self.send_header(k, v)
                    if "Content-Length" not in headers and resp.status != 304:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if with_body and body:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def do_GET(self):
                self._serve(True)

            def do_HEAD(self):
                self._serve(False)

        return _H
