"""Procedures (thủ tục hành chính): schema, cross-checks, pages at /thu-tuc/."""
from __future__ import annotations

import shutil
from pathlib import Path

from pelican import signals

from portal_core import ContentType, register_content_type
from portal_core.content import as_date
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
RESERVED = frozenset({"linh-vuc", "cap", "truc-tuyen", "phi-dia-gioi", "qr", "page", "index"})

LEVEL_LABELS = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện (trước 01/7/2025)", "xa": "Cấp xã"}
ONLINE_LABELS = {"toan-trinh": "Toàn trình", "mot-phan": "Một phần", "khong": "Không trực tuyến"}
CHANNEL_LABELS = {"truc-tiep": "Trực tiếp", "truc-tuyen": "Trực tuyến", "buu-chinh": "Bưu chính"}


def prepare(item, store):
    item.url = f"/thu-tuc/{item.slug}/"
    item.updated_date = as_date(item.data["updated"])
    item.active = item.data.get("status", "active") == "active"


def cross_check(store):
    store.popular_procedures = []
    site = store.get("site", "site")
    for i, slug in enumerate(site.data.get("popular_procedures", []) if site else []):
        p = store.get("procedures", slug)
        if p is None:
            store.error(site, f"không có thủ tục '{slug}' (content/procedures/{slug}.md)",
                        f"popular_procedures[{i}]", ("popular_procedures", i))
        else:
            store.popular_procedures.append(p)
    codes = {}
    forms = store.path / "forms"
    for p in store["procedures"]:
        code = p.data["code"]
        if code in codes:
            store.error(p, f"mã thủ tục '{code}' trùng với {codes[code].source}", "code")
        codes.setdefault(code, p)
        for slug in p.data.get("related", []):
            if store.get("procedures", slug) is None:
                store.error(p, f"không có thủ tục '{slug}' (content/procedures/{slug}.md)", "related")
        rb = p.data.get("replaced_by")
        if rb and store.get("procedures", rb) is None:
            store.error(p, f"không có thủ tục '{rb}' (content/procedures/{rb}.md)", "replaced_by")
        if rb and p.data.get("status") != "abolished":
            store.error(p, "chỉ thủ tục đã bãi bỏ (status: abolished) mới có replaced_by", "replaced_by")
        for i, doc in enumerate(p.data.get("documents", [])):
            if "form" in doc and not (forms / doc["form"]).is_file():
                store.error(p, f"không có tệp mẫu đơn content/forms/{doc['form']}",
                            f"documents[{i}].form", ("documents", i, "form"))


register_content_type(ContentType(
    name="procedures", folder="procedures", schema_path=HERE / "procedure.schema.json",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=10,
))


class ProceduresGenerator(PortalGenerator):
    """Writes each procedure's page and the procedure list."""

    def generate_context(self):
        procs = sorted(self.store["procedures"], key=lambda p: p.title)
        self.context["procedures"] = procs
        self.context["active_procedures"] = [p for p in procs if p.active]

    def generate_output(self, writer):
        for p in self.context["procedures"]:
            self.write(writer, "procedure", f"thu-tuc/{p.slug}/index.html", procedure=p, page_name=p.url)
        self.write(writer, "procedures", "thu-tuc/index.html", page_name="thu-tuc")
        self.copy_forms()

    def copy_forms(self):
        """content/forms/<file> is published as /bieu-mau/<file>."""
        src = self.store.path / "forms"
        if not src.is_dir():
            return
        dest = Path(self.output_path) / "bieu-mau"
        dest.mkdir(parents=True, exist_ok=True)
        for f in src.iterdir():
            if f.is_file() and not f.name.startswith("."):
                shutil.copy2(f, dest / f.name)


def get_generators(pelican):
    return ProceduresGenerator


def add_globals(generator):
    generator.env.globals.update(
        LEVEL_LABELS=LEVEL_LABELS, ONLINE_LABELS=ONLINE_LABELS, CHANNEL_LABELS=CHANNEL_LABELS
    )


def register():
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
