"""Procedure pages, listings, open data and cross-checks, checked on the files the build writes.

Expected values come from the content files themselves (read here with yaml), never from the
plugin's code. Browser checks (print, QR, filters, axe) are in test_procedures_browser.py.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DATA, ROOT, build

SITE_DIR = DATA / "procedures-site"
TODAY = "2025-10-15"


# --- reading the source files, independently of the plugin ------------------------------------
def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    _, fm, _ = text.split("---\n", 2)
    return yaml.safe_load(fm)


def body_of(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


def sources(content: Path) -> dict[str, dict]:
    return {f.stem: front_matter(f) for f in sorted((content / "procedures").rglob("*.md"))}


def jsonable(value):
    """Dates as ISO strings, as the open data publishes them."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def ascii_slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def site_url(content: Path) -> str:
    return yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))["url"].rstrip("/")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").split())


def squash(s) -> str:
    return " ".join(str(s).split())


def listed_slugs(page: Path) -> list[str]:
    """Procedure slugs linked from the procedure lists of a listing page."""
    doc = soup(page)
    return [re.fullmatch(r"/thu-tuc/([a-z0-9-]+)/", a["href"]).group(1)
            for a in doc.select("main .proc-list li > a")]


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("procedures") / "site"
    build(SITE_DIR, out, today=TODAY)
    return out


@pytest.fixture
def small_content(tmp_path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(SITE_DIR, dest)
    return dest


# --- the procedure page --------------------------------------------------------------------
LEVEL_WORDS = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện (trước 01/7/2025)", "xa": "Cấp xã"}
ONLINE_WORDS = {"toan-trinh": "Toàn trình", "mot-phan": "Một phần", "khong": "Không trực tuyến"}
CHANNEL_WORDS = {"truc-tiep": "Trực tiếp", "truc-tuyen": "Trực tuyến", "buu-chinh": "Bưu chính"}


def test_page_shows_every_field_of_its_file(small_site):
    srcs = sources(SITE_DIR)
    for slug, data in srcs.items():
        doc = soup(small_site / "thu-tuc" / slug / "index.html")
        main = doc.select_one("main")
        text = text_of(main)
        for key in ("code", "title", "field", "agency", "result", "applicants", "decision"):
            if key in data:
                assert squash(data[key]) in text, f"{slug}: {key} {data[key]!r} not on the page"
        assert squash(data["requirements"]) in text
        for lvl in data["levels"]:
            assert LEVEL_WORDS[lvl] in text, f"{slug}: level {lvl}"
        assert ONLINE_WORDS[data["online"]] in text
        assert ("Phi địa giới hành chính" in text) and (
            "Nộp tại bất kỳ" in text) == (data["non_geographic"] and data.get("status") != "abolished")
        rows = [[text_of(c) for c in tr.select("th, td")] for tr in main.select(".summary tbody tr")]
        assert rows == [[CHANNEL_WORDS[c["kind"]], squash(c["time_limit"]), squash(c["fee"])]
                        for c in data["channels"]], slug
        items = main.select(".checklist li")
        assert len(items) == len(data["documents"])
        for d in data["documents"]:
            li = next(li for li in items if text_of(li.select_one(".checklist__name")) == squash(d["name"]))
            assert li.select_one("input[type=checkbox]") is not None
            assert f"Bản chính: {d['originals']}" in text_of(li) and f"Bản sao: {d['copies']}" in text_of(li)
            if "note" in d:
                assert squash(d["note"]) in text_of(li)
            if "form" in d:
                assert li.select_one(f'a[href="/bieu-mau/{d["form"]}"]') is not None
                assert (small_site / "bieu-mau" / d["form"]).is_file()
            if "case" in d:  # the document sits under its case's heading
                heading = li.find_parent("ul").find_previous_sibling(["h3"])
                assert text_of(heading) == squash(d["case"])
        assert [text_of(li) for li in main.select("ol.steps li")] == [squash(s) for s in data.get("steps", [])]
        for law in data["legal_basis"]:
            assert squash(law) in text
        for k in data.get("keywords", []):
            assert k in text
        related = [a["href"] for a in main.select(".related a")]
        for r in data.get("related", []):
            if srcs[r].get("status") != "abolished":
                assert f"/thu-tuc/{r}/" in related[:len(data["related"])], f"{slug}: related {r} not first"
        updated = data["updated"]
        assert updated.strftime("%d/%m/%Y") in text
        if data.get("sample"):
            assert main.select_one(".sample-notice") is not None
        body_words = squash(BeautifulSoup(body_of(SITE_DIR / "procedures" / f"{slug}.md"), "html.parser").get_text())
        for word in re.findall(r"\w{4,}", body_words)[:10]:
            assert word in text


def test_title_description_and_json_ld_are_escaped(small_site):
    data = front_matter(SITE_DIR / "procedures" / "chung-thuc-ban-sao.md")
    html = (small_site / "thu-tuc" / "chung-thuc-ban-sao" / "index.html").read_text(encoding="utf-8")
    doc = BeautifulSoup(html, "html.parser")
    assert doc.title.string.startswith(data["title"])
    assert text_of(doc.select_one("main h1")) == squash(data["title"])
    assert doc.select_one("main h1 b") is None, "markup in a title must not become HTML"
    assert data["title"] in doc.select_one('meta[name=description]')["content"]
    scripts = doc.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    raw = scripts[0].string
    assert "</script" not in raw.lower() and "<" not in raw
    ld = json.loads(raw)
    assert ld["@type"] == "GovernmentService" and ld["@context"] == "https://schema.org"
    assert ld["name"] == data["title"] and ld["identifier"] == data["code"]
    assert ld["url"] == site_url(SITE_DIR) + "/thu-tuc/chung-thuc-ban-sao/"
    assert ld["provider"]["name"] == data["agency"]
    assert [c["name"] for c in ld["availableChannel"]] == [CHANNEL_WORDS[c["kind"]] for c in data["channels"]]


def test_online_and_national_portal_links_follow_site_patterns(small_site):
    site = yaml.safe_load((SITE_DIR / "site.yaml").read_text(encoding="utf-8"))
    for slug, data in sources(SITE_DIR).items():
        doc = soup(small_site / "thu-tuc" / slug / "index.html")
        hrefs = [a["href"] for a in doc.select("main a")]
        filing = site["online_filing_url"].replace("{code}", data["code"])
        national = site["national_portal_url"].replace("{code}", data["code"])
        online = data["online"] != "khong" or any(c["kind"] == "truc-tuyen" for c in data["channels"])
        assert (filing in hrefs) == (online and data.get("status") != "abolished"), slug
        assert national in hrefs, slug


def test_where_to_file(small_site):
    doc = soup(small_site / "thu-tuc" / "dang-ky-khai-sinh" / "index.html")  # non-geographic
    where = doc.select_one("main .where")
    assert "bất kỳ" in text_of(where)
    assert where.select_one('a[href="/dia-diem/gan-nhat/?thu-tuc=dang-ky-khai-sinh"]') is not None
    # Chứng thực: only the center accepts 'all' and is open; the closed and the planned ones are not listed
    doc = soup(small_site / "thu-tuc" / "chung-thuc-ban-sao" / "index.html")
    names = [text_of(a) for a in doc.select("main .where__offices a")]
    assert names == ["Trung tâm tỉnh thử"]
    assert "Số 1, đường Thử" in text_of(doc.select_one("main .where"))
    # Đất đai: 7 open offices accept it, more than a page lists: the center, a count and the finder
    doc = soup(small_site / "thu-tuc" / "cap-giay-chung-nhan-dat" / "index.html")
    where = doc.select_one("main .where")
    assert [text_of(a) for a in where.select(".where__offices a")] == ["Trung tâm tỉnh thử"]
    assert "7 địa điểm" in text_of(where) and "Chi nhánh đất đai" not in text_of(where)
    assert where.select_one('a[href="/dia-diem/gan-nhat/?thu-tuc=cap-giay-chung-nhan-dat"]') is not None


def test_abolished_procedure_keeps_page_and_leaves_listings(small_site):
    srcs = sources(SITE_DIR)
    abolished = [s for s, d in srcs.items() if d.get("status") == "abolished"]
    assert abolished
    for slug in abolished:
        doc = soup(small_site / "thu-tuc" / slug / "index.html")
        notice = doc.select_one("main .notice--abolished")
        assert notice is not None and "bãi bỏ" in text_of(notice)
        target = srcs[slug]["replaced_by"]
        assert notice.select_one(f'a[href="/thu-tuc/{target}/"]') is not None
        assert text_of(notice.select_one("a")) == srcs[target]["title"]
        assert not doc.select('script[type="application/ld+json"]')
        assert (small_site / "thu-tuc" / slug / "qr.svg").is_file()
        assert (small_site / "thu-tuc" / slug / "qr" / "index.html").is_file()
    listings = [small_site / "thu-tuc" / "index.html", *(small_site / "thu-tuc").glob("*/index.html"),
                *(small_site / "thu-tuc").glob("*/*/index.html")]
    assert len([p for p in listings if p.parent.parent.name in ("linh-vuc", "cap")]) >= 6
    for page in listings:
        for slug in abolished:
            assert slug not in listed_slugs(page), f"{slug} listed on {page}"
    # and no procedure links to it as related
    for slug in srcs:
        doc = soup(small_site / "thu-tuc" / slug / "index.html")
        assert not any(a["href"] == f"/thu-tuc/{a_}/" for a in doc.select("main .related a") for a_ in abolished)


# --- listings --------------------------------------------------------------------------------
def expected_lists(srcs):
    active = {s: d for s, d in srcs.items() if d.get("status", "active") == "active"}
    return active, {
        "thu-tuc/truc-tuyen": {s for s, d in active.items() if d["online"] == "toan-trinh"},
        "thu-tuc/phi-dia-gioi": {s for s, d in active.items() if d["non_geographic"]},
        **{f"thu-tuc/cap/{lvl}": {s for s, d in active.items() if lvl in d["levels"]} for lvl in ("tinh", "huyen", "xa")},
        **{f"thu-tuc/linh-vuc/{ascii_slug(d['field'])}": {s for s, e in active.items() if e["field"] == d["field"]}
           for d in srcs.values()},
    }


@pytest.mark.parametrize("which", ["small", "sample"])
def test_listings_are_static_and_complete(which, small_site, sample_site):
    out, content = (small_site, SITE_DIR) if which == "small" else (sample_site, ROOT / "content")
    srcs = sources(content)
    active, pages = expected_lists(srcs)
    index = soup(out / "thu-tuc" / "index.html")
    assert sorted(listed_slugs(out / "thu-tuc" / "index.html")) == sorted(active)
    # grouped by field with counts; field names in Vietnamese alphabetical order
    fields = {}
    for d in active.values():
        fields[d["field"]] = fields.get(d["field"], 0) + 1
    groups = index.select("main section.proc-group")
    shown = [(text_of(g.select_one("h2 a")), int(text_of(g.select_one("[data-count]")))) for g in groups]
    assert dict(shown) == fields
    for g in groups:
        name = text_of(g.select_one("h2 a"))
        assert len(g.select(".proc-list li")) == fields[name]
        assert g.select_one("h2 a")["href"] == f"/thu-tuc/linh-vuc/{ascii_slug(name)}/"
    for path, expected in pages.items():
        page = out / path / "index.html"
        assert page.is_file(), path
        assert sorted(listed_slugs(page)) == sorted(expected), path
        assert re.fullmatch(r"[a-z0-9/-]+", path), f"slug not ASCII: {path}"
    # no page repeats hundreds of items: each listing line stays one short line
    for li in index.select("main .proc-list li"):
        assert len(str(li)) < 400


def test_vietnamese_alphabetical_order(small_site):
    groups = [text_of(h) for h in soup(small_site / "thu-tuc" / "index.html").select("main .proc-group h2 a")]
    assert groups == ["Chứng thực", "Đất đai", "Hộ tịch"]  # Đ after C and D, before H
    from portal_core.text import sort_key as vi_sort_key
    words = ["Gia hạn", "Đăng ký", "Cấp", "Dừng", "Ảnh", "An", "Ăn", "Ân", "Ô tô", "Ơn", "Ong", "Ưu", "Uống"]
    assert sorted(words, key=vi_sort_key) == ["An", "Ảnh", "Ăn", "Ân", "Cấp", "Dừng", "Đăng ký", "Gia hạn",
                                             "Ong", "Ô tô", "Ơn", "Uống", "Ưu"]


def test_related_procedures_come_from_indexes():
    from portal_core.content import Item
    from portal_procedures.portal_procedures import related_procedures

    def proc(slug, field, keywords=(), related=(), active=True):
        p = Item("procedures", slug, f"{slug}.md", {"title": slug, "field": field, "keywords": list(keywords),
                                                     "related": list(related)})
        p.active = active
        return p

    procs = [proc("a", "F", ["x"]), proc("b", "F"), proc("c", "G", ["x"]), proc("d", "G", related=["e"]),
             proc("e", "H"), proc("f", "F", active=False), *(proc(f"z{i}", "Z") for i in range(20))]
    rel = related_procedures(procs, limit=3)
    assert [q.slug for q in rel["d"]] == ["e", "c"]  # listed in `related` first, then the same field
    assert [q.slug for q in rel["e"]] == ["d"]  # d lists e: e shows d
    assert [q.slug for q in rel["a"]] == ["c", "b"]  # a shared keyword before the same field
    assert "f" not in [q.slug for r in rel.values() for q in r]  # never an abolished one
    assert all(len(r) <= 3 for r in rel.values())
    assert {q.slug for q in rel["z10"]} <= {f"z{i}" for i in range(20)} and len(rel["z10"]) == 3


# --- open data -------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["small", "sample"])
def test_api_matches_files_and_published_schema(which, small_site, sample_site):
    out, content = (small_site, SITE_DIR) if which == "small" else (sample_site, ROOT / "content")
    srcs = sources(content)
    base = site_url(content)
    schema = json.loads((out / "api" / "procedures.schema.json").read_text(encoding="utf-8"))
    records = json.loads((out / "api" / "procedures.json").read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema, format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(records))
    assert not errors, [e.message for e in errors[:5]]
    one = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/procedure"}
    assert sorted(r["slug"] for r in records) == sorted(srcs)  # abolished ones included, with their status
    for r in records:
        data = srcs[r["slug"]]
        assert {k: v for k, v in r.items() if k not in ("slug", "url", "body_html")} == jsonable(data)
        assert r["url"] == f"{base}/thu-tuc/{r['slug']}/"
        single = json.loads((out / "api" / "procedures" / f"{r['slug']}.json").read_text(encoding="utf-8"))
        assert single == r
        jsonschema.validate(single, one, format_checker=jsonschema.FormatChecker())
        body = squash(BeautifulSoup(r["body_html"], "html.parser").get_text())
        words = re.findall(r"\w{3,}", body_of(content / "procedures" / f"{r['slug']}.md"))
        assert bool(body) == bool(words)
        assert all(w in body for w in words[:20])


def test_published_schema_derives_from_the_content_schema(small_site):
    content_schema = json.loads((ROOT / "plugins/portal_procedures/procedure.schema.json").read_text(encoding="utf-8"))
    schema = json.loads((small_site / "api" / "procedures.schema.json").read_text(encoding="utf-8"))
    record = schema["$defs"]["procedure"]
    assert set(record["properties"]) == set(content_schema["properties"]) | {"slug", "url", "body_html", "redirect_from"}  # every Markdown type takes its old addresses
    assert set(record["required"]) == set(content_schema["required"]) | {"slug", "url", "body_html"}
    assert record["additionalProperties"] is False
    assert schema["$id"] == site_url(SITE_DIR) + "/api/procedures.schema.json"
    # a record missing a field or with a wrong value fails
    good = json.loads((small_site / "api" / "procedures" / "dang-ky-khai-sinh.json").read_text(encoding="utf-8"))
    one = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/procedure"}
    for bad in ({k: v for k, v in good.items() if k != "url"}, {**good, "online": "co"}, {**good, "extra": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, one)


# --- cross-checks stop the build -----------------------------------------------------------
def edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_with(path: Path, start: str) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if l.lstrip().startswith(start))


CROSS = {
    "unknown related": ("dang-ky-khai-sinh.md", "related: [dang-ky-ket-hon]", "related: [dang-ky-ket-hon, khong-co-thu-tuc]",
                        "related", "khong-co-thu-tuc", "related:"),
    "unknown replaced_by": ("cap-chung-minh-nhan-dan.md", "replaced_by: dang-ky-khai-sinh", "replaced_by: the-can-cuoc",
                            "replaced_by", "the-can-cuoc", "replaced_by:"),
    "replaced_by on an active procedure": ("dang-ky-ket-hon.md", "updated: 2025-02-01", "updated: 2025-02-01\nreplaced_by: dang-ky-khai-sinh",
                                           "replaced_by", "status: abolished", "replaced_by:"),
    "unknown form": ("dang-ky-khai-sinh.md", "form: to-khai-khai-sinh.pdf", "form: to-khai-khac.pdf",
                     "documents[0].form", "to-khai-khac.pdf", "form:"),
    "duplicate code": ("dang-ky-khai-sinh.md", "code: TT-HT-001", "code: TT-HT-002", "code", "TT-HT-002", "code:"),
    "field spelt two ways": ("dang-ky-khai-sinh.md", "field: Hộ tịch", "field: Hộ  Tịch", "field", "cùng đường dẫn", "field:"),
}


@pytest.mark.parametrize("case", sorted(CROSS))
def test_cross_check_errors_stop_the_build(case, small_content, tmp_path):
    name, old, new, field, words, marker = CROSS[case]
    path = small_content / "procedures" / name
    edit(path, old, new)
    out = tmp_path / "site"
    proc = build(small_content, out, today=TODAY, check=False)
    message = proc.stdout + proc.stderr
    assert proc.returncode == 2, message
    assert not out.exists(), "nothing may be published from bad content"
    lines = [l for l in message.splitlines() if f"procedures/{name}" in l and f"trường '{field}'" in l and words in l]
    assert lines, f"{case}: no message names the file, field and problem:\n{message}"
    assert any(f":{line_with(path, marker)}:" in l for l in lines), f"{case}: wrong line:\n{message}"
    assert "Traceback" not in message


def test_qr_worker_failure_fails_the_build(small_content, tmp_path, monkeypatch):
    """The QR codes are made in the background; if that fails the build must fail, not publish without them."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from portal_procedures import portal_procedures as pp

    bad = tmp_path / "broken_qr.py"
    bad.write_text("import sys\nsys.stderr.write('segno exploded')\nsys.exit(3)\n", encoding="utf-8")
    monkeypatch.setattr(pp, "QR_SCRIPT", bad)
    pp.start_qr_worker([("https://x.example/thu-tuc/a/", tmp_path / "a.svg")], tmp_path / "cache")
    with pytest.raises(RuntimeError, match="segno exploded"):
        pp.wait_for_qr()


def test_qr_svg_written_once_per_procedure_and_cached(small_site):
    srcs = sources(SITE_DIR)
    for slug in srcs:
        svg = (small_site / "thu-tuc" / slug / "qr.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "viewBox" in svg
    # `invoke build` keeps each output folder's cache beside it (.<name>.cache)
    cache = small_site.parent / f".{small_site.name}.cache" / "qr"
    assert cache.is_dir() and len(list(cache.glob("*.svg"))) >= len(srcs)
