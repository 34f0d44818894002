"""Find broken internal links in a built site (used by `invoke check --links` and the tests).

Each broken link names the built page and its line; given the content store's map of page URLs to
source files, it also names the content file (and the line there) the editor has to fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

ATTRS = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("form", "action"))


@dataclass
class BrokenLink:
    """A link in a built page whose target is not in the built site."""

    page: str  # built file, relative to the output folder
    line: int | None
    url: str
    source: str | None = None  # the content file the page is built from, when known
    source_line: int | None = None  # the line of that file that holds the link, when found

    def __str__(self) -> str:
        where = self.page + (f":{self.line}" if self.line else "")
        text = f"{where}: không có trang hay tệp nào ở {self.url}"
        if self.source:
            at = self.source + (f":{self.source_line}" if self.source_line else "")
            text += f"; sửa trong {at}" if self.source_line else f"; trang được tạo từ {at}, liên kết có thể nằm trong giao diện"
        return text


def _target_exists(root: Path, page: Path, url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "tel:", "geo:", "data:", "javascript:")):
        return True
    path = unquote(parts.path)
    if not path:
        return True
    target = (root / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    if path.endswith("/"):
        target = target / "index.html"
    return target.is_file() or (target / "index.html").is_file()


def _page_url(root: Path, page: Path) -> str:
    rel = page.relative_to(root).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def _line_in_source(source: Path, url: str) -> int | None:
    """First line of the content file that mentions the link (as written, or without its #part)."""
    try:
        lines = source.read_text(encoding="utf-8").split("\n")
    except OSError:
        return None
    for needle in dict.fromkeys((url, url.split("#")[0].rstrip("/"))):
        if not needle:
            continue
        for i, line in enumerate(lines, 1):
            if needle in line:
                return i
    return None


def broken_links(root: Path, sources: dict[str, Path] | None = None, base: Path | None = None) -> list[BrokenLink]:
    """Every internal link in the built HTML whose target does not exist.

    `sources` maps a page URL ('/<root>/<slug>/') to the content file it is built
    from; `base` is the folder the reported source paths are relative to.
    """
    root = Path(root)
    sources = sources or {}
    out = []
    from .registry import private_prefixes

    private = tuple(private_prefixes())
    for page in sorted(root.rglob("*.html")):
        if private and _page_url(root, page).startswith(private):
            continue  # the editor's pages (/quan-tri/) are not the visitors' site
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        source = sources.get(_page_url(root, page))
        for tag, attr in ATTRS:
            for el in soup.find_all(tag):
                url = el.get(attr)
                if url and not _target_exists(root, page, url.strip()):
                    link = BrokenLink(str(page.relative_to(root)), getattr(el, "sourceline", None), url.strip())
                    if source is not None:
                        shown = Path(source)
                        if base is not None:
                            try:
                                shown = Path(source).resolve().relative_to(Path(base).resolve())
                            except ValueError:
                                pass
                        link.source = str(shown)
                        link.source_line = _line_in_source(Path(source), url.strip())
                    out.append(link)
    return out


def content_sources(store) -> dict[str, Path]:
    """Page URL -> content file, for every content item that has a page of its own."""
    out = {}
    for items in store.items.values():
        for item in items:
            url = item.__dict__.get("url")
            if url and item.source.endswith(".md"):
                out[url] = store.path.parent / item.source
    return out
