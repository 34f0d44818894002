"""Roadmap phases (lộ trình): schema, progress computed from the data, pages at /lo-trinh/.

Progress is never typed twice: a phase's `targets` are compared with figures counted from the
other content on the build's today:

- `branches`, `reception_points`: offices of kind chi-nhanh / diem-tiep-nhan open on the phase's
  end date (asked of the offices plugin: portal_offices.of_kind, open_on); for the phase
  in progress, on today (the end date has not come yet, so only what is open now is counted);
- `non_geographic_procedures`: active procedures with `non_geographic: true`. Procedures carry
  no dates, so this is today's count and is shown only for the phase in progress (or the last
  phase once all have ended).

Other target names are shown as targets only. A figure counted from sample items is marked sample.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from markupsafe import Markup
from pelican import signals

import portal_offices
import portal_procedures
from portal_core import registry, text
from portal_core.portal_core import PortalGenerator
from portal_core.registry import ContentType, Milestone
from portal_core.text import as_date

HERE = Path(__file__).parent
RESERVED = frozenset({"page", "index", "trang"})
URLS = {"index": "/lo-trinh/", "item": "/lo-trinh/{slug}/"}

STATE_LABELS = {"done": "Đã kết thúc", "current": "Đang thực hiện", "planned": "Chưa bắt đầu"}
# Targets counted from the data: name -> (label, unit).
COMPUTED_TARGETS = {
    "branches": ("Chi nhánh đang hoạt động", "chi nhánh"),
    "reception_points": ("Điểm tiếp nhận đang hoạt động", "điểm tiếp nhận"),
    "non_geographic_procedures": ("Thủ tục phi địa giới hành chính", "thủ tục"),
}
OFFICE_KINDS = {"branches": "chi-nhanh", "reception_points": "diem-tiep-nhan"}
# Labels for targets that are only shown (a target's own `label` overrides them).
TARGET_LABELS = {
    "centers": "Trung tâm cấp tỉnh",
    "online_services": "Dịch vụ công trực tuyến",
    "online_full_services": "Dịch vụ công trực tuyến toàn trình",
    "staff": "Công chức, viên chức làm việc tại bộ phận một cửa",
    "procedures": "Thủ tục hành chính được tiếp nhận",
    "new_branches": "Chi nhánh mới",
    "satisfaction_percent": "Tỷ lệ hài lòng (%)",
}

# The chart (SVG drawn at build time).
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 150
CHART_ROW = 44
CHART_SECTION_GAP = 40
CHART_TARGET_COLOUR = "#505a5f"
CHART_ACTUAL_COLOUR = "#0b4f9c"


@dataclass
class Figure:
    """One target of one phase, with the figure counted from the data when there is one."""

    name: str
    label: str
    target: float
    computed: bool = False
    actual: int | None = None
    as_of: dt.date | None = None
    sample: bool = False
    note: str = ""
    unit: str = ""

    @property
    def reached(self) -> bool | None:
        return None if self.actual is None else self.actual >= self.target

    @property
    def percent(self) -> int | None:
        if self.actual is None or not self.target:
            return None
        return round(100 * self.actual / self.target)


@dataclass
class Progress:
    """Counts taken from the store once per build."""

    offices: dict = field(default_factory=dict)  # kind -> list of offices
    non_geographic: list = field(default_factory=list)
    procedures_sample: bool = False


def prepare(item, store):
    item.url = URLS["item"].format(slug=item.slug)
    item.start_date = as_date(item.data["start"])
    item.end_date = as_date(item.data["end"])
    item.numeral = text.roman(item.data["phase"])
    if store.today > item.end_date:
        item.state = "done"
    elif store.today >= item.start_date:
        item.state = "current"
    else:
        item.state = "planned"
    item.state_label = STATE_LABELS[item.state]


def targets(phase) -> list[dict]:
    """The phase's targets in the file's order: {"name", "value", "label" (when the file gives one)}."""
    return list(phase.data.get("targets") or [])


def target_label(phase, name: str) -> str:
    given = next((t.get("label") for t in targets(phase) if t["name"] == name and t.get("label")), None)
    if given:
        return given
    if name in COMPUTED_TARGETS:
        return COMPUTED_TARGETS[name][0]
    return TARGET_LABELS.get(name, name)


def cross_check(store):
    seen = {}
    phases = sorted(store["roadmap"], key=lambda p: p.start_date)
    for ph in phases:
        if ph.end_date < ph.start_date:
            store.error(ph, f"ngày kết thúc {ph.end_date.isoformat()} trước ngày bắt đầu {ph.start_date.isoformat()}", "end")
        n = ph.data["phase"]
        if n in seen:
            store.error(ph, f"giai đoạn {n} trùng với {seen[n].source}", "phase")
        seen.setdefault(n, ph)
        names = set()
        for i, t in enumerate(targets(ph)):
            name = t["name"]
            if name in names:
                store.error(ph, f"chỉ tiêu '{name}' có hai lần; mỗi chỉ tiêu chỉ ghi một lần", f"targets[{i}].name",
                            ("targets", i, "name"))
            names.add(name)
            if name not in COMPUTED_TARGETS and name not in TARGET_LABELS and not t.get("label"):
                store.warn(ph, f"chỉ tiêu '{name}' chưa có tên tiếng Việt; thêm label: ... vào mục này",
                           f"targets[{i}].label", ("targets", i, "name"))
    for a, b in zip(phases, phases[1:]):
        if b.start_date <= a.end_date:
            store.warn(b, f"giai đoạn bắt đầu ngày {b.start_date.isoformat()}, trước khi giai đoạn "
                          f"{a.data['phase']} ({a.source}) kết thúc ngày {a.end_date.isoformat()}", "start")


def milestones(store) -> list[Milestone]:
    """The end of each phase: the offices plugin shows its coverage on those days."""
    return [Milestone(f"giai-doan-{ph.phase}", ph.end_date,
                      f"Cuối giai đoạn {ph.numeral} ({text.date(ph.end_date)})", ph.url, ph.title)
            for ph in sorted(store["roadmap"], key=lambda p: p.phase)]


def count_progress(store) -> Progress:
    offices = {kind: portal_offices.of_kind(store, kind) for kind in OFFICE_KINDS.values()}
    active = portal_procedures.active(store)
    return Progress(
        offices=offices,
        non_geographic=[p for p in active if p.non_geographic],
        procedures_sample=any(p.sample for p in active),
    )


def figures_for(phase, progress: Progress, today: dt.date, reports_today: bool) -> list[Figure]:
    """The phase's targets, each with its counted figure where the data gives one.

    `reports_today`: this phase is the one whose figures are today's (the phase in progress, or
    the last one when all have ended): undated counts (procedures) are given only for it.
    """
    out = []
    for t in targets(phase):
        name, target = t["name"], t["value"]
        fig = Figure(name, target_label(phase, name), target, computed=name in COMPUTED_TARGETS)
        if name in COMPUTED_TARGETS:
            fig.unit = COMPUTED_TARGETS[name][1]
        if phase.state == "planned" and fig.computed:
            fig.note = "chưa bắt đầu"
        elif name in OFFICE_KINDS:
            day = min(phase.end_date, today)
            population = progress.offices[OFFICE_KINDS[name]]
            fig.actual = sum(1 for o in population if portal_offices.open_on(o, day))
            fig.as_of = day
            fig.sample = any(o.sample for o in population)
        elif name == "non_geographic_procedures":
            if reports_today:
                fig.actual = len(progress.non_geographic)
                fig.as_of = today
                fig.sample = progress.procedures_sample
            else:
                fig.note = "thủ tục không ghi ngày áp dụng nên chỉ có số hiện nay (ở giai đoạn hiện tại)"
        out.append(fig)
    return out


def chart_svg(phases, id_prefix: str = "roadmap-chart") -> Markup:
    """Targets against actual per phase: one small bar chart per counted target, its own scale.

    The SVG is an image (role=img) named by its <title> and described in full by its <desc>;
    the same figures are in the table under it.
    """
    sections = []
    for name, (label, unit) in COMPUTED_TARGETS.items():
        rows = [(ph, f) for ph in phases for f in ph.figures if f.name == name]
        if rows:
            sections.append((name, label, unit, rows))
    if not sections:
        return Markup("")
    bar_area = CHART_WIDTH - CHART_LABEL_WIDTH - 20
    y = 48
    parts = []
    desc = []
    for name, label, unit, rows in sections:
        top = max([f.target for _, f in rows] + [f.actual or 0 for _, f in rows]) or 1
        parts.append(f'<text x="0" y="{y}" class="chart-heading">{escape(label)}</text>')
        y += 12
        for ph, f in rows:
            tw = max(1, round(bar_area * f.target / top))
            row_label = f"Giai đoạn {ph.numeral}"
            parts.append(f'<text x="0" y="{y + 22}">{escape(row_label)}</text>')
            parts.append(f'<rect x="{CHART_LABEL_WIDTH}" y="{y + 4}" width="{tw}" height="14" fill="#fff" '
                         f'stroke="{CHART_TARGET_COLOUR}" stroke-width="2" stroke-dasharray="4 2"/>')
            if f.actual is not None:
                aw = round(bar_area * f.actual / top)
                parts.append(f'<rect x="{CHART_LABEL_WIDTH}" y="{y + 20}" width="{max(aw, 1)}" height="14" '
                             f'fill="{CHART_ACTUAL_COLOUR}"/>')
                value = f"{text.number(f.actual)} / {text.number(f.target)}" + (" (mẫu)" if f.sample else "")
                said = (f"giai đoạn {ph.numeral}: thực tế {text.number(f.actual)} trên chỉ tiêu {text.number(f.target)}"
                        f" (ngày {text.date(f.as_of)}{', dữ liệu mẫu' if f.sample else ''})")
            else:
                value = f"chỉ tiêu {text.number(f.target)}; chưa có số thực tế"
                said = f"giai đoạn {ph.numeral}: chỉ tiêu {text.number(f.target)}, chưa có số thực tế"
            parts.append(f'<text x="{CHART_LABEL_WIDTH + 4}" y="{y + 50}" class="chart-value">{escape(value)}</text>')
            desc.append(f"{label}, {said}.")
            y += CHART_ROW + 14
        y += CHART_SECTION_GAP - 14
    height = y
    legend = (
        f'<rect x="0" y="8" width="28" height="14" fill="#fff" stroke="{CHART_TARGET_COLOUR}" stroke-width="2" stroke-dasharray="4 2"/>'
        f'<text x="36" y="20">Chỉ tiêu</text>'
        f'<rect x="120" y="8" width="28" height="14" fill="{CHART_ACTUAL_COLOUR}"/>'
        f'<text x="156" y="20">Thực tế (tính từ dữ liệu)</text>'
    )
    svg = (
        f'<svg class="roadmap-chart" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="14" fill="#1b1b1b">'
        f'<title id="{id_prefix}-title">Chỉ tiêu và thực tế theo từng giai đoạn</title>'
        f'<desc id="{id_prefix}-desc">{escape(" ".join(desc))}</desc>'
        f'{legend}{"".join(parts)}</svg>'
    )
    return Markup(svg)


class RoadmapGenerator(PortalGenerator):
    """Writes the roadmap timeline and a page per phase."""

    def generate_context(self):
        phases = sorted(self.store["roadmap"], key=lambda p: (p.start_date, p.phase))
        today = self.store.today
        current = [p for p in phases if p.state == "current"]
        done = [p for p in phases if p.state == "done"]
        # The home page shows the phase in progress or, once all have ended, the last with its outcome;
        # that phase also reports today's undated counts.
        reporting = current[0] if current else (done[-1] if done else None)
        progress = count_progress(self.store)
        for i, ph in enumerate(phases):
            ph.figures = figures_for(ph, progress, today, ph is reporting)
            ph.counted = [f for f in ph.figures if f.actual is not None]
            ph.has_sample_figures = any(f.sample for f in ph.counted)
            ph.previous_phase = phases[i - 1] if i else None
            ph.next_phase = phases[i + 1] if i + 1 < len(phases) else None
        self.context["phases"] = phases
        self.context["current_phase"] = reporting
        self.context["roadmap_chart"] = chart_svg(phases)
        self.context["roadmap_rows"] = [(ph, f) for ph in phases for f in ph.figures if f.computed]
        self.context["roadmap_has_sample"] = any(ph.has_sample_figures for ph in phases)

    def generate_output(self, writer):
        for ph in self.context["phases"]:
            self.write_page(writer, "phase", ph.url, phase=ph)
        self.write(writer, "roadmap", "lo-trinh/index.html", page_name="lo-trinh")


ROADMAP = ContentType(
    name="roadmap", folder="roadmap", schema_path=HERE / "phase.schema.json", label="Lộ trình", urls=URLS,
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=30, milestones=milestones,
)


def get_generators(pelican):
    return RoadmapGenerator


def add_globals(generator):
    generator.env.globals.update(ROADMAP_STATE_LABELS=STATE_LABELS)


def register():
    registry.register_type(ROADMAP)
    registry.register_nav("roadmap", "Lộ trình", "roadmap", 30)
    registry.register_home_block("roadmap", "grid", "home_roadmap.html", 30)
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
