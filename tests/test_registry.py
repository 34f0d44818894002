"""What the content types declare, and that nothing else writes it again: URL roots only in their
owner's plugin, typed items, navigation and home page from the registry, strict templates."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT

PLUGINS = ROOT / "plugins"
# Where code and templates live that must ask the registry for another plugin's URLs.
SCANNED = [PLUGINS, ROOT / "theme", ROOT / "pelicanconf.py", ROOT / "publishconf.py", ROOT / "tasks.py"]
SUFFIXES = {".py", ".html", ".js", ".css"}


@pytest.fixture(scope="module")
def registered():
    from pelican.settings import read_settings

    from portal_core import registry

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    registry.register_plugins(settings["PLUGINS"])
    return settings


def _files():
    for place in SCANNED:
        paths = [place] if place.is_file() else [p for p in place.rglob("*") if p.is_file()]
        for p in paths:
            if p.suffix in SUFFIXES and "__pycache__" not in p.parts:
                yield p


def test_every_url_root_is_written_only_in_the_plugin_that_owns_it(registered):
    from portal_core import registry

    owners = {}  # root segment -> plugin folder
    for name in registry.all_url_names():
        owner = name.split(".")[0]
        first = registry.pattern(name).strip("/").split("/", 1)[0]
        if first in ("api", "static", "bieu-mau") or "{" in first or not first:
            continue  # shared folders (open data, static files, forms) hold files of several plugins
        folder = {"procedures": "portal_procedures", "offices": "portal_offices", "roadmap": "portal_roadmap",
                  "news": "portal_news", "search": "portal_search", "kiosk": "portal_kiosk"}.get(owner)
        if folder:
            owners[first] = folder
    assert {"thu-tuc", "dia-diem", "lo-trinh", "tin-tuc", "tim-kiem"} <= set(owners)
    found = []
    for f in _files():
        text = f.read_text(encoding="utf-8")
        for root, folder in owners.items():
            if (PLUGINS / folder) in f.parents:
                continue
            for m in re.finditer(rf"/{root}/", text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{f.relative_to(ROOT)}:{line}: /{root}/")
    assert not found, "URL roots written outside their plugin (ask the registry: url(...)):\n" + "\n".join(found)


def test_typed_items_read_declared_fields_and_refuse_others(registered):
    from portal_core import registry
    from portal_core.content import Item

    ct = registry.content_type("procedures")
    p = Item("procedures", "a", "a.md", {"title": "Đăng ký khai sinh"}, fields=ct.fields)
    assert p.title == "Đăng ký khai sinh"
    assert p.keywords is None  # declared, not given
    with pytest.raises(AttributeError, match="titel"):
        p.titel  # noqa: B018 - a misspelt name fails instead of reading None
    assert getattr(p, "active", True) is True  # a default at a call site now applies


def test_navigation_and_home_blocks_come_from_the_plugins(registered):
    from portal_core import registry

    assert registry.nav() == [("/thu-tuc/", "Thủ tục"), ("/dia-diem/", "Địa điểm"), ("/lo-trinh/", "Lộ trình"),
                              ("/thong-ke/", "Thống kê"), ("/tin-tuc/", "Tin tức"), ("/tim-kiem/", "Tìm kiếm")]
    assert registry.home_blocks("grid") == ["home_procedures.html", "home_journeys.html", "home_lookup.html",
                                            "home_offices.html",
                                            "home_roadmap.html", "home_news.html"]
    assert registry.home_blocks("top") == ["home_news_pinned.html"]
    for t in registry.home_blocks("grid") + registry.home_blocks("top"):
        assert len(list(PLUGINS.glob(f"*/templates/{t}"))) == 1, t


def test_labels_come_from_the_schemas(registered):
    from portal_core import registry

    assert registry.content_type("procedures").enum_labels("online")["toan-trinh"] == "Toàn trình"
    assert registry.content_type("procedures").enum_labels("levels")["huyen"] == "Cấp huyện (trước 01/7/2025)"
    assert registry.content_type("offices").enum_labels("kind")["diem-tiep-nhan"] == "Điểm tiếp nhận"


def test_every_field_of_every_schema_has_a_vietnamese_title(registered):
    from portal_core import registry

    missing = []

    def walk(schema, where):
        for name, prop in (schema.get("properties") or {}).items():
            if not prop.get("title"):
                missing.append(f"{where}.{name}")
            if "enum" in prop and set(prop.get("x-enum-labels") or {}) != set(prop["enum"]):
                missing.append(f"{where}.{name}: labels of {prop['enum']}")
            items = prop.get("items") or {}
            if "enum" in items and set(items.get("x-enum-labels") or {}) != set(items["enum"]):
                missing.append(f"{where}.{name}[]: labels of {items['enum']}")
            walk(prop, f"{where}.{name}")
            walk(items, f"{where}.{name}[]")

    for ct in registry.content_types():
        walk(ct.schema, ct.name)
    assert not missing, missing


def test_templates_are_strict_in_the_tests():
    import os

    from jinja2 import Environment, UndefinedError
    from pelican.settings import read_settings

    assert os.environ.get("PORTAL_STRICT_TEMPLATES") == "1"
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    env = Environment(**settings["JINJA_ENVIRONMENT"])
    with pytest.raises(UndefinedError):
        env.from_string("{{ procedure.titel }}").render(procedure={"title": "x"})
    with pytest.raises(UndefinedError):
        env.from_string("{% if pgae_name %}x{% endif %}").render(page_name="/")


def test_two_plugins_cannot_claim_the_same_url_root(registered):
    from portal_core import registry

    with pytest.raises(ValueError, match="/thu-tuc/.*procedures"):
        registry.register_urls("journeys_test", {"index": "/thu-tuc/hanh-trinh/"})
    assert not registry.has_url("journeys_test")
    registry.register_urls("procedures", {"index": "/thu-tuc/"})  # its owner may declare it again
