"""Statistics: the figures on /thong-ke/, in the open data and on procedure pages agree with the
CSV rows counted here independently; bad rows stop the build with file, line and column."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil

import jsonschema
import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from conftest import ROOT, axe_violations, build

TODAY = "2026-12-02"
WINDOW = ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]  # the 12 months before December 2026


def rows(name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((ROOT / "content" / "statistics" / name).read_text(encoding="utf-8"))))


def vi(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def pct(a: int, b: int) -> str:
    return "—" if not b else f"{a * 100 / b:.1f}".replace(".", ",") + "\u00a0%"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("statistics") / "site"
    build(ROOT / "content", out, today=TODAY)
    return out


def _table(page: BeautifulSoup, ident: str) -> list[list[str]]:
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in page.find(id=ident).tbody.find_all("tr")]


def test_the_monthly_table_is_the_csv_counted_independently(site):
    page = BeautifulSoup((site / "thong-ke" / "index.html").read_text(encoding="utf-8"), "html.parser")
    want = []
    for m in WINDOW:
        month = [r for r in rows("dossiers.csv") if r["month"] == m]
        rec = sum(int(r["received"]) for r in month)
        on, late = sum(int(r["resolved_on_time"]) for r in month), sum(int(r["resolved_late"]) for r in month)
        online = sum(int(r["received_online"]) for r in month)
        want.append([f"{m[5:]}/{m[:4]}", vi(rec), vi(on + late), pct(on, on + late), pct(online, rec)])
    assert _table(page, "bang-thang") == want
    assert "Dữ liệu mẫu" in page.get_text()  # every row is sample data
    assert "2.544" in page.get_text()  # the articles' one figure, as a note


def test_in_progress_is_the_last_months_count_never_a_sum(site):
    page = BeautifulSoup((site / "thong-ke" / "index.html").read_text(encoding="utf-8"), "html.parser")
    last = [r for r in rows("dossiers.csv") if r["month"] == WINDOW[-1]]
    agencies = {r["agency"] for r in last}
    table = {row[0]: row for row in _table(page, "bang-co-quan")}
    for a in agencies:
        assert table[a][4] == vi(sum(int(r["in_progress"]) for r in last if r["agency"] == a)), a


def test_the_open_data_matches_its_schema_and_the_csv_downloads_keep_the_rows(site):
    data = json.loads((site / "api" / "statistics.json").read_text(encoding="utf-8"))
    schema = json.loads((site / "api" / "statistics.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["window"] == WINDOW and data["data_until"] == "2026-11"
    year = [r for r in rows("dossiers.csv") if r["month"] in WINDOW]
    assert data["province"]["received"] == sum(int(r["received"]) for r in year)
    raw = (site / "api" / "statistics" / "dossiers.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: spreadsheet programs read UTF-8
    assert list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))) == rows("dossiers.csv")
    ratings = {u["unit"]: (u["out_of_100"], u["rating"]) for u in data["index_766"]}
    province = [r for r in rows("index-766.csv") if r["unit"] == "Tỉnh Bình Dương" and r["period"] == "2025"]
    total = sum(float(r["score"]) for r in province) * 100 / sum(float(r["max_score"]) for r in province)
    assert ratings["Tỉnh Bình Dương"][0] == pytest.approx(total, abs=0.01)


@pytest.mark.parametrize("score,rating", [(90, "Xuất sắc"), (89.99, "Tốt"), (80, "Tốt"), (79.9, "Khá"), (70, "Khá"),
                                          (69.9, "Trung bình"), (50, "Trung bình"), (49.9, "Yếu"), (0, "Yếu")])
def test_ratings_follow_decision_766(score, rating):
    from portal_statistics.portal_statistics import rating as rate

    assert rate(score) == rating


def test_a_procedure_page_has_its_one_line(site):
    page = BeautifulSoup((site / "thu-tuc" / "dang-ky-khai-sinh" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    line = page.find("dt", string="Hồ sơ 12 tháng qua").find_next("dd").get_text(" ", strip=True)
    mine = [r for r in rows("dossiers.csv") if r["month"] in WINDOW and r["procedure_code"] == "BD-HT-001"]
    rec = sum(int(r["received"]) for r in mine)
    on, late = sum(int(r["resolved_on_time"]) for r in mine), sum(int(r["resolved_late"]) for r in mine)
    assert line.startswith(f"{vi(rec)} hồ sơ; {pct(on, on + late)} đúng hạn"), line
    other = BeautifulSoup((site / "thu-tuc" / "cap-ban-sao-trich-luc-ho-tich" / "index.html").read_text(encoding="utf-8"),
                          "html.parser")
    assert other.find("dt", string="Hồ sơ 12 tháng qua") is None  # no data, no line


BAD = {
    "a month that is not a month": ("dossiers.csv", "2026-01,Sở Tư pháp", "2026-13,Sở Tư pháp", "month", "YYYY-MM"),
    "a negative count": ("dossiers.csv", ",BD-LLTP-001,", ",BD-LLTP-001,-", "received", "lớn hơn hoặc bằng 0"),
    "an unknown group": ("index-766.csv", "2025,Sở Xây dựng,so-hoa", "2025,Sở Xây dựng,so-hoa-2", "group", "không hợp lệ"),
    "a score above its maximum": ("index-766.csv", None, None, "score", "lớn hơn điểm tối đa"),
    "a duplicate row": ("dossiers.csv", None, None, "month", "trùng với dòng"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rows_stop_the_build_with_file_line_and_column(tmp_path, case):
    name, old, new, column, words = BAD[case]
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "statistics" / name
    lines = path.read_text(encoding="utf-8").split("\n")
    if case == "a score above its maximum":
        i = 5
        cells = lines[i - 1].split(",")
        cells[3] = "99"
        lines[i - 1] = ",".join(cells)
    elif case == "a duplicate row":
        lines.insert(10, lines[9])
        i = 11
    else:
        i = next(n for n, line in enumerate(lines, 1) if old in line)
        lines[i - 1] = lines[i - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "site"
    proc = build(content, out, today=TODAY, check=False)
    message = proc.stdout + proc.stderr
    assert proc.returncode != 0 and not out.exists(), message
    assert re.search(rf"statistics/{re.escape(name)}:{i}: trường '{column}'.*{words}", message), message
    assert "Traceback" not in message


def test_an_unknown_procedure_code_is_a_warning_and_counted_under_other(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "statistics" / "dossiers.csv"
    text = path.read_text(encoding="utf-8")
    moved = [r for r in csv.DictReader(io.StringIO(text)) if r["procedure_code"] == "BD-XD-001" and r["month"] in WINDOW]
    path.write_text(text.replace(",BD-XD-001,", ",BD-KHONG-CO,"), encoding="utf-8")
    proc = build(content, tmp_path / "site", today=TODAY)
    assert "mã thủ tục 'BD-KHONG-CO' không có trong content/procedures" in proc.stdout + proc.stderr
    data = json.loads((tmp_path / "site" / "api" / "statistics.json").read_text(encoding="utf-8"))
    other = [p for p in data["procedures"] if p["code"] is None]
    assert other and other[0]["title"] == "Khác"
    assert other[0]["received"] == sum(int(r["received"]) for r in moved)


@pytest.mark.browser
def test_the_statistics_page_sorts_its_agency_table_and_passes_axe(page, serve, site):
    url = serve(site)
    page.goto(f"{url}/thong-ke/")
    assert axe_violations(page) == []
    table = page.locator("#bang-co-quan")
    table.get_by_role("button", name="Tiếp nhận").click()
    expect(table.locator("thead th").nth(1)).to_have_attribute("aria-sort", "ascending")
    values = [int(v) for v in table.locator("tbody td:nth-child(2)").evaluate_all(
        "tds => tds.map(td => td.dataset.value)")]
    assert values == sorted(values) and len(values) > 2
    table.get_by_role("button", name="Tiếp nhận").click()
    values = [int(v) for v in table.locator("tbody td:nth-child(2)").evaluate_all(
        "tds => tds.map(td => td.dataset.value)")]
    assert values == sorted(values, reverse=True)
    chart = page.locator("svg.chart").first
    bars = chart.locator("rect title").all_text_contents()
    table = page.locator("#bang-thang tbody tr").evaluate_all(
        "trs => trs.map(tr => tr.cells[0].textContent.trim() + ': ' + tr.cells[1].textContent.trim() + ' hồ sơ')")
    assert bars == table and len(bars) == 12  # a bar per month, saying what the table says


def test_the_statistics_page_is_in_the_browser_editor_with_no_change_to_its_code(sample_site):
    import yaml

    config = yaml.safe_load((sample_site / "quan-tri" / "config.yml").read_text(encoding="utf-8"))
    files = {f["name"]: f for c in config["collections"] for f in c.get("files", [])}
    page = files["statistics_page"]
    assert page["file"] == "content/statistics/trang.yaml"
    assert [f["name"] for f in page["fields"]] == ["intro", "notes", "sample"]


@pytest.mark.browser
def test_a_procedure_page_shows_its_line_in_the_browser(page, serve, site):
    url = serve(site)
    page.goto(f"{url}/thu-tuc/dang-ky-khai-sinh/")
    line = page.locator("dt", has_text="Hồ sơ 12 tháng qua").locator("xpath=following-sibling::dd[1]")
    expect(line).to_contain_text("đúng hạn")
    expect(line).to_contain_text("số liệu mẫu")
    line.get_by_role("link", name="Thống kê").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thống kê giải quyết hồ sơ")
    assert axe_violations(page) == []
