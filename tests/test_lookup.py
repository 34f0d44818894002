"""Looking up a dossier: the code goes from the citizen's browser to the official look-up only,
after a check of its form; the camera reads a receipt where the browser can; the kiosk shows a QR
code instead of leaving the site."""
from __future__ import annotations

import re

import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from conftest import ROOT, axe_violations

SITE = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))
LOOKUP = SITE["dossier_lookup_url"]
GOOD = SITE["dossier_code_example"]
OFFICIAL = LOOKUP.split("?")[0]


def test_a_query_address_gets_a_plain_form_and_a_path_address_does_not():
    from portal_lookup.portal_lookup import base_address, form_target

    assert form_target("https://a.example.vn/tra-cuu?loai=hs&ma={code}") == {
        "action": "https://a.example.vn/tra-cuu", "name": "ma", "hidden": [("loai", "hs")]}
    assert base_address("https://a.example.vn/tra-cuu?loai=hs&ma={code}") == "https://a.example.vn/tra-cuu?loai=hs"
    assert form_target("https://a.example.vn/ho-so/{code}/") is None
    assert base_address("https://a.example.vn/ho-so/{code}/") == "https://a.example.vn/ho-so"


def test_without_javascript_the_form_goes_straight_to_the_official_look_up(sample_site):
    page = BeautifulSoup((sample_site / "tra-cuu-ho-so" / "index.html").read_text(encoding="utf-8"), "html.parser")
    form = page.find("form", class_="lookup-form")
    assert form["action"] == OFFICIAL and form["method"] == "get"
    assert form.find("input", type="text")["name"] == re.search(r"[?&]([^=]+)=\{code\}", LOOKUP).group(1)
    assert "không lưu mã hồ sơ" in page.get_text() and "Dữ liệu mẫu" in page.get_text()
    home = BeautifulSoup((sample_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.find("form", class_="lookup-form") is not None
    assert (sample_site / "tra-cuu-ho-so" / "qr.svg").read_text(encoding="utf-8").startswith("<svg")


def _official(page):
    """The official look-up, answered locally: the test sees where the browser went."""
    went = []

    def answer(route):
        went.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body='<!DOCTYPE html><html lang="vi"><title>Tra cứu</title><p>Trang tra cứu chính thức</p></html>')

    page.route(OFFICIAL + "*", answer)
    return went


@pytest.mark.browser
def test_a_code_of_the_wrong_form_gets_a_message_and_a_good_one_goes_to_the_official_page(page, site_url):
    went = _official(page)
    page.goto(f"{site_url}/tra-cuu-ho-so/")
    assert axe_violations(page) == []
    code = page.get_by_label("Mã hồ sơ (in trên giấy tiếp nhận hồ sơ)")
    code.fill("abc")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Mã hồ sơ chưa đúng dạng")
    expect(code).to_have_attribute("aria-invalid", "true")
    assert went == [] and page.url.endswith("/tra-cuu-ho-so/")
    assert axe_violations(page) == []
    code.fill(f" {GOOD} ")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    page.wait_for_url(OFFICIAL + "*")
    assert went == [LOOKUP.replace("{code}", GOOD)]


STAND_IN = """
window.BarcodeDetector = class { detect() { return Promise.resolve([{ rawValue: %s, format: 'code_128' }]); } };
Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia: () => Promise.resolve(new MediaStream()) } });
"""


@pytest.mark.browser
def test_the_camera_reads_the_receipt_where_the_browser_can(page, site_url):
    page.add_init_script(STAND_IN % repr(GOOD))
    page.goto(f"{site_url}/tra-cuu-ho-so/")
    page.get_by_role("button", name="Quét mã trên giấy").click()
    expect(page.get_by_label("Mã hồ sơ (in trên giấy tiếp nhận hồ sơ)")).to_have_value(GOOD)
    expect(page.locator("#tra-cuu-form video")).to_be_hidden()  # the camera stops once read


@pytest.mark.browser
def test_without_barcode_detection_there_is_no_scan_button(page, site_url):
    page.add_init_script("delete window.BarcodeDetector;")
    page.goto(f"{site_url}/tra-cuu-ho-so/")
    expect(page.get_by_role("button", name="Tra cứu", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Quét mã trên giấy")).to_be_hidden()


@pytest.mark.browser
def test_the_kiosk_shows_a_qr_code_and_never_leaves_the_site(page, site_url):
    went = _official(page)
    page.goto(f"{site_url}/kiosk/")
    page.evaluate("sessionStorage.setItem('portal-kiosk', '1')")
    page.goto(f"{site_url}/tra-cuu-ho-so/")
    page.get_by_label("Mã hồ sơ (in trên giấy tiếp nhận hồ sơ)").fill(GOOD)
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    qr = page.get_by_role("img", name="Mã QR mở trang tra cứu hồ sơ chính thức")
    expect(qr).to_be_visible()
    assert went == [] and page.url.endswith("/tra-cuu-ho-so/")
    # read from the screen as a phone's camera would: it opens the official look-up
    from portal_lookup.portal_lookup import base_address
    from test_procedures_browser import decode_qr

    assert decode_qr(qr.screenshot()) == [base_address(LOOKUP)]
