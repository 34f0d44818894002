"""Office pages, the office list, the coverage page and the open data, on the built site (no browser).

Expected values come from the content files themselves (read here with PyYAML) and a distance
computed here by another method than the code under test (the chord between 3-D unit vectors)."""
from __future__ import annotations

import datetime as dt
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import geojson
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import DATA, ROOT, SAMPLE_TODAY, build

from portal_core.links import broken_links

GEO_SITE = DATA / "geo-site"
TODAY = dt.date(2025, 10, 15)
SITE_URL = "https://diadiem.example.vn"


# --- independent reading of the content --------------------------------------------------------
def read_offices(content: Path) -> dict[str, dict]:
    out = {}
    for f in sorted((content / "offices").glob("*.md")):
        text = f.read_text(encoding="utf-8")
        front = text.split("---\n")[1]
        out[f.stem] = yaml.safe_load(front)
    return out


def as_day(v):
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) if v else None


def is_open(office: dict, day: dt.date) -> bool:
    if as_day(office["opened"]) > day:
        return False
    return all(not as_day(office.get(k)) or as_day(office.get(k)) > day for k in ("merged_on", "closed_on"))


def distance_km(a, b) -> float:
    """Great-circle distance from the chord between unit vectors (not the haversine under test)."""
    def unit(lat, lon):
        la, lo = math.radians(lat), math.radians(lon)
        return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))
    return 2 * 6371.0 * math.asin(min(1.0, math.dist(unit(*a), unit(*b)) / 2))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def geo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("geo") / "site"
    build(GEO_SITE, out, today=TODAY.isoformat())
    return out


OFFICES = read_offices(GEO_SITE)
OPEN = {slug for slug, o in OFFICES.items() if is_open(o, TODAY)}


def test_fixture_covers_every_state():
    """The small content folder has open, merged, closed and planned offices."""
    assert OPEN == {"trung-tam-thu-nghiem", "chi-nhanh-thuan-an", "chi-nhanh-thu-dau-mot"}
    assert any(o.get("merged_into") for o in OFFICES.values())
    assert any(o.get("closed_on") for o in OFFICES.values())
    assert any(as_day(o["opened"]) > TODAY for o in OFFICES.values())


# --- the list -----------------------------------------------------------------------------------
def test_list_shows_open_offices_grouped_with_counts(geo_site):
    page = soup(geo_site / "dia-diem" / "index.html")
    main = page.find("main")
    others = main.find("section", attrs={"aria-labelledby": "office-others"})
    others.extract()
    listed = {a["href"].strip("/").split("/")[-1] for a in main.select(".office-list a")}
    assert listed == OPEN
    kinds = {}
    for slug in OPEN:
        kinds[OFFICES[slug]["kind"]] = kinds.get(OFFICES[slug]["kind"], 0) + 1
    assert main.find("h2", id="chi-nhanh").get_text(" ", strip=True) == f"Các chi nhánh ({kinds['chi-nhanh']})"
    assert main.find("h2", id="trung-tam").get_text(" ", strip=True) == f"Trung tâm tỉnh ({kinds['trung-tam']})"
    assert main.find("h2", id="diem-tiep-nhan") is None  # no open reception point in the fixture
    # Branches are grouped by district (from the file, or from wards.yaml when the file has none).
    branches = main.find("section", attrs={"aria-labelledby": "chi-nhanh"})
    assert [h.get_text(" ", strip=True) for h in branches.find_all("h3")] == ["Thủ Dầu Một (1)", "Thuận An (1)"]
    # Merged, closed and planned offices are listed apart, each linking its page.
    other_links = {a["href"] for a in others.select("li > a:first-child")}
    assert other_links == {f"/dia-diem/{s}/" for s in set(OFFICES) - OPEN}


def test_every_office_keeps_its_page_and_links_work(geo_site):
    for slug in OFFICES:
        assert (geo_site / "dia-diem" / slug / "index.html").is_file()
    broken = [b for b in broken_links(geo_site) if b.page.startswith("dia-diem")]
    assert not broken, "\n".join(map(str, broken))


# --- an office's page -----------------------------------------------------------------------
def test_office_page_shows_every_fact(geo_site):
    o = OFFICES["trung-tam-thu-nghiem"]
    page = soup(geo_site / "dia-diem" / "trung-tam-thu-nghiem" / "index.html")
    main = page.find("main")
    text = main.get_text(" ", strip=True)
    assert page.find("h1").get_text(strip=True) == o["name"]
    for value in (o["address"], o["ward"], o["district"], "Trung tâm tỉnh"):
        assert value in text
    assert main.find("a", href="tel:02740000000").get_text() == o["phone"]
    assert main.find("a", href=f"mailto:{o['email']}")
    assert main.find("a", href=f"geo:{o['lat']},{o['lon']}")
    osm = main.find("a", href=lambda h: h and h.startswith("https://www.openstreetmap.org/"))
    assert f"mlat={o['lat']}" in osm["href"] and f"mlon={o['lon']}" in osm["href"]
    assert "Đường đi thử nghiệm" in text  # directions from the body
    assert main.find(class_="sample-notice")
    # Hours: weekdays with a lunch break, Saturday morning, Sunday closed.
    rows = {tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in main.select("table.opening-hours tbody tr")}
    assert rows == {
        "Thứ Hai – Thứ Sáu": ["07:30 – 11:30 , 13:00 – 17:00", "11:30 – 13:00"],
        "Thứ Bảy": ["07:30 – 11:30", "Không"],
        "Chủ nhật": ["Không làm việc"],
    }
    # Upcoming days off: the office's closed date and future holidays, not past ones.
    days_off = [li.time["datetime"] for li in main.select("ul.days-off li")]
    assert days_off == ["2025-10-20", "2026-01-01"]
    # The "open now" status is filled in by JavaScript from the schedule the page carries.
    schedule = json.loads(page.find("script", id="office-schedule").string)
    assert schedule["closed"]["2025-10-20"] == "Bảo trì hệ thống thử nghiệm"
    assert schedule["closed"]["2025-09-02"] == "Quốc khánh"
    assert {"days": [5], "open": "07:30", "close": "11:30"} in schedule["hours"]


def test_office_jsonld(geo_site):
    o = OFFICES["trung-tam-thu-nghiem"]
    page = soup(geo_site / "dia-diem" / "trung-tam-thu-nghiem" / "index.html")
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "GovernmentOffice"
    assert data["name"] == o["name"]
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": o["lat"], "longitude": o["lon"]}
    assert data["url"] == f"{SITE_URL}/dia-diem/trung-tam-thu-nghiem/"
    assert data["telephone"] == o["phone"] and data["email"] == o["email"]
    assert data["address"]["streetAddress"] == o["address"]
    sat = [s for s in data["openingHoursSpecification"] if s["dayOfWeek"] == ["Saturday"]]
    assert sat == [{"@type": "OpeningHoursSpecification", "dayOfWeek": ["Saturday"], "opens": "07:30", "closes": "11:30"}]


def test_accepted_fields_link_to_existing_field_pages(geo_site):
    main = soup(geo_site / "dia-diem" / "chi-nhanh-thuan-an" / "index.html").find("main")
    section = main.find("h2", id="thu-tuc").find_next("ul")
    items = [li.get_text(strip=True) for li in section.find_all("li")]
    assert items == OFFICES["chi-nhanh-thuan-an"]["accepts"]
    for a in section.find_all("a"):
        assert (geo_site / a["href"].strip("/") / "index.html").is_file(), a["href"]


def test_merged_office_points_to_its_successor(geo_site):
    o = OFFICES["diem-tiep-nhan-phu-cuong"]
    succ = OFFICES[o["merged_into"]]
    main = soup(geo_site / "dia-diem" / "diem-tiep-nhan-phu-cuong" / "index.html").find("main")
    notice = main.find(id="office-moved")
    link = notice.find("a", href=f"/dia-diem/{o['merged_into']}/")
    assert link.get_text(strip=True) == succ["name"]
    assert "đã sáp nhập" in notice.get_text()
    assert as_day(o["merged_on"]).strftime("%d/%m/%Y") in notice.get_text()
    assert main.find(id="office-status") is None  # no "open now" for an office that no longer receives
    # The successor's history names the office merged into it.
    succ_main = soup(geo_site / "dia-diem" / o["merged_into"] / "index.html").find("main")
    assert succ_main.select_one("ul.office-history").find("a", href="/dia-diem/diem-tiep-nhan-phu-cuong/")


def test_closed_and_planned_offices_say_so(geo_site):
    closed = soup(geo_site / "dia-diem" / "diem-tiep-nhan-dau-tieng" / "index.html").find("main")
    assert "đã ngừng hoạt động từ ngày 30/09/2025" in closed.find(id="office-moved").get_text()
    assert closed.find("a", href="/dia-diem/gan-nhat/")
    planned = soup(geo_site / "dia-diem" / "chi-nhanh-bau-bang" / "index.html").find("main")
    assert "từ ngày 01/12/2025" in planned.get_text()


# --- open data ---------------------------------------------------------------------------------
def test_offices_json_has_every_field(geo_site):
    records = json.loads((geo_site / "api" / "offices.json").read_text(encoding="utf-8"))
    assert {r["slug"] for r in records} == set(OFFICES)
    for r in records:
        source = OFFICES[r["slug"]]
        for key, value in source.items():
            expected = value.isoformat() if isinstance(value, dt.date) else value
            assert r[key] == expected, (r["slug"], key)
        assert r["url"] == f"{SITE_URL}/dia-diem/{r['slug']}/"
        assert r["status"] == ("open" if r["slug"] in OPEN else r["status"])


def test_offices_geojson_is_valid(geo_site):
    text = (geo_site / "api" / "offices.geojson").read_text(encoding="utf-8")
    fc = geojson.loads(text)
    assert fc.is_valid, fc.errors()
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == len(OFFICES)
    for feat in fc["features"]:
        src = OFFICES[feat["properties"]["slug"]]
        assert feat["geometry"]["type"] == "Point"
        assert feat["geometry"]["coordinates"] == [src["lon"], src["lat"]]  # GeoJSON is [lon, lat]
        assert feat["properties"]["name"] == src["name"]
        assert feat["properties"]["url"].startswith(SITE_URL + "/dia-diem/")


def test_finder_data_is_compact_and_only_open(geo_site):
    path = geo_site / "dia-diem" / "gan-nhat" / "du-lieu.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {o["slug"] for o in data["offices"]} == OPEN
    wards = yaml.safe_load((GEO_SITE / "wards.yaml").read_text(encoding="utf-8"))["wards"]
    assert [w["name"] for w in data["wards"]] == [w["name"] for w in wards]
    assert data["wards"][1]["old_names"] == ["Thị trấn Lái Thiêu"]
    assert "procedures" not in data  # read only when the citizen filters by procedure
    procs = json.loads((geo_site / data["procedures_url"].lstrip("/")).read_text(encoding="utf-8"))
    files = {f.stem: yaml.safe_load(f.read_text(encoding="utf-8").split("---\n")[1])
             for f in (GEO_SITE / "procedures").glob("*.md")}
    assert {p[0] for p in procs["procedures"]} == set(files)
    for slug, title, field, ng in procs["procedures"]:
        assert (title, procs["fields"][field], bool(ng)) == (files[slug]["title"], files[slug]["field"],
                                                             files[slug]["non_geographic"])
    # Not inlined in the finder page: the page links the file.
    finder = (geo_site / "dia-diem" / "gan-nhat" / "index.html").read_text(encoding="utf-8")
    assert "Thị trấn Lái Thiêu" not in finder
    assert 'data-src="/dia-diem/gan-nhat/du-lieu.json"' in finder


def test_finder_without_javascript_lists_open_offices(geo_site):
    page = soup(geo_site / "dia-diem" / "gan-nhat" / "index.html")
    assert page.find(id="finder").has_attr("hidden")  # the interactive part needs JavaScript
    listed = {a["href"].strip("/").split("/")[-1] for a in page.select("#all-offices a")}
    assert listed == OPEN
    text = page.find("main").get_text(" ", strip=True)
    assert "20 km/giờ" in text  # the assumed speed is stated
    assert "không được gửi đi đâu" in text  # the position never leaves the device


def test_leaflet_is_served_from_the_site(geo_site):
    vendor = geo_site / "static" / "vendor" / "leaflet"
    assert (vendor / "leaflet.js").read_bytes() == (ROOT / "node_modules/leaflet/dist/leaflet.js").read_bytes()
    assert (vendor / "leaflet.css").is_file() and (vendor / "images" / "marker-icon.png").is_file()


# --- coverage -------------------------------------------------------------------------------
def expected_coverage(day: dt.date):
    wards = yaml.safe_load((GEO_SITE / "wards.yaml").read_text(encoding="utf-8"))["wards"]
    open_ = [(slug, o) for slug, o in OFFICES.items() if is_open(o, day)]
    out = []
    for w in wards:
        best = min(open_, key=lambda so: distance_km((w["lat"], w["lon"]), (so[1]["lat"], so[1]["lon"])))
        out.append((w["name"], best[0], distance_km((w["lat"], w["lon"]), (best[1]["lat"], best[1]["lon"]))))
    return out, len(open_)


def test_coverage_counts_wards_within_5_km(geo_site):
    page = soup(geo_site / "dia-diem" / "pham-vi" / "index.html")
    days = {"hom-nay": TODAY, "giai-doan-1": dt.date(2024, 12, 31), "giai-doan-2": dt.date(2025, 6, 30),
            "giai-doan-3": dt.date(2025, 12, 31)}
    for key, day in days.items():
        rows, n_open = expected_coverage(day)
        within = sum(1 for _, _, km in rows if km <= 5)
        tr = page.find("tr", id=f"tong-hop-{key}")
        assert tr.find("td", attrs={"data-within": True})["data-within"] == str(within), key
        assert tr.find_all("td")[0].get_text(" ", strip=True).startswith(str(n_open)), key
        svg = page.find("section", attrs={"aria-labelledby": key}).find("svg")
        tree = ET.fromstring(str(svg))
        ns = "{http://www.w3.org/2000/svg}"
        assert tree.find(f"{ns}title").text and tree.find(f"{ns}desc").text
        assert len(tree.find(f"{ns}g[@class='coverage-map__offices']")) == n_open
        assert len(tree.find(f"{ns}g[@class='coverage-map__wards']")) == len(rows)
    # The per-ward table names today's nearest office and its distance.
    rows, _ = expected_coverage(TODAY)
    table = page.find("table", class_="coverage-wards").tbody.find_all("tr")
    assert len(table) == len(rows)
    for tr, (ward, slug, km) in zip(table, rows):
        assert tr.th.get_text(" ", strip=True).startswith(ward)
        cells = tr.find_all("td")
        assert cells[0].a["href"] == f"/dia-diem/{slug}/"
        assert cells[1].get_text(" ", strip=True).split(" ")[0] == f"{km:.1f}".replace(".", ",")
    assert page.find(class_="sample-notice")  # sample coordinates are marked


# --- the sample site ---------------------------------------------------------------------------
def test_sample_site_lists_only_open_offices(sample_site):
    content = ROOT / "content"
    offices = read_offices(content)
    day = dt.date.fromisoformat(SAMPLE_TODAY)
    open_ = {s for s, o in offices.items() if is_open(o, day)}
    main = soup(sample_site / "dia-diem" / "index.html").find("main")
    others = main.find("section", attrs={"aria-labelledby": "office-others"})
    if others:
        others.extract()
    listed = {a["href"].strip("/").split("/")[-1] for a in main.select(".office-list a")}
    assert listed == open_
    for slug in offices:
        assert (sample_site / "dia-diem" / slug / "index.html").is_file()
    fc = geojson.loads((sample_site / "api" / "offices.geojson").read_text(encoding="utf-8"))
    assert fc.is_valid, fc.errors()
    assert len(fc["features"]) == len(offices)


def test_names_are_escaped(tmp_path):
    """Templates escape what editors write: a name with <, > and & shows as written."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(GEO_SITE, content)
    f = content / "offices" / "chi-nhanh-thuan-an.md"
    name = 'Chi nhánh <Thuận An> & "thử"'
    f.write_text(f.read_text(encoding="utf-8").replace("name: Chi nhánh Thuận An thử nghiệm", f"name: '{name}'"),
                 encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, today=TODAY.isoformat())
    for page in ("dia-diem/chi-nhanh-thuan-an/index.html", "dia-diem/index.html", "dia-diem/gan-nhat/index.html",
                 "dia-diem/pham-vi/index.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert "<Thuận An>" not in html, page
        assert soup(out / page).find("main").find(string=lambda s: s and "<Thuận An>" in s), page
    assert soup(out / "dia-diem/chi-nhanh-thuan-an/index.html").h1.get_text() == name
