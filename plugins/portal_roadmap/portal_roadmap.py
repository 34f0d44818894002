"""Roadmap phases (lộ trình): schema, cross-checks, pages at /lo-trinh/."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

from portal_core import ContentType, register_content_type
from portal_core.content import as_date
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
RESERVED = frozenset({"page", "index"})


def prepare(item, store):
    item.url = f"/lo-trinh/{item.slug}/"
    item.start_date = as_date(item.data["start"])
    item.end_date = as_date(item.data["end"])
    if store.today > item.end_date:
        item.state = "done"
    elif store.today >= item.start_date:
        item.state = "current"
    else:
        item.state = "planned"


def cross_check(store):
    seen = {}
    for ph in store["roadmap"]:
        if ph.end_date < ph.start_date:
            store.error(ph, f"ngày kết thúc {ph.end_date.isoformat()} trước ngày bắt đầu {ph.start_date.isoformat()}", "end")
        n = ph.data["phase"]
        if n in seen:
            store.error(ph, f"giai đoạn {n} trùng với {seen[n].source}", "phase")
        seen.setdefault(n, ph)


register_content_type(ContentType(
    name="roadmap", folder="roadmap", schema_path=HERE / "phase.schema.json",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=30,
))


class RoadmapGenerator(PortalGenerator):
    """Writes the roadmap timeline and a page per phase."""

    def generate_context(self):
        phases = sorted(self.store["roadmap"], key=lambda p: p.phase)
        self.context["phases"] = phases
        current = [p for p in phases if p.state == "current"]
        done = [p for p in phases if p.state == "done"]
        self.context["current_phase"] = current[0] if current else (done[-1] if done else None)

    def generate_output(self, writer):
        for ph in self.context["phases"]:
            self.write(writer, "phase", f"lo-trinh/{ph.slug}/index.html", phase=ph, page_name=ph.url)
        self.write(writer, "roadmap", "lo-trinh/index.html", page_name="lo-trinh")


def get_generators(pelican):
    return RoadmapGenerator


def register():
    signals.get_generators.connect(get_generators)
