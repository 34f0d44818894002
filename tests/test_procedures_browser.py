"""Procedure pages and listings in headless Chromium: what a citizen sees, prints and scans.

Expected values are read from the content files (yaml) and site.yaml, never from the plugin.
"""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect
import zxingcpp
from PIL import Image

from conftest import ROOT, assert_no_axe_violations, new_page, phone_page_with_late_file
from test_procedures import (CHANNEL_WORDS, LEVEL_WORDS, ONLINE_WORDS, SITE_DIR, TODAY, ascii_slug,
                             build, sources, squash)
from test_procedures import site_url as configured_url

pytestmark = pytest.mark.browser
CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def small_url(tmp_path_factory, serve):
    out = tmp_path_factory.mktemp("procedures-browser") / "site"
    build(SITE_DIR, out, today=TODAY)
    return serve(out)


def active(srcs):
    return {s: d for s, d in srcs.items() if d.get("status", "active") == "active"}


def visible_slugs(page, scope="main .proc-list li"):
    if page.locator("#procedure-groups").count():  # the filters' results arrive with their data
        page.wait_for_selector("#procedure-groups:not([aria-busy=true])", state="attached")
    hrefs = page.locator(scope).filter(visible=True).locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return sorted(re.fullmatch(r"/thu-tuc/([a-z0-9-]+)/", h).group(1) for h in hrefs)


def decode_qr(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)]


# --- the page --------------------------------------------------------------------------------
def test_every_field_is_visible(page, site_url):
    for slug, data in sources(CONTENT).items():
        page.goto(f"{site_url}/thu-tuc/{slug}/")
        text = squash(page.locator("main").inner_text())
        values = [data["code"], data["title"], data["field"], data["agency"], data["result"], data["requirements"],
                  *data["legal_basis"], *data.get("steps", []), *(d["name"] for d in data["documents"]),
                  *(d.get("case", "") for d in data["documents"]), *(d.get("note", "") for d in data["documents"]),
                  *(c["time_limit"] for c in data["channels"]), *(c["fee"] for c in data["channels"]),
                  *(CHANNEL_WORDS[c["kind"]] for c in data["channels"]), *(LEVEL_WORDS[l] for l in data["levels"]),
                  ONLINE_WORDS[data["online"]], data.get("applicants", ""), data.get("decision", ""),
                  *data.get("keywords", []), data["updated"].strftime("%d/%m/%Y")]
        missing = [v for v in values if squash(v) not in text]
        assert not missing, f"{slug}: not visible: {missing}"
        if data.get("status") == "abolished":
            assert page.locator("main .notice--abolished").is_visible()
        if data.get("sample"):
            assert page.locator("main .sample-notice").first.is_visible()
        assert page.title().startswith(data["title"])


def test_summary_on_first_phone_screen_and_checklist_ticks(browser, site_url):
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    slug = next(s for s, d in sources(CONTENT).items() if d.get("status") != "abolished" and len(d["documents"]) > 1)
    page.goto(f"{site_url}/thu-tuc/{slug}/")
    box = page.locator("main .summary").bounding_box()
    assert box["y"] < 844, "the time limit and fee box must start on the first screen of a phone"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    first = page.locator("main .checklist input[type=checkbox]").first
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    page.locator("main .checklist label").nth(1).click()
    assert page.locator("main .checklist input[type=checkbox]").nth(1).is_checked()
    page.context.close()


# --- print -----------------------------------------------------------------------------------
HIDDEN_IN_PRINT = [".site-header", ".main-nav", ".site-footer", ".breadcrumbs", "main .related",
                   "main .procedure__body", "main .summary__action", "main .checklist__form", "#ma-qr"]


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_print_is_a_clean_checklist_of_one_or_two_pages(page, site_url):
    srcs = sources(CONTENT)
    for slug, data in srcs.items():
        page.goto(f"{site_url}/thu-tuc/{slug}/")
        page.emulate_media(media="print")
        for sel in HIDDEN_IN_PRINT:
            loc = page.locator(sel)
            for i in range(loc.count()):
                assert not loc.nth(i).is_visible(), f"{slug}: {sel} shows in print"
        assert page.locator("main h1").is_visible()
        assert page.locator("main .summary table").is_visible()
        printed = squash(page.locator("main").inner_text())
        for c in data["channels"]:
            assert squash(c["time_limit"]) in printed and squash(c["fee"]) in printed
        boxes = page.locator("main .checklist input[type=checkbox]")
        assert boxes.count() == len(data["documents"])
        for i in range(boxes.count()):
            assert boxes.nth(i).is_visible()
            bb = boxes.nth(i).bounding_box()
            assert bb["width"] >= 8 and bb["height"] >= 8, "a tick box big enough to tick with a pen"
        if data.get("status") != "abolished":
            addresses = page.locator("main .where__address")
            assert addresses.count() >= 1 and addresses.first.is_visible(), f"{slug}: no office address printed"
        qr = page.locator("main .procedure__qr img")
        assert qr.is_visible() and qr.evaluate("img => img.complete && img.naturalWidth > 0")
        assert data["updated"].strftime("%d/%m/%Y") in printed
        pages = pdf_pages(page.pdf(format="A4"))
        assert 1 <= pages <= 2, f"{slug}: prints on {pages} pages"
        page.emulate_media(media="screen")


def test_printed_qr_code_decodes(browser, site_url):
    page = new_page(browser, device_scale_factor=2)
    slug = sorted(active(sources(CONTENT)))[0]
    page.goto(f"{site_url}/thu-tuc/{slug}/")
    page.emulate_media(media="print")
    assert decode_qr(page.locator("main .procedure__qr img").screenshot()) == [f"{configured_url(CONTENT)}/thu-tuc/{slug}/"]
    page.context.close()


# --- QR codes --------------------------------------------------------------------------------
def test_qr_code_decodes_to_the_page_address(page, site_url):
    base = configured_url(CONTENT)
    srcs = sources(CONTENT)
    slugs = sorted(srcs)[:3] + [s for s, d in srcs.items() if d.get("status") == "abolished"]
    for slug in slugs:
        page.goto(f"{site_url}/thu-tuc/{slug}/")
        img = page.locator("main .procedure__qr img")
        img.scroll_into_view_if_needed()
        assert decode_qr(img.screenshot()) == [f"{base}/thu-tuc/{slug}/"], slug
        page.goto(f"{site_url}/thu-tuc/{slug}/qr/")
        poster = page.locator("main.qr-poster img")
        assert decode_qr(poster.screenshot()) == [f"{base}/thu-tuc/{slug}/"], slug
        assert page.locator("main h1").inner_text() == srcs[slug]["title"]
        assert f"{base.split('://', 1)[1]}/thu-tuc/{slug}/" in page.locator("main").inner_text()
        # the address on a printed poster leads to a page, never a 404 (abolished ones included)
        with urlopen(f"{site_url}{urlsplit(base + f'/thu-tuc/{slug}/').path}") as r:
            assert r.status == 200


def test_poster_prints_large_qr_without_site_chrome(page, site_url):
    slug = sorted(active(sources(CONTENT)))[0]
    page.goto(f"{site_url}/thu-tuc/{slug}/qr/")
    assert page.locator(".js-print").is_visible()  # the print button needs JavaScript: shown by it
    page.emulate_media(media="print")
    for sel in (".site-header", ".site-footer", ".breadcrumbs", ".js-print", "nav"):
        assert not page.locator(sel).first.is_visible()
    assert page.locator("main h1").is_visible() and page.locator(".qr-code__url").is_visible()
    width = page.locator("main.qr-poster img").bounding_box()["width"]
    assert width > 400, "the poster's QR code is large (12 cm)"
    assert pdf_pages(page.pdf(format="A4")) == 1


# --- listings and filters ----------------------------------------------------------------------
def pick_filters(srcs):
    """A field and a level that together select some but not all of the field's procedures."""
    act = active(srcs)
    for field in sorted({d["field"] for d in act.values()}):
        in_field = {s for s, d in act.items() if d["field"] == field}
        for lvl in ("tinh", "huyen", "xa"):
            both = {s for s in in_field if lvl in act[s]["levels"]}
            if both and both != in_field:
                return field, lvl, both
    pytest.fail("the sample content has no field whose procedures differ by level")


def test_filters_combine_and_survive_reload(page, site_url, browser):
    srcs = sources(CONTENT)
    act = active(srcs)
    page.goto(f"{site_url}/thu-tuc/")
    assert visible_slugs(page) == sorted(act)
    field, lvl, expected = pick_filters(srcs)
    page.select_option("#loc-linh-vuc", ascii_slug(field))
    assert visible_slugs(page) == sorted(s for s, d in act.items() if d["field"] == field)
    page.select_option("#loc-cap", lvl)
    assert visible_slugs(page) == sorted(expected)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"linh-vuc": [ascii_slug(field)], "cap": [lvl]}
    assert re.search(rf"\b{len(expected)} trong {len(act)}\b", page.locator("#procedure-filter-status").inner_text())
    # the other two filters combine with these
    page.select_option("#loc-linh-vuc", "")
    page.select_option("#loc-cap", "")
    page.select_option("#loc-truc-tuyen", "co")
    page.check("#loc-phi-dia-gioi")
    expected2 = sorted(s for s, d in act.items() if d["online"] != "khong" and d["non_geographic"])
    assert expected2 and visible_slugs(page) == expected2
    page.select_option("#loc-truc-tuyen", "toan-trinh")
    expected3 = sorted(s for s, d in act.items() if d["online"] == "toan-trinh" and d["non_geographic"])
    assert visible_slugs(page) == expected3
    url = page.url
    assert parse_qs(urlsplit(url).query) == {"truc-tuyen": ["toan-trinh"], "phi-dia-gioi": ["1"]}
    # groups without a match are hidden, the others show their filtered count
    for group in page.locator("main .proc-group").all():
        n = group.locator(".proc-list li").filter(visible=True).count()
        assert group.is_visible() == (n > 0)
        if n:
            assert group.locator("[data-count]").inner_text() == str(n)
    page.reload()
    assert visible_slugs(page) == expected3
    assert page.locator("#loc-truc-tuyen").input_value() == "toan-trinh"
    assert page.locator("#loc-phi-dia-gioi").is_checked()
    # a shared link opens with the same filters
    other = new_page(browser)
    other.goto(url)
    assert visible_slugs(other) == expected3
    other.context.close()
    # nothing matches: say so
    page.select_option("#loc-cap", "huyen")
    page.select_option("#loc-linh-vuc", ascii_slug(field))
    if not [s for s in expected3 if "huyen" in act[s]["levels"] and act[s]["field"] == field]:
        assert page.locator("#procedure-filter-empty").is_visible()
    page.click("button[type=reset]")
    # the form resets after its reset event: wait for the list to follow
    expect(page.locator("main .proc-list li").filter(visible=True)).to_have_count(len(act))
    assert visible_slugs(page) == sorted(act)
    assert urlsplit(page.url).query == ""


def test_filters_work_with_the_keyboard(page, site_url):
    page.goto(f"{site_url}/thu-tuc/")
    page.focus("#loc-phi-dia-gioi")
    page.keyboard.press("Space")
    act = active(sources(CONTENT))
    assert visible_slugs(page) == sorted(s for s, d in act.items() if d["non_geographic"])
    assert "phi-dia-gioi=1" in page.url


def test_listings_without_javascript(nojs_page, site_url):
    srcs = sources(CONTENT)
    act = active(srcs)
    page = nojs_page
    page.goto(f"{site_url}/thu-tuc/")
    assert not page.locator("#procedure-filters").is_visible(), "filters need JavaScript: hidden without it"
    assert visible_slugs(page) == sorted(act)
    pages = {
        "/thu-tuc/truc-tuyen/": {s for s, d in act.items() if d["online"] == "toan-trinh"},
        "/thu-tuc/phi-dia-gioi/": {s for s, d in act.items() if d["non_geographic"]},
        **{f"/thu-tuc/cap/{l}/": {s for s, d in act.items() if l in d["levels"]} for l in ("tinh", "huyen", "xa")},
    }
    for path, expected in pages.items():
        page.goto(site_url + path)
        assert visible_slugs(page) == sorted(expected), path
    # from the list to a field page, by its heading link
    page.goto(f"{site_url}/thu-tuc/")
    field = sorted({d["field"] for d in act.values()})[0]
    page.locator("main .proc-group h2 a", has_text=field).first.click()
    assert urlsplit(page.url).path == f"/thu-tuc/linh-vuc/{ascii_slug(field)}/"
    assert visible_slugs(page) == sorted(s for s, d in act.items() if d["field"] == field)
    page.goto(f"{site_url}/thu-tuc/linh-vuc/")
    assert page.locator("main .link-list a").count() == len({d["field"] for d in srcs.values()})


# --- accessibility ---------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["active", "abolished", "poster", "index", "field", "level"])
def test_no_axe_violations(which, page, site_url):
    srcs = sources(CONTENT)
    act = active(srcs)
    slug = max(act, key=lambda s: len(act[s]["documents"]))
    paths = {
        "active": f"/thu-tuc/{slug}/",
        "abolished": f"/thu-tuc/{next(s for s, d in srcs.items() if d.get('status') == 'abolished')}/",
        "poster": f"/thu-tuc/{slug}/qr/",
        "index": "/thu-tuc/",
        "field": f"/thu-tuc/linh-vuc/{ascii_slug(act[slug]['field'])}/",
        "level": "/thu-tuc/cap/huyen/",
    }
    page.goto(site_url + paths[which])
    if which == "index":
        page.select_option("#loc-truc-tuyen", "co")  # with the filters in use
    assert_no_axe_violations(page)


def test_escaped_title_in_browser(page, small_url):
    data = sources(SITE_DIR)["chung-thuc-ban-sao"]
    page.goto(f"{small_url}/thu-tuc/chung-thuc-ban-sao/")
    assert page.locator("main h1").inner_text() == data["title"]
    assert page.title().startswith(data["title"])
    ld = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert ld["name"] == data["title"]


def test_the_filters_do_not_move_the_page_when_they_start(browser, site_url):
    """The filters are drawn from the first paint where JavaScript runs (they were shown by the
    script, which moved the whole list down on a phone)."""
    page = phone_page_with_late_file(browser, f"{site_url}/thu-tuc/", "**/static/portal_procedures/procedure-filters.*.js")
    try:
        page.wait_for_selector("#procedure-groups[aria-busy=false]", state="attached")
        assert page.locator("#procedure-filters").is_visible()
        shifts = page.evaluate("window.__shifts")
        assert sum(shifts) < 0.02, shifts
    finally:
        page.context.close()
