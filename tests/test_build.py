"""The sample site builds; every page is Vietnamese, NFC, valid HTML, with working internal links,
ASCII URLs and no request to another site; any content folder builds with the same theme."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, ROOT, build
from portal_core.links import broken_links


def html_files(site: Path):
    return sorted(site.rglob("*.html"))


def test_sample_site_has_the_main_pages(sample_site):
    for path in ("index.html", "404.html", "thu-tuc/index.html", "dia-diem/index.html",
                 "lo-trinh/index.html", "tin-tuc/index.html", "tim-kiem/index.html"):
        assert (sample_site / path).is_file(), path
    procedures = list((ROOT / "content" / "procedures").glob("*.md"))
    assert len(procedures) >= 30
    for src in procedures:
        assert (sample_site / "thu-tuc" / src.stem / "index.html").is_file(), src.name


def test_every_page_is_vietnamese_and_nfc(sample_site):
    for f in html_files(sample_site):
        text = f.read_text(encoding="utf-8")
        assert re.search(r'<html[^>]*\blang="vi"', text), f"{f}: no lang=vi"
        assert unicodedata.is_normalized("NFC", text), f"{f}: text is not NFC"


def test_urls_are_readable_ascii_slugs(sample_site):
    for f in sample_site.rglob("*"):
        rel = str(f.relative_to(sample_site))
        assert rel.isascii(), f"non-ASCII path {rel}"
        assert " " not in rel and rel == rel.lower() or rel.startswith("static/vendor"), rel


def test_no_broken_internal_links(sample_site):
    assert broken_links(sample_site) == []


def test_no_third_party_resources(sample_site):
    """Pages load nothing from another site: scripts, styles, images, fonts, frames are local."""
    for f in html_files(sample_site):
        soup = BeautifulSoup(f.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src"), ("video", "src"), ("audio", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr) or ""
                if tag == "link" and not set(el.get("rel", [])) & {"stylesheet", "icon", "preload", "modulepreload", "manifest"}:
                    continue
                assert not re.match(r"^(https?:)?//", url), f"{f}: {tag} loads {url}"
    for css in sample_site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8"), css


def test_html_is_valid(sample_site):
    """The Nu Html Checker (vnu.jar, from npm) finds no errors in any page."""
    vnu = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    java = shutil.which("java")
    if not java:
        pytest.fail("java is needed for the HTML validator: ./dev test installs it")
    files = [str(f) for f in html_files(sample_site)]
    proc = subprocess.run([java, "-jar", str(vnu), "--errors-only", "--format", "gnu", *files],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-6000:] + proc.stdout[-2000:]


def test_sample_data_is_marked_on_the_page(sample_site):
    """Every procedure and office written as sample says so visibly on its page."""
    import yaml
    for folder, url in (("procedures", "thu-tuc"), ("offices", "dia-diem")):
        for src in (ROOT / "content" / folder).glob("*.md"):
            meta = yaml.safe_load(src.read_text(encoding="utf-8").split("---")[1])
            if meta.get("sample"):
                html = (sample_site / url / src.stem / "index.html").read_text(encoding="utf-8")
                assert "Dữ liệu mẫu" in html or "dữ liệu mẫu" in html, f"{src.name} is sample but not marked"


def test_folder_without_site_yaml_or_pages_builds(tmp_path):
    content = tmp_path / "content"
    (content / "procedures").mkdir(parents=True)
    shutil.copy(DATA / "minimal" / "procedures" / "dang-ky-khai-sinh.md", content / "procedures")
    text = (content / "procedures" / "dang-ky-khai-sinh.md").read_text(encoding="utf-8")
    (content / "procedures" / "dang-ky-khai-sinh.md").write_text(text.replace("  form: to-khai-khai-sinh.pdf\n", ""), encoding="utf-8")
    out = tmp_path / "site"
    build(content, out)
    assert (out / "index.html").is_file()
    assert (out / "thu-tuc" / "dang-ky-khai-sinh" / "index.html").is_file()
    assert broken_links(out) == []


def test_empty_folder_builds(tmp_path):
    content = tmp_path / "empty"
    content.mkdir()
    out = tmp_path / "site"
    build(content, out)
    assert (out / "index.html").is_file()
    assert broken_links(out) == []


def test_site_yaml_drives_the_site(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DATA / "minimal", content)
    (content / "site.yaml").write_text((content / "site.yaml").read_text(encoding="utf-8")
                                       .replace("Trung tâm thử nghiệm", "Trung tâm Phục vụ hành chính công tỉnh Thử"), encoding="utf-8")
    out = tmp_path / "site"
    build(content, out)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Trung tâm Phục vụ hành chính công tỉnh Thử" in home
    assert "1900 0000" in home  # the hotline from site.yaml in the footer


def test_new_creates_a_valid_file_with_an_ascii_slug(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DATA / "minimal", content)
    invoke = str(ROOT / ".venv" / "bin" / "invoke")
    for kind, title, folder, slug in (("procedure", "Đăng ký lại khai sinh", "procedures", "dang-ky-lai-khai-sinh"),
                                      ("office", "Điểm tiếp nhận Định Hòa", "offices", "diem-tiep-nhan-dinh-hoa"),
                                      ("news", "Thông báo nghỉ Tết", "news", "thong-bao-nghi-tet")):
        proc = subprocess.run([invoke, "new", kind, title, "--content", str(content)], cwd=ROOT,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        f = content / folder / f"{slug}.md"
        assert f.is_file(), proc.stdout
        assert title in f.read_text(encoding="utf-8")
    # the procedure's code must be unique: give it one, as an editor would
    f = content / "procedures" / "dang-ky-lai-khai-sinh.md"
    f.write_text(f.read_text(encoding="utf-8").replace("code: MA-THU-TUC", "code: T-003"), encoding="utf-8")
    proc = subprocess.run([invoke, "check", "--content", str(content)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_sitemap_lists_indexable_pages_only(sample_site):
    import xml.etree.ElementTree as ET
    import yaml
    site_url = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))["url"].rstrip("/")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.parse(sample_site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    assert site_url + "/thu-tuc/dang-ky-khai-sinh/" in locs
    assert all(loc.startswith(site_url + "/") for loc in locs)
    for loc in locs:
        html = (sample_site / loc[len(site_url) + 1:] / "index.html").read_text(encoding="utf-8")
        assert "noindex" not in html, loc
    assert not any(loc.endswith("/qr/") for loc in locs)


def test_editor_text_is_escaped(tmp_path):
    """A title with markup characters is shown as text, never as HTML (autoescape)."""
    content = tmp_path / "content"
    shutil.copytree(DATA / "minimal", content)
    f = content / "procedures" / "dang-ky-khai-sinh.md"
    f.write_text(f.read_text(encoding="utf-8").replace("title: Đăng ký khai sinh", 'title: "Đăng ký <b>khai sinh</b> & <script>x()</script>"'), encoding="utf-8")
    out = tmp_path / "site"
    build(content, out)
    html = (out / "thu-tuc" / "dang-ky-khai-sinh" / "index.html").read_text(encoding="utf-8")
    assert "<script>x()</script>" not in html and "<b>khai sinh</b>" not in html
    assert "&lt;b&gt;khai sinh&lt;/b&gt; &amp;" in html


def test_sample_build_prints_no_warnings(tmp_path):
    """Pelican and the content checks have nothing to warn about in the sample content
    (a warning there would teach editors to ignore warnings)."""
    proc = build(ROOT / "content", tmp_path / "site")
    output = proc.stdout + proc.stderr
    assert "WARNING" not in output and "Cảnh báo" not in output, output


def test_new_uses_the_one_slug_rule_the_store_accepts(tmp_path):
    """`invoke new` used to keep underscores and dots that the store then refused: one slug rule now
    (the browser editor's, portal_core.text.slugify) names the file, and the store accepts it."""
    content = tmp_path / "content"
    shutil.copytree(DATA / "minimal", content)
    invoke = str(ROOT / ".venv" / "bin" / "invoke")
    for title, slug in (("Thông báo: lịch_trực Tết 2026!", "thong-bao-lich_truc-tet-2026"),
                        ("Nghị định 123/2015/NĐ-CP và Thông tư 04.2020", "nghi-dinh-123-2015-nd-cp-va-thong-tu-04-2020")):
        proc = subprocess.run([invoke, "new", "news", title, "--content", str(content)], cwd=ROOT,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert (content / "news" / f"{slug}.md").is_file(), proc.stdout
    proc = subprocess.run([invoke, "check", "--content", str(content)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_file_name_outside_the_slug_rule_is_refused_with_the_name_to_use(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DATA / "minimal", content)
    src = next((content / "procedures").glob("*.md"))
    src.rename(src.with_name("Đăng Ký.md"))
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "invoke"), "check", "--content", str(content)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Đăng Ký.md" in proc.stderr and "dang-ky.md" in proc.stderr
