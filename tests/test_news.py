"""News and announcements: each publishing rule (draft, scheduled, expired, pinned) on a build's
--today, the preview build, listings with pagination, category and tag pages, article pages and
the Atom/RSS feeds (parsed with feedparser)."""
from __future__ import annotations

import math
import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml

from conftest import assert_no_axe_violations, build, new_page
from test_news_helpers import listed_links, read_front_matter, shift, small_content, soup, write_news

TODAY = "2025-10-15"
DRAFT = ("tin-nhap-chua-duyet", "Tin nháp chưa duyệt")
FUTURE = ("tin-hen-gio-dang", "Tin hẹn giờ đăng")
EXPIRED = ("thong-bao-da-qua-han", "Thông báo đã qua hạn")
LAST_DAY = ("thong-bao-con-han-hom-nay", "Thông báo còn hạn hôm nay")
FILLERS = 12


def rules_content(tmp_path: Path) -> tuple[Path, dict]:
    """One item per rule, plus enough ordinary news for two pages; returns (content, expected)."""
    content = small_content(tmp_path)
    write_news(content, DRAFT[0], title=DRAFT[1], date=shift(TODAY, -3), status="draft", tags=["bí mật nháp"])
    write_news(content, FUTURE[0], title=FUTURE[1], date=shift(TODAY, 5), tags=["bí mật hẹn giờ"])
    write_news(content, "dang-sang-nay", title="Đăng sáng nay", date=f"{TODAY} 09:30")
    write_news(content, EXPIRED[0], title=EXPIRED[1], date=shift(TODAY, -40), category="thong-bao",
               expires=shift(TODAY, -1), pinned=True, tags=["nghỉ lễ"])
    write_news(content, LAST_DAY[0], title=LAST_DAY[1], date=shift(TODAY, -30), category="thong-bao",
               expires=TODAY, pinned=True, tags=["nghỉ lễ"])
    write_news(content, "thong-bao-ghim", title="Thông báo ghim không hết hạn", date=shift(TODAY, -60),
               category="thong-bao", pinned=True)
    for i in range(1, FILLERS + 1):
        write_news(content, f"tin-so-{i:02d}", title=f"Tin số {i:02d}", date=shift(TODAY, -100 + i),
                   tags=["hộ tịch"] if i % 2 else ["lộ trình"])
    published = ["dang-sang-nay", LAST_DAY[0], "thong-bao-ghim"] + [f"tin-so-{i:02d}" for i in range(1, FILLERS + 1)]
    return content, {"published": published}


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("news-rules")
    content, expected = rules_content(tmp)
    proc = build(content, tmp / "site", today=TODAY)
    return tmp / "site", content, expected, proc


@pytest.fixture(scope="module")
def preview(tmp_path_factory, rules):
    _, content, _, _ = rules
    out = tmp_path_factory.mktemp("news-preview") / "site"
    build(content, out, today=TODAY, drafts=True)
    return out


def all_text_files(site: Path):
    for f in site.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".xml", ".json", ".txt", ".js", ".webmanifest"):
            yield f, f.read_text(encoding="utf-8")


def site_url(content: Path) -> str:
    return yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))["url"].rstrip("/")


# --- publishing rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("slug,title", [DRAFT, FUTURE], ids=["draft", "future"])
def test_draft_and_future_items_are_written_nowhere(rules, slug, title):
    site, *_ = rules
    assert not (site / "tin-tuc" / slug).exists()
    for f, text in all_text_files(site):
        assert slug not in text and title not in text, f"{f.relative_to(site)} mentions {slug}"
    # their tags exist only through them: no tag page either
    assert not any("bi-mat" in str(p) for p in site.rglob("*"))


def test_item_dated_today_is_published_whatever_the_hour(rules):
    site, *_ = rules
    assert (site / "tin-tuc" / "dang-sang-nay" / "index.html").is_file()
    assert "/tin-tuc/dang-sang-nay/" in listed_links(site / "tin-tuc" / "index.html")


def test_future_item_is_published_by_a_build_on_its_date(tmp_path):
    content = small_content(tmp_path)
    write_news(content, FUTURE[0], title=FUTURE[1], date="2025-10-20")
    build(content, tmp_path / "before", today="2025-10-19")
    assert not (tmp_path / "before" / "tin-tuc" / FUTURE[0]).exists()
    build(content, tmp_path / "on", today="2025-10-20")
    assert (tmp_path / "on" / "tin-tuc" / FUTURE[0] / "index.html").is_file()
    assert f"/tin-tuc/{FUTURE[0]}/" in listed_links(tmp_path / "on" / "tin-tuc" / "index.html")


def test_draft_stays_unpublished_even_when_its_date_has_passed(tmp_path):
    content = small_content(tmp_path)
    write_news(content, DRAFT[0], title=DRAFT[1], date="2025-01-01", status="draft")
    build(content, tmp_path / "site", today="2026-01-01")
    assert not (tmp_path / "site" / "tin-tuc" / DRAFT[0]).exists()


def test_expired_item_keeps_its_page_marked_expired(rules):
    site, *_ = rules
    page = soup(site / "tin-tuc" / EXPIRED[0] / "index.html")
    notice = page.select_one(".notice--expired")
    assert notice is not None and "hết hạn" in notice.get_text()
    assert "14/10/2025" in notice.get_text()  # the last day it was valid: TODAY - 1


def test_expired_item_leaves_listings_feeds_and_home(rules):
    site, *_ = rules
    url = f"/tin-tuc/{EXPIRED[0]}/"
    for listing in ("tin-tuc/index.html", "tin-tuc/trang/2/index.html", "tin-tuc/thong-bao/index.html",
                    "tin-tuc/the/nghi-le/index.html"):
        assert url not in listed_links(site / listing), listing
    assert url not in [a.get("href") for a in soup(site / "index.html").find_all("a")]
    for feed in (site / "tin-tuc" / "feeds").glob("*.xml"):
        assert EXPIRED[0] not in feed.read_text(encoding="utf-8"), feed.name


def test_expires_is_inclusive_the_last_day_is_still_shown(rules, tmp_path):
    site, content, _, _ = rules
    url = f"/tin-tuc/{LAST_DAY[0]}/"
    assert url in listed_links(site / "tin-tuc" / "thong-bao" / "index.html")
    assert soup(site / "tin-tuc" / LAST_DAY[0] / "index.html").select_one(".notice--expired") is None
    # the day after, it has expired
    build(content, tmp_path / "next-day", today=shift(TODAY, 1))
    assert url not in listed_links(tmp_path / "next-day" / "tin-tuc" / "thong-bao" / "index.html")
    assert soup(tmp_path / "next-day" / "tin-tuc" / LAST_DAY[0] / "index.html").select_one(".notice--expired")


def test_expired_pinned_item_is_a_warning_not_an_error(rules):
    _, _, _, proc = rules
    out = proc.stdout + proc.stderr
    assert f"{EXPIRED[0]}.md" in out and "pinned" in out


def test_no_warning_about_feeds_without_a_site_url(rules):
    _, _, _, proc = rules
    out = " ".join((proc.stdout + proc.stderr).lower().split())  # Rich wraps long log lines
    assert "feeds generated without siteurl" not in out and "siteurl" not in out


# --- preview ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug,title", [DRAFT, FUTURE], ids=["draft", "future"])
def test_preview_build_shows_drafts_and_future_items_with_a_banner(preview, slug, title):
    page = soup(preview / "tin-tuc" / slug / "index.html")
    assert page.h1.get_text(strip=True) == title
    banner = page.select_one(".draft-banner")
    assert banner is not None and "Bản nháp" in banner.get_text()


def test_preview_marks_only_the_unpublished_items(preview):
    assert soup(preview / "tin-tuc" / "tin-so-01" / "index.html").select_one(".draft-banner") is None
    assert soup(preview / "index.html").select_one(".draft-banner") is None


# --- listings, pagination, categories, tags --------------------------------------------------------

def news_pages(site: Path, base: str) -> list[Path]:
    """Follow the rel=next links from a listing's first page; every page once."""
    pages, path = [], site / base / "index.html"
    while path is not None:
        assert path.is_file(), path
        pages.append(path)
        nxt = soup(path).select_one('.pagination a[rel="next"]')
        path = site / nxt["href"].lstrip("/") / "index.html" if nxt else None
        assert len(pages) < 50
    return pages


def test_listing_is_paginated_newest_first_each_item_once(rules):
    site, _, expected, _ = rules
    pages = news_pages(site, "tin-tuc")
    per_page = len(listed_links(pages[0]))
    total = len(expected["published"])
    assert per_page < total, "the test needs more items than one page holds"
    assert len(pages) == math.ceil(total / per_page)
    seen = [href for p in pages for href in listed_links(p)]
    assert sorted(seen) == sorted(f"/tin-tuc/{s}/" for s in expected["published"])
    # the first <time> of each item is its date: newest first
    item_dates = [li.select_one("time")["datetime"] for p in pages for li in soup(p).select(".news-list > li")]
    assert len(item_dates) == total and item_dates == sorted(item_dates, reverse=True)
    # page 2 links back to page 1, the first page has no "previous"
    prev = soup(pages[1]).select_one('.pagination a[rel="prev"]')
    assert prev["href"] == "/tin-tuc/"
    assert soup(pages[0]).select_one('.pagination a[rel="prev"]') is None


def test_category_pages_list_only_their_category(rules):
    site, content, expected, _ = rules
    for cat in ("tin-tuc", "thong-bao"):
        want = sorted(f"/tin-tuc/{s}/" for s in expected["published"]
                      if read_front_matter(content / "news" / f"{s}.md")["category"] == cat)
        got = sorted(h for p in news_pages(site, f"tin-tuc/{cat}") for h in listed_links(p))
        assert got == want, cat
    assert soup(site / "tin-tuc" / "thong-bao" / "index.html").h1.get_text(strip=True) == "Thông báo"


def test_tag_pages_list_the_items_with_that_tag(rules):
    site, content, expected, _ = rules
    want = sorted(f"/tin-tuc/{s}/" for s in expected["published"]
                  if "hộ tịch" in (read_front_matter(content / "news" / f"{s}.md").get("tags") or []))
    got = sorted(h for p in news_pages(site, "tin-tuc/the/ho-tich") for h in listed_links(p))
    assert got == want and want


def test_article_page_has_date_category_tags_summary_and_neighbours(rules):
    site, content, expected, _ = rules
    fm = {s: read_front_matter(content / "news" / f"{s}.md") for s in expected["published"]}
    by_date = sorted(expected["published"], key=lambda s: str(fm[s]["date"]))
    slug = "tin-so-05"
    i = by_date.index(slug)
    page = soup(site / "tin-tuc" / slug / "index.html")
    assert page.h1.get_text(strip=True) == fm[slug]["title"]
    assert page.select_one(".news-article time")["datetime"].startswith(str(fm[slug]["date"]))
    assert page.find("a", href="/tin-tuc/tin-tuc/") is not None
    assert fm[slug]["summary"] in page.select_one(".summary").get_text()
    assert [a.get_text() for a in page.select(".tags a")] == fm[slug]["tags"]
    assert page.select_one('a[rel="prev"]')["href"] == f"/tin-tuc/{by_date[i - 1]}/"
    assert page.select_one('a[rel="next"]')["href"] == f"/tin-tuc/{by_date[i + 1]}/"
    newest = soup(site / "tin-tuc" / by_date[-1] / "index.html")
    assert newest.select_one('a[rel="next"]') is None


def test_sample_news_is_marked_as_sample(tmp_path):
    content = small_content(tmp_path)
    write_news(content, "tin-mau", date="2025-10-01", sample=True)
    write_news(content, "tin-that", date="2025-10-02")
    build(content, tmp_path / "site", today=TODAY)
    assert soup(tmp_path / "site" / "tin-tuc" / "tin-mau" / "index.html").select_one(".sample-notice")
    assert soup(tmp_path / "site" / "tin-tuc" / "tin-that" / "index.html").select_one(".sample-notice") is None


# --- feeds -----------------------------------------------------------------------------------------

FEEDS = ["all.atom.xml", "all.rss.xml", "tin-tuc.atom.xml", "tin-tuc.rss.xml", "thong-bao.atom.xml", "thong-bao.rss.xml"]


@pytest.mark.parametrize("name", FEEDS)
def test_feeds_are_valid_with_absolute_links(rules, name):
    site, content, expected, _ = rules
    base = site_url(content)
    parsed = feedparser.parse((site / "tin-tuc" / "feeds" / name).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if name.endswith(".atom.xml") else "rss20")
    assert parsed.feed.link.startswith(base + "/")
    links = [e.link for e in parsed.entries]
    for link in links + [l.href for e in parsed.entries for l in e.get("links", [])]:
        assert urlsplit(link).scheme in ("http", "https") and link.startswith(base + "/"), link
    category = name.split(".")[0]
    want = {f"{base}/tin-tuc/{s}/" for s in expected["published"]
            if category == "all" or read_front_matter(content / "news" / f"{s}.md")["category"] == category}
    assert set(links) == want
    for e in parsed.entries:
        for href in re.findall(r'(?:href|src)="([^"]+)"', e.get("content", [{}])[0].get("value", "") if e.get("content") else ""):
            assert href.startswith(("http://", "https://", "mailto:", "tel:", "#")), href


def test_feeds_are_linked_from_the_pages(rules):
    site, *_ = rules
    for f in ("tin-tuc/index.html", "tin-tuc/thong-bao/index.html"):
        hrefs = [a["href"] for a in soup(site / f).find_all("a")]
        assert any(h.endswith(".atom.xml") for h in hrefs) and any(h.endswith(".rss.xml") for h in hrefs)
        for h in hrefs:
            if h.endswith(".xml"):
                assert (site / h.lstrip("/")).is_file(), h
    alt = soup(site / "index.html").find("link", rel="alternate", type="application/atom+xml")
    assert alt is not None and (site / alt["href"].lstrip("/")).is_file()


# --- the sample site --------------------------------------------------------------------------------

def test_sample_news_follow_the_publishing_rules(sample_site):
    """Every news file of content/ is published, hidden as expired, or written nowhere, as its own
    front matter says on SAMPLE_TODAY (worked out here from the files)."""
    from conftest import ROOT, SAMPLE_TODAY

    files = sorted((ROOT / "content" / "news").glob("*.md"))
    assert files, "the sample content has no news"
    texts = [text for _, text in all_text_files(sample_site)]
    listing = {h for p in news_pages(sample_site, "tin-tuc") for h in listed_links(p)}
    feed = (sample_site / "tin-tuc" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    for f in files:
        fm = read_front_matter(f)
        url = f"/tin-tuc/{f.stem}/"
        page = sample_site / "tin-tuc" / f.stem / "index.html"
        if fm["status"] == "draft" or str(fm["date"])[:10] > SAMPLE_TODAY:
            assert not page.exists(), f.name
            assert not any(url in t for t in texts), f"{f.name} is linked from the built site"
        elif fm.get("expires") and str(fm["expires"]) < SAMPLE_TODAY:
            assert page.is_file() and soup(page).select_one(".notice--expired"), f.name
            assert url not in listing and url not in feed, f.name
        else:
            assert page.is_file() and soup(page).select_one(".notice--expired") is None, f.name
            assert url in listing and url in feed, f.name


# --- in the browser --------------------------------------------------------------------------------

@pytest.mark.browser
def test_sample_news_pages_pass_axe(page, site_url):
    page.goto(site_url + "/tin-tuc/")
    assert_no_axe_violations(page)
    first = page.locator(".news-list h2 a").first
    assert first.count() == 1, "the sample content has no published news"
    page.goto(site_url + first.get_attribute("href"))
    assert page.locator("main h1").is_visible()
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_pagination_with_the_keyboard(browser, rules, serve):
    site, *_ = rules
    base = serve(site)
    p = new_page(browser, javascript=False)
    try:
        p.goto(base + "/tin-tuc/")
        first_page = p.locator(".news-list h2 a").all_inner_texts()
        nxt = p.locator('.pagination a[rel="next"]')
        nxt.focus()
        p.keyboard.press("Enter")
        p.wait_for_url(base + "/tin-tuc/trang/2/")
        second_page = p.locator(".news-list h2 a").all_inner_texts()
        assert second_page and not set(first_page) & set(second_page)
        p.locator('.pagination a[rel="prev"]').click()
        p.wait_for_url(base + "/tin-tuc/")
    finally:
        p.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("which", ["expired", "preview", "category"])
def test_rule_pages_pass_axe(browser, rules, preview, serve, which):
    site, *_ = rules
    base = serve(preview if which == "preview" else site)
    path = {"expired": f"/tin-tuc/{EXPIRED[0]}/", "preview": f"/tin-tuc/{DRAFT[0]}/",
            "category": "/tin-tuc/thong-bao/"}[which]
    p = new_page(browser)
    try:
        p.goto(base + path)
        if which == "preview":
            assert p.locator(".draft-banner").is_visible()
            assert "Bản nháp" in p.locator(".draft-banner").inner_text()
        if which == "expired":
            assert p.locator(".notice--expired").is_visible()
        assert_no_axe_violations(p)
        assert not p.problems.console_errors and not p.problems.page_errors and not p.problems.external_requests
    finally:
        p.context.close()


def test_expiry_before_the_date_stops_the_build_naming_file_and_line(tmp_path):
    content = small_content(tmp_path)
    f = write_news(content, "het-han-truoc-khi-dang", date="2025-10-10", expires="2025-10-01")
    proc = build(content, tmp_path / "site", today=TODAY, check=False)
    assert proc.returncode != 0
    line = next(i for i, l in enumerate(f.read_text(encoding="utf-8").split("\n"), 1) if l.startswith("expires:"))
    assert re.search(rf"news/het-han-truoc-khi-dang\.md:{line}: trường 'expires'", proc.stdout + proc.stderr)
