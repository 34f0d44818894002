"""The browser editor: Decap CMS under /quan-tri/, its configuration generated from the content
types' schemas, served by the site itself, working against decap-server on localhost."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest
import yaml
from playwright.sync_api import expect

from conftest import ROOT, build

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


@pytest.fixture(scope="module")
def editor(tmp_path_factory, serve):
    """decap-server (file-system mode) over a git repository holding a copy of the sample content,
    and a build whose editor saves there."""
    base = tmp_path_factory.mktemp("cms")
    repo = base / "repo"
    shutil.copytree(ROOT / "content", repo / "content")
    git = ["git", "-c", "user.email=cms@example.invalid", "-c", "user.name=cms"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "Nội dung mẫu"], check=True)
    port = _free_port()
    log = open(base / "decap-server.log", "w")
    proc = subprocess.Popen(["node", str(DECAP_SERVER)], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "fs",
                                 "GIT_REPO_DIRECTORY": str(repo), "LOG_LEVEL": "info"})
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, (base / "decap-server.log").read_text()
            time.sleep(0.1)
    old = os.environ.get("PORTAL_CMS_BACKEND")
    os.environ["PORTAL_CMS_BACKEND"] = f"http://127.0.0.1:{port}/api/v1"
    try:
        out = base / "site"
        build(repo / "content", out)
    finally:
        if old is None:
            os.environ.pop("PORTAL_CMS_BACKEND", None)
        else:
            os.environ["PORTAL_CMS_BACKEND"] = old
    yield serve(out), repo
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.mark.browser
def test_the_editor_opens_with_every_collection_and_an_entry(page, editor):
    url, repo = editor
    page.goto(f"{url}/quan-tri/")
    page.get_by_role("button", name="Đăng nhập").click(timeout=60000)
    for label in ("Thủ tục", "Địa điểm", "Lộ trình", "Tin tức", "Trang"):
        expect(page.get_by_role("link", name=label, exact=True).first).to_be_visible(timeout=60000)
    page.get_by_role("link", name="Thủ tục", exact=True).first.click()
    entry = page.get_by_text("Đăng ký khai sinh", exact=True).first
    expect(entry).to_be_visible(timeout=60000)
    entry.click()
    expect(page.get_by_text("Mã thủ tục").first).to_be_visible(timeout=60000)
    expect(page.get_by_text("Thành phần hồ sơ").first).to_be_visible(timeout=60000)
    page.screenshot(path=str(repo.parent / "entry.png"), full_page=False)
