"""The nearest-office finder, the "open now" status and the office pages in headless Chromium.

The expected nearest office is computed here from the content files, with a distance computed by
another method than the code under test (the chord between 3-D unit vectors)."""
from __future__ import annotations

import contextlib
import datetime as dt
import math
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
import yaml
from conftest import DATA, ROOT, SAMPLE_TODAY, assert_no_axe_violations, build, new_page

pytestmark = pytest.mark.browser

GEO_SITE = DATA / "geo-site"
TODAY = dt.date(2025, 10, 15)
VN = ZoneInfo("Asia/Ho_Chi_Minh")


# --- independent reading of the content --------------------------------------------------------
def read_offices(content: Path) -> dict[str, dict]:
    out = {}
    for f in sorted((content / "offices").glob("*.md")):
        out[f.stem] = yaml.safe_load(f.read_text(encoding="utf-8").split("---\n")[1])
    return out


def read_wards(content: Path) -> list[dict]:
    return (yaml.safe_load((content / "wards.yaml").read_text(encoding="utf-8")) or {}).get("wards") or []


def read_procedures(content: Path) -> dict[str, dict]:
    return {f.stem: yaml.safe_load(f.read_text(encoding="utf-8").split("---\n")[1])
            for f in (content / "procedures").glob("*.md")}


def as_day(v):
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) if v else None


def is_open(o: dict, day: dt.date) -> bool:
    if as_day(o["opened"]) > day:
        return False
    return all(not as_day(o.get(k)) or as_day(o.get(k)) > day for k in ("merged_on", "closed_on"))


def takes(o: dict, p: dict) -> bool:
    a = o["accepts"]
    return a == "all" or (a == "non-geographic" and p["non_geographic"]) or (isinstance(a, list) and p["field"] in a)


def distance_km(a, b) -> float:
    def unit(lat, lon):
        la, lo = math.radians(lat), math.radians(lon)
        return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))
    return 2 * 6371.0 * math.asin(min(1.0, math.dist(unit(*a), unit(*b)) / 2))


def expected_order(content: Path, day: dt.date, point, procedure: dict | None = None) -> list[tuple[str, float]]:
    offices = read_offices(content)
    found = [(slug, distance_km(point, (o["lat"], o["lon"]))) for slug, o in offices.items()
             if is_open(o, day) and (procedure is None or takes(o, procedure))]
    return sorted(found, key=lambda x: x[1])


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def geo_url(tmp_path_factory, serve):
    out = tmp_path_factory.mktemp("geo-browser") / "site"
    build(GEO_SITE, out, today=TODAY.isoformat())
    return serve(out)


@contextlib.contextmanager
def checked_page(browser, allow_external=None, **context_args):
    """A page like the `page` fixture (no console or JS errors, nothing leaves the site) with options."""
    p = new_page(browser, **context_args)
    try:
        yield p
    finally:
        problems = p.problems
        p.context.close()
    external = [u for u in problems.external_requests if not (allow_external and allow_external(u))]
    console = [m for m in problems.console_errors if not (allow_external and "Failed to load resource" in m)]
    assert not problems.page_errors, problems.page_errors
    assert not console, console
    assert not external, external


def geolocated(browser, lat, lon):
    return checked_page(browser, geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"])


def result_slugs(page) -> list[str]:
    page.wait_for_selector("#finder-results li")
    return page.eval_on_selector_all("#finder-results li", "els => els.map(e => e.dataset.slug)")


# --- nearest office ---------------------------------------------------------------------------
@pytest.mark.parametrize("point", [(10.905, 106.70), (10.985, 106.655), (11.06, 106.67), (11.20, 106.50)])
def test_nearest_office_by_geolocation(browser, geo_url, point):
    expected = expected_order(GEO_SITE, TODAY, point)
    with geolocated(browser, *point) as page:
        page.goto(geo_url + "/dia-diem/gan-nhat/")
        expect(page.locator("#finder-nojs")).to_be_hidden()
        page.click("#finder-locate")
        assert result_slugs(page) == [slug for slug, _ in expected]
        km = float(page.get_attribute("#finder-results li:first-child", "data-km"))
        assert abs(km - expected[0][1]) < 0.001
        summary = page.inner_text("#finder-summary")
        if expected[0][1] > 5:
            assert "Không có địa điểm nào trong vòng 5 km" in summary
            assert page.locator("#finder-summary a[href='/lo-trinh/']").count() == 1
        else:
            assert "Không có địa điểm nào" not in summary
            assert "Trong 5 km" in page.inner_text("#finder-results li:first-child")
        assert page.locator(".finder-marker--you").count() == 1


def test_nearest_office_on_the_sample_site(browser, site_url):
    content = ROOT / "content"
    wards = read_wards(content)
    day = dt.date.fromisoformat(SAMPLE_TODAY)
    assert wards, "content/wards.yaml is empty"
    for w in (wards[0], wards[len(wards) // 2], wards[-1]):
        point = (w["lat"] + 0.004, w["lon"] - 0.003)  # a little away from the ward's centre
        expected = expected_order(content, day, point)
        with geolocated(browser, *point) as page:
            page.goto(site_url + "/dia-diem/gan-nhat/")
            page.click("#finder-locate")
            got = result_slugs(page)
            assert got[0] == expected[0][0], (w["name"], expected[:3])
            assert got == [s for s, _ in expected[:len(got)]]


def test_ward_picker_without_diacritics_and_by_old_name(browser, geo_url):
    wards = {w["name"]: w for w in read_wards(GEO_SITE)}
    with checked_page(browser) as page:
        page.goto(geo_url + "/dia-diem/gan-nhat/")
        page.fill("#finder-ward-q", "lai thieu")
        page.click("#finder-ward-results button[data-ward='Phường Lái Thiêu']")
        w = wards["Phường Lái Thiêu"]
        assert result_slugs(page)[0] == expected_order(GEO_SITE, TODAY, (w["lat"], w["lon"]))[0][0]
        assert "Phường Lái Thiêu" in page.inner_text("#finder-position")
        # đ typed as d
        page.fill("#finder-ward-q", "dong hoa")
        assert page.inner_text("#finder-ward-results").startswith("Phường Đông Hòa")
        # a pre-2025 name finds today's ward; Enter picks the first match
        page.fill("#finder-ward-q", "xa long tan")
        assert "tên cũ: Xã Long Tân" in page.inner_text("#finder-ward-results")
        page.press("#finder-ward-q", "Enter")
        w = wards["Xã Long Hòa"]
        expected = expected_order(GEO_SITE, TODAY, (w["lat"], w["lon"]))
        assert expected[0][1] > 5  # the fixture's gap: Dầu Tiếng's reception point has closed
        assert result_slugs(page)[0] == expected[0][0]
        assert "Không có địa điểm nào trong vòng 5 km" in page.inner_text("#finder-summary")
        page.fill("#finder-ward-q", "khong co phuong nay")
        assert "Không tìm thấy" in page.inner_text("#finder-ward-results")


def test_procedure_filter_removes_offices_that_do_not_take_it(browser, geo_url):
    procs = read_procedures(GEO_SITE)
    point = (10.95, 106.68)
    with geolocated(browser, *point) as page:
        page.goto(geo_url + "/dia-diem/gan-nhat/")
        page.click("#finder-locate")
        everyone = result_slugs(page)
        assert everyone == [s for s, _ in expected_order(GEO_SITE, TODAY, point)]
        slug = "cap-giay-chung-nhan-quyen-su-dung-dat"
        page.fill("#finder-proc-q", "quyen su dung dat")
        page.wait_for_function("document.querySelectorAll('#finder-proc option').length === 2")
        assert page.eval_on_selector_all("#finder-proc option", "os => os.map(o => o.value)") == ["", slug]
        page.select_option("#finder-proc", slug)
        expected = [s for s, _ in expected_order(GEO_SITE, TODAY, point, procs[slug])]
        page.wait_for_function("n => document.querySelectorAll('#finder-results li').length === n", arg=len(expected))
        assert result_slugs(page) == expected
        assert set(everyone) - set(expected) == {"chi-nhanh-thuan-an"}
        assert f"thu-tuc={slug}" in page.url
        page.select_option("#finder-proc", "")
        page.wait_for_function("n => document.querySelectorAll('#finder-results li').length === n", arg=len(everyone))
        assert "thu-tuc" not in page.url


def test_procedure_preselected_from_the_url(browser, geo_url):
    procs = read_procedures(GEO_SITE)
    point = (10.985, 106.655)
    with geolocated(browser, *point) as page:
        page.goto(geo_url + "/dia-diem/gan-nhat/?thu-tuc=dang-ky-khai-sinh")
        page.wait_for_function("document.getElementById('finder-proc').value === 'dang-ky-khai-sinh'")
        page.click("#finder-locate")
        expected = [s for s, _ in expected_order(GEO_SITE, TODAY, point, procs["dang-ky-khai-sinh"])]
        assert result_slugs(page) == expected
        assert "chi-nhanh-thu-dau-mot" not in expected  # it takes land procedures only


def test_map_without_tiles_makes_no_third_party_request(browser, geo_url):
    with checked_page(browser) as page:
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(geo_url + "/dia-diem/gan-nhat/")
        page.wait_for_selector(".finder-marker")
        assert page.locator(".finder-marker--chi-nhanh, .finder-marker--trung-tam").count() == 3
        assert page.locator(".leaflet-tile").count() == 0
        page.click("#finder-map", position={"x": 200, "y": 150})
        result_slugs(page)
        assert "bản đồ" in page.inner_text("#finder-position")
        # The procedure list is read only when the citizen uses the filter.
        assert not [u for u in requested if u.endswith("/thu-tuc.json")]
        page.focus("#finder-proc-q")
        page.wait_for_function("document.querySelectorAll('#finder-proc option').length > 1")
        assert [u for u in requested if u.endswith("/dia-diem/gan-nhat/thu-tuc.json")]


def test_finder_works_when_tiles_cannot_load(browser, tmp_path, serve):
    content = tmp_path / "content"
    shutil.copytree(GEO_SITE, content)
    site = content / "site.yaml"
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    site.write_text(site.read_text(encoding="utf-8") + f'map_tile_url: "{tiles}"\nmap_attribution: "© Thử nghiệm"\n',
                    encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, today=TODAY.isoformat())
    url = serve(out)
    is_tile = lambda u: u.startswith("https://tiles.example.org/")  # noqa: E731
    point = (10.905, 106.70)
    with checked_page(browser, allow_external=is_tile, geolocation={"latitude": point[0], "longitude": point[1]},
                      permissions=["geolocation"]) as page:
        page.goto(url + "/dia-diem/gan-nhat/")
        page.wait_for_selector(".leaflet-tile", state="attached")  # the tile layer is there; its requests fail
        page.wait_for_function("document.getElementById('finder-map-note').textContent.includes('Không tải được bản đồ nền')")
        assert page.locator(".finder-marker").count() == 3
        page.click("#finder-locate")
        assert result_slugs(page) == [s for s, _ in expected_order(content, TODAY, point)]
        assert "© Thử nghiệm" in page.inner_text(".leaflet-control-attribution")
        tile_requests = [u for u in page.problems.external_requests if is_tile(u)]
        assert tile_requests


def test_finder_without_javascript_shows_the_list(nojs_page, geo_url):
    nojs_page.goto(geo_url + "/dia-diem/gan-nhat/")
    assert not nojs_page.is_visible("#finder")
    open_ = {s for s, o in read_offices(GEO_SITE).items() if is_open(o, TODAY)}
    hrefs = nojs_page.eval_on_selector_all("#all-offices a", "as => as.map(a => a.getAttribute('href'))")
    assert {h.strip("/").split("/")[-1] for h in hrefs} == open_
    assert nojs_page.is_visible("#finder-nojs")


# --- an office's page -----------------------------------------------------------------------
@pytest.mark.parametrize("when,expected", [
    (dt.datetime(2025, 10, 15, 9, 0), "Đang mở cửa, đến 11:30"),
    (dt.datetime(2025, 10, 15, 12, 0), "Đã đóng cửa (nghỉ trưa). Mở cửa lại lúc 13:00 hôm nay"),
    (dt.datetime(2025, 10, 18, 10, 0), "Đang mở cửa, đến 11:30"),  # Saturday morning session
    (dt.datetime(2025, 10, 19, 10, 0), "Đã đóng cửa. Mở cửa lại lúc 07:30 Thứ Ba 21/10"),  # Monday 20 is closed
    (dt.datetime(2025, 10, 20, 9, 0), "Hôm nay nghỉ (Bảo trì hệ thống thử nghiệm)"),
    (dt.datetime(2026, 1, 1, 9, 0), "Hôm nay nghỉ (Tết Dương lịch)"),
])
def test_open_now_in_vietnam_time(browser, geo_url, when, expected):
    # The browser runs in Los Angeles (another day, another weekday): the status must still use
    # Vietnam's clock. new_page() fixes Vietnam's time zone, so this context is made here.
    context = browser.new_context(locale="vi-VN", timezone_id="America/Los_Angeles")
    external, errors = [], []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(geo_url)
                  else (external.append(r.request.url), r.abort()))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.clock.set_fixed_time(when.replace(tzinfo=VN))
        page.goto(geo_url + "/dia-diem/trung-tam-thu-nghiem/")
        local_day = page.evaluate("new Date().getDate()")
        assert local_day != when.day or when.hour >= 15  # the browser's own date differs
        status = page.locator("#office-status")
        status.wait_for(state="visible")
        assert expected in status.inner_text()
    finally:
        context.close()
    assert not errors and not external, (errors, external)


def test_merged_office_page_points_to_its_successor(browser, geo_url):
    offices = read_offices(GEO_SITE)
    succ = offices["diem-tiep-nhan-phu-cuong"]["merged_into"]
    with checked_page(browser) as page:
        page.goto(geo_url + "/dia-diem/diem-tiep-nhan-phu-cuong/")
        assert not page.locator("#office-status").count()
        page.click(f"#office-moved a[href='/dia-diem/{succ}/']")
        page.wait_for_url(f"**/dia-diem/{succ}/")
        assert page.inner_text("h1") == offices[succ]["name"]
        expect(page.locator("#office-status")).to_be_visible()


# --- accessibility -----------------------------------------------------------------------------
def _some_office(content: Path, day: dt.date) -> str:
    offices = read_offices(content)
    open_ = sorted(s for s, o in offices.items() if is_open(o, day) and o.get("phone"))
    return open_[0] if open_ else sorted(offices)[0]


@pytest.mark.parametrize("which", ["office", "list", "finder", "coverage", "merged"])
def test_no_axe_violations(browser, site_url, which):
    content = ROOT / "content"
    day = dt.date.fromisoformat(SAMPLE_TODAY)
    offices = read_offices(content)
    merged = sorted(s for s, o in offices.items() if o.get("merged_into") and not is_open(o, day))
    path = {
        "office": f"/dia-diem/{_some_office(content, day)}/",
        "list": "/dia-diem/",
        "finder": "/dia-diem/gan-nhat/",
        "coverage": "/dia-diem/pham-vi/",
        "merged": f"/dia-diem/{merged[0]}/" if merged else "/dia-diem/",
    }[which]
    wards = read_wards(content)
    point = (wards[0]["lat"], wards[0]["lon"]) if wards else (10.98, 106.65)
    with geolocated(browser, *point) as page:
        page.goto(site_url + path)
        if which == "finder":
            page.click("#finder-locate")
            result_slugs(page)
            page.fill("#finder-ward-q", "phu")
            page.wait_for_selector("#finder-ward-results li")
        if which == "office":
            page.locator("#office-status").wait_for(state="visible")
        assert_no_axe_violations(page)
