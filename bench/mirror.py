"""The benchmark mirror: the 181 real pages of ../shared/corpus, replicated and served fast.

It owns building the mirror under bench/.work/mirror/ and serving it on 127.0.0.1:

* pages: copy ``c`` of corpus page ``<id>`` is ``/2024/<mm>/<dd>/<id>.html`` (a
  dated path, 28 copies per month, so every copy has a URL of its own that looks
  like a story).  Each page is the gunzipped original with the tags that declare
  a canonical URL neutralised (``rel="canonical"``, ``og:url``, ``twitter:url``,
  ``<base>``, ``hreflang="x-default"``): otherwise every copy would claim the
  original's URL and newsmon would store one article per corpus page, not per
  mirror page.  The text is untouched.  Pages are written once and reused
  (``manifest.json`` says what is there).
* listings, written for the serving base URL: a sitemap index ``/sitemap.xml``
  with one urlset per copy (every page is in a sitemap), an RSS feed
  ``/feed.rss`` of the newest 50 pages, ``/robots.txt`` naming the sitemap, a
  homepage, and a newsmon sources file (``sources.toml``) for the crawl.
* serving: nginx from Debian (``apt-get install -y nginx-light`` when
  /usr/sbin/nginx is missing) as a foreground child with a generated
  nginx.conf (127.0.0.1:<free port>, access_log off, pid and temp paths under
  bench/.work); when nginx cannot be had, crawler.localserver.LocalServer
  serves the files instead and `Mirror.server` says so.

    with serve_mirror(pages=5068) as mirror:
        print(mirror.base_url, mirror.sources_file, len(mirror.urls))

    .venv/bin/python bench/mirror.py --pages 1000      # build and serve until Ctrl-C
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.crawler.localserver import LocalServer, Request, Response  # noqa: E402

logger = logging.getLogger(__name__)

CORPUS = ROOT.parent / "shared" / "corpus" / "article-extraction-benchmark"
WORK = ROOT / "bench" / ".work"
MIRROR_DIR = WORK / "mirror"
NGINX = Path("/usr/sbin/nginx")
COPIES_PER_MONTH = 28
FEED_ITEMS = 50
MANIFEST_VERSION = 2  # bump when the page layout or the rewriting changes

# tags that declare a page's canonical URL (trafilatura reads them): renamed so they no longer do
_CANONICAL_DECLARATIONS = (
    (re.compile(r"""(\brel\s*=\s*["']?)canonical\b""", re.I), r"\1x-mirror-canonical"),
    (re.compile(r"""\b(og|twitter):url\b""", re.I), r"\1:x-mirror-url"),
    (re.compile(r"""<base\b""", re.I), "<x-mirror-base"),
    (re.compile(r"""(hreflang\s*=\s*["']?)x-default\b""", re.I), r"\1x-mirror-default"),
)


def corpus_pages(corpus: Path = CORPUS) -> list[Path]:
    """The corpus's gzipped pages, in a stable order."""
    return sorted((corpus / "html").glob("*.html.gz"))


def page_id(path: Path) -> str:
    return path.name.split(".")[0]


def copy_path(copy: int, pid: str) -> str:
    """The URL path of copy `copy` (0-based) of corpus page `pid`."""
    month, day = divmod(copy, COPIES_PER_MONTH)
    return f"/2024/{month + 1:02d}/{day + 1:02d}/{pid}.html"


def without_canonical(html: bytes) -> bytes:
    """`html` with its canonical-URL declarations neutralised (the text is unchanged)."""
    text = html.decode("latin-1")  # byte-transparent: the page's own encoding survives
    for pattern, replacement in _CANONICAL_DECLARATIONS:
        text = pattern.sub(replacement, text)
    return text.encode("latin-1")


@dataclass
class MirrorLayout:
    """What the mirror directory holds: `paths` (URL paths of the pages, in crawl order)."""
    root: Path
    paths: list[str]
    copies: int
    distinct: int

    def file_for(self, path: str) -> Path:
        return self.root / path.lstrip("/")


def build_pages(pages: int, root: Path = MIRROR_DIR, corpus: Path = CORPUS) -> MirrorLayout:
    """Write (or reuse) `pages` mirror pages under `root`; copies of the corpus in turn."""
    sources = corpus_pages(corpus)
    if not sources:
        raise FileNotFoundError(f"no pages under {corpus / 'html'}")
    copies = -(-pages // len(sources))
    paths = [copy_path(c, page_id(p)) for c in range(copies) for p in sources][:pages]
    manifest = root / "manifest.json"
    wanted = {"version": MANIFEST_VERSION, "corpus": str(corpus), "copies": copies}
    if _manifest_covers(manifest, wanted):
        logger.info("reusing the %d-copy mirror in %s", copies, root)
    else:
        _write_copies(sources, copies, root)
        manifest.write_text(json.dumps(wanted), encoding="utf-8")
    return MirrorLayout(root=root, paths=paths, copies=copies, distinct=len(sources))


def _manifest_covers(manifest: Path, wanted: dict) -> bool:
    try:
        have = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (have.get("version") == wanted["version"] and have.get("corpus") == wanted["corpus"]
            and have.get("copies", 0) >= wanted["copies"])


def _write_copies(sources: list[Path], copies: int, root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for src in sources:
        body = without_canonical(gzip.open(src, "rb").read())
        for c in range(copies):
            target = root / copy_path(c, page_id(src)).lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
    logger.info("wrote %d copies of %d pages to %s", copies, len(sources), root)


# -- listings (depend on the serving address) ---------------------------------------
def write_listings(layout: MirrorLayout, base_url: str) -> Path:
    """Sitemaps, feed, robots.txt, homepage and sources.toml for `base_url`; returns the
    sources file."""
    root, base = layout.root, base_url.rstrip("/")
    by_copy: dict[int, list[str]] = {}
    for i, path in enumerate(layout.paths):
        by_copy.setdefault(i // layout.distinct, []).append(path)
    (root / "sitemaps").mkdir(exist_ok=True)
    for old in (root / "sitemaps").glob("*.xml"):
        old.unlink()
    for c, paths in by_copy.items():
        (root / "sitemaps" / f"c{c:03d}.xml").write_text(_urlset(base, paths), encoding="utf-8")
    (root / "sitemap.xml").write_text(
        _sitemap_index([f"{base}/sitemaps/c{c:03d}.xml" for c in by_copy]), encoding="utf-8")
    (root / "feed.rss").write_text(_rss(base, layout.paths[-FEED_ITEMS:]), encoding="utf-8")
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n",
                                     encoding="utf-8")
    (root / "index.html").write_text(
        "<!doctype html><html><head><title>newsmon benchmark mirror</title></head><body>"
        "<p>Benchmark mirror: see <a href=\"/sitemap.xml\">the sitemap</a>.</p></body></html>",
        encoding="utf-8")
    sources = root.parent / "mirror-sources.toml"
    sources.write_text(sources_toml(base), encoding="utf-8")
    return sources


def sources_toml(base: str) -> str:
    """One newsmon source for the mirror: its sitemap and feed, a fast but bounded slot."""
    return (f'[[source]]\nname = "bench-mirror"\nhomepage = "{base}/"\nlanguage = "en"\n'
            f'feeds = ["{base}/feed.rss"]\nsitemaps = ["{base}/sitemap.xml"]\n'
            f'delay = 0.001\nconcurrency = 16\n')


def _urlset(base: str, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{escape(base + p)}</loc><lastmod>{p[1:11].replace('/', '-')}"
                   f"</lastmod></url>" for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')


def _sitemap_index(locs: list[str]) -> str:
    items = "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}'
            '</sitemapindex>\n')


def _rss(base: str, paths: list[str]) -> str:
    items = "".join(f"<item><title>{escape(p)}</title><link>{escape(base + p)}</link></item>"
                    for p in reversed(paths))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f'<title>newsmon benchmark mirror</title><link>{escape(base)}/</link>'
            f'<description>benchmark</description>{items}</channel></rss>\n')


# -- serving ------------------------------------------------------------------------
@dataclass
class Mirror:
    """A served mirror: where it is, what it holds, which server serves it."""
    layout: MirrorLayout
    base_url: str
    sources_file: Path
    server: str  # "nginx/<version> (1 worker)" or "LocalServer (nginx unavailable: <why>)"

    @property
    def urls(self) -> list[str]:
        return [self.base_url + p for p in self.layout.paths]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_nginx() -> str | None:
    """None when /usr/sbin/nginx is there (installed now if need be), else why not."""
    if NGINX.exists():
        return None
    if not shutil.which("apt-get"):
        return "no nginx and no apt-get"
    logger.info("installing nginx-light with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "nginx-light"],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0 or not NGINX.exists():
        return f"apt-get install nginx-light failed: {done.stderr.strip()[-300:]}"
    return None


def nginx_conf(root: Path, port: int, work: Path, workers: int = 1) -> str:
    temp = work / "nginx-tmp"
    temps = "\n".join(f"    {name}_temp_path {temp / name};"
                      for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the mirror as its owner
    return f"""{user}worker_processes {workers};
daemon off;
master_process on;
pid {work / 'nginx.pid'};
error_log {work / 'nginx-error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{
        text/html html;
        application/xml xml;
        application/rss+xml rss;
        text/plain txt;
    }}
    default_type application/octet-stream;
{temps}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
    }}
}}
"""


@contextmanager
def _nginx(root: Path, port: int, work: Path, workers: int) -> Iterator[int]:
    """Run nginx serving `root` on 127.0.0.1:`port` until the block ends; yields its pid."""
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / "nginx-tmp" / name).mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(nginx_conf(root, port, work, workers), encoding="utf-8")
    proc = subprocess.Popen([str(NGINX), "-p", str(work), "-c", str(conf),
                             "-e", str(work / "nginx-error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=_die_with_parent)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", proc)
        yield proc.pid
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful stop of master and workers
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _die_with_parent() -> None:
    """In the nginx child before exec: stop (SIGQUIT) when the benchmark process dies."""
    import ctypes
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGQUIT)


def _wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/robots.txt", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not answer on {base} within {timeout} s")


@contextmanager
def _localserver(root: Path) -> Iterator[LocalServer]:
    types = {".html": "text/html", ".xml": "application/xml", ".rss": "application/rss+xml",
             ".txt": "text/plain"}

    def serve_file(request: Request) -> Response:
        path = request.path.split("?", 1)[0]
        target = (root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if root.resolve() not in target.parents or not target.is_file():
            return Response(404, "<html><body>not found</body></html>")
        return Response(body=target.read_bytes(),
                         content_type=types.get(target.suffix, "application/octet-stream"))

    server = LocalServer(default=serve_file, conditional=False)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def serve_mirror(pages: int, root: Path = MIRROR_DIR, work: Path = WORK,
                 nginx_workers: int = 1, use_nginx: bool = True) -> Iterator[Mirror]:
    """Build (or reuse) a mirror of `pages` pages and serve it until the block ends."""
    layout = build_pages(pages, root)
    why_not = ensure_nginx() if use_nginx else "nginx not requested"
    with ExitStack() as stack:
        if why_not is None:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            sources = write_listings(layout, base)
            try:
                stack.enter_context(_nginx(root, port, work, nginx_workers))
            except (OSError, RuntimeError) as exc:  # an nginx too old for -e, a bad config...
                why_not = f"nginx did not start: {exc}"
            else:
                version = subprocess.run([str(NGINX), "-v"], capture_output=True,
                                         text=True).stderr.strip().split(": ")[-1]
                server = f"{version} ({nginx_workers} worker)"
        if why_not is not None:
            logger.warning("serving the mirror with LocalServer: %s", why_not)
            local = stack.enter_context(_localserver(root))
            base, server = local.base_url, f"LocalServer (nginx unavailable: {why_not})"
            sources = write_listings(layout, base)
            local.start()
        yield Mirror(layout, base, sources, server)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=28 * 181, help="mirror pages (default 5068)")
    ap.add_argument("--no-nginx", action="store_true", help="serve with LocalServer")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent", file=sys.stderr)
        return 0
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop nginx on `kill` too
    with serve_mirror(args.pages, use_nginx=not args.no_nginx) as mirror:
        print(f"{len(mirror.urls)} pages at {mirror.base_url}/ served by {mirror.server}")
        print(f"sources file: {mirror.sources_file}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
