"""Fast livereload (plugins/portal_live/live.py): an edited procedure's page is re-rendered
alone, a broken edit keeps the old page and says what is wrong; and the benchmark generator's
content is valid. No timing here: speed goals live in benchmarks/ (invoke bench)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE_TODAY, build

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

SLUG = "dang-ky-khai-sinh"  # the generator always writes the common procedures first


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """A small generated content folder (valid, realistic) and its real build."""
    base = tmp_path_factory.mktemp("incremental")
    content = base / "content"
    generate.generate(content, None, seed=7, procedures=14, offices=12, news=4)
    (content / generate.MARKER).unlink()
    build(content, base / "site")
    return content, base / "site"


@pytest.fixture
def site(small_site, tmp_path, monkeypatch):
    """A writable copy of the small site and a loaded page model on it."""
    import shutil

    from portal_live import Model

    content, output = tmp_path / "content", tmp_path / "site"
    shutil.copytree(small_site[0], content)
    shutil.copytree(small_site[1], output)
    monkeypatch.setenv("PORTAL_CONTENT", str(content))
    monkeypatch.setenv("PORTAL_TODAY", SAMPLE_TODAY)
    monkeypatch.delenv("PORTAL_DRAFTS", raising=False)
    model = Model(content, output)
    model.load()
    yield content, output, model
    model.close()


def page_of(output: Path, slug: str) -> Path:
    return output / "thu-tuc" / slug / "index.html"


def set_field(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    new = re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1)
    assert new != text, f"{field} not found in {path}"
    path.write_text(new, encoding="utf-8")


def test_fast_path_rewrites_only_the_edited_procedure_pages(site):
    content, output, model = site
    src = content / "procedures" / f"{SLUG}.md"
    others = [p for p in output.glob("thu-tuc/*/index.html") if p.parent.name != SLUG]
    assert others, "the build wrote other procedure pages"
    before = {p: p.stat().st_mtime_ns for p in others}
    set_field(src, "title", "Đăng ký khai sinh cho trẻ em mới sinh")
    src.write_text(src.read_text(encoding="utf-8") + "\nĐoạn mới thêm khi sửa nhanh.\n", encoding="utf-8")

    result = model.update([src])

    assert result.ok, result.report
    assert f"thu-tuc/{SLUG}/index.html" in result.written
    html = page_of(output, SLUG).read_text(encoding="utf-8")
    assert "Đăng ký khai sinh cho trẻ em mới sinh" in html
    assert "Đoạn mới thêm khi sửa nhanh." in html
    assert {p: p.stat().st_mtime_ns for p in others} == before, "other pages must not be rewritten"
    assert not list(page_of(output, SLUG).parent.glob(".live-*")), "no temporary file is left behind"


def test_fast_page_is_the_page_a_full_build_writes(site, tmp_path):
    content, output, model = site
    src = content / "procedures" / f"{SLUG}.md"
    src.write_text(src.read_text(encoding="utf-8") + "\nMột câu hướng dẫn thêm.\n", encoding="utf-8")
    assert model.update([src]).ok
    build(content, tmp_path / "full")

    def normal(p):  # asset version strings follow the site-wide files, which only the full build writes
        return re.sub(r"\?v=[0-9a-zA-Z]+", "?v=", p.read_text(encoding="utf-8"))

    assert "Một câu hướng dẫn thêm." in normal(page_of(output, SLUG))
    assert normal(page_of(output, SLUG)) == normal(page_of(tmp_path / "full", SLUG))


def test_invalid_edit_keeps_the_old_page_and_reports_file_line_and_field(site):
    content, output, model = site
    src = content / "procedures" / f"{SLUG}.md"
    old = page_of(output, SLUG).read_bytes()
    set_field(src, "title", "Tiêu đề không được hiện ra")
    set_field(src, "online", "doi-khi")

    result = model.update([src])

    assert not result.ok and not result.written
    line = next(i for i, l in enumerate(src.read_text(encoding="utf-8").split("\n"), 1) if l.startswith("online:"))
    assert f"procedures/{SLUG}.md:{line}: trường 'online' («Dịch vụ công trực tuyến» trong biểu mẫu): giá trị 'doi-khi' không hợp lệ" in result.report
    assert page_of(output, SLUG).read_bytes() == old


def test_cross_check_error_is_reported_and_the_item_is_left_as_it_was(site):
    content, output, model = site
    src = content / "procedures" / f"{SLUG}.md"
    original = src.read_text(encoding="utf-8")
    old = page_of(output, SLUG).read_bytes()
    src.write_text(original.replace("\nupdated:", "\nreplaced_by: khong-co-thu-tuc-nay\nstatus: abolished\nupdated:", 1),
                   encoding="utf-8")

    result = model.update([src])

    assert "không có thủ tục 'khong-co-thu-tuc-nay'" in result.report
    assert page_of(output, SLUG).read_bytes() == old
    assert model.store.get("procedures", SLUG).data.get("status") != "abolished"
    # fixed: the next save goes through
    src.write_text(original + "\nĐã sửa lại.\n", encoding="utf-8")
    assert model.update([src]).ok
    assert "Đã sửa lại." in page_of(output, SLUG).read_text(encoding="utf-8")


def test_new_or_listing_only_files_are_left_to_the_full_build(site):
    content, output, model = site
    new = content / "procedures" / "thu-tuc-moi.md"
    new.write_text((content / "procedures" / f"{SLUG}.md").read_text(encoding="utf-8").replace(
        "code: ", "code: X", 1), encoding="utf-8")
    news = next((content / "news").glob("*.md"))
    result = model.update([new, news])
    assert result.ok and not result.written
    assert sorted(result.fallback) == sorted([str(new), str(news)])
    assert not page_of(output, "thu-tuc-moi").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return ""


def test_livereload_serves_the_edited_page_and_survives_a_broken_edit(small_site, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(small_site[0], content)
    port = _free_port()
    invoke = ROOT / ".venv" / "bin" / "invoke"
    proc = subprocess.Popen(
        [str(invoke) if invoke.exists() else "invoke", "livereload", "--content", str(content), "--output",
         str(tmp_path / "site"), "--port", str(port), "--today", SAMPLE_TODAY],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(x) for x in proc.stdout], daemon=True).start()

    def wait_for(cond, what, timeout=300):
        end = time.time() + timeout
        while time.time() < end:
            if cond():
                return
            assert proc.poll() is None, "livereload stopped:\n" + "".join(lines)
            time.sleep(0.1)
        pytest.fail(f"timed out waiting for {what}:\n" + "".join(lines[-40:]))

    url = f"http://localhost:{port}/thu-tuc/{SLUG}/"
    src = content / "procedures" / f"{SLUG}.md"
    try:
        wait_for(lambda: any("Cập nhật nhanh đã sẵn sàng" in x for x in lines), "the page worker")
        src.write_text(src.read_text(encoding="utf-8") + "\nCâu sửa qua livereload.\n", encoding="utf-8")
        wait_for(lambda: "Câu sửa qua livereload." in _get(url), "the edited page to be served")
        wait_for(lambda: any("Đã tạo lại toàn bộ trang web" in x for x in lines), "the background full build")

        set_field(src, "online", "doi-khi")
        src.write_text(src.read_text(encoding="utf-8").replace("Câu sửa qua livereload.", "Câu lỗi."),
                       encoding="utf-8")
        wait_for(lambda: any("trường 'online'" in x for x in lines), "the error report")
        time.sleep(1)
        html = _get(url)
        assert "Câu sửa qua livereload." in html and "Câu lỗi." not in html
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the livereload process group this test started
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_generator_is_seeded_and_its_content_passes_invoke_check(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate.generate(a, tmp_path / "plain-a", seed=3, procedures=60, offices=25, news=20)
    generate.generate(b, None, seed=3, procedures=60, offices=25, news=20)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert len(list((a / "procedures").glob("*.md"))) == 60
    assert len(list((tmp_path / "plain-a" / "procedures").glob("*.md"))) == 60
    invoke = ROOT / ".venv" / "bin" / "invoke"
    proc = subprocess.run([str(invoke) if invoke.exists() else "invoke", "check", "--content", str(a),
                           "--today", SAMPLE_TODAY], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    plain = (tmp_path / "plain-a" / "procedures" / f"{SLUG}.md").read_text(encoding="utf-8")
    assert plain.startswith("Title: Đăng ký khai sinh\nDate: ") and "\nCategory: Hộ tịch\n" in plain
    assert "## Thành phần hồ sơ" in plain


def test_an_edited_office_page_is_rendered_again_too(site):
    content, output, model = site
    src = content / "offices" / "trung-tam-tinh.md"
    set_field(src, "name", "Trung tâm Phục vụ hành chính công tỉnh (tên mới)")
    result = model.update([src])
    assert result.ok, result.report
    assert "dia-diem/trung-tam-tinh/index.html" in result.written
    html = (output / "dia-diem" / "trung-tam-tinh" / "index.html").read_text(encoding="utf-8")
    assert "Trung tâm Phục vụ hành chính công tỉnh (tên mới)" in html
