"""Find broken internal links in a built site (used by `invoke check --links` and the tests)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

ATTRS = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("form", "action"))


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


def broken_links(root: Path) -> list[str]:
    """'page -> url' for every internal link in the built HTML whose target does not exist."""
    root = Path(root)
    out = []
    for page in sorted(root.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in ATTRS:
            for el in soup.find_all(tag):
                url = el.get(attr)
                if url and not _target_exists(root, page, url.strip()):
                    line = f":{el.sourceline}" if getattr(el, "sourceline", None) else ""
                    out.append(f"{page.relative_to(root)}{line} -> {url}")
    return out
