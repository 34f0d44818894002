"""Editors' text is data, not code: raw HTML, event handlers, attribute lists and javascript:
links in Markdown bodies, and HTML in a news summary, never reach a page, a feed or the open data
as markup; the build warns, naming the file and the line, and does not stop."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import DATA, build

ATTACKS = """
Đoạn đầu.

<script>alert("xss-script")</script>

<img src="/images/x.png" onerror="alert('xss-onerror')" alt="Ảnh">

<iframe src="https://evil.example/xss-iframe"></iframe>

[Bấm vào đây](javascript:alert('xss-link'))

Đoạn có sự kiện
{: onclick="alert(1)" data-note="xss-attr-list" }

![Ảnh ngoài](https://evil.example/xss-remote.png)

<details><summary>Xem thêm</summary>Nội dung được giữ.</details>

[Liên kết tốt](https://dichvucong.gov.vn/) · [Gọi](tel:19001234) · [Trang](/gioi-thieu/)
"""
EDITOR_MARKERS = ("xss-", "alert(")


def _unsafe(html: str) -> list[str]:
    """Markup in an HTML fragment or page that came from an editor: an event handler or a
    javascript: link on any element, an editor's script, frame, or image from another server."""
    from bs4 import BeautifulSoup

    found = []
    for el in BeautifulSoup(html, "html.parser").find_all(True):
        for name, value in el.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on") or name == "data-note" or value.strip().lower().startswith("javascript:"):
                found.append(f"<{el.name} {name}={value!r}>")
        if el.name in ("iframe", "object", "embed") or el.name == "img" and "xss" in el.get("src", ""):
            found.append(f"<{el.name}>")
        if el.name == "script" and any(m in el.get_text() for m in EDITOR_MARKERS):
            found.append("<script> from an editor")
    return found


def _fragments(f, text):
    """The HTML a built file carries: a page; the entries of a feed; the strings of a JSON file."""
    if f.suffix == ".html":
        yield text
    elif f.suffix == ".xml":
        import xml.etree.ElementTree as ET

        for el in ET.fromstring(text.encode("utf-8")).iter():
            if el.text and "<" in el.text:
                yield el.text
    elif f.suffix == ".json":
        stack = [json.loads(text)]
        while stack:
            v = stack.pop()
            if isinstance(v, dict):
                stack += list(v.values())
            elif isinstance(v, list):
                stack += v
            elif isinstance(v, str) and "<" in v:
                yield v


def _append(path, text):
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    content = base / "content"
    shutil.copytree(DATA / "minimal", content)
    _append(content / "procedures" / "dang-ky-khai-sinh.md", ATTACKS)
    _append(content / "pages" / "gioi-thieu.md", ATTACKS)
    news = content / "news" / "khai-truong.md"
    news.write_text(news.read_text(encoding="utf-8").replace(
        "summary: Trung tâm khai trương giai đoạn I.",
        "summary: 'Khai trương <script>alert(\"xss-summary\")</script> <b onmouseover=\"x\">đậm</b>'") + ATTACKS,
        encoding="utf-8")
    out = base / "site"
    proc = build(content, out)
    return out, proc


def _texts(out):
    for f in out.rglob("*"):
        if f.suffix in (".html", ".xml", ".json") and f.is_file():
            yield f, f.read_text(encoding="utf-8")


def test_no_markup_from_editors_reaches_pages_feeds_or_open_data(hostile):
    out, _ = hostile
    found = [f"{f.relative_to(out)}: {u}" for f, text in _texts(out) for html in _fragments(f, text)
             for u in _unsafe(html)]
    assert not found, found
    # the check finds what it looks for: every attack of the content, as a browser would parse it
    assert len(_unsafe(ATTACKS.replace("{: ", "<p ").replace(" }", ">"))) == 5


def test_the_summary_is_text_in_pages_and_feeds(hostile):
    out, _ = hostile
    page = (out / "tin-tuc" / "khai-truong" / "index.html").read_text(encoding="utf-8")
    assert "Khai trương &lt;script&gt;alert(&#34;xss-summary&#34;)&lt;/script&gt;" in page  # the text as typed
    import feedparser

    feed = feedparser.parse((out / "tin-tuc" / "feeds" / "all.atom.xml").read_bytes())
    summary = feed.entries[0].summary
    assert "<script" not in summary and "<b " not in summary and "xss-summary" in summary


def test_allowed_markdown_is_kept(hostile):
    out, _ = hostile
    page = (out / "thu-tuc" / "dang-ky-khai-sinh" / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://dichvucong.gov.vn/">Liên kết tốt</a>' in page
    assert '<a href="tel:19001234">Gọi</a>' in page and '<a href="/gioi-thieu/">Trang</a>' in page
    assert "<details><summary>Xem thêm</summary>Nội dung được giữ.</details>" in page
    assert '<img src="/images/x.png" alt="Ảnh">' in page or '<img alt="Ảnh" src="/images/x.png">' in page
    api = json.loads((out / "api" / "procedures" / "dang-ky-khai-sinh.json").read_text(encoding="utf-8"))
    assert "<details>" in api["body_html"] and "javascript:" not in api["body_html"]


def test_the_build_warns_with_file_and_line_and_goes_on(hostile):
    out, proc = hostile
    assert proc.returncode == 0 and (out / "index.html").is_file()
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("Cảnh báo:")]
    procedure = [w for w in warnings if "content/procedures/dang-ky-khai-sinh.md:" in w]
    text = "\n".join(procedure)
    for what in ("thẻ <script>", "onerror", "thẻ <iframe>", "javascript:", "onclick", "xss-remote"):
        assert what in text, (what, text)
    src = (out.parent / "content" / "procedures" / "dang-ky-khai-sinh.md").read_text(encoding="utf-8").split("\n")
    for w in procedure:
        line = int(re.search(r"dang-ky-khai-sinh\.md:(\d+):", w).group(1))
        m = re.search(r'nội dung có thẻ <(\w+)>|nội dung có thuộc tính [\w-]+="([^"]*)"', w)
        key = f"<{m.group(1)}" if m.group(1) else m.group(2)
        assert key and key.lower() in src[line - 1].lower(), (w, src[line - 1])
    assert any("content/news/khai-truong.md:" in w for w in warnings)
    assert any("content/pages/gioi-thieu.md:" in w for w in warnings)
