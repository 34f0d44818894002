"""Offices (địa điểm tiếp nhận hồ sơ) and wards: schema, cross-checks, pages at /dia-diem/."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

from portal_core import ContentType, register_content_type
from portal_core.content import as_date
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
RESERVED = frozenset({"gan-nhat", "pham-vi", "page", "index"})
KIND_LABELS = {"trung-tam": "Trung tâm tỉnh", "chi-nhanh": "Chi nhánh", "diem-tiep-nhan": "Điểm tiếp nhận"}
KIND_PLURALS = {"trung-tam": "Trung tâm tỉnh", "chi-nhanh": "Các chi nhánh", "diem-tiep-nhan": "Các điểm tiếp nhận"}


def open_on(office, day) -> bool:
    """Whether the office exists and receives dossiers on `day` (opened, not merged or closed)."""
    if office.opened_date > day:
        return False
    for end in (office.merged_on_date, office.closed_on_date):
        if end is not None and end <= day:
            return False
    return True


def prepare(item, store):
    item.url = f"/dia-diem/{item.slug}/"
    item.opened_date = as_date(item.data["opened"])
    item.merged_on_date = as_date(item.data.get("merged_on"))
    item.closed_on_date = as_date(item.data.get("closed_on"))
    item.is_open = open_on(item, store.today)
    item.planned = item.opened_date > store.today


def cross_check(store):
    for o in store["offices"]:
        target = o.data.get("merged_into")
        if target and store.get("offices", target) is None:
            store.error(o, f"không có địa điểm '{target}' (content/offices/{target}.md)", "merged_into")
        if target == o.slug:
            store.error(o, "một địa điểm không thể sáp nhập vào chính nó", "merged_into")
        for name in ("merged_on", "closed_on"):
            end = as_date(o.data.get(name))
            if end and end < o.opened_date:
                store.error(o, f"ngày {end.isoformat()} trước ngày hoạt động (opened)", name)


register_content_type(ContentType(
    name="offices", folder="offices", schema_path=HERE / "office.schema.json",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=20,
))
register_content_type(ContentType(
    name="wards", file="wards.yaml", list_file=True, schema_path=HERE / "ward.schema.json",
    render_body=False, order=21,
))


class OfficesGenerator(PortalGenerator):
    """Writes each office's page and the office list."""

    def generate_context(self):
        offices = sorted(self.store["offices"], key=lambda o: (list(KIND_LABELS).index(o.kind), o.name))
        self.context["offices"] = offices
        self.context["open_offices"] = [o for o in offices if o.is_open]

    def generate_output(self, writer):
        for o in self.context["offices"]:
            self.write(writer, "office", f"dia-diem/{o.slug}/index.html", office=o, page_name=o.url)
        self.write(writer, "offices", "dia-diem/index.html", page_name="dia-diem")


def get_generators(pelican):
    return OfficesGenerator


def add_globals(generator):
    generator.env.globals.update(KIND_LABELS=KIND_LABELS, KIND_PLURALS=KIND_PLURALS)


def register():
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
