"""The weekly digest: built from the named queries, rendered as Markdown or HTML, exported as data.

build    `build_digest(db_path, week=None, ...) -> Digest` (sections as DataFrames)
render   `render_markdown(d)`, `render_html(d)` (self-contained, escaped), `render_email(d)`
charts   HTML bars as data and the inline SVG trend chart for the HTML page
summary  a story's summary: its description or first sentences
watch    the week's alerts and the watched entities (data.alerts)
write    `write_digest(d, fmt, out)` for md|html|json|csv|parquet, `write_data` for the data ones
"""

from newsmon.data.digest.build import Digest, DigestSettings, build_digest, load_settings
from newsmon.data.digest.render import render_email, render_html, render_markdown
from newsmon.data.digest.write import FORMATS, write_data, write_digest

__all__ = [
    "FORMATS",
    "Digest",
    "DigestSettings",
    "build_digest",
    "load_settings",
    "render_email",
    "render_html",
    "render_markdown",
    "write_data",
    "write_digest",
]
