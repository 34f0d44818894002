"""The browser editor: Decap CMS, self-hosted under /quan-tri/, configured from the content types.

Decap CMS (the `decap-cms` npm package, pinned) is served by the site itself: nothing is loaded
from another server. Its configuration, /quan-tri/config.yml, is generated at every build from the
registered content types (portal_core.registry): one collection per Markdown type, whatever plugin
declares it, with each field's widget, Vietnamese label and hint, required flag, options with
their labels, pattern and bounds taken from the type's JSON Schema. A field added to a schema
appears in the editor on the next build; tests/test_cms.py fails when the two disagree.

The editor's file names follow the portal's one slug rule (`slug: {encoding: ascii,
clean_accents: true}`, see portal_core.text.slugify).

Where the editor saves: `backend` is git-gateway behind `local_backend`, the `decap-server` proxy
(npm, pinned) that `invoke cms` starts over a git clone of the content; its address is
CMS_LOCAL_BACKEND in the settings (PORTAL_CMS_BACKEND in the environment for the tests).
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml
from pelican import signals

from portal_core import output, registry
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
DECAP = ROOT / "node_modules" / "decap-cms" / "dist"
URLS = {"index": "/quan-tri/", "config": "/quan-tri/config.yml", "bundle": "/quan-tri/decap-cms.js"}
DEFAULT_BACKEND = "http://localhost:8081/api/v1"
SLUG = {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"}
# Fields that name another item: a picker of that collection's entries.
RELATIONS = {("procedures", "related"): "procedures", ("procedures", "replaced_by"): "procedures",
             ("offices", "merged_into"): "offices"}


def _hint(prop: dict) -> dict:
    return {"hint": prop["description"]} if prop.get("description") else {}


def field(type_name: str, name: str, prop: dict, required: bool) -> dict:
    """A Decap field for one schema property."""
    out = {"name": name, "label": prop.get("title") or name, **_hint(prop), "required": required}
    kind = prop.get("type")
    items = prop.get("items") or {}
    labels = prop.get("x-enum-labels") or items.get("x-enum-labels") or {}
    relation = RELATIONS.get((type_name, name))
    if relation:
        out.update(widget="relation", collection=relation, value_field="{{slug}}", search_fields=["title", "name"],
                   display_fields=["title"] if relation != "offices" else ["name"], multiple=kind == "array")
    elif "enum" in prop or "enum" in items:
        values = prop.get("enum") or items.get("enum")
        out.update(widget="select", options=[{"label": labels.get(v, v), "value": v} for v in values],
                   multiple=kind == "array")
    elif prop.get("format") in ("date", "date-or-datetime"):
        out.update(widget="datetime", format="YYYY-MM-DD" if prop["format"] == "date" else "YYYY-MM-DD HH:mm",
                   date_format="DD/MM/YYYY", time_format=False if prop["format"] == "date" else "HH:mm")
    elif kind in ("integer", "number"):
        out.update(widget="number", value_type="int" if kind == "integer" else "float")
        for bound, key in (("minimum", "min"), ("maximum", "max")):
            if bound in prop:
                out[key] = prop[bound]
    elif kind == "boolean":
        out.update(widget="boolean")
    elif kind == "array" and items.get("type") == "object":
        out.update(widget="list", fields=fields(type_name, items))
    elif kind == "array":
        out.update(widget="list", field={"name": name, "label": out["label"], "widget": "string"})
    elif kind == "object" and prop.get("properties"):
        out.update(widget="object", fields=fields(type_name, prop))
    elif kind == "object":
        out.update(widget="code", output_code_only=True, default_language="yaml")  # a free map (targets)
    else:
        out.update(widget="text" if prop.get("x-multiline") else "string")
    if prop.get("pattern") and out.get("widget") in ("string", "text"):
        out["pattern"] = [prop["pattern"], prop.get("x-error") or "không đúng định dạng"]
    return out


def fields(type_name: str, schema: dict) -> list[dict]:
    required = set(schema.get("required", []))
    return [field(type_name, name, prop, name in required) for name, prop in (schema.get("properties") or {}).items()]


def collections(content_prefix: str) -> list[dict]:
    """One folder collection per Markdown content type, in the registry's order."""
    out = []
    for ct in registry.content_types():
        if ct.folder is None:
            continue
        out.append({
            "name": ct.name, "label": ct.label or ct.name, "folder": f"{content_prefix}/{ct.folder}",
            "create": True, "extension": "md", "format": "frontmatter", "slug": "{{slug}}",
            "identifier_field": "title" if "title" in ct.fields else "name",
            "fields": fields(ct.name, ct.schema) + [{"name": "body", "label": "Nội dung", "widget": "markdown",
                                                     "required": False}],
        })
    return out


def cms_config(settings) -> dict:
    prefix = settings.get("CMS_CONTENT_PREFIX", "content")
    return {
        "backend": {"name": "git-gateway", "branch": settings.get("CMS_BRANCH", "main")},
        "local_backend": {"url": os.environ.get("PORTAL_CMS_BACKEND") or settings.get("CMS_LOCAL_BACKEND", DEFAULT_BACKEND)},
        "locale": "vi",
        "site_url": settings.get("SITE_URL", ""),
        "media_folder": f"{prefix}/images",
        "public_folder": "/images",
        "slug": SLUG,
        "collections": collections(prefix),
    }


class CmsGenerator(PortalGenerator):
    """/quan-tri/: the editor's page, its generated configuration and the Decap bundle."""

    def generate_output(self, writer):
        out = Path(self.output_path)
        self.write_page(writer, "cms", URLS["index"], bundle=URLS["bundle"])
        config = out / URLS["config"].lstrip("/")
        config.write_text(yaml.safe_dump(cms_config(self.settings), allow_unicode=True, sort_keys=False),
                          encoding="utf-8")
        bundle = [f.name for f in DECAP.glob("*decap-cms.js")] if DECAP.is_dir() else []
        if "decap-cms.js" not in bundle:
            raise FileNotFoundError(f"portal_cms: {DECAP / 'decap-cms.js'} is missing: run `npm ci`")
        output.copy_files(DECAP, config.parent, names=set(bundle))


def get_generators(pelican):
    return CmsGenerator


def register():
    registry.register_urls("cms", URLS)
    signals.get_generators.connect(get_generators)
