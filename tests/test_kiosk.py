"""The kiosk screen (/kiosk/) and kiosk mode, in headless Chromium on the sample site.

Expected values come from content/ (site.yaml and the procedure files), never from the plugin.
"""
from __future__ import annotations

import re

import pytest
import yaml
from playwright.sync_api import expect

from conftest import ROOT, assert_no_axe_violations, new_page

pytestmark = pytest.mark.browser
CONTENT = ROOT / "content"
KEY_LABEL = "Về màn hình chính"
MIN_TARGET = 48  # px, the size of a fingertip on a touch screen


def front_matter(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


def active_procedures() -> dict[str, dict]:
    procs = {p.stem: front_matter(p) for p in (CONTENT / "procedures").glob("*.md")}
    return {slug: d for slug, d in procs.items() if d.get("status", "active") == "active"}


def site() -> dict:
    return yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))


def a_procedure_url() -> str:
    return f"/thu-tuc/{sorted(active_procedures())[0]}/"


def back_button(page):
    return page.get_by_role("link", name=KEY_LABEL)


def pause_one_second_later(page):
    """Stop the page's clock (installed with page.clock.install) 1 s from now: from here on only
    fast_forward moves it, so waiting for a navigation that should not happen costs no idle time."""
    page.clock.pause_at((page.evaluate("Date.now()") + 1000) / 1000)  # seconds since the epoch


def stays(page, url, navigations):
    """No navigation starts in the next moment (location.replace is asynchronous)."""
    page.wait_for_timeout(1000)
    assert page.url == url and not navigations, navigations


def enter_kiosk_mode(page, site_url):
    page.goto(site_url + "/kiosk/")
    expect(page.locator("html.kiosk-mode")).to_have_count(1)  # kiosk.js has run


def test_kiosk_page_lists_popular_procedures_and_fields(page, site_url):
    procs = active_procedures()
    page.goto(site_url + "/kiosk/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "noindex" in page.locator("meta[name=robots]").get_attribute("content")

    popular = [slug for slug in site().get("popular_procedures", []) if slug in procs]
    assert popular, "site.yaml lists no popular procedure: nothing to check"
    section = page.get_by_role("region", name="Thủ tục hay làm")
    links = section.get_by_role("link")
    assert links.all_inner_texts() == [procs[slug]["title"] for slug in popular]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [f"/thu-tuc/{s}/" for s in popular]

    fields = page.get_by_role("region", name="Thủ tục theo lĩnh vực").get_by_role("link")
    names = [re.sub(r"\s*\d+ thủ tục$", "", t.strip()) for t in fields.all_inner_texts()]
    assert sorted(names) == sorted({d["field"] for d in procs.values()})
    for i in range(fields.count()):
        href = fields.nth(i).get_attribute("href")
        assert re.fullmatch(r"/thu-tuc/linh-vuc/[a-z0-9-]+/", href), href
        count = sum(d["field"] == names[i] for d in procs.values())
        assert fields.nth(i).inner_text().strip().endswith(f"{count} thủ tục")

    finder = page.get_by_role("link", name="Tìm nơi nộp hồ sơ gần nhất")
    assert finder.get_attribute("href") == "/dia-diem/gan-nhat/"
    hotline = str(site()["contacts"]["hotline"])
    assert hotline in page.locator("main").inner_text()
    if site()["contacts"].get("sample"):
        expect(page.locator(".sample-notice")).to_contain_text("dữ liệu mẫu")


def test_every_kiosk_link_leads_to_a_page(page, site_url):
    page.goto(site_url + "/kiosk/")
    hrefs = page.locator("main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) >= 5
    for href in set(hrefs):
        assert page.request.get(site_url + href).status == 200, href
    # a field button leads to the listing of that field
    field = page.get_by_role("region", name="Thủ tục theo lĩnh vực").get_by_role("link").first
    name = re.sub(r"\s*\d+ thủ tục$", "", field.inner_text().strip())
    field.click()
    expect(page.locator("h1")).to_contain_text(name)


def test_search_box_submits_to_the_site_search(page, site_url):
    page.goto(site_url + "/kiosk/")
    box = page.get_by_role("searchbox", name="Bạn cần làm thủ tục gì?")
    box.fill("khai sinh")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/tim-kiem/\?q=khai(\+|%20)sinh$"))
    expect(page.locator("[data-results] a").first).to_be_visible()


def test_kiosk_page_has_no_accessibility_violations(page, site_url):
    page.goto(site_url + "/kiosk/")
    assert_no_axe_violations(page)
    page.goto(site_url + a_procedure_url())  # in kiosk mode now: the page with its back button
    expect(back_button(page)).to_be_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [{"width": 1920, "height": 1080}, {"width": 1080, "height": 1920}])
def test_touch_targets_are_large(browser, site_url, viewport):
    p = new_page(browser, viewport=viewport)
    try:
        p.goto(site_url + "/kiosk/")
        targets = p.locator("main a, main button, main input").filter(visible=True)
        assert targets.count() >= 8
        for i in range(targets.count()):
            box = targets.nth(i).bounding_box()
            label = targets.nth(i).inner_text() or targets.nth(i).get_attribute("name")
            assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, f"{label}: {box}"
        p.goto(site_url + a_procedure_url())
        box = back_button(p).bounding_box()
        assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, box
        assert not p.problems.page_errors and not p.problems.console_errors
    finally:
        p.context.close()


def test_kiosk_mode_shows_back_button_and_returns_home_after_90_seconds(page, site_url):
    page.clock.install()
    enter_kiosk_mode(page, site_url)
    page.goto(site_url + a_procedure_url())
    expect(back_button(page)).to_be_visible()
    page.get_by_role("searchbox", name="Tìm thủ tục hành chính").fill("giấy phép")  # the last citizen's search
    navigations = []
    page.on("framenavigated", lambda f: navigations.append(f.url))
    pause_one_second_later(page)
    page.clock.fast_forward("01:28")  # 89 s after the last input
    stays(page, site_url + a_procedure_url(), navigations)
    page.clock.fast_forward("00:02")
    expect(page).to_have_url(site_url + "/kiosk/")
    expect(page.get_by_role("searchbox", name="Bạn cần làm thủ tục gì?")).to_have_value("")


def test_input_restarts_the_idle_time(page, site_url):
    page.clock.install()
    enter_kiosk_mode(page, site_url)
    page.goto(site_url + a_procedure_url())
    expect(back_button(page)).to_be_visible()
    navigations = []
    page.on("framenavigated", lambda f: navigations.append(f.url))
    page.clock.fast_forward("01:00")
    page.mouse.wheel(0, 300)  # the citizen is still reading
    page.wait_for_function("window.scrollY > 0")
    pause_one_second_later(page)
    page.clock.fast_forward("01:00")  # 2 min after the page opened, 61 s after the scroll
    stays(page, site_url + a_procedure_url(), navigations)
    page.clock.fast_forward("00:30")
    expect(page).to_have_url(site_url + "/kiosk/")


def test_idle_kiosk_screen_empties_its_search_box(page, site_url):
    page.clock.install()
    enter_kiosk_mode(page, site_url)
    box = page.get_by_role("searchbox", name="Bạn cần làm thủ tục gì?")
    box.fill("khai sinh")
    page.clock.fast_forward("01:31")
    expect(box).to_have_value("")


def test_back_button_leads_to_the_kiosk_screen(page, site_url):
    enter_kiosk_mode(page, site_url)
    page.goto(site_url + "/dia-diem/")
    back_button(page).click()
    expect(page).to_have_url(site_url + "/kiosk/")


def test_outside_kiosk_mode_pages_are_unchanged(page, site_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.clock.install()
    page.goto(site_url + a_procedure_url())
    page.wait_for_load_state("load")
    expect(back_button(page)).to_have_count(0)
    assert page.locator("html.kiosk-mode").count() == 0
    # only the small file that checks for kiosk mode (it was an inline script; the pages' policy
    # allows none); kiosk mode itself is not loaded
    assert [u for u in requests if "kiosk" in u] == [u for u in requests if re.search(r"/kiosk-boot\.[0-9a-f]{10}\.js$", u)]
    assert len([u for u in requests if "kiosk" in u]) == 1
    navigations = []
    page.on("framenavigated", lambda f: navigations.append(f.url))
    page.clock.fast_forward("05:00")
    stays(page, site_url + a_procedure_url(), navigations)


def test_thoat_leaves_kiosk_mode(page, site_url):
    enter_kiosk_mode(page, site_url)
    page.goto(site_url + "/kiosk/?thoat=1")
    expect(page.get_by_text("Đã thoát chế độ kiosk.")).to_be_visible()
    page.goto(site_url + a_procedure_url())
    page.wait_for_load_state("load")
    expect(back_button(page)).to_have_count(0)
    assert page.locator("html.kiosk-mode").count() == 0


def test_kiosk_page_works_without_javascript(nojs_page, site_url):
    nojs_page.goto(site_url + "/kiosk/")
    expect(nojs_page.get_by_text("Đã thoát chế độ kiosk.")).to_be_hidden()
    slug = [s for s in site()["popular_procedures"] if s in active_procedures()][0]
    nojs_page.get_by_role("region", name="Thủ tục hay làm").get_by_role("link").first.click()
    expect(nojs_page).to_have_url(site_url + f"/thu-tuc/{slug}/")
    expect(nojs_page.get_by_role("link", name=KEY_LABEL)).to_have_count(0)
