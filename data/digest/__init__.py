"""The weekly digest: built from the named queries, rendered as Markdown or HTML, exported as data.

build    `build_digest(db_path, week=None, ...) -> Digest` (sections as DataFrames)
render   `render_markdown(d)`, `render_html(d)` (self-contained, escaped)
charts   inline SVG charts for the HTML page
write    `write_digest(d, fmt, out)` for md|html|json|csv|parquet, `write_data` for the data ones
"""

from newsmon.data.digest.build import Digest, DigestSettings, build_digest, load_settings
from newsmon.data.digest.render import render_html, render_markdown
from newsmon.data.digest.write import FORMATS, write_data, write_digest

__all__ = [
    "FORMATS",
    "Digest",
    "DigestSettings",
    "build_digest",
    "load_settings",
    "render_html",
    "render_markdown",
    "write_data",
    "write_digest",
]
