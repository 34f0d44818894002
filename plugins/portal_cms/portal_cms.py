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
URLS = {"index": "/quan-tri/", "config": "/quan-tri/config.yml", "bundle": "/quan-tri/decap-cms.js",
        "init": "/quan-tri/cms-init.js"}
DEFAULT_BACKEND = "http://localhost:8081/api/v1"
SLUG = {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"}
# The file collection holding the types stored as one YAML file (site.yaml, wards, synonyms).
SETTINGS = "cau-hinh"
NOTE = {"name": "note", "label": "Ghi chú cho người biên tập", "widget": "text", "required": False,
        "hint": "Không hiện trên trang web: nguồn, điều cần kiểm tra lại"}
# The editor's own Content-Security-Policy: Decap needs inline styles and eval, and talks to the
# editing server; the public pages' policy does not loosen for it (see README).
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self' {backend}; frame-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'")


def _hint(prop: dict) -> dict:
    return {"hint": prop["description"]} if prop.get("description") else {}


def _relation(target: str) -> dict:
    """A picker of another type's items: its folder collection, or the list of a one-file type."""
    ct = registry.content_type(target)
    if ct.folder is not None:
        shown = "title" if "title" in ct.fields else "name"
        return {"widget": "relation", "collection": target, "value_field": "{{slug}}",
                "search_fields": [shown], "display_fields": [shown]}
    key = f"{ct.list_key}.*.name"
    return {"widget": "relation", "collection": SETTINGS, "file": target, "value_field": key,
            "search_fields": [key], "display_fields": [key]}


def field(type_name: str, name: str, prop: dict, required: bool, prefix: str = "content") -> dict:
    """A Decap field for one schema property."""
    out = {"name": name, "label": prop.get("title") or name, **_hint(prop), "required": required}
    kind = prop.get("type")
    items = prop.get("items") or {}
    labels = prop.get("x-enum-labels") or items.get("x-enum-labels") or {}
    if prop.get("x-relation"):
        out.update(_relation(prop["x-relation"]), multiple=kind == "array")
    elif prop.get("x-file-folder"):
        out.update(widget="file", media_folder=f"/{prefix}/{prop['x-file-folder']}", public_folder="",
                   choose_url=False, allow_multiple=False)
    elif "enum" in prop or "enum" in items:
        values = prop.get("enum") or items.get("enum")
        out.update(widget="select", options=[{"label": labels.get(v, v), "value": v} for v in values],
                   multiple=kind == "array")
    elif prop.get("format") in ("date", "date-or-datetime"):
        out.update(widget="datetime", format="YYYY-MM-DD" if prop["format"] == "date" else "YYYY-MM-DD HH:mm",
                   date_format="DD/MM/YYYY", time_format=False if prop["format"] == "date" else "HH:mm",
                   picker_utc=False)
    elif kind in ("integer", "number"):
        out.update(widget="number", value_type="int" if kind == "integer" else "float")
        for bound, key in (("minimum", "min"), ("maximum", "max")):
            if bound in prop:
                out[key] = prop[bound]
    elif kind == "boolean":
        out.update(widget="boolean")
    elif kind == "array" and items.get("type") == "object":
        out.update(widget="list", fields=fields(type_name, items, prefix))
    elif kind == "array":
        out.update(widget="list", field={"name": name, "label": out["label"], "widget": "string"})
    elif kind == "object" and prop.get("properties"):
        out.update(widget="object", fields=fields(type_name, prop, prefix))
    elif kind == "object":
        out.update(widget="code", output_code_only=True, default_language="yaml")  # a free map (targets)
    else:
        out.update(widget="text" if prop.get("x-multiline") else "string")
    if prop.get("pattern") and out.get("widget") in ("string", "text"):
        out["pattern"] = [prop["pattern"], prop.get("x-error") or "không đúng định dạng"]
    return out


def fields(type_name: str, schema: dict, prefix: str = "content") -> list[dict]:
    required = set(schema.get("required", []))
    return [field(type_name, name, prop, name in required, prefix)
            for name, prop in (schema.get("properties") or {}).items()]


def _preview_path(ct) -> dict:
    """Where the built site shows an item: Decap's preview link ("Xem trước")."""
    if not registry.has_url(f"{ct.name}.item"):
        return {}
    return {"preview_path": registry.url(f"{ct.name}.item", slug="{{slug}}").lstrip("/")}


def collections(content_prefix: str) -> list[dict]:
    """One folder collection per Markdown content type, in the registry's order, then one file
    collection holding the types that are one YAML file."""
    out, files = [], []
    for ct in registry.content_types():
        if ct.folder is not None:
            out.append({
                "name": ct.name, "label": ct.label or ct.name, "label_singular": ct.label or ct.name,
                "folder": f"{content_prefix}/{ct.folder}", "create": True, "extension": "md",
                "format": "frontmatter", "slug": "{{slug}}",
                "identifier_field": "title" if "title" in ct.fields else "name", **_preview_path(ct),
                "fields": fields(ct.name, ct.schema, content_prefix) + [
                    {"name": "body", "label": "Nội dung", "widget": "markdown", "required": False}],
            })
        elif ct.file is not None and ct.file.endswith((".yaml", ".yml")):
            if ct.list_key:
                own = [NOTE, {"name": ct.list_key, "label": ct.label or ct.name, "widget": "list",
                              **_hint(ct.schema), **_list_fields(ct, content_prefix), "required": False}]
            else:
                own = fields(ct.name, ct.schema, content_prefix)
            files.append({"name": ct.name, "label": ct.label or ct.schema.get("title") or ct.name,
                          "file": f"{content_prefix}/{ct.file}", "fields": own})
    if files:
        out.append({"name": SETTINGS, "label": "Cấu hình và danh mục", "editor": {"preview": False},
                    "files": files})
    return out


def _list_fields(ct, prefix: str) -> dict:
    """A list widget's item fields; `summary` shows an item's name in the collapsed list."""
    got = fields(ct.name, ct.schema, prefix)
    if len(got) == 1:  # one field per item (a synonym group's words): still an object, as in the file
        return {"fields": got, "summary": "{{fields.%s}}" % got[0]["name"]}
    return {"fields": got, "summary": "{{fields.name}}" if "name" in ct.fields else ""}


def backend_url(settings) -> str:
    return os.environ.get("PORTAL_CMS_BACKEND") or settings.get("CMS_LOCAL_BACKEND", DEFAULT_BACKEND)


def cms_config(settings) -> dict:
    prefix = settings.get("CMS_CONTENT_PREFIX", "content")
    return {
        "backend": {"name": "git-gateway", "branch": settings.get("CMS_BRANCH", "main"),
                    "squash_merges": False},
        "local_backend": {"url": backend_url(settings)},
        "publish_mode": "editorial_workflow",
        "locale": "vi",
        # "Xem bản hoàn chỉnh" of a published entry: the editing server's own site under `invoke cms`
        "site_url": os.environ.get("PORTAL_CMS_SITE_URL") or settings.get("SITE_URL", ""),
        "show_preview_links": True,
        "media_folder": f"{prefix}/images",
        "public_folder": "/images",
        "slug": SLUG,
        "collections": collections(prefix),
    }


class CmsGenerator(PortalGenerator):
    """/quan-tri/: the editor's page, its generated configuration and the Decap bundle."""

    def generate_output(self, writer):
        out = Path(self.output_path)
        self.write_page(writer, "cms", URLS["index"], bundle=URLS["bundle"], init=URLS["init"],
                        csp=policy(self.settings))
        config = out / URLS["config"].lstrip("/")
        config.write_text(yaml.safe_dump(cms_config(self.settings), allow_unicode=True, sort_keys=False),
                          encoding="utf-8")
        bundle = [f.name for f in DECAP.glob("*decap-cms.js")] if DECAP.is_dir() else []
        if "decap-cms.js" not in bundle:
            raise FileNotFoundError(f"portal_cms: {DECAP / 'decap-cms.js'} is missing: run `npm ci`")
        output.copy_files(DECAP, config.parent, names=set(bundle))
        output.copy_files(HERE / "static", config.parent, names={"cms-init.js"})


def policy(settings) -> str:
    """The editor's own Content-Security-Policy (its page's <meta>, and the server's header for
    /quan-tri/): Decap needs eval and inline styles, which the public pages never allow."""
    backend = backend_url(settings)
    origin = "/".join(backend.split("/")[:3]) if backend.startswith("http") else ""
    return CSP.format(backend=origin).replace(" ;", ";")


def get_generators(pelican):
    return CmsGenerator


def register():
    registry.register_urls("cms", URLS)
    registry.register_private(URLS["index"])
    registry.register_area_policy(URLS["index"], policy)
    signals.get_generators.connect(get_generators)


FORMATTER = HERE / "format.js"


def format_jobs(content: Path, settings) -> list[dict]:
    """Every file the editor writes, with its top-level key order (the collection's fields)."""
    jobs = []
    prefix = settings.get("CMS_CONTENT_PREFIX", "content")
    for c in collections(prefix):
        for f in c.get("files", []):
            path = content / f["file"][len(prefix) + 1:]
            if path.is_file():
                jobs.append({"path": str(path), "keys": [x["name"] for x in f["fields"]], "format": "yml"})
        if "folder" in c:
            keys = [x["name"] for x in c["fields"] if x["name"] != "body"]
            folder = content / c["folder"][len(prefix) + 1:]
            jobs += [{"path": str(p), "keys": keys, "format": "frontmatter"}
                     for p in sorted(folder.glob("*.md")) if p.is_file() and not p.is_symlink()]
    return jobs


def format_content(content: Path, settings, check: bool = False) -> tuple[int, str]:
    """Rewrites the content files as the editor writes them (or, with check, lists those that
    differ): (exit code, output). Needs node and `npm ci`."""
    import json
    import subprocess

    proc = subprocess.run(["node", str(FORMATTER)] + (["--check"] if check else []),
                          input=json.dumps(format_jobs(content, settings)), capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr
