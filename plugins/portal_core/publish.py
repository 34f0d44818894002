"""Site-wide files written once at the end of a build: sitemap.xml and robots.txt always;
minified HTML for `invoke publish`; the precompressed copies (.gz, .br, see output.py): those
plugins asked for on every build, and on publishing every text file.

minify-html (a maintained Rust minifier with Python wheels) and Brotli/gzip do the work; only the
sitemap is written here, because Pelican's sitemap plugin sees articles and pages only, not the
portal's own content types.
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from . import output as files

HEAD_BYTES = 4096
NOINDEX = re.compile(rb'<meta name="robots" content="[^"]*noindex')


def page_urls(output: Path) -> list[str]:
    urls = []
    for f in sorted(output.rglob("index.html")):
        with f.open("rb") as fh:  # pages that ask not to be indexed (QR posters) stay out
            if NOINDEX.search(fh.read(HEAD_BYTES)):
                continue
        rel = f.parent.relative_to(output).as_posix()
        urls.append("/" if rel == "." else f"/{rel}/")
    return urls


def write_sitemap(output: Path, site_url: str) -> None:
    rows = "".join(f"<url><loc>{escape(site_url + u)}</loc></url>\n" for u in page_urls(output))
    (output / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n',
        encoding="utf-8",
    )
    (output / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {site_url}/sitemap.xml\n", encoding="utf-8")


def minify(output: Path) -> None:
    import minify_html

    for f in output.rglob("*.html"):
        html = f.read_text(encoding="utf-8")
        f.write_text(minify_html.minify(html, minify_css=True, minify_js=True, keep_closing_tags=True,
                                        keep_html_and_head_opening_tags=True), encoding="utf-8")


def finalize(pelican) -> None:
    settings = pelican.settings
    output = Path(pelican.output_path)
    write_sitemap(output, settings["SITE_URL"])
    if settings.get("PORTAL_MINIFY"):
        minify(output)
    files.precompress(output, everything=bool(settings.get("PORTAL_PRECOMPRESS", settings.get("PORTAL_MINIFY"))))
