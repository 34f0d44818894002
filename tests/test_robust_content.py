"""No input makes the build crash without naming the file: YAML 1.2 reading, refused YAML features,
unreasonable values, huge files, invisible control characters, dates out of range, merge cycles
on any day, scheduling with the time of day, and random front matter of every type (Hypothesis)."""
from __future__ import annotations

import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, ROOT, SAMPLE_TODAY, build

PROC = "procedures/dang-ky-khai-sinh.md"
OFFICE = "offices/trung-tam-tinh.md"
NEWS = "news/khai-truong.md"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tmp_path_factory.mktemp("robust")


@pytest.fixture
def content(base, request):
    c = base / request.node.name.replace("[", "_").replace("]", "_")
    shutil.rmtree(c, ignore_errors=True)
    shutil.copytree(DATA / "minimal", c)
    return c


def load(content, today=SAMPLE_TODAY):
    """The store of a content folder, or the ContentError it raises (in this process: quick)."""
    import os

    from pelican.settings import read_settings

    from portal_core import registry
    from portal_core.content import ContentError, load_store

    os.environ["PORTAL_TODAY"] = today
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "PORTAL_TODAY": today})
    registry.register_plugins(settings["PLUGINS"])
    try:
        return load_store(content, settings)
    except ContentError as exc:
        return exc


def edit(content, rel, old, new):
    f = content / rel
    text = f.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    f.write_text(text.replace(old, new, 1), encoding="utf-8")


def report(content) -> str:
    result = load(content)
    assert hasattr(result, "report"), "the content was accepted"
    return result.report()


def test_times_and_yes_no_are_text_as_yaml_1_2_reads_them(content):
    edit(content, OFFICE, 'open: "07:30"', "open: 07:30")  # YAML 1.1: 27000 minutes
    edit(content, OFFICE, 'close: "17:00"', "close: 17:00")
    store = load(content)
    assert not hasattr(store, "report"), store.report()
    office = store.get("offices", "trung-tam-tinh")
    assert office.hours[0]["open"] == "07:30" and office.hours[1]["close"] == "17:00"


@pytest.mark.parametrize("rel,old,new,field,words", [
    (PROC, "code: T-001", "code: 1.001190", "code", "dấu nháy để giữ đúng như đã gõ: '1.001190'"),
    (PROC, "title: Đăng ký khai sinh", "title: x\ntitle: y", "", "được viết hai lần"),
    (PROC, "title: Đăng ký khai sinh", "title: &t Đăng ký khai sinh\nresult: *t", "", "anchor"),
    (PROC, "title: Đăng ký khai sinh", 'title: "   "', "title", "không được để trống"),
    (PROC, "title: Đăng ký khai sinh", "title: " + "Đăng ký " * 60, "title", "không quá 300 ký tự"),
    (PROC, "originals: 1", "originals: 1.0", "documents[0].originals", "số nguyên"),
    (PROC, "originals: 1", "originals: 100000000000000", "", "quá lớn"),
    (OFFICE, "lat: 10.98", "lat: .nan", "", "không phải là một số dùng được"),
    (OFFICE, "lat: 10.98", "lat: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "", "lồng nhau quá sâu"),
    (PROC, "updated: 2025", "updated: 1890", "updated", "nằm ngoài khoảng 1990–2100"),
    (OFFICE, "opened: 2024-12-02", "opened: 2124-12-02", "opened", "nằm ngoài khoảng 1990–2100"),
    (PROC, "agency: Ủy ban", "agency: Ủy\u202eban", "", "ký tự điều khiển vô hình"),
])
def test_unreasonable_input_is_an_error_with_file_line_and_field(content, rel, old, new, field, words):
    edit(content, rel, old, new)
    text = report(content)
    line = next(line for line in text.splitlines() if words in line)
    assert f"{rel}:" in line, line
    if field:
        assert f"trường '{field}'" in line, line


def test_a_huge_file_is_refused_by_its_size(content):
    f = content / "pages" / "gioi-thieu.md"
    f.write_text(f.read_text(encoding="utf-8") + ("Một đoạn rất dài. " * 80000), encoding="utf-8")
    assert "pages/gioi-thieu.md: tệp quá lớn" in report(content)


def test_a_merge_cycle_still_to_come_is_an_error_on_any_day(content):
    edit(content, OFFICE, "accepts: all", "accepts: all\nmerged_into: diem-tiep-nhan-hiep-thanh\nmerged_on: 2030-01-01")
    edit(content, "offices/diem-tiep-nhan-hiep-thanh.md", "merged_on: 2025-06-30", "merged_on: 2030-06-01")
    for today in ("2025-10-15", "2031-01-01"):
        result = load(content, today)
        assert hasattr(result, "report") and "quay vòng" in result.report(), today


def test_an_updated_date_after_today_is_a_warning(content):
    edit(content, PROC, "updated: 2025", "updated: 2026")
    store = load(content, "2025-10-15")
    assert not hasattr(store, "report")
    assert any("ngày cập nhật" in str(w) and PROC in str(w) for w in store.warnings)


def test_an_item_dated_today_at_night_is_not_out_in_the_afternoon(content, base):
    edit(content, NEWS, "date: 2024-12-02", "date: 2025-10-15 23:59")
    out = base / "site-time"
    build(content, out, today="2025-10-15 13:50")
    assert not (out / "tin-tuc" / "khai-truong" / "index.html").exists()
    build(content, out, today="2025-10-15T23:59")
    assert (out / "tin-tuc" / "khai-truong" / "index.html").is_file()


def test_a_mistyped_today_is_a_clear_error(content, base):
    proc = build(content, base / "site-bad-today", today="2025-13-45", check=False)
    assert proc.returncode == 2 and "--today: '2025-13-45'" in proc.stderr and "Traceback" not in proc.stderr


def test_the_build_exits_2_without_a_traceback(content, base):
    edit(content, PROC, "code: T-001", "code: T-001\ncode: T-002")
    proc = build(content, base / "site-dup", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"content/{PROC}:3:" in proc.stderr.replace(str(content.name), "content")


# --- random front matter of every content type --------------------------------------------------
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**16, max_value=10**16),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
                    st.sampled_from(["2025-07-01", "2025-13-45", "07:30", "yes", "all", "non-geographic", "tinh",
                                     "toan-trinh", "truc-tiep", "mon-fri", "Hộ tịch", "1.001190", "\u202e"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)
FIELDS = {
    "procedures": ["code", "title", "field", "agency", "levels", "online", "non_geographic", "channels", "documents",
                   "requirements", "result", "legal_basis", "updated", "related", "status", "replaced_by"],
    "offices": ["name", "kind", "address", "ward", "lat", "lon", "hours", "accepts", "opened", "merged_into",
                "merged_on", "closed_on", "closed_dates"],
    "news": ["title", "date", "category", "summary", "status", "expires", "pinned", "tags"],
    "roadmap": ["phase", "title", "start", "end", "targets"],
    "pages": ["title", "summary", "menu", "updated"],
}
FRONT = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda kind: st.tuples(st.just(kind), st.dictionaries(st.sampled_from(FIELDS[kind] + ["x"]), VALUES, max_size=8)))


def _fresh(content):
    """A fresh copy of the minimal content folder at `content`."""
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(DATA / "minimal", content)
    return content


def _yaml_or(value, junk: str) -> str:
    """`value` written as YAML (a text as it is), or `junk` when YAML cannot write it."""
    if isinstance(value, str):
        return value
    try:
        return yaml.safe_dump(value, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return junk


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(front=FRONT, raw=st.booleans(), junk=st.text(max_size=60))
def test_random_front_matter_is_accepted_or_reported_never_a_crash(base, front, raw, junk):
    from portal_core.content import ContentError

    kind, data = front
    content = _fresh(base / "random")
    header = _yaml_or(junk if raw else data, junk)
    (content / kind).mkdir(exist_ok=True)
    (content / kind / "ngau-nhien.md").write_text(f"---\n{header}\n---\nNội dung.\n", encoding="utf-8")
    result = load(content)
    if isinstance(result, ContentError):
        assert result.problems and all(p.file for p in result.problems)
        assert any(f"{kind}/ngau-nhien.md" in p.file for p in result.problems), result.report()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(which=st.sampled_from(["site.yaml", "wards.yaml", "search/synonyms.yaml"]), value=VALUES,
       raw=st.booleans(), junk=st.text(max_size=80))
def test_random_yaml_files_are_accepted_or_reported_never_a_crash(base, which, value, raw, junk):
    """The single YAML files (site settings, wards, synonyms) too."""
    from portal_core.content import ContentError

    content = _fresh(base / "random-yaml")
    (content / which).write_text(_yaml_or(junk if raw else value, junk), encoding="utf-8")
    result = load(content)
    if isinstance(result, ContentError):
        assert result.problems and all(p.file for p in result.problems), result.report()
