"""The bundled demo news site: invented articles served from memory on 127.0.0.1.

content  the article files (articles/*.md) and site settings (site.toml)
feeds    RSS, Atom, sitemaps and robots.txt
site     HTML pages, `build_site`, `serve_demo_site` and `demo_sources_file`
"""

from newsmon.crawler.demo.content import DemoArticle, load_articles, load_site_config
from newsmon.crawler.demo.site import build_site, demo_sources_file, serve_demo_site

__all__ = ["DemoArticle", "build_site", "demo_sources_file", "load_articles",
           "load_site_config", "serve_demo_site"]
