"""The editor's workflow: `invoke new news` writes a complete draft, `invoke check` warns (without
stopping anything) about images without alt text and expired pinned items, naming file and line,
and `invoke check --links` reports broken internal links naming the built page, the content file
and the line."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, build
from test_news_helpers import read_front_matter, small_content, soup, write_news

INVOKE = str(ROOT / ".venv" / "bin" / "invoke") if (ROOT / ".venv" / "bin" / "invoke").exists() else "invoke"
TODAY = "2025-10-15"


def invoke(*args) -> subprocess.CompletedProcess:
    return subprocess.run([INVOKE, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def line_with(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


# --- invoke new news ---------------------------------------------------------------------------------

def test_new_news_is_a_draft_dated_today_with_every_field(tmp_path):
    content = small_content(tmp_path)
    proc = invoke("new", "news", "Tiêu đề", "--content", str(content))
    assert proc.returncode == 0, proc.stderr
    path = content / "news" / "tieu-de.md"
    assert path.is_file() and str(path.name) in proc.stdout
    fm = read_front_matter(path)
    schema = json.loads((ROOT / "plugins" / "portal_news" / "news.schema.json").read_text(encoding="utf-8"))
    assert set(fm) == set(schema["properties"]), "every field of the news schema, ready to fill"
    assert fm["title"] == "Tiêu đề"
    assert fm["status"] == "draft"
    today_in_vietnam = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert str(fm["date"]) in (today_in_vietnam.isoformat(), (today_in_vietnam - dt.timedelta(days=1)).isoformat())
    assert fm["category"] in schema["properties"]["category"]["enum"]
    # the file is valid content as it stands
    check = invoke("check", "--content", str(content), "--today", str(fm["date"]))
    assert check.returncode == 0, check.stderr


def test_new_news_draft_is_previewed_but_not_published(tmp_path):
    content = small_content(tmp_path)
    assert invoke("new", "news", "Tin mới chưa duyệt", "--content", str(content)).returncode == 0
    path = content / "news" / "tin-moi-chua-duyet.md"
    assert path.is_file()
    today = str(read_front_matter(path)["date"])
    build(content, tmp_path / "site", today=today)
    assert not (tmp_path / "site" / "tin-tuc" / "tin-moi-chua-duyet").exists()
    build(content, tmp_path / "preview", today=today, drafts=True)
    page = soup(tmp_path / "preview" / "tin-tuc" / "tin-moi-chua-duyet" / "index.html")
    assert "Bản nháp" in page.select_one(".draft-banner").get_text()


def test_new_news_title_with_yaml_syntax_is_kept_exactly(tmp_path):
    content = small_content(tmp_path)
    title = 'Thông báo: nghỉ lễ 2/9 # "quan trọng"'
    assert invoke("new", "news", title, "--content", str(content)).returncode == 0
    files = list((content / "news").glob("*.md"))
    assert len(files) == 1 and files[0].name.isascii()
    assert read_front_matter(files[0])["title"] == title


def test_new_news_never_overwrites_a_file(tmp_path):
    content = small_content(tmp_path)
    assert invoke("new", "news", "Tiêu đề", "--content", str(content)).returncode == 0
    path = content / "news" / "tieu-de.md"
    path.write_text(path.read_text(encoding="utf-8") + "Đã viết.\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    proc = invoke("new", "news", "Tiêu đề", "--content", str(content))
    assert proc.returncode != 0 and "tieu-de.md" in proc.stdout + proc.stderr
    assert path.read_text(encoding="utf-8") == before


# --- invoke check: warnings ----------------------------------------------------------------------------

@pytest.fixture
def content_with_warnings(tmp_path):
    content = small_content(tmp_path)
    write_news(content, "anh-thieu-mo-ta", date="2025-10-01",
               body="Đoạn đầu.\n\nẢnh quầy: ![](/images/quay.jpg)\n\nẢnh khác <img src=\"/images/khac.jpg\">\n\n"
                    "![Ảnh có mô tả](/images/tot.jpg)")
    write_news(content, "ghim-het-han", date="2025-09-01", category="thong-bao", pinned=True, expires="2025-10-01")
    write_news(content, "ghim-con-han", date="2025-09-01", category="thong-bao", pinned=True, expires="2025-10-15")
    return content


def test_check_warns_about_images_without_alt_naming_file_and_line(content_with_warnings):
    content = content_with_warnings
    proc = invoke("check", "--content", str(content), "--today", TODAY)
    assert proc.returncode == 0, proc.stderr  # warnings never stop anything
    out = proc.stdout + proc.stderr
    src = content / "news" / "anh-thieu-mo-ta.md"
    for needle in ("![](/images/quay.jpg)", '<img src="/images/khac.jpg">'):
        line = line_with(src, needle)
        assert re.search(rf"news/anh-thieu-mo-ta\.md:{line}:.*(alt|mô tả)", out), (needle, out)
    assert "tot.jpg" not in out


def test_check_warns_about_expired_pinned_items(content_with_warnings):
    content = content_with_warnings
    proc = invoke("check", "--content", str(content), "--today", TODAY)
    assert proc.returncode == 0
    out = proc.stdout + proc.stderr
    line = line_with(content / "news" / "ghim-het-han.md", "pinned:")
    assert re.search(rf"news/ghim-het-han\.md:{line}:.*pinned", out), out
    assert "ghim-con-han" not in out  # expires today: still valid


def test_warnings_do_not_stop_the_build(content_with_warnings, tmp_path):
    proc = build(content_with_warnings, tmp_path / "site", today=TODAY)
    assert proc.returncode == 0
    assert (tmp_path / "site" / "tin-tuc" / "anh-thieu-mo-ta" / "index.html").is_file()


# --- invoke check --links --------------------------------------------------------------------------

def test_check_links_names_the_built_page_the_source_file_and_the_line(tmp_path):
    content = small_content(tmp_path)
    write_news(content, "lien-ket-hong", date="2025-10-01",
               body="Mở đầu.\n\nXem [thủ tục đã xóa](/thu-tuc/thu-tuc-khong-co/) để biết thêm.")
    proc = invoke("check", "--links", "--content", str(content), "--today", TODAY)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    reports = [l for l in out.splitlines() if "/thu-tuc/thu-tuc-khong-co/" in l]
    assert len(reports) == 1, out
    report = reports[0]
    src_line = line_with(content / "news" / "lien-ket-hong.md", "/thu-tuc/thu-tuc-khong-co/")
    assert f"news/lien-ket-hong.md:{src_line}" in report
    m = re.search(r"(tin-tuc/lien-ket-hong/index\.html):(\d+)", report)
    assert m, report
    # the line named in the built page is where the link really is
    build(content, tmp_path / "site", today=TODAY)
    built = (tmp_path / "site" / m.group(1)).read_text(encoding="utf-8").split("\n")
    assert "/thu-tuc/thu-tuc-khong-co/" in built[int(m.group(2)) - 1]


def test_check_links_passes_when_the_link_is_fixed(tmp_path):
    content = small_content(tmp_path)
    f = write_news(content, "lien-ket", date="2025-10-01", body="Xem [thủ tục](/thu-tuc/thu-tuc-khong-co/).")
    broken = invoke("check", "--links", "--content", str(content), "--today", TODAY)
    assert "thu-tuc-khong-co" in broken.stdout + broken.stderr
    f.write_text(f.read_text(encoding="utf-8").replace("/thu-tuc/thu-tuc-khong-co/", "/thu-tuc/dang-ky-khai-sinh/"),
                 encoding="utf-8")
    fixed = invoke("check", "--links", "--content", str(content), "--today", TODAY)
    assert "thu-tuc-khong-co" not in fixed.stdout + fixed.stderr
    assert "news/lien-ket.md" not in fixed.stdout + fixed.stderr


# --- invoke livereload --drafts -------------------------------------------------------------------

def test_livereload_drafts_serves_a_preview_with_the_banner(tmp_path):
    """The real task: build with drafts, serve on localhost, answer with the draft's page."""
    import os
    import signal
    import socket
    import time
    import urllib.request

    content = small_content(tmp_path)
    write_news(content, "ban-nhap-xem-truoc", title="Bản nháp xem trước", date="2025-01-01", status="draft")
    write_news(content, "tin-nam-2099", title="Tin năm 2099", date="2099-01-01")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([INVOKE, "livereload", "--drafts", "--port", str(port), "--content", str(content),
                             "--output", str(tmp_path / "preview")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        pages = {}
        deadline = time.time() + 120
        while time.time() < deadline and len(pages) < 2:
            for slug in ("ban-nhap-xem-truoc", "tin-nam-2099"):
                try:
                    with urllib.request.urlopen(f"http://localhost:{port}/tin-tuc/{slug}/", timeout=5) as r:
                        pages[slug] = r.read().decode("utf-8")
                except OSError:
                    time.sleep(0.5)
        assert len(pages) == 2, "livereload --drafts did not serve the previews"
        for html in pages.values():
            assert "draft-banner" in html and "Bản nháp" in html
    finally:
        # Ctrl+C, as an editor stops it: the task and its page worker clean up after themselves.
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
