"""Bad content stops the build with a message naming the file, the line, the field and the problem,
lists every problem at once, and leaves the previously built site exactly as it was."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import DATA, build

MINIMAL = DATA / "minimal"


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def line_of(path: Path, startswith: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith(startswith):
            return i
    raise AssertionError(f"{startswith!r} not in {path}")


@pytest.fixture
def content(tmp_path):
    dest = tmp_path / "content"
    shutil.copytree(MINIMAL, dest)
    return dest


@pytest.fixture
def built(tmp_path, content):
    out = tmp_path / "site"
    build(content, out)
    return out


def edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# Each case: (break the content, file named in the message, field, words of the problem, line marker)
CASES = {
    "yaml syntax": (lambda c: edit(c / "news/khai-truong.md", "title: Khai trương giai đoạn I", "title: [Khai trương"),
                    "news/khai-truong.md", None, "lỗi cú pháp YAML", "title:"),
    "date that is not a date": (lambda c: edit(c / "procedures/dang-ky-khai-sinh.md", "updated: 2025-01-15", "updated: 2025-13-45"),
                                "procedures/dang-ky-khai-sinh.md", "updated", "không phải là ngày hợp lệ", "updated:"),
    "unknown kind": (lambda c: edit(c / "offices/trung-tam-tinh.md", "kind: trung-tam", "kind: quay-giao-dich"),
                     "offices/trung-tam-tinh.md", "kind", "không hợp lệ", "kind:"),
    "unknown channel kind": (lambda c: edit(c / "procedures/dang-ky-khai-sinh.md", "- kind: truc-tuyen", "- kind: qua-mang"),
                             "procedures/dang-ky-khai-sinh.md", "channels[1].kind", "qua-mang", "- kind: qua-mang"),
    "coordinates outside Vietnam": (lambda c: edit(c / "offices/trung-tam-tinh.md", "lat: 10.98", "lat: 48.85"),
                                    "offices/trung-tam-tinh.md", "lat", "ngoài Việt Nam", "lat:"),
    "end before start": (lambda c: edit(c / "roadmap/giai-doan-1.md", "end: 2024-12-31", "end: 2024-11-01"),
                         "roadmap/giai-doan-1.md", "end", "trước ngày bắt đầu", "end:"),
    "reserved slug": (lambda c: shutil.copy(c / "offices/trung-tam-tinh.md", c / "offices/gan-nhat.md"),
                      "offices/gan-nhat.md", None, "dành riêng", None),
    "reserved page slug": (lambda c: shutil.copy(c / "pages/gioi-thieu.md", c / "pages/thu-tuc.md"),
                           "pages/thu-tuc.md", None, "dành riêng", None),
    "duplicate code": (lambda c: write(c / "procedures/khai-sinh-2.md", (c / "procedures/dang-ky-khai-sinh.md").read_text(encoding="utf-8")),
                       "procedures/khai-sinh-2.md", "code", "trùng", "code:"),
    "duplicate slug": (lambda c: write(c / "procedures/ho-tich/dang-ky-khai-sinh.md",
                                       (c / "procedures/dang-ky-khai-sinh.md").read_text(encoding="utf-8").replace("T-001", "T-009")),
                       "dang-ky-khai-sinh.md", None, "đã được dùng", None),
    "merged into unknown office": (lambda c: edit(c / "offices/diem-tiep-nhan-hiep-thanh.md", "merged_into: trung-tam-tinh", "merged_into: chi-nhanh-khong-co"),
                                   "offices/diem-tiep-nhan-hiep-thanh.md", "merged_into", "chi-nhanh-khong-co", "merged_into:"),
    "unknown related procedure": (lambda c: edit(c / "procedures/cap-chung-minh-nhan-dan.md", "related: [dang-ky-khai-sinh]", "related: [khong-ton-tai]"),
                                  "procedures/cap-chung-minh-nhan-dan.md", "related", "khong-ton-tai", "related:"),
    "unknown replaced_by": (lambda c: edit(c / "procedures/cap-chung-minh-nhan-dan.md", "replaced_by: dang-ky-khai-sinh", "replaced_by: the-can-cuoc"),
                            "procedures/cap-chung-minh-nhan-dan.md", "replaced_by", "the-can-cuoc", "replaced_by:"),
    "missing form file": (lambda c: (c / "forms/to-khai-khai-sinh.pdf").unlink(),
                          "procedures/dang-ky-khai-sinh.md", "documents[0].form", "to-khai-khai-sinh.pdf", "form:"),
    "missing required field": (lambda c: edit(c / "procedures/dang-ky-khai-sinh.md", "result: Giấy khai sinh\n", ""),
                               "procedures/dang-ky-khai-sinh.md", "result", "thiếu trường bắt buộc", None),
    "misspelt field": (lambda c: edit(c / "procedures/dang-ky-khai-sinh.md", "agency:", "agancy:"),
                       "procedures/dang-ky-khai-sinh.md", "agancy", "không được hỗ trợ", "agancy:"),
    "number written in words": (lambda c: edit(c / "procedures/dang-ky-khai-sinh.md", "  originals: 1\n  copies: 0\n  form", "  originals: một\n  copies: 0\n  form"),
                                "procedures/dang-ky-khai-sinh.md", "documents[0].originals", "số nguyên", "originals: một"),
    "file name not a slug": (lambda c: shutil.move(c / "pages/gioi-thieu.md", c / "pages/Giới thiệu.md"),
                             "Giới thiệu.md", None, "chữ thường không dấu", None),
    "no front matter": (lambda c: write(c / "pages/trong.md", "Chỉ có nội dung\n"),
                        "pages/trong.md", None, "front matter", None),
    "bad site url": (lambda c: edit(c / "site.yaml", "url: https://portal.example.vn", "url: portal.example.vn"),
                     "site.yaml", "url", "https://", "url:"),
    "unknown popular procedure": (lambda c: edit(c / "site.yaml", "popular_procedures: [dang-ky-khai-sinh]", "popular_procedures: [dang-ky-khai-sinh, khong-co]"),
                                  "site.yaml", "popular_procedures[1]", "khong-co", "popular_procedures:"),
    "ward outside Vietnam": (lambda c: edit(c / "wards.yaml", "  lon: 106.66", "  lon: 2.35"),
                             "wards.yaml", "lon", "ngoài Việt Nam", "lon: 2.35"),
    "synonym group not a list": (lambda c: write(c / "search/synonyms.yaml", "groups:\n  - terms: [CCCD]\n"),
                                 "synonyms.yaml", None, "ít nhất 2 từ", None),
    "unknown news category": (lambda c: edit(c / "news/khai-truong.md", "category: tin-tuc", "category: su-kien"),
                              "news/khai-truong.md", "category", "su-kien", "category:"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_content_stops_build_and_keeps_site(case, content, built):
    breaker, file, field, words, marker = CASES[case]
    # the line is found in the file itself, after breaking it
    breaker(content)
    before = snapshot(built)
    proc = build(content, built, check=False)
    assert proc.returncode != 0, f"{case}: build succeeded on bad content"
    message = proc.stdout + proc.stderr
    lines = [l for l in message.splitlines() if file in l]
    assert lines, f"{case}: no message names {file}:\n{message}"
    relevant = [l for l in lines if words in l and (field is None or f"'{field}'" in l)]
    assert relevant, f"{case}: no message with field {field!r} and {words!r}:\n{message}"
    if marker:
        target = next((p for p in content.rglob(Path(file).name)), None)
        expected_line = line_of(target, marker)
        assert any(re.search(rf":{expected_line}: |dòng {expected_line}\b", l) for l in relevant), \
            f"{case}: line {expected_line} not named:\n{message}"
    assert "Traceback" not in message, f"{case}: a traceback instead of a message:\n{message}"
    assert snapshot(built) == before, f"{case}: the previous site was changed"


def test_every_problem_reported_at_once(content, built):
    edit(content / "procedures/dang-ky-khai-sinh.md", "online: toan-trinh", "online: hoan-toan")
    edit(content / "offices/trung-tam-tinh.md", "lon: 106.65", "lon: 150.0")
    edit(content / "roadmap/giai-doan-1.md", "phase: 1", "phase: một")
    proc = build(content, built, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for f, field in (("procedures/dang-ky-khai-sinh.md", "online"), ("offices/trung-tam-tinh.md", "lon"),
                     ("roadmap/giai-doan-1.md", "phase")):
        assert any(f in l and f"'{field}'" in l for l in out.splitlines()), f"{f} {field} missing:\n{out}"
    assert "3 lỗi" in out


def test_check_reports_without_building(content, tmp_path):
    import subprocess
    from conftest import ROOT
    edit(content / "offices/trung-tam-tinh.md", "kind: trung-tam", "kind: quay")
    proc = subprocess.run([str(ROOT / ".venv/bin/invoke"), "check", "--content", str(content)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "offices/trung-tam-tinh.md" in proc.stderr and "'kind'" in proc.stderr
    assert not (ROOT / "output" / ".building").exists()


def test_valid_minimal_content_builds(built):
    assert (built / "thu-tuc" / "dang-ky-khai-sinh" / "index.html").is_file()
    assert (built / "bieu-mau" / "to-khai-khai-sinh.pdf").is_file()
    assert (built / "index.html").is_file()


def test_warnings_are_printed_and_do_not_stop_the_build(content, tmp_path):
    page = content / "pages" / "gioi-thieu.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nDòng một.\n\n![](/images/toa-nha.jpg)\n", encoding="utf-8")
    expected_line = page.read_text(encoding="utf-8").splitlines().index("![](/images/toa-nha.jpg)") + 1
    out = tmp_path / "warned"
    proc = build(content, out)
    assert proc.returncode == 0
    message = proc.stdout + proc.stderr
    assert f"pages/gioi-thieu.md:{expected_line}" in message and "alt" in message, message
    assert (out / "gioi-thieu" / "index.html").is_file()
