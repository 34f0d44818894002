"""Offices: the Python haversine against the shared vectors, opening-hours and open_on rules, and
the content checks the offices plugin adds (each proven by a build that must fail)."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from conftest import DATA, build

from portal_offices import geo
from portal_core.text import ascii_fold as fold
from portal_offices.portal_offices import expand_days, weekly_hours

VECTORS = json.loads((DATA / "geo-vectors.json").read_text(encoding="utf-8"))
GEO_SITE = DATA / "geo-site"


@pytest.mark.parametrize("v", VECTORS["vectors"], ids=lambda v: v["name"])
def test_haversine_matches_shared_vectors(v):
    assert geo.EARTH_RADIUS_KM == VECTORS["earth_radius_km"]
    got = geo.haversine_km(*v["from"], *v["to"])
    assert abs(got - v["km"]) <= VECTORS["tolerance_km"]
    assert abs(geo.haversine_km(*v["to"], *v["from"]) - v["km"]) <= VECTORS["tolerance_km"]


def test_travel_time_and_goal():
    # 5 km straight line → 6.5 km of road at 20 km/h = 19.5 minutes, rounded up.
    assert geo.travel_minutes(5) == 20
    assert geo.travel_minutes(0) == 0
    assert geo.within_goal(4.9)
    assert geo.within_goal(7.5)  # 29.25 → 30 minutes
    assert not geo.within_goal(7.8)


def test_fold_matches_the_browser_rule():
    assert fold("Phường Đông Hòa") == "phuong dong hoa"
    assert fold("Hộ tịch") == fold("HỘ TỊCH") == fold("ho tich")


def test_days_and_weekly_rows():
    assert expand_days("mon-fri") == [0, 1, 2, 3, 4]
    assert expand_days("sat") == [5]
    assert expand_days("sat-mon") == [5, 6, 0]
    rows = weekly_hours([
        {"days": "mon-fri", "open": "13:00", "close": "17:00"},
        {"days": "mon-fri", "open": "07:30", "close": "11:30"},
        {"days": "sat", "open": "07:30", "close": "11:30"},
    ])
    assert [r["label"] for r in rows] == ["Thứ Hai – Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    assert rows[0]["sessions"] == [("07:30", "11:30"), ("13:00", "17:00")]
    assert rows[0]["breaks"] == [("11:30", "13:00")]
    assert rows[1]["breaks"] == [] and rows[2]["sessions"] == []


def _bad_copy(tmp_path, office, old, new):
    content = tmp_path / "content"
    shutil.copytree(GEO_SITE, content)
    f = content / "offices" / f"{office}.md"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new), encoding="utf-8")
    return content


@pytest.mark.parametrize("office,old,new,message", [
    ("chi-nhanh-thuan-an", 'close: "17:00"', 'close: "07:00"', "trường 'hours[0].close' («Giờ làm việc › Giờ đóng cửa» trong biểu mẫu): giờ đóng cửa 07:00 phải sau giờ mở cửa 07:30"),
    ("trung-tam-thu-nghiem", '{days: sat, open: "07:30", close: "11:30"}', '{days: fri, open: "11:00", close: "12:00"}', "trùng giờ"),
    ("chi-nhanh-thu-dau-mot", "accepts: [Đất đai]", "accepts: [Đất đai]\nmerged_into: diem-tiep-nhan-phu-cuong\nmerged_on: 2025-12-01", "quay vòng"),
    ("diem-tiep-nhan-phu-cuong", "merged_into: chi-nhanh-thu-dau-mot", "merged_into: khong-co", "không có địa điểm 'khong-co'"),
    ("chi-nhanh-thuan-an", "lat: 10.9060", "lat: 1.9060", "vĩ độ nằm ngoài Việt Nam"),
])
def test_invalid_office_stops_the_build(tmp_path, office, old, new, message):
    content = _bad_copy(tmp_path, office, old, new)
    proc = build(content, tmp_path / "out", today="2025-10-15", check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"offices/{office}.md:" in proc.stderr
    assert message in proc.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_ward_and_field_are_warnings(tmp_path):
    content = _bad_copy(tmp_path, "chi-nhanh-thuan-an", "accepts: [Hộ tịch, Chứng thực]",
                        "accepts: [Hộ tịch, Thủy sản]")
    f = content / "offices" / "chi-nhanh-thuan-an.md"
    f.write_text(f.read_text(encoding="utf-8").replace("ward: Lái Thiêu", "ward: Phường Không Có"), encoding="utf-8")
    f = content / "offices" / "diem-tiep-nhan-phu-cuong.md"
    f.write_text(f.read_text(encoding="utf-8").replace("merged_on: 2025-07-01", "merged_on: 2025-06-15"), encoding="utf-8")
    proc = build(content, tmp_path / "out", today="2025-10-15")
    out = proc.stderr + proc.stdout
    assert "chưa có thủ tục nào thuộc lĩnh vực 'Thủy sản'" in out
    assert "phường/xã 'Phường Không Có' không có trong wards.yaml" in out
    assert ("diem-tiep-nhan-phu-cuong.md:13: trường 'merged_on' («Ngày sáp nhập» trong biểu mẫu): sáp nhập ngày 2025-06-15 vào "
            "'chi-nhanh-thu-dau-mot', nhưng địa điểm này chỉ hoạt động từ 2025-07-01") in out


def test_open_on_follows_dates():
    from portal_offices.portal_offices import open_on

    class O:
        opened_date = dt.date(2024, 12, 2)
        merged_on_date = dt.date(2025, 6, 30)
        closed_on_date = None

    assert not open_on(O, dt.date(2024, 12, 1))
    assert open_on(O, dt.date(2024, 12, 2))
    assert open_on(O, dt.date(2025, 6, 29))
    assert not open_on(O, dt.date(2025, 6, 30))  # merged on that day: its successor receives


def test_accepts_rule():
    from portal_core.content import Item
    from portal_offices.portal_offices import accepts

    land = Item("procedures", "dat", "x", {"field": "Đất đai", "non_geographic": False})
    birth = Item("procedures", "ks", "x", {"field": "Hộ tịch", "non_geographic": True})
    office = lambda a: Item("offices", "o", "x", {"accepts": a})  # noqa: E731
    assert accepts(office("all"), land)
    assert accepts(office("non-geographic"), birth) and not accepts(office("non-geographic"), land)
    assert accepts(office(["Hộ tịch", "Chứng thực"]), birth) and not accepts(office(["Hộ tịch"]), land)


def test_accepts_rule_vectors_shared_with_the_browser():
    """The same vectors are checked against static/geo.js by tests/js/geo.test.js."""
    import json

    from portal_offices import accepts_rule

    vectors = json.loads((DATA / "accepts-vectors.json").read_text(encoding="utf-8"))["vectors"]
    assert len(vectors) >= 10
    for v in vectors:
        assert accepts_rule(v["accepts"], v["field"], v["non_geographic"]) is v["expected"], v
