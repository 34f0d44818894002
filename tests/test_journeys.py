"""Life events, step by step (first part): journeys checked at build time, their pages, and each
procedure page's place in them."""
from __future__ import annotations

import re
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, axe_violations, build

TODAY = "2026-12-02"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("journeys") / "site"
    build(ROOT / "content", out, today=TODAY)
    return out


def _front(name: str) -> dict:
    return yaml.safe_load((ROOT / "content" / "journeys" / name).read_text(encoding="utf-8").split("---\n")[1])


def test_a_journey_page_numbers_its_steps_with_their_procedures(site):
    data = _front("khi-ket-hon.md")
    page = BeautifulSoup((site / "su-kien" / "khi-ket-hon" / "index.html").read_text(encoding="utf-8"), "html.parser")
    steps = page.select("ol.journey-steps > li")
    assert [s.h2.get_text(" ", strip=True) for s in steps] == [
        f"Bước {i}. {s['title']}" for i, s in enumerate(data["steps"], 1)]
    for li, step in zip(steps, data["steps"]):
        links = [a["href"] for a in li.select(".journey-steps__procedures a")]
        assert links == [f"/thu-tuc/{slug}/" for slug in step["procedures"]]
        assert ("hoặc" in li.get_text()) == bool(step.get("choice"))
    listing = BeautifulSoup((site / "su-kien" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert {a["href"] for a in listing.select(".journey-list a")} == {"/su-kien/khi-ket-hon/", "/su-kien/khi-sinh-con/"}
    assert "Dữ liệu mẫu" in page.get_text()


def test_a_procedure_page_says_where_it_stands_in_each_journey(site):
    page = BeautifulSoup((site / "thu-tuc" / "dang-ky-thuong-tru" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    places = [n.get_text(" ", strip=True) for n in page.select("nav.journey-place")]
    assert any(p.startswith("Bước 2 trong 2 – Khi sinh con") and "Bước trước: Đăng ký khai sinh" in p for p in places)
    assert any(p.startswith("Bước 3 trong 3 – Khi kết hôn") for p in places)
    assert not BeautifulSoup((site / "thu-tuc" / "cap-ho-chieu-pho-thong" / "index.html").read_text(encoding="utf-8"),
                             "html.parser").select("nav.journey-place")


def test_the_open_data_and_the_kiosk_have_the_journeys(site):
    import json

    data = json.loads((site / "api" / "journeys.json").read_text(encoding="utf-8"))
    birth = next(j for j in data if j["slug"] == "khi-sinh-con")
    assert birth["steps"][0]["procedures"] == _front("khi-sinh-con.md")["steps"][0]["procedures"]
    assert birth["url"].endswith("/su-kien/khi-sinh-con/") and birth["sample"] is True
    kiosk = BeautifulSoup((site / "kiosk" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert {a["href"] for a in kiosk.select("a.kiosk-tile")} >= {"/su-kien/khi-sinh-con/", "/su-kien/khi-ket-hon/"}


BAD = {
    "an unknown procedure": ("- dang-ky-ket-hon", "- khong-co-thu-tuc-nay", r"steps\[1\]\.procedures\[0\]",
                             "không có thủ tục 'khong-co-thu-tuc-nay'"),
    "an empty step": ("    procedures:\n      - dang-ky-ket-hon\n", "    procedures: []\n", r"steps\[1\]\.procedures",
                      "ít nhất một thủ tục"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_journeys_stop_the_build_with_file_line_and_field(tmp_path, case):
    old, new, field, words = BAD[case]
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "journeys" / "khi-ket-hon.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = build(content, tmp_path / "site", today=TODAY, check=False)
    message = proc.stdout + proc.stderr
    assert proc.returncode != 0 and not (tmp_path / "site").exists(), message
    assert re.search(rf"journeys/khi-ket-hon\.md:\d+: trường '{field}'.*{re.escape(words)}", message), message
    assert "Traceback" not in message


def test_a_journey_without_steps_stops_the_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "journeys" / "trong.md").write_text(
        "---\ntitle: Trống\nsummary: Không có bước.\nsteps: []\nupdated: 2025-05-12\n---\n", encoding="utf-8")
    proc = build(content, tmp_path / "site", today=TODAY, check=False)
    assert proc.returncode != 0 and re.search(r"journeys/trong\.md:4: trường 'steps'", proc.stdout + proc.stderr)


@pytest.mark.browser
def test_a_journey_page_passes_axe(page, serve, site):
    url = serve(site)
    page.goto(f"{url}/su-kien/khi-sinh-con/")
    assert axe_violations(page) == []
    page.goto(f"{url}/su-kien/")
    assert axe_violations(page) == []
