"""Site-wide files written once at the end of a build: sitemap.xml and robots.txt always;
minified HTML for `invoke publish`; the precompressed copies (.gz, .br, see output.py): those
plugins asked for on every build, and on publishing every text file.

minify-html (a maintained Rust minifier with Python wheels) and Brotli/gzip do the work; only the
sitemap is written here, because Pelican's sitemap plugin sees articles and pages only, not the
portal's own content types.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

from . import output as files
from . import registry, render_cache, serving, store_cache

HEAD_BYTES = 4096
NOINDEX = re.compile(rb'<meta name="robots" content="[^"]*noindex')


def page_urls(output: Path) -> list[str]:
    urls = []
    root = str(output)
    for dirpath, _dirs, names in os.walk(root):
        if "index.html" not in names:
            continue
        with open(os.path.join(dirpath, "index.html"), "rb") as fh:  # pages that ask not to be
            if NOINDEX.search(fh.read(HEAD_BYTES)):                  # indexed (QR posters) stay out
                continue
        rel = Path(dirpath).relative_to(root).as_posix()
        urls.append("/" if rel == "." else f"/{rel}/")
    return sorted(urls, key=lambda u: u.split("/"))


def write_sitemap(output: Path, site_url: str) -> None:
    rows = "".join(f"<url><loc>{escape(site_url + u)}</loc></url>\n" for u in page_urls(output))
    (output / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n',
        encoding="utf-8",
    )
    (output / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {site_url}/sitemap.xml\n", encoding="utf-8")


def minify(output: Path, skip=frozenset()) -> None:
    """Minify every HTML file but those in `skip` (pages taken from a release built by the same code,
    already minified). A new file replaces each: a page may be a hard link to the previous release."""
    import minify_html

    for f in output.rglob("*.html"):
        if f.relative_to(output).as_posix() in skip:
            continue
        html = f.read_text(encoding="utf-8")
        files.replace_bytes(f, minify_html.minify(html, minify_css=True, minify_js=True, keep_closing_tags=True,
                                                  keep_html_and_head_opening_tags=True).encode("utf-8"))


def write_serving_files(output: Path, settings) -> None:
    """`_headers` (static hosts and CDNs that read it) and /.well-known/security.txt, from the
    same source as the nginx configuration (serving.py)."""
    from . import content

    hashed = [registry.asset(url) for url in registry.assets()]
    hashed += [f"/{p.relative_to(output).as_posix()}" for p in (output / "static" / "search").glob("*.json")
               if re.search(serving.HASHED_RE, p.name)]
    (output / "_headers").write_text(serving.headers_file(settings, hashed), encoding="utf-8")
    txt = serving.security_txt(settings.get("SITE") or {}, content.current_store().today)
    if txt:
        (output / ".well-known").mkdir(exist_ok=True)
        (output / ".well-known" / "security.txt").write_text(txt, encoding="utf-8")


def finalize(pelican) -> None:
    settings = pelican.settings
    output = Path(pelican.output_path)
    writer = render_cache.current_writer()
    if writer:
        writer.join()  # the pages the batches' second processes rendered are all written
    store_cache.wait_for_saves()  # the content cache this build started writing
    write_sitemap(output, settings["SITE_URL"])
    write_serving_files(output, settings)
    if settings.get("PORTAL_MINIFY"):
        minify(output, skip=writer.reused_names if writer else frozenset())
    previous = render_cache.previous_release()
    render_cache.link_unchanged(output, previous)
    files.precompress(output, everything=bool(settings.get("PORTAL_PRECOMPRESS", settings.get("PORTAL_MINIFY"))),
                      previous=previous)
    if writer:
        writer.save(output)
        print(f"Trang: {writer.rendered} trang tạo mới, {writer.reused} trang giữ nguyên từ bản trước.")
        if writer.rendered_elsewhere:
            print(f"Trang do tiến trình thứ hai tạo: {writer.rendered_elsewhere}.")
