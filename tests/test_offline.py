"""Offline: the service worker keeps the shell and the pages a citizen opened or saved. In real
Chromium against the sample build: save a procedure page, stop the web server, reload it; a page
never opened shows the offline page listing the saved one; the kiosk screen keeps search working."""
from __future__ import annotations

import gzip
import json
import re

import pytest
from playwright.sync_api import expect

from conftest import Server, new_page

READY = "navigator.serviceWorker.controller !== null"


@pytest.fixture
def opened(browser, sample_site):
    """opened(path) -> (page, server): the sample build served by a server the test may stop, and
    `path` opened in Chromium once its service worker controls the page."""
    made = []

    def _open(path):
        server = Server(sample_site)
        page = new_page(browser)
        made.append((page, server))
        page.goto(server.url + path)
        page.wait_for_function(READY, timeout=30000)
        return page, server

    yield _open
    for page, server in made:
        page.context.close()
        server.close()


def _precache_bytes(site) -> tuple[int, int]:
    """What the worker precaches on a first visit: (bytes, gzipped bytes)."""
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});\n", (site / "sw.js").read_text(encoding="utf-8")).group(1))
    raw = gz = 0
    for entry in config["precache"]:
        path = site / entry["url"].lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        data = path.read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, 9))
    return raw, gz


def test_the_worker_uses_the_site_only_and_precaches_little(sample_site, capsys):
    code = (sample_site / "sw.js").read_text(encoding="utf-8")
    assert "importScripts(CONFIG.workbox + 'workbox-sw.js')" in code
    assert not re.search(r"https?://", code), "the worker names another server"
    raw, gz = _precache_bytes(sample_site)
    with capsys.disabled():
        print(f"\nService worker precache: {raw / 1000:.1f} KB ({gz / 1000:.1f} KB gzipped)")
    assert gz < 60_000


@pytest.mark.browser
def test_a_saved_page_opens_without_a_network_and_others_give_the_offline_page(opened):
    page, server = opened("/thu-tuc/dang-ky-khai-sinh/")
    url = server.url
    page.get_by_role("button", name="Lưu để xem khi không có mạng").click()
    expect(page.locator("[data-offline-status]")).to_have_text(re.compile("Đã lưu"))
    server.close()  # the web server is gone: only the worker answers now
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.locator(".checklist__name").first).to_be_visible()
    assert page.locator(".checklist__name").count() > 3
    page.goto(url + "/thu-tuc/cap-ho-chieu-pho-thong/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có mạng")
    expect(page.locator("[data-offline-list] a", has_text="Đăng ký khai sinh")).to_have_attribute(
        "href", "/thu-tuc/dang-ky-khai-sinh/")
    assert not page.problems.external_requests


@pytest.mark.browser
def test_the_kiosk_keeps_search_working_when_the_network_drops(opened):
    page, server = opened("/kiosk/")
    url = server.url
    # the kiosk screen keeps the search files and the pages it links to
    page.wait_for_selector("main[data-offline-kept]", state="attached", timeout=60000)
    assert page.evaluate("""async () => {
        const files = await (await (await caches.open('portal-data')).match('/static/search/manifest.json')).json();
        const assets = await caches.open('portal-assets');
        return !!(await assets.match(files.procedures)) && !!(await (await caches.open('portal-pages')).match('/tim-kiem/'));
    }""")
    server.close()
    page.goto(url + "/tim-kiem/?q=khai%20sinh")
    page.wait_for_selector('[data-results][aria-busy="false"] a', state="attached", timeout=30000)
    hrefs = page.eval_on_selector_all("[data-results] a", "as => as.map(a => a.getAttribute('href'))")
    assert "/thu-tuc/dang-ky-khai-sinh/" in hrefs
