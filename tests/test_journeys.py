"""Life events, step by step: journeys checked at build time, their pages, their one checklist of
documents, each procedure page's place in them, and search's block of life events."""
from __future__ import annotations

import re
import shutil
import unicodedata

import pytest
import yaml
from bs4 import BeautifulSoup

from playwright.sync_api import expect

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
    assert {a["href"] for a in listing.select(".journey-list a")} == {
        f"/su-kien/{f.stem}/" for f in (ROOT / "content" / "journeys").glob("*.md")}
    assert "Dữ liệu mẫu" in page.get_text()


def test_a_procedure_page_says_where_it_stands_in_each_journey(site):
    page = BeautifulSoup((site / "thu-tuc" / "dang-ky-thuong-tru" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    places = [n.get_text(" ", strip=True) for n in page.select("nav.journey-place")]
    assert any(p.startswith("Bước 2 trong 3 – Khi sinh con") and "Bước trước: Đăng ký khai sinh" in p
               and "Bước tiếp theo: Cấp thẻ bảo hiểm y tế cho con" in p for p in places)
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


# --- the journey's one checklist -------------------------------------------------------------
def _same(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _documents(slug: str) -> list[dict]:
    text = (ROOT / "content" / "procedures" / f"{slug}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])["documents"]


def _checklist_by_step(page) -> dict[str, list]:
    """Step heading -> [(option heading or None, case heading or None, document name)] in page order."""
    out, step, option, case = {}, None, None, None
    for node in page.select_one(".journey-checklist").find_all(["h3", "h4", "h5", "span"]):
        if node.name == "h3":
            step, option, case = node.get_text(" ", strip=True), None, None
            out[step] = []
        elif node.name == "h4" and "journey-checklist__option" in node.get("class", []):
            option, case = node.get_text(" ", strip=True), None
        elif "checklist__case" in node.get("class", []):
            case = node.get_text(" ", strip=True)
        elif "checklist__name" in node.get("class", []):
            out[step].append((option, case, node.get_text(" ", strip=True)))
    return out


def test_the_checklist_has_each_document_of_the_journey_once_under_the_first_step_needing_it(site):
    data = _front("khi-sinh-con.md")
    page = BeautifulSoup((site / "su-kien" / "khi-sinh-con" / "index.html").read_text(encoding="utf-8"), "html.parser")
    by_step = _checklist_by_step(page)
    assert list(by_step) == [f"Bước {i}. {s['title']}" for i, s in enumerate(data["steps"], 1)]
    listed = [(step, _same(name)) for step, docs in by_step.items() for _, _, name in docs]
    # every document of every procedure of the journey, each once (same name after NFC, case, spaces)
    wanted = {_same(d["name"]) for s in data["steps"] for slug in s["procedures"] for d in _documents(slug)}
    assert sorted(name for _, name in listed) == sorted(wanted)
    # the identity document both the birth and the insurance card ask for: under step 1 only
    card = _same("Thẻ căn cước hoặc giấy tờ tùy thân có ảnh của người đi đăng ký")
    assert any(d["name"] and _same(d["name"]) == card for d in _documents("cap-the-bao-hiem-y-te-cho-tre-em-duoi-6-tuoi"))
    assert [step for step, name in listed if name == card] == [f"Bước 1. {data['steps'][0]['title']}"]
    # documents that depend on the case keep their case heading
    cases = {case: name for _, case, name in by_step[f"Bước 1. {data['steps'][0]['title']}"]}
    assert cases.get("Trường hợp trẻ bị bỏ rơi") == "Biên bản xác nhận việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập"


def test_a_choice_step_groups_its_documents_per_option(site):
    page = BeautifulSoup((site / "su-kien" / "khi-chuyen-noi-o" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    first = next(iter(_checklist_by_step(page).values()))
    options = list(dict.fromkeys(option for option, _, _ in first))
    assert options == ["Nếu chọn «Đăng ký thường trú»", "Nếu chọn «Đăng ký tạm trú»"]
    for option, slug in zip(options, ["dang-ky-thuong-tru", "dang-ky-tam-tru"]):
        assert sorted(_same(n) for o, _, n in first if o == option) == sorted(_same(d["name"]) for d in _documents(slug))


def _load(content):
    import os

    from pelican.settings import read_settings

    from portal_core import registry
    from portal_core.content import load_store

    os.environ["PORTAL_TODAY"] = TODAY
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "PORTAL_TODAY": TODAY})
    registry.register_plugins(settings["PLUGINS"])
    return load_store(content, settings)


def test_after_a_choice_only_what_every_option_needs_counts_as_brought(tmp_path):
    import portal_journeys.portal_journeys as journeys

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "journeys" / "thu.md").write_text(
        "---\ntitle: Thử\nsummary: Thử.\nsteps:\n"
        "  - title: Chọn\n    choice: true\n    procedures:\n      - dang-ky-thuong-tru\n      - dang-ky-tam-tru\n"
        "  - title: Sau\n    procedures:\n      - dang-ky-tam-tru\n      - xoa-dang-ky-thuong-tru\n"
        "updated: 2025-05-12\n---\n", encoding="utf-8")
    store = _load(content)
    steps = journeys.checklist(store, store.get("journeys", "thu"))
    later = [_same(d["name"]) for g in steps[1]["groups"] for d in g["items"]]
    # the residence form: both options need it, so it is not asked again
    assert _same("Tờ khai thay đổi thông tin cư trú (mẫu CT01)") not in later
    # proof of a lawful home: only the temporary-residence option needed it, so it is asked again
    assert _same("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp") in later
    assert _same("Giấy tờ, tài liệu chứng minh thuộc trường hợp bị xóa đăng ký thường trú") in later
    ids = [d["id"] for s in steps for g in s["groups"] + [g for o in s["options"] for g in o["groups"]]
           for d in g["items"]]
    assert len(ids) == len(set(ids))


# --- in the browser --------------------------------------------------------------------------
@pytest.mark.browser
def test_steps_open_and_close_and_the_address_keeps_which(page, serve, site):
    url = serve(site)
    page.goto(f"{url}/su-kien/khi-sinh-con/")
    step2 = page.get_by_role("button", name=re.compile(r"Bước 2\."))
    expect(step2).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#buoc-2 .journey-steps__procedures")).to_be_hidden()
    step2.click()
    expect(step2).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#buoc-2").get_by_role("link", name="Đăng ký thường trú")).to_be_visible()
    page.wait_for_url(re.compile(r"\?mo=2$"))
    page.reload()
    expect(page.get_by_role("button", name=re.compile(r"Bước 2\."))).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#buoc-1 .journey-steps__procedures")).to_be_hidden()
    # keyboard: the "open all" button, then Enter
    every = page.get_by_role("button", name="Mở tất cả các bước")
    every.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Thu gọn tất cả các bước")).to_be_visible()
    page.wait_for_url(re.compile(r"\?mo=1%2C2%2C3$|\?mo=1,2,3$"))
    assert axe_violations(page) == []


@pytest.mark.browser
def test_a_procedure_pages_step_box_leads_to_that_step_opened(page, serve, site):
    url = serve(site)
    page.goto(f"{url}/thu-tuc/dang-ky-thuong-tru/")
    box = page.locator("nav.journey-place", has_text="Khi sinh con")
    expect(box).to_contain_text("Bước 2 trong 3")
    box.get_by_role("link", name="Cấp thẻ bảo hiểm y tế cho con").click()
    page.wait_for_url(re.compile(r"/su-kien/khi-sinh-con/.*#buoc-3$"))
    expect(page.get_by_role("button", name=re.compile(r"Bước 3\."))).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#buoc-3").get_by_role("link", name="Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi")).to_be_visible()


@pytest.mark.browser
def test_printing_a_journey_gives_its_checklist_with_each_document_once(page, serve, site):
    url = serve(site)
    page.goto(f"{url}/su-kien/khi-sinh-con/")
    expect(page.get_by_role("button", name="In danh sách giấy tờ")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".journey-steps")).to_be_hidden()
    names = page.locator(".journey-checklist .checklist__name")
    expect(names.first).to_be_visible()
    printed = [_same(n) for n in names.all_inner_texts()]
    assert len(printed) == len(set(printed)) > 5
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")


@pytest.mark.browser
def test_search_shows_the_life_event_first_and_keeps_the_procedure_ranking(page, serve, site):
    url = serve(site)
    page.goto(f"{url}/tim-kiem/?q=mo%20quan%20an")
    block = page.locator(".search-topics")
    expect(block.get_by_role("link", name="Khi mở quán ăn, cửa hàng (hộ kinh doanh)")).to_be_visible()
    expect(block.get_by_role("heading", name="Sự kiện trong đời")).to_be_visible()
    results = page.locator("[data-results]")
    expect(results).to_have_attribute("aria-busy", "false")
    # the block comes before the procedure results in the page
    assert page.evaluate("""() => !!(document.querySelector('.search-topics').compareDocumentPosition(
        document.querySelector('[data-results]')) & Node.DOCUMENT_POSITION_FOLLOWING)""")
    # the procedures are what the engine ranks on its own, in the same order
    ranked = page.evaluate("""async () => {
        const engine = await window.PortalSearch.load().complete;
        return engine.search('mo quan an').results.map(r => r.doc[0]); }""")
    expect(results.locator(".search-result__title")).to_have_count(len(ranked))
    assert results.locator(".search-result__title").all_inner_texts() == ranked
    assert axe_violations(page) == []
    # a query naming no life event shows no block
    page.goto(f"{url}/tim-kiem/?q=ho%20chieu")
    expect(results).to_have_attribute("aria-busy", "false")
    expect(block).to_be_hidden()
    # the drop-down of the header search box offers it first too
    page.goto(f"{url}/")
    box = page.locator("header form[role=search] input[name=q]")
    box.fill("sinh con")
    first = page.locator(".search-dropdown__list li").first
    expect(first).to_contain_text("Sự kiện trong đời: Khi sinh con")
