"""Roadmap: phase states from --today, progress figures counted from the offices and procedures
(checked against counts computed here, independently, from the content files), the chart and its
table, a page per phase, and the phase shown on the home page."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE_TODAY, assert_no_axe_violations, build
from test_news_helpers import read_front_matter, small_content, soup, write_office, write_phase

TODAY = "2025-10-15"


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def number(text: str) -> int:
    """'1.500' -> 1500 (Vietnamese thousands separator)."""
    return int(re.sub(r"[^\d]", "", text))


def independent_figures(content: Path, today: dt.date) -> dict:
    """(phase slug, target) -> counted figure or None, computed from the content files alone.

    The rule (README, portal_roadmap docstring): offices of the kind open on the phase's end date,
    or on today for the phase in progress; planned phases have no figure; procedures carry no
    dates, so their count (active and non-geographic) belongs to the phase shown on the home page
    (in progress, or the last one that ended).
    """
    phases = {f.stem: read_front_matter(f) for f in (content / "roadmap").glob("*.md")}
    offices = [read_front_matter(f) for f in (content / "offices").glob("*.md")]
    procedures = [read_front_matter(f) for f in (content / "procedures").glob("*.md")]

    def open_on(o, day):
        if as_date(o["opened"]) > day:
            return False
        return not any(o.get(k) and as_date(o[k]) <= day for k in ("merged_on", "closed_on"))

    def state(p):
        if today > as_date(p["end"]):
            return "done"
        return "current" if today >= as_date(p["start"]) else "planned"

    ordered = sorted(phases, key=lambda s: as_date(phases[s]["start"]))
    current = [s for s in ordered if state(phases[s]) == "current"]
    done = [s for s in ordered if state(phases[s]) == "done"]
    reporting = current[0] if current else (done[-1] if done else None)
    non_geo = sum(1 for p in procedures if p.get("status", "active") == "active" and p.get("non_geographic") is True)
    out = {}
    for slug, p in phases.items():
        for name in [t["name"] for t in p.get("targets") or []]:
            kind = {"branches": "chi-nhanh", "reception_points": "diem-tiep-nhan"}.get(name)
            if state(p) == "planned" or name not in ("branches", "reception_points", "non_geographic_procedures"):
                out[slug, name] = None
            elif kind:
                day = min(as_date(p["end"]), today)
                out[slug, name] = sum(1 for o in offices if o["kind"] == kind and open_on(o, day))
            else:
                out[slug, name] = non_geo if slug == reporting else None
    return out


def table_figures(site: Path) -> dict:
    """(phase slug, target) -> (target, actual or None) read from the table on /lo-trinh/."""
    out = {}
    for tr in soup(site / "lo-trinh" / "index.html").select(".roadmap-figures tbody tr"):
        cells = tr.find_all(["td", "th"])
        target, actual = cells[-3].get_text(strip=True), cells[-2].get_text(" ", strip=True)
        m = re.match(r"[\d.]+", actual)
        out[tr["data-phase"], tr["data-target"]] = (number(target), number(m.group(0)) if m else None)
    return out


def small_roadmap(tmp_path: Path) -> Path:
    content = small_content(tmp_path)
    # an abolished procedure does not count even when it was non-geographic
    f = content / "procedures" / "cap-chung-minh-nhan-dan.md"
    f.write_text(f.read_text(encoding="utf-8").replace("non_geographic: false", "non_geographic: true"), encoding="utf-8")
    write_phase(content, "giai-doan-1", phase=1, start="2024-12-02", end="2024-12-31",
                targets={"branches": 2, "reception_points": 3})
    write_phase(content, "giai-doan-2", phase=2, start="2025-01-01", end="2025-06-30",
                targets={"branches": 3, "reception_points": 2, "non_geographic_procedures": 5})
    write_phase(content, "giai-doan-3", phase=3, start="2025-07-01", end="2025-12-31",
                targets={"branches": 4, "reception_points": 1, "non_geographic_procedures": 1500, "staff": 300})
    write_phase(content, "giai-doan-4", phase=4, start="2026-01-01", end="2026-06-30",
                targets={"branches": 5, "dossiers_online": 80}, target_labels={"dossiers_online": "Hồ sơ nộp trực tuyến (%)"})
    write_office(content, "cn-a", kind="chi-nhanh", opened="2024-12-02")
    write_office(content, "cn-b", kind="chi-nhanh", opened="2024-12-31")  # opens on phase 1's last day
    write_office(content, "cn-c", kind="chi-nhanh", opened="2025-08-01")
    write_office(content, "cn-d", kind="chi-nhanh", opened="2025-11-01")  # after today: not counted yet
    write_office(content, "cn-e", kind="chi-nhanh", opened="2024-12-02", closed_on="2025-03-01")
    write_office(content, "dtn-a", kind="diem-tiep-nhan", opened="2024-12-02", merged_on="2025-06-30")
    write_office(content, "dtn-b", kind="diem-tiep-nhan", opened="2024-12-02", merged_on="2025-07-01")
    write_office(content, "dtn-c", kind="diem-tiep-nhan", opened="2025-01-15")
    return content


@pytest.fixture(scope="module")
def roadmap_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roadmap")
    content = small_roadmap(tmp)
    build(content, tmp / "site", today=TODAY)
    return tmp / "site", content


def test_figures_on_exact_dates(roadmap_site):
    site, _ = roadmap_site
    got = {k: v[1] for k, v in table_figures(site).items()}
    # worked out by hand from small_roadmap(): see the comments there
    assert got[("giai-doan-1", "branches")] == 3           # cn-a, cn-b (opened on the end date), cn-e
    assert got[("giai-doan-1", "reception_points")] == 3   # hiep-thanh (minimal), dtn-a, dtn-b
    assert got[("giai-doan-2", "branches")] == 2           # cn-e closed on 2025-03-01
    assert got[("giai-doan-2", "reception_points")] == 2   # merged on the end date no longer counts
    assert got[("giai-doan-2", "non_geographic_procedures")] is None  # undated: only for the current phase
    assert got[("giai-doan-3", "branches")] == 3           # on today: cn-d opens later
    assert got[("giai-doan-3", "reception_points")] == 1
    assert got[("giai-doan-3", "non_geographic_procedures")] == 1  # the abolished one does not count
    assert got[("giai-doan-4", "branches")] is None        # planned


def test_figures_match_an_independent_count(roadmap_site):
    site, content = roadmap_site
    want = {k: v for k, v in independent_figures(content, dt.date.fromisoformat(TODAY)).items()
            if k[1] in ("branches", "reception_points", "non_geographic_procedures")}
    got = table_figures(site)
    assert {k: v[1] for k, v in got.items()} == want
    for (slug, name), (target, _) in got.items():
        given = read_front_matter(content / "roadmap" / f"{slug}.md")["targets"]
        assert target == next(t["value"] for t in given if t["name"] == name)


def test_sample_figures_are_marked(roadmap_site):
    site, _ = roadmap_site
    rows = {(tr["data-phase"], tr["data-target"]): tr for tr in soup(site / "lo-trinh" / "index.html").select(".roadmap-figures tbody tr")}
    # the minimal content's reception point is sample data; the branches written here are not
    assert "mẫu" in rows[("giai-doan-1", "reception_points")].get_text()
    assert "mẫu" not in rows[("giai-doan-1", "branches")].get_text()
    assert soup(site / "lo-trinh" / "index.html").select_one(".sample-notice") is not None


def test_phase_states_follow_today(roadmap_site):
    site, _ = roadmap_site
    items = soup(site / "lo-trinh" / "index.html").select("ol.timeline > li")
    assert [li["id"] for li in items] == ["giai-doan-1", "giai-doan-2", "giai-doan-3", "giai-doan-4"]
    states = [next(c for c in li["class"] if c.startswith("timeline__phase--")).split("--")[1] for li in items]
    assert states == ["done", "done", "current", "planned"]
    assert [li.get("aria-current") for li in items] == [None, None, "step", None]
    for li in items:
        assert li.select_one(".badge").get_text(strip=True)  # the state in words, not only a colour
        assert len(li.select("time")) == 2


def test_other_targets_are_shown_with_their_labels(roadmap_site):
    site, _ = roadmap_site
    text = soup(site / "lo-trinh" / "index.html").select_one("#giai-doan-4").get_text(" ", strip=True)
    assert "Hồ sơ nộp trực tuyến (%)" in text and "80" in text
    staff = soup(site / "lo-trinh" / "index.html").select_one("#giai-doan-3").get_text(" ", strip=True)
    assert "300" in staff and "staff" not in staff


def test_chart_is_an_accessible_svg_with_the_table_figures(roadmap_site):
    site, _ = roadmap_site
    page = soup(site / "lo-trinh" / "index.html")
    svg = page.select_one("svg.roadmap-chart")
    assert svg is not None and svg["role"] == "img"
    ids = svg["aria-labelledby"].split()
    assert svg.find("title")["id"] in ids and svg.find("desc")["id"] in ids
    desc = svg.find("desc").get_text()
    labels = [t.get_text() for t in svg.find_all("text")]
    for (slug, name), (target, actual) in table_figures(site).items():
        if actual is not None:
            shown = f"{actual:,} / {target:,}".replace(",", ".")
            assert any(label.startswith(shown) for label in labels), (slug, name, shown)
            assert f"thực tế {actual:,}".replace(",", ".") in desc
    assert page.select_one("figure figcaption") is not None


def test_a_page_per_phase(roadmap_site):
    site, content = roadmap_site
    for f in (content / "roadmap").glob("*.md"):
        fm = read_front_matter(f)
        page = soup(site / "lo-trinh" / f.stem / "index.html")
        assert page.h1.get_text(strip=True) == fm["title"]
        times = [t["datetime"] for t in page.select("main time")]
        assert str(fm["start"]) in times and str(fm["end"]) in times
        assert f"Việc làm của giai đoạn {fm['phase']}" in page.get_text()
    nav = soup(site / "lo-trinh" / "giai-doan-2" / "index.html").select_one("nav.prev-next")
    assert nav.select_one('a[rel="prev"]')["href"] == "/lo-trinh/giai-doan-1/"
    assert nav.select_one('a[rel="next"]')["href"] == "/lo-trinh/giai-doan-3/"


def test_home_shows_the_current_phase(roadmap_site):
    site, _ = roadmap_site
    section = soup(site / "index.html").select_one(".home-phase")
    assert section.find("a", href="/lo-trinh/giai-doan-3/") is not None
    assert "Giai đoạn thử 3" in section.get_text()


def test_home_shows_the_last_phase_with_its_outcome_when_all_have_ended(tmp_path):
    content = small_roadmap(tmp_path)
    today = "2026-08-01"
    build(content, tmp_path / "site", today=today)
    section = soup(tmp_path / "site" / "index.html").select_one(".home-phase")
    assert section.find("a", href="/lo-trinh/giai-doan-4/") is not None
    want = independent_figures(content, dt.date.fromisoformat(today))[("giai-doan-4", "branches")]
    assert want == 4  # cn-a, cn-b, cn-c, cn-d on 2026-06-30
    assert f"{want} / 5" in section.get_text()
    states = [next(c for c in li["class"] if c.startswith("timeline__phase--"))
              for li in soup(tmp_path / "site" / "lo-trinh" / "index.html").select("ol.timeline > li")]
    assert set(states) == {"timeline__phase--done"}


def test_before_the_first_phase_all_are_planned(tmp_path):
    content = small_roadmap(tmp_path)
    build(content, tmp_path / "site", today="2024-11-01")
    page = soup(tmp_path / "site" / "lo-trinh" / "index.html")
    assert all("timeline__phase--planned" in li["class"] for li in page.select("ol.timeline > li"))
    assert all(v[1] is None for v in table_figures(tmp_path / "site").values())


# --- the sample site ------------------------------------------------------------------------------

def test_sample_roadmap_figures_match_an_independent_count(sample_site):
    content = ROOT / "content"
    assert list((content / "roadmap").glob("*.md")), "the sample content has no roadmap phases"
    want = {k: v for k, v in independent_figures(content, dt.date.fromisoformat(SAMPLE_TODAY)).items()
            if k[1] in ("branches", "reception_points", "non_geographic_procedures")}
    got = {k: v[1] for k, v in table_figures(sample_site).items()}
    assert got == want


@pytest.mark.browser
def test_roadmap_pages_pass_axe(page, site_url):
    page.goto(site_url + "/lo-trinh/")
    assert page.locator("svg.roadmap-chart").count() == 1
    assert_no_axe_violations(page)
    first = page.locator("ol.timeline > li h2 a").first
    href = first.get_attribute("href")
    page.goto(site_url + href)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_roadmap_works_with_keyboard_and_without_javascript(nojs_page, site_url):
    nojs_page.goto(site_url + "/lo-trinh/")
    assert nojs_page.locator("table.roadmap-figures").is_visible()
    link = nojs_page.locator("ol.timeline > li h2 a").first
    href = link.get_attribute("href")
    link.focus()
    with nojs_page.expect_navigation():
        nojs_page.keyboard.press("Enter")
    assert nojs_page.url == site_url + href
    assert nojs_page.locator("main h1").is_visible()


def test_check_warns_about_unnamed_targets_and_overlapping_phases(tmp_path):
    import subprocess

    content = small_content(tmp_path)
    write_phase(content, "giai-doan-1", phase=1, start="2025-01-01", end="2025-06-30", targets={"kiosks": 5})
    write_phase(content, "giai-doan-2", phase=2, start="2025-06-01", end="2025-12-31", targets={"branches": 2})
    invoke = str(ROOT / ".venv" / "bin" / "invoke")
    proc = subprocess.run([invoke, "check", "--content", str(content), "--today", TODAY], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr  # warnings only
    out = proc.stdout + proc.stderr
    lines = (content / "roadmap" / "giai-doan-1.md").read_text(encoding="utf-8").split("\n")
    kiosks = next(i for i, l in enumerate(lines, 1) if "kiosks" in l)
    assert re.search(rf"roadmap/giai-doan-1\.md:{kiosks}:.*kiosks.*label", out), out
    start = next(i for i, l in enumerate((content / "roadmap" / "giai-doan-2.md").read_text(encoding="utf-8").split("\n"), 1)
                 if l.startswith("start:"))
    assert re.search(rf"roadmap/giai-doan-2\.md:{start}:", out), out
