"""Editors' Markdown is data, not code: the HTML it renders to is cleaned to an allow-list.

Every body (procedures, offices, roadmap phases, news, pages) goes through `clean()` when the
content store renders it (`Store.markdown`), so pages, feeds and the open data's `body_html` all
carry the cleaned HTML. nh3 (the Python binding of the Rust sanitizer ammonia, maintained and fast)
does the cleaning: chosen over bleach, which its maintainers have deprecated, and over writing a
sanitizer by hand.

Allowed: headings, paragraphs, lists, tables, emphasis, quotations, code, `details`/`summary`,
links to http(s), mailto:, tel: and the site itself, images from the site itself (a path such as
/images/quay-tiep-nhan.jpg), and the few attributes those need. Everything else is removed:
`<script>`, `<style>`, `<iframe>`, `<form>`, event handlers (`onclick`, also from Markdown's
`{: onclick="…"}` attribute lists), inline styles, `javascript:` and `data:` links.

Removing is never an error (a pasted snippet must not block an urgent announcement): the build
warns, naming the file and the line (`warn_removed`).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "strong", "em", "b", "i", "u", "s",
    "del", "ins", "sub", "sup", "small", "mark", "abbr", "q", "cite", "code", "kbd", "pre", "blockquote",
    "a", "img", "details", "summary", "div",
}
ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "details": {"open"},
}
# Markdown's footnotes (the `extra` extension) mark their parts with these classes.
CLASSES = {"div": {"footnote"}, "a": {"footnote-ref", "footnote-backref"}, "sup": set()}
SCHEMES = {"http", "https", "mailto", "tel"}
# Where the whole element goes with its content (not only the tags).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea",
                        "select", "svg", "math"}


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src" and not _is_site_path(value):
        return None  # images from the site itself only: no request to another server
    return value


def _is_site_path(url: str) -> bool:
    """A path on this site: no scheme (https:, data:…) and no other host (//host/…)."""
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", url.strip())


def clean(html: str) -> str:
    """The allowed part of `html`."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES, url_schemes=SCHEMES,
                     clean_content_tags=DROPPED_WITH_CONTENT, link_rel=None, strip_comments=True,
                     attribute_filter=_attribute_filter)


class _Parts(HTMLParser):
    """The elements and attributes of an HTML fragment, as (tag, attribute or '', value)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.parts.append((tag, "", ""))
        for name, value in attrs:
            self.parts.append((tag, name, (value or "").strip()))

    handle_startendtag = handle_starttag


def _parts(html: str) -> list[tuple[str, str, str]]:
    p = _Parts()
    p.feed(html)
    p.close()
    return p.parts


def removed(html: str) -> list[tuple[str, str, str]]:
    """What `clean` takes out of `html`: (tag, attribute or '', value) once each; an attribute of an
    element removed whole is not listed (the element is)."""
    kept = set(_parts(clean(html)))
    out = []
    for tag, attr, value in _parts(html):
        if (tag, attr, value) in kept or attr == "rel" or attr and (tag, "", "") not in kept:
            continue
        if attr == "class" and value and all(c in CLASSES.get(tag, ()) for c in value.split()):
            continue
        if (tag, attr, value) not in out:
            out.append((tag, attr, value))
    return out


def describe(part: tuple[str, str, str]) -> str:
    """A removed element or attribute in plain words."""
    tag, attr, value = part
    return f"thẻ <{tag}>" if not attr else f"thuộc tính {attr}=\"{value[:40]}\" của thẻ <{tag}>"


# Cheap signs that a body may hold something to remove: raw HTML or an attribute list.
_SUSPECT = re.compile(r"<[a-zA-Z!/?]|\{:|javascript:|data:", re.IGNORECASE)


def warn_removed(store, render) -> None:
    """Warn, for every Markdown item, about what cleaning removed from its body (file and line).

    `render(text)` is the Markdown renderer without cleaning."""
    for items in store.items.values():
        for item in items:
            if not item.body or not item.source.endswith(".md") or not _SUSPECT.search(item.body):
                continue
            for part in removed(str(render(item.body))):
                store.warn(item, f"nội dung có {describe(part)}, không được phép nên đã bị bỏ khi đăng; chỉ dùng "
                                 "Markdown (xem mục 'HTML trong nội dung' của README)", line=_line_of(item, part))


def _line_of(item, part: tuple[str, str, str]) -> int:
    """The body line where the removed tag or attribute appears (the body's first line if unknown):
    looked for by the attribute's value, then its name, then the tag."""
    tag, attr, value = part
    needles = [value[:40], attr + "=", f"<{tag}"] if attr else [f"<{tag}"]
    lines = item.body.lower().split("\n")
    for needle in filter(None, (n.lower() for n in needles)):
        for i, line in enumerate(lines):
            if needle in line:
                return item.body_line + i
    return item.body_line

