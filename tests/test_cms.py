"""The browser editor: Decap CMS under /quan-tri/, its configuration generated from the content
types' schemas, served by the site itself, working against decap-server on localhost."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import re
import sys
import time
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from conftest import ROOT, new_page

DECAP_SERVER = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"


@pytest.fixture(scope="module")
def config(sample_site):
    return yaml.safe_load((sample_site / "quan-tri" / "config.yml").read_text(encoding="utf-8"))


def _registered():
    from pelican.settings import read_settings

    from portal_core import registry

    registry.register_plugins(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    return registry


def _check_fields(fields: list[dict], schema: dict, where: str):
    by_name = {f["name"]: f for f in fields}
    props = schema.get("properties") or {}
    assert set(props) <= set(by_name), f"{where}: no field for {sorted(set(props) - set(by_name))}"
    for name, prop in props.items():
        f, here = by_name[name], f"{where}.{name}"
        assert f["label"] == prop["title"], here
        assert f["required"] == (name in schema.get("required", [])), here
        items = prop.get("items") or {}
        enum = prop.get("enum") or items.get("enum")
        if enum and f["widget"] == "select":
            labels = prop.get("x-enum-labels") or items.get("x-enum-labels")
            assert [o["value"] for o in f["options"]] == enum, here
            assert [o["label"] for o in f["options"]] == [labels[v] for v in enum], here
        if prop.get("type") in ("integer", "number"):
            assert f["widget"] == "number", here
            assert f.get("min") == prop.get("minimum") and f.get("max") == prop.get("maximum"), here
        if prop.get("format") == "date":
            assert f["widget"] == "datetime" and f["format"] == "YYYY-MM-DD" and f["time_format"] is False, here
        if prop.get("type") == "boolean":
            assert f["widget"] == "boolean", here
        if prop.get("type") == "array" and items.get("type") == "object":
            assert f["widget"] == "list", here
            _check_fields(f["fields"], items, here)


def test_every_content_type_is_a_collection_whose_fields_are_its_schema(config):
    registry = _registered()
    collections = {c["name"]: c for c in config["collections"]}
    folder_types = [ct for ct in registry.content_types() if ct.folder]
    assert {ct.name for ct in folder_types} <= set(collections)
    for ct in folder_types:
        c = collections[ct.name]
        assert c["folder"] == f"content/{ct.folder}" and c["label"] == ct.label
        _check_fields(c["fields"], ct.schema, ct.name)
        assert c["fields"][-1] == {"name": "body", "label": "Nội dung", "widget": "markdown", "required": False}


def test_the_editor_names_files_by_the_one_slug_rule(config):
    assert config["slug"] == {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"}
    assert config["locale"] == "vi"


def test_a_schema_field_added_appears_in_the_editor():
    """Nothing is described twice: the configuration is derived from the schema when built."""
    from portal_cms.portal_cms import fields

    schema = {"properties": {"hotline": {"title": "Đường dây nóng", "type": "string", "pattern": "^[0-9 ]+$",
                                         "description": "Số gọi miễn phí"},
                             "kind": {"title": "Loại", "enum": ["a", "b"], "x-enum-labels": {"a": "A", "b": "B"}},
                             "count": {"title": "Số lượng", "type": "integer", "minimum": 0}},
              "required": ["kind"]}
    got = {f["name"]: f for f in fields("x", schema)}
    assert got["hotline"]["widget"] == "string" and got["hotline"]["hint"] == "Số gọi miễn phí"
    assert got["hotline"]["pattern"][0] == "^[0-9 ]+$" and got["hotline"]["required"] is False
    assert got["kind"]["options"] == [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]
    assert got["kind"]["required"] is True
    assert got["count"]["value_type"] == "int" and got["count"]["min"] == 0


def test_the_admin_page_is_not_for_search_engines(sample_site):
    html = (sample_site / "quan-tri" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "/quan-tri/" not in (sample_site / "sitemap.xml").read_text(encoding="utf-8")
    assert (sample_site / "quan-tri" / "decap-cms.js").stat().st_size > 1_000_000  # self-hosted


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(repo, *args) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _wait_for_port(port: int, proc, log: Path) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """What `invoke cms` runs: the gateway, with decap-server in git mode, over a temporary git
    repository holding the sample content. Yields (site URL, repository, gateway port)."""
    base = tmp_path_factory.mktemp("cms")
    repo = base / "repo"
    shutil.copytree(ROOT / "content", repo / "content")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    _git(repo, "config", "user.email", "cms@example.invalid")
    _git(repo, "config", "user.name", "cms")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "Nội dung mẫu")
    while True:  # three ports in a row: site, previews, decap-server
        port = _free_port()
        if port < 65000:
            break
    log = base / "gateway.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "portal_cms.gateway", "--repo", str(repo), "--work",
                                 str(base / "work"), "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")}, cwd=str(ROOT))
    _wait_for_port(port, proc, log)
    yield f"http://127.0.0.1:{port}", repo, port
    proc.terminate()
    proc.wait(timeout=60)


# Decap asks the editing server whether an entry has a change under review; for one that has not,
# the answer is 404 by the protocol (decap-server does the same), which Chromium logs as an error.
EXPECTED_404 = "the server responded with a status of 404 (Not Found)"


@pytest.fixture
def admin(browser):
    """A page for the editor: fails on script errors, requests leaving localhost, and console errors
    other than the protocol's 404 of /api/v1."""
    p = new_page(browser)
    errors = []
    p.on("console", lambda m: m.type == "error" and errors.append((m.text, m.location.get("url", ""))))
    yield p
    p.context.close()
    assert not p.problems.page_errors, p.problems.page_errors
    assert not p.problems.external_requests, p.problems.external_requests
    assert all(EXPECTED_404 in text and url.endswith("/api/v1") for text, url in errors), errors


def _open_admin(page, url: str):
    page.on("dialog", lambda d: d.accept())  # Decap asks "are you sure" before publishing
    page.goto(f"{url}/quan-tri/")
    page.get_by_role("button", name="Đăng nhập").click(timeout=60000)
    expect(page.get_by_role("link", name="Thủ tục", exact=True).first).to_be_visible(timeout=60000)


def _choose(page, label: str, option: str):
    page.get_by_label(label, exact=True).click()
    page.locator("[class*=option]", has_text=option).first.click()


def _set_status(page, status: str):
    page.get_by_role("button", name=re.compile("^Trạng")).click(timeout=30000)
    page.get_by_role("menuitem", name=status).click()
    expect(page.get_by_role("button", name=re.compile(status))).to_be_visible(timeout=30000)


@pytest.mark.browser
def test_the_admin_opens_with_every_collection_no_error_and_nothing_from_another_server(page, editor):
    url, repo, port = editor
    errors, elsewhere = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    _open_admin(page, url)
    for label in ("Thủ tục", "Địa điểm", "Lộ trình", "Tin tức", "Trang", "Cấu hình và danh mục"):
        expect(page.get_by_role("link", name=label, exact=True).first).to_be_visible(timeout=60000)
    page.get_by_role("link", name="Thủ tục", exact=True).first.click()
    entry = page.get_by_text("Đăng ký khai sinh", exact=True).first
    expect(entry).to_be_visible(timeout=60000)
    assert errors == [] and elsewhere == [], (errors, elsewhere)


@pytest.mark.browser
def test_a_news_item_goes_from_draft_through_review_to_the_published_site(admin, editor):
    page = admin
    url, repo, port = editor
    slug = "thu-nghiem-quy-trinh-duyet"
    _open_admin(page, url)
    page.goto(f"{url}/quan-tri/#/collections/news/new")
    page.get_by_label("Tiêu đề", exact=True).fill("Thử nghiệm quy trình duyệt")
    page.get_by_label("Ngày đăng", exact=True).fill("2025-06-30T09:00")
    page.get_by_label("Tóm tắt", exact=True).fill("Tin viết trong trình soạn thảo, qua hai bước duyệt.")
    _choose(page, "Loại tin", "Thông báo")
    _choose(page, "Trạng thái", "Đăng")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("button", name=re.compile("Bản nháp"))).to_be_visible(timeout=60000)
    branch = f"cms/news/{slug}"
    assert branch in _git(repo, "branch", "--list", branch)
    assert _git(repo, "ls-tree", "main", f"content/news/{slug}.md") == ""  # a draft is not on main
    _set_status(page, "Đang xét duyệt")
    page.reload()
    preview = page.get_by_role("link", name="Xem trước", exact=True)
    expect(preview).to_have_attribute("href", re.compile(rf"/xem-truoc/news/{slug}/tin-tuc/{slug}/$"), timeout=60000)
    _set_status(page, "Sẵn sàng")
    page.get_by_role("button", name="Công bố", exact=True).click()
    page.get_by_role("menuitem", name="Công bố ngay").click()
    deadline = time.monotonic() + 300  # a condition, bounded generously: builds queue behind each other on a busy 2-core machine
    while branch in _git(repo, "branch", "--list", branch):
        assert time.monotonic() < deadline, "the entry was not published"
        time.sleep(0.2)
    text = _git(repo, "show", f"main:content/news/{slug}.md")
    assert "title: Thử nghiệm quy trình duyệt" in text
    # The file the editor wrote passes the checks, and the rebuilt site shows it.
    checked = subprocess.run([sys.executable, "-m", "invoke", "check", "--content", str(repo / "content")],
                             cwd=str(ROOT), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    deadline = time.monotonic() + 300
    while page.request.get(f"{url}/tin-tuc/{slug}/").status != 200:
        assert time.monotonic() < deadline, "the site was not rebuilt after publishing"
        time.sleep(0.5)
    page.goto(f"{url}/tin-tuc/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thử nghiệm quy trình duyệt")


@pytest.mark.browser
def test_editing_a_document_changes_only_that_line(admin, editor):
    page = admin
    url, repo, port = editor
    _open_admin(page, url)
    page.goto(f"{url}/quan-tri/#/collections/procedures/entries/dang-ky-khai-sinh")
    item = page.get_by_text("Tờ khai đăng ký khai sinh", exact=True).first.locator("..")
    item.locator("button").first.click(timeout=60000)  # unfold the first document
    name = item.get_by_label("Tên giấy tờ")
    expect(name).to_have_value("Tờ khai đăng ký khai sinh", timeout=60000)
    name.fill("Tờ khai đăng ký khai sinh (theo mẫu)")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("button", name=re.compile("Bản nháp"))).to_be_visible(timeout=60000)
    diff = _git(repo, "diff", "--unified=0", "main", "cms/procedures/dang-ky-khai-sinh")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-  - name: Tờ khai đăng ký khai sinh", "+  - name: Tờ khai đăng ký khai sinh (theo mẫu)"], diff


@pytest.mark.browser
def test_a_required_field_left_empty_blocks_saving_with_a_vietnamese_message(admin, editor):
    page = admin
    url, repo, port = editor
    _open_admin(page, url)
    page.goto(f"{url}/quan-tri/#/collections/news/new")
    page.get_by_label("Tiêu đề", exact=True).fill("Tin thiếu tóm tắt")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Bạn còn thiếu vài thông tin bắt buộc").first).to_be_visible(timeout=30000)
    expect(page.get_by_text("Tóm tắt bắt buộc nhập.").first).to_be_visible()
    assert "tin-thieu-tom-tat" not in _git(repo, "branch", "--list")
    # Decap stops the save by rejecting a promise with no reason, which Chromium reports as an
    # uncaught "undefined": that one error is Decap's way of refusing, and expected here.
    assert page.problems.page_errors == ["undefined"], page.problems.page_errors
    page.problems.page_errors.clear()


@pytest.mark.browser
def test_two_editors_on_one_item_end_in_a_clear_message_not_a_lost_edit(browser, editor):
    url, repo, port = editor
    pages = []
    for _ in range(2):  # two browsers: two editors
        pages.append(new_page(browser))
    first, second = pages
    for p in pages:  # both open the same procedure before either saves
        _open_admin(p, url)
        p.goto(f"{url}/quan-tri/#/collections/procedures/entries/cap-phieu-ly-lich-tu-phap")
        expect(p.get_by_label("Tên thủ tục", exact=True)).not_to_have_value("", timeout=60000)
    first.get_by_label("Kết quả giải quyết", exact=True).fill("Phiếu lý lịch tư pháp (bản sửa của người thứ nhất)")
    first.get_by_role("button", name="Lưu", exact=True).click()
    expect(first.get_by_role("button", name=re.compile("Bản nháp"))).to_be_visible(timeout=60000)
    saved = _git(repo, "show", "cms/procedures/cap-phieu-ly-lich-tu-phap:content/procedures/cap-phieu-ly-lich-tu-phap.md")
    second.get_by_label("Kết quả giải quyết", exact=True).fill("Phiếu lý lịch tư pháp (bản sửa của người thứ hai)")
    second.get_by_role("button", name="Lưu", exact=True).click()
    expect(second.get_by_text("người khác đã sửa mục này").first).to_be_visible(timeout=60000)
    # The first editor's text is on the branch, untouched; the second's is still in the form.
    assert _git(repo, "show", "cms/procedures/cap-phieu-ly-lich-tu-phap:content/procedures/"
                "cap-phieu-ly-lich-tu-phap.md") == saved
    assert "người thứ nhất" in saved
    expect(second.get_by_label("Kết quả giải quyết", exact=True)).to_have_value(re.compile("người thứ hai"))
    for p in pages:
        p.context.close()


def test_publishing_a_branch_that_conflicts_with_main_is_refused_and_nothing_is_lost(editor):
    """A change published meanwhile (by a developer, or merged on the git server) touches the same
    line as an entry under review: publishing it is refused with a message; both stay as they were."""
    import json
    import urllib.error
    import urllib.request

    url, repo, port = editor
    path = "content/pages/gop-y.md"
    _git(repo, "branch", "cms/pages/gop-y", "main")
    original = (repo / path).read_text(encoding="utf-8")
    first_line = original.split("\n")[1]
    _git(repo, "checkout", "-q", "cms/pages/gop-y")
    (repo / path).write_text(original.replace(first_line, first_line + " (bản chờ duyệt)"), encoding="utf-8")
    _git(repo, "commit", "-qam", "bản chờ duyệt")
    _git(repo, "config", "branch.cms/pages/gop-y.description", "decap-cms/pending_publish")
    _git(repo, "checkout", "-q", "main")
    (repo / path).write_text(original.replace(first_line, first_line + " (bản đã đăng)"), encoding="utf-8")
    _git(repo, "commit", "-qam", "bản đã đăng")
    main_before = _git(repo, "rev-parse", "main")
    body = json.dumps({"action": "publishUnpublishedEntry",
                       "params": {"branch": "main", "collection": "pages", "slug": "gop-y"}}).encode()
    req = urllib.request.Request(f"{url}/api/v1", data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=60)
    assert err.value.code == 409
    assert "xung đột" in json.loads(err.value.read())["error"]
    assert _git(repo, "rev-parse", "main") == main_before
    assert "(bản chờ duyệt)" in _git(repo, "show", f"cms/pages/gop-y:{path}")
    assert _git(repo, "status", "--porcelain") == ""  # no merge left half done


def test_the_one_file_types_are_editable_as_files_with_their_lists_wrapped(config):
    registry = _registered()
    settings = next(c for c in config["collections"] if c["name"] == "cau-hinh")
    files = {f["name"]: f for f in settings["files"]}
    assert {"site", "wards", "synonyms"} <= set(files)
    assert files["site"]["file"] == "content/site.yaml"
    _check_fields(files["site"]["fields"], registry.content_type("site").schema, "site")
    for name, key in (("wards", "wards"), ("synonyms", "groups")):
        ct = registry.content_type(name)
        listed = {f["name"]: f for f in files[name]["fields"]}
        assert listed[key]["widget"] == "list", name
        _check_fields(listed[key]["fields"], ct.schema, name)
        data = yaml.safe_load((ROOT / "content" / ct.file).read_text(encoding="utf-8"))
        assert isinstance(data, dict) and isinstance(data[key], list) and data[key], name  # migrated


def test_references_are_pickers_and_forms_are_file_pickers(config):
    procs = next(c for c in config["collections"] if c["name"] == "procedures")
    by_name = {f["name"]: f for f in procs["fields"]}
    assert by_name["related"]["widget"] == "relation" and by_name["related"]["collection"] == "procedures"
    assert by_name["related"]["multiple"] is True
    form = {f["name"]: f for f in by_name["documents"]["fields"]}["form"]
    assert form["widget"] == "file" and form["media_folder"] == "/content/forms"
    offices = next(c for c in config["collections"] if c["name"] == "offices")
    ward = {f["name"]: f for f in offices["fields"]}["ward"]
    assert (ward["widget"], ward["collection"], ward["file"], ward["value_field"]) == \
        ("relation", "cau-hinh", "wards", "wards.*.name")
    assert config["publish_mode"] == "editorial_workflow"
    assert procs["preview_path"] == "thu-tuc/{{slug}}/"


def test_the_sample_content_is_written_as_the_editor_writes_it(tmp_path):
    """Saving an entry unchanged changes nothing: the files are already in Decap's format."""
    from pelican.settings import read_settings

    from portal_cms.portal_cms import format_content

    _registered()
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    code, out = format_content(ROOT / "content", settings, check=True)
    assert code == 0, f"run `invoke cms-format`:\n{out}"
    # The check can fail: a list written inline is not how the editor writes it.
    (tmp_path / "procedures").mkdir()
    text = (ROOT / "content" / "procedures" / "dang-ky-khai-sinh.md").read_text(encoding="utf-8")
    assert "levels:\n  - xa\n" in text
    (tmp_path / "procedures" / "x.md").write_text(text.replace("levels:\n  - xa\n", "levels: [xa]\n"), encoding="utf-8")
    code, out = format_content(tmp_path, settings, check=True)
    assert code == 1 and "x.md" in out
    code, out = format_content(tmp_path, settings)
    assert code == 0 and (tmp_path / "procedures" / "x.md").read_text(encoding="utf-8") == text


def test_build_messages_name_the_field_as_the_form_labels_it(tmp_path):
    from portal_core.content import ContentError, Store

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "procedures" / "dang-ky-khai-sinh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("form: to-khai-dang-ky-khai-sinh.docx",
                                                             "form: Tờ khai.docx"), encoding="utf-8")
    _registered()
    with pytest.raises(ContentError) as err:
        Store(content, {"PORTAL_TODAY": "2026-12-01"}).load()
    assert "trường 'documents[0].form' («Thành phần hồ sơ › Mẫu đơn» trong biểu mẫu)" in err.value.report()


def test_the_link_check_leaves_the_editor_out(tmp_path, sample_site):
    from portal_core.links import broken_links

    _registered()
    site = tmp_path / "site"
    shutil.copytree(sample_site / "quan-tri", site / "quan-tri")
    (site / "index.html").write_text('<a href="/khong-co/">x</a>', encoding="utf-8")
    (site / "quan-tri" / "index.html").write_text('<a href="/cung-khong-co/">x</a>', encoding="utf-8")
    assert [b.url for b in broken_links(site)] == ["/khong-co/"]
