"""The built sample site in headless Chromium: it renders, navigation works, no console errors,
no request leaves the site, keyboard use works and axe-core finds no WCAG 2.2 AA violations."""
from __future__ import annotations

import pytest

from conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_home_renders_with_navigation(page, site_url):
    page.goto(site_url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").count() == 1
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    for label in ("Thủ tục", "Địa điểm", "Lộ trình", "Tin tức", "Tìm kiếm"):
        assert nav.get_by_role("link", name=label).is_visible()


@pytest.mark.parametrize("label,path", [("Thủ tục", "/thu-tuc/"), ("Địa điểm", "/dia-diem/"),
                                        ("Lộ trình", "/lo-trinh/"), ("Tin tức", "/tin-tuc/"),
                                        ("Tìm kiếm", "/tim-kiem/")])
def test_navigation_leads_to_each_section(page, site_url, label, path):
    page.goto(site_url + "/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name=label).click()
    page.wait_for_url(site_url + path)
    assert page.locator("h1").count() == 1
    current = page.get_by_role("navigation", name="Điều hướng chính").locator("[aria-current=page]")
    assert current.inner_text().strip() == label


def test_skip_link_is_first_and_moves_to_main(page, site_url):
    page.goto(site_url + "/thu-tuc/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused.startswith("Bỏ qua")
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_search_box_reachable_by_keyboard_and_submits(page, site_url):
    page.goto(site_url + "/")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("khai sinh")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tim-kiem/?q=*")


def test_missing_page_shows_helpful_404(page, site_url):
    page.goto(site_url + "/404.html")
    assert "Không tìm thấy" in page.locator("h1").inner_text()


@pytest.mark.parametrize("path", ["/", "/404.html", "/thu-tuc/", "/dia-diem/", "/lo-trinh/", "/tin-tuc/",
                                  "/tim-kiem/", "/gioi-thieu/", "/tuyen-bo-tiep-can/"])
def test_no_accessibility_violations(page, site_url, path):
    page.goto(site_url + path)
    assert_no_axe_violations(page)


def test_pages_read_without_javascript(nojs_page, site_url):
    nojs_page.goto(site_url + "/")
    nojs_page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Thủ tục").click()
    assert nojs_page.locator("main a[href^='/thu-tuc/']").count() >= 30


def test_phone_layout_has_no_horizontal_scroll(browser, site_url):
    from conftest import new_page
    p = new_page(browser, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    for path in ("/", "/thu-tuc/", "/dia-diem/"):
        p.goto(site_url + path)
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    p.context.close()
