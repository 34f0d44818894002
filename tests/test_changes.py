"""Change history as citizens see it: major changes on the procedure's page and at /thay-doi/ with
an Atom feed; minor ones (a typo) nowhere; "last updated" is the later of the check and the change."""
from __future__ import annotations

import shutil

import feedparser
from bs4 import BeautifulSoup

from conftest import ROOT, build

TODAY = "2026-12-01"


def _site(tmp_path, changes: str):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "procedures" / "cap-phieu-ly-lich-tu-phap.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "changes:" not in text
    path.write_text("---\n" + changes + text[4:], encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, today=TODAY)
    return out


def test_major_changes_are_listed_and_minor_ones_are_not(tmp_path):
    out = _site(tmp_path, (
        "changes:\n"
        "  - date: 2026-11-20\n    note: Bỏ yêu cầu nộp bản sao <b>sổ hộ khẩu</b>\n    major: true\n"
        "  - date: 2026-11-25\n    note: Sửa lỗi chính tả\n"
        "  - date: 2026-12-20\n    note: Thay đổi chưa tới ngày\n    major: true\n"))
    page = BeautifulSoup((out / "thu-tuc" / "cap-phieu-ly-lich-tu-phap" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    history = page.find(id="lich-su-cap-nhat").parent
    items = [li.get_text(" ", strip=True) for li in history.find_all("li")]
    assert any("sổ hộ khẩu" in i and "20/11/2026" in i for i in items), items
    assert not any("chính tả" in i or "chưa tới ngày" in i for i in items)
    assert "<b>" not in str(history.find_all("li"))  # editors' text is text
    facts = page.find("dt", string="Cập nhật lần cuối").find_next("dd").time
    assert facts["datetime"] == "2026-11-20"  # not the change dated after today
    changes = BeautifulSoup((out / "thay-doi" / "index.html").read_text(encoding="utf-8"), "html.parser")
    listed = changes.select("ol.changes li")
    assert any("Bỏ yêu cầu nộp bản sao" in li.get_text() for li in listed)
    assert not any("chính tả" in li.get_text() or "chưa tới ngày" in li.get_text() for li in listed)
    feed = feedparser.parse((out / "thay-doi" / "atom.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert any("Bỏ yêu cầu nộp bản sao" in t for t in titles) and not any("chính tả" in t for t in titles)
    assert all(e.link.startswith("http") for e in feed.entries)


def test_last_updated_is_the_later_of_the_check_and_the_last_major_change(tmp_path):
    out = _site(tmp_path, "changes:\n  - date: 2026-11-20\n    note: Giảm lệ phí\n    major: true\n"
                          "  - date: 2026-11-28\n    note: Sửa lỗi chính tả\n")
    page = BeautifulSoup((out / "thu-tuc" / "cap-phieu-ly-lich-tu-phap" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    when = page.find("dt", string="Cập nhật lần cuối").find_next("dd").time["datetime"]
    assert when == "2026-11-20"  # the check (updated) is earlier; the minor change does not count


def test_a_page_lists_its_major_changes_too(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "pages" / "gioi-thieu.md"
    path.write_text("---\nchanges:\n  - date: 2026-11-02\n    note: Thêm giờ làm việc sáng thứ Bảy\n    major: true\n"
                    "  - date: 2026-11-03\n    note: Sửa lỗi chính tả\n" + path.read_text(encoding="utf-8")[4:],
                    encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, today=TODAY)
    page = BeautifulSoup((out / "gioi-thieu" / "index.html").read_text(encoding="utf-8"), "html.parser")
    items = [li.get_text(" ", strip=True) for li in page.find(id="lich-su-cap-nhat").parent.find_all("li")]
    assert items == ["02/11/2026 : Thêm giờ làm việc sáng thứ Bảy"] or items == ["02/11/2026: Thêm giờ làm việc sáng thứ Bảy"]
    assert page.find("p", class_="meta").time["datetime"] == "2026-11-02"


def test_an_empty_feed_is_dated_by_the_build_not_the_clock(tmp_path):
    """With no major change yet, the feed's <updated> is the build's day: two builds of the same
    content give the same bytes (an incremental build keeps the file)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for path in (content / "procedures").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "major: true" in text:
            path.write_text(text.replace("major: true", "major: false"), encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, today=TODAY)
    feed = feedparser.parse((out / "thay-doi" / "atom.xml").read_bytes())
    assert feed.entries == []
    assert feed.feed.updated.startswith("2026-12-01T00:00:00+07:00"), feed.feed.updated
