"""The home page: search box, pinned announcements first (until they expire), the latest news
(never a draft, a future or an expired item), the current roadmap phase, the most used procedures
from site.yaml, links to the office finder; light, accessible, working without JavaScript."""
from __future__ import annotations


import pytest
import yaml

from conftest import ROOT, assert_no_axe_violations, build
from test_news_helpers import read_front_matter, shift, small_content, soup, write_news, write_phase

TODAY = "2025-10-15"


@pytest.fixture(scope="module")
def home_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("home")
    content = small_content(tmp)
    write_phase(content, "giai-doan-1", phase=1, start="2025-07-01", end="2025-12-31", title="Giai đoạn đang chạy",
                targets={"branches": 2})
    write_news(content, "ghim-cu", title="Thông báo ghim cũ", date=shift(TODAY, -50), category="thong-bao", pinned=True)
    write_news(content, "ghim-moi", title="Thông báo ghim mới", date=shift(TODAY, -10), category="thong-bao",
               pinned=True, expires=shift(TODAY, 10))
    write_news(content, "ghim-het-han", title="Thông báo ghim đã hết hạn", date=shift(TODAY, -20),
               category="thong-bao", pinned=True, expires=shift(TODAY, -1))
    write_news(content, "tin-het-han", title="Tin đã hết hạn", date=shift(TODAY, -1), expires=shift(TODAY, -1))
    write_news(content, "tin-nhap", title="Tin nháp", date=shift(TODAY, -1), status="draft")
    write_news(content, "tin-sap-dang", title="Tin sắp đăng", date=shift(TODAY, 1))
    for i in range(1, 16):
        write_news(content, f"tin-{i:02d}", title=f"Tin thường {i:02d}", date=shift(TODAY, -40 + i))
    build(content, tmp / "site", today=TODAY)
    return tmp / "site", content


def section_links(page, selector):
    return [a["href"] for a in page.select(f"{selector} a") if a["href"].startswith("/tin-tuc/") and a["href"].count("/") == 3]


def test_pinned_announcements_lead_the_home_page_until_they_expire(home_site):
    site, _ = home_site
    page = soup(site / "index.html")
    pinned = page.select_one(".home-pinned")
    assert pinned is not None
    assert section_links(page, ".home-pinned") == ["/tin-tuc/ghim-moi/", "/tin-tuc/ghim-cu/"]  # newest first
    # it comes first: before every other section of the main content except the search box
    sections = page.select("main section")
    assert sections[0] is pinned


def test_expired_drafts_and_future_items_are_not_on_the_home_page(home_site):
    site, _ = home_site
    hrefs = [a.get("href") for a in soup(site / "index.html").find_all("a")]
    for slug in ("ghim-het-han", "tin-het-han", "tin-nhap", "tin-sap-dang"):
        assert f"/tin-tuc/{slug}/" not in hrefs, slug
    text = soup(site / "index.html").get_text()
    for title in ("Thông báo ghim đã hết hạn", "Tin đã hết hạn", "Tin nháp", "Tin sắp đăng"):
        assert title not in text


def test_latest_news_are_the_newest_published_items_and_the_list_is_short(home_site):
    site, content = home_site
    page = soup(site / "index.html")
    shown = section_links(page, "section[aria-labelledby=news-h]")
    eligible = []
    for f in (content / "news").glob("*.md"):
        fm = read_front_matter(f)
        if fm["status"] == "published" and str(fm["date"]) <= TODAY and not fm.get("pinned") \
                and not (fm.get("expires") and str(fm["expires"]) < TODAY):
            eligible.append((str(fm["date"]), f.stem))
    newest = [f"/tin-tuc/{slug}/" for _, slug in sorted(eligible, reverse=True)]
    assert shown and shown == newest[: len(shown)]
    assert len(shown) < len(newest)  # light: a few, with a link to all news
    assert page.find("a", href="/tin-tuc/") is not None


def test_search_box_popular_procedures_and_office_finder(home_site):
    site, content = home_site
    page = soup(site / "index.html")
    form = page.select_one("main form[role=search]")
    assert form["action"] == "/tim-kiem/" and form["method"] == "get"
    field = form.select_one("input[name=q]")
    assert page.find("label", attrs={"for": field["id"]}) is not None
    popular = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))["popular_procedures"]
    links = {a["href"]: a.get_text(strip=True) for a in page.select("main a")}
    for slug in popular:
        title = read_front_matter(content / "procedures" / f"{slug}.md")["title"]
        assert links.get(f"/thu-tuc/{slug}/") == title
    assert "/dia-diem/gan-nhat/" in links and "/dia-diem/" in links


def test_home_shows_the_current_phase(home_site):
    site, _ = home_site
    phase = soup(site / "index.html").select_one(".home-phase")
    assert phase.find("a", href="/lo-trinh/giai-doan-1/") is not None
    assert "Giai đoạn đang chạy" in phase.get_text()


def test_sample_home_page_is_light(sample_site):
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < 30_000
    page = soup(sample_site / "index.html")
    assert len(page.select("main a")) < 80
    popular = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8")).get("popular_procedures") or []
    for slug in popular:
        assert page.find("a", href=f"/thu-tuc/{slug}/") is not None


@pytest.mark.browser
def test_home_page_passes_axe(page, site_url):
    page.goto(site_url + "/")
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_home_search_box_works_without_javascript(nojs_page, site_url):
    nojs_page.goto(site_url + "/")
    nojs_page.fill("#home-search-q", "khai sinh")
    with nojs_page.expect_navigation():
        nojs_page.keyboard.press("Enter")
    assert "/tim-kiem/" in nojs_page.url and "q=khai+sinh" in nojs_page.url


@pytest.mark.browser
def test_expired_announcement_not_on_home_and_its_page_says_expired(browser, home_site, serve):
    from conftest import new_page

    site, _ = home_site
    base = serve(site)
    p = new_page(browser)
    try:
        p.goto(base + "/")
        assert p.locator(".home-pinned").is_visible()
        assert p.locator('a[href="/tin-tuc/ghim-het-han/"]').count() == 0
        top = p.locator(".home-pinned").bounding_box()["y"]
        assert top < p.locator("#news-h").bounding_box()["y"]
        p.goto(base + "/tin-tuc/ghim-het-han/")
        notice = p.locator(".notice--expired")
        assert notice.is_visible() and "hết hạn" in notice.inner_text()
        assert_no_axe_violations(p)
        assert not p.problems.console_errors and not p.problems.page_errors and not p.problems.external_requests
    finally:
        p.context.close()
