"""Statistics: how well the center serves, from what the one-stop software exports every night.

Two CSV content types (UTF-8, a header row, one item per row, checked like any content: file, line,
column, what is wrong):

- `dossiers` (content/statistics/dossiers.csv): per month, agency and procedure, the dossiers
  received (of which online), resolved on time and late, and those in progress at the month's end
  (a running count: taken from the last month, never summed over months);
- `index766` (content/statistics/index-766.csv): the Decision 766/QĐ-TTg scores per period, unit
  and group.

/thong-ke/ shows the last twelve complete months before the build's day with an SVG chart and its
table, a table per agency, and the 766 total per unit with its rating; procedure pages ask
`procedure_figures(store, code)` for their one line. /api/statistics.json and the CSV files are
the open data. Every figure computed from a row marked `sample` is marked sample.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from markupsafe import Markup
from pelican import signals

from portal_core import output, registry, text
from portal_core.portal_core import PortalGenerator
from portal_core.registry import ContentType

HERE = Path(__file__).parent
URLS = {"index": "/thong-ke/", "api": "/api/statistics.json", "api_schema": "/api/statistics.schema.json",
        "csv_dossiers": "/api/statistics/dossiers.csv", "csv_index": "/api/statistics/index-766.csv",
        "script": "/static/portal_statistics/statistics.js"}
MONTHS = 12
OTHER = "Khác"  # procedure codes no procedure has
# Decision 766 ratings on the total out of 100: (lowest score, rating), highest first.
RATINGS = ((90, "Xuất sắc"), (80, "Tốt"), (70, "Khá"), (50, "Trung bình"), (0, "Yếu"))
BAR_COLOUR, LINE_COLOUR, GRID_COLOUR = "#0b4f9c", "#00703c", "#b1b4b6"


@dataclass
class Totals:
    received: int = 0
    online: int = 0
    on_time: int = 0
    late: int = 0
    in_progress: int | None = None
    sample: bool = False

    def add(self, row) -> None:
        d = row.data
        self.received += d["received"]
        self.online += d["received_online"]
        self.on_time += d["resolved_on_time"]
        self.late += d["resolved_late"]
        self.sample = self.sample or bool(d.get("sample"))

    @property
    def resolved(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def online_share(self) -> float | None:
        return self.online / self.received if self.received else None

    def record(self) -> dict:
        return {"received": self.received, "received_online": self.online, "resolved_on_time": self.on_time,
                "resolved_late": self.late, "in_progress": self.in_progress,
                "on_time_rate": _round(self.on_time_rate), "online_share": _round(self.online_share),
                "sample": self.sample}


def _round(x):
    return round(x, 4) if x is not None else None


@dataclass
class Unit766:
    unit: str
    period: str
    groups: dict = field(default_factory=dict)  # group -> (score, max)
    sample: bool = False

    @property
    def total(self) -> float:
        return sum(s for s, _ in self.groups.values())

    @property
    def max_total(self) -> float:
        return sum(m for _, m in self.groups.values())

    @property
    def out_of_100(self) -> float:
        return self.total * 100 / self.max_total if self.max_total else 0.0

    @property
    def rating(self) -> str:
        return rating(self.out_of_100)


def rating(out_of_100: float) -> str:
    return next(label for low, label in RATINGS if out_of_100 >= low)


# --- the two types --------------------------------------------------------------------------
def _month_key(month: str) -> tuple[int, int]:
    return int(month[:4]), int(month[5:7])


def _period_key(period: str) -> tuple[int, int]:
    """'2025-Q2' → (2025, 2); a whole year comes after its fourth quarter."""
    return (int(period[:4]), int(period[-1])) if "-Q" in period else (int(period[:4]), 5)


def cross_check_dossiers(store):
    seen = {}
    unknown = defaultdict(list)
    known = {p.code for p in store["procedures"]}
    for row in store["dossiers"]:
        d = row.data  # this plugin's own rows, read directly: 100,000 of them in a province's export
        code = d.get("procedure_code")
        key = (d["month"], d["agency"], code or "")
        if key in seen:
            store.error(row, f"trùng với dòng {seen[key]._line} (cùng tháng, cơ quan và mã thủ tục); "
                             "mỗi tháng, cơ quan, thủ tục chỉ có một dòng", "month")
        else:
            seen[key] = row
        if code and code not in known:
            unknown[code].append(row)
        if d["received_online"] > d["received"]:
            store.error(row, f"tiếp nhận trực tuyến ({d['received_online']}) nhiều hơn tổng tiếp nhận "
                             f"({d['received']})", "received_online")
    for code, rows in unknown.items():
        store.warn(rows[0], f"mã thủ tục '{code}' không có trong content/procedures ({len(rows)} dòng): được tính "
                            f"vào nhóm «{OTHER}»", "procedure_code")


def cross_check_index(store):
    seen = {}
    for row in store["index766"]:
        if row.score > row.max_score:
            store.error(row, f"điểm {text.number(row.score)} lớn hơn điểm tối đa {text.number(row.max_score)}", "score")
        key = (row.period, row.unit, row.group)
        if key in seen:
            store.error(row, f"trùng với dòng {seen[key]._line} (cùng kỳ, đơn vị và nhóm chỉ số)", "group")
        seen.setdefault(key, row)


DOSSIERS = ContentType(name="dossiers", file="statistics/dossiers.csv", schema_path=HERE / "dossiers.schema.json",
                       label="Hồ sơ theo tháng", render_body=False, order=60, cross_check=cross_check_dossiers)
INDEX766 = ContentType(name="index766", file="statistics/index-766.csv", schema_path=HERE / "index766.schema.json",
                       label="Chỉ số 766", render_body=False, order=61, cross_check=cross_check_index)
# The page's own words, editable in the browser editor: its introduction and the notes for figures
# that have no month or agency (such as the one the source articles give), which are never rows.
PAGE = ContentType(name="statistics_page", file="statistics/trang.yaml", schema_path=HERE / "page.schema.json",
                   label="Trang thống kê", render_body=False, order=62)
GROUP_LABELS = registry.enum_labels(INDEX766.schema, "group")


# --- what others ask -------------------------------------------------------------------------
def window(today: dt.date) -> list[str]:
    """The twelve complete months before `today`'s month, oldest first ('YYYY-MM')."""
    y, m = today.year, today.month
    out = []
    for _ in range(MONTHS):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return out[::-1]


def _in_window(store) -> list:
    memo = store.memo.setdefault("statistics_window", {})
    if "rows" not in memo:
        months = set(window(store.today))
        memo["rows"] = [r for r in store["dossiers"] if r.month in months]
    return memo["rows"]


def procedure_figures(store, code: str) -> Totals | None:
    """A procedure's last twelve months (dossiers received, on-time rate, online share), or None."""
    memo = store.memo.setdefault("statistics_by_code", {})
    if not memo and store["dossiers"]:
        for row in _in_window(store):
            if row.procedure_code:
                memo.setdefault(row.procedure_code, Totals()).add(row)
        memo.setdefault("", None)
    got = memo.get(code)
    return got if got and got.received else None


def summary(store) -> dict:
    """Everything /thong-ke/ and the open data show."""
    months = window(store.today)
    by_month = {m: Totals() for m in months}
    agencies: dict[str, Totals] = {}
    last = months[-1]
    rows = _in_window(store)
    for row in rows:
        by_month[row.month].add(row)
        agencies.setdefault(row.agency, Totals()).add(row)
    for row in rows:  # a running count: the months' last, never summed over months
        if row.month == last:
            t = agencies[row.agency]
            t.in_progress = (t.in_progress or 0) + row.in_progress
    year = Totals()
    known = {p.code: p for p in store["procedures"]}
    by_procedure: dict[str, Totals] = {}
    for row in rows:
        year.add(row)
        if row.procedure_code:  # a code no procedure has is counted under OTHER
            by_procedure.setdefault(row.procedure_code if row.procedure_code in known else "", Totals()).add(row)
    procedures = sorted(((known[c], t) for c, t in by_procedure.items() if c), key=lambda pt: -pt[1].received)
    if "" in by_procedure:
        procedures.append((None, by_procedure[""]))
    year.in_progress = sum(r.in_progress for r in rows if r.month == last) if rows else None
    all_months = sorted({r.month for r in store["dossiers"]}, key=_month_key)
    units = {}
    for row in sorted(store["index766"], key=lambda r: _period_key(r.period)):
        u = units.get(row.unit)
        if u is None or _period_key(row.period) > _period_key(u.period):
            u = units[row.unit] = Unit766(row.unit, row.period)
        if row.period == u.period:
            u.groups[row.group] = (row.score, row.max_score)
            u.sample = u.sample or bool(row.sample)
    return {
        "months": [(m, by_month[m]) for m in months], "year": year,
        "agencies": sorted(agencies.items(), key=lambda kv: text.sort_key(kv[0])),
        "data_until": all_months[-1] if all_months else None,
        "has_data": bool(rows), "index": list(units.values()), "procedures": procedures,
        "sample": year.sample or any(u.sample for u in units.values()),
    }


def month_label(month: str) -> str:
    return f"{int(month[5:7]):02d}/{month[:4]}"


month_label.portal_pure = True  # a text rule: templates may call it freely (incremental builds)


# --- charts ----------------------------------------------------------------------------------
def trend_svg(months: list) -> Markup:
    """Dossiers received per month (bars) and the on-time rate (a line, right scale)."""
    w, h, left, right, top, bottom = 640, 260, 48, 48, 16, 40
    top_value = max([t.received for _, t in months] + [1])
    step = (w - left - right) / max(len(months), 1)
    y = lambda v: top + (h - top - bottom) * (1 - v / top_value)  # noqa: E731
    y_rate = lambda r: top + (h - top - bottom) * (1 - r)  # noqa: E731
    parts = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="bieu-do-thang-tieu-de" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="bieu-do-thang-tieu-de">Hồ sơ tiếp nhận mỗi tháng '
             f'(cột) và tỷ lệ giải quyết đúng hạn (đường); số liệu ở bảng dưới</title>']
    for frac in (0, 0.5, 1):
        yy = y(top_value * frac)
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID_COLOUR}" '
                     f'stroke-width="1"/><text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11">'
                     f'{text.number(round(top_value * frac))}</text>'
                     f'<text x="{w - right + 6}" y="{y_rate(frac) + 4:.1f}" font-size="11">{int(frac * 100)} %</text>')
    points = []
    for i, (m, t) in enumerate(months):
        x = left + i * step
        bar_h = (h - top - bottom) * t.received / top_value
        parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{y(t.received):.1f}" width="{step * 0.7:.1f}" '
                     f'height="{bar_h:.1f}" fill="{BAR_COLOUR}"><title>{month_label(m)}: '
                     f'{text.number(t.received)} hồ sơ</title></rect>'
                     f'<text x="{x + step / 2:.1f}" y="{h - bottom + 16}" text-anchor="middle" font-size="11">'
                     f'{m[5:7]}/{m[2:4]}</text>')
        if t.on_time_rate is not None:
            points.append(f"{x + step / 2:.1f},{y_rate(t.on_time_rate):.1f}")
    if len(points) > 1:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.5"/>')
    for p in points:
        cx, cy = p.split(",")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{LINE_COLOUR}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def groups_svg(unit: Unit766) -> Markup:
    """The five groups of one unit, each as its share of the group's maximum."""
    w, row_h, label_w = 640, 30, 230
    groups = [(g, unit.groups[g]) for g in GROUP_LABELS if g in unit.groups]
    h = row_h * len(groups) + 10
    ident = "bieu-do-766-" + text.slugify(unit.unit)[:40]
    parts = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{ident}" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}">Điểm từng nhóm chỉ số của '
             f'{escape(unit.unit)}, kỳ {escape(unit.period)}, so với điểm tối đa</title>']
    for i, (g, (score, top)) in enumerate(groups):
        yy = 5 + i * row_h
        share = score / top if top else 0
        bar_w = (w - label_w - 90) * share
        parts.append(f'<text x="{label_w - 8}" y="{yy + 18}" text-anchor="end" font-size="12">'
                     f'{escape(GROUP_LABELS[g])}</text>'
                     f'<rect x="{label_w}" y="{yy + 4}" width="{w - label_w - 90}" height="18" fill="{GRID_COLOUR}" '
                     f'fill-opacity="0.35"/><rect x="{label_w}" y="{yy + 4}" width="{bar_w:.1f}" height="18" '
                     f'fill="{BAR_COLOUR}"/><text x="{w - 84}" y="{yy + 18}" font-size="12">'
                     f'{text.number(score)}/{text.number(top)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --- open data --------------------------------------------------------------------------------
def open_data(store, s: dict, site_url: str) -> dict:
    return {
        "$schema": site_url + URLS["api_schema"],
        "generated_for": store.today.isoformat(), "data_until": s["data_until"],
        "window": [m for m, _ in s["months"]], "sample": s["sample"],
        "province": s["year"].record(),
        "months": [{"month": m, **t.record()} for m, t in s["months"]],
        "agencies": [{"agency": a, **t.record()} for a, t in s["agencies"]],
        "procedures": [{"code": p.code if p else None, "title": p.title if p else OTHER, **t.record()}
                       for p, t in s["procedures"]],
        "index_766": [{"unit": u.unit, "period": u.period, "total": u.total, "max_total": u.max_total,
                       "out_of_100": round(u.out_of_100, 2), "rating": u.rating, "sample": u.sample,
                       "groups": {g: {"score": sc, "max_score": mx} for g, (sc, mx) in u.groups.items()}}
                      for u in s["index"]],
        "downloads": {"dossiers": site_url + URLS["csv_dossiers"], "index_766": site_url + URLS["csv_index"]},
    }


def api_schema(site_url: str) -> dict:
    figures = {"type": "object", "required": ["received", "on_time_rate", "online_share", "sample"],
               "properties": {k: {"type": ["integer", "null"]} for k in (
                   "received", "received_online", "resolved_on_time", "resolved_late", "in_progress")}}
    figures["properties"].update({"on_time_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                                  "online_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                                  "sample": {"type": "boolean"}})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": site_url + URLS["api_schema"],
        "title": "Số liệu giải quyết hồ sơ và Bộ chỉ số 766", "type": "object",
        "required": ["data_until", "window", "province", "months", "agencies", "index_766"],
        "properties": {
            "data_until": {"type": ["string", "null"], "pattern": "^\\d{4}-\\d{2}$"},
            "window": {"type": "array", "items": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}},
            "province": figures,
            "months": {"type": "array", "items": {**figures, "required": ["month", *figures["required"]],
                                                  "properties": {**figures["properties"], "month": {"type": "string"}}}},
            "agencies": {"type": "array", "items": {**figures, "required": ["agency", *figures["required"]],
                                                    "properties": {**figures["properties"], "agency": {"type": "string"}}}},
            "procedures": {"type": "array", "items": {**figures, "required": ["code", "title", *figures["required"]],
                                                      "properties": {**figures["properties"],
                                                                     "code": {"type": ["string", "null"]},
                                                                     "title": {"type": "string"}}}},
            "index_766": {"type": "array", "items": {"type": "object", "required": ["unit", "period", "total", "rating"],
                                                     "properties": {"rating": {"enum": [r for _, r in RATINGS]}}}},
        },
    }


def csv_with_bom(path: Path) -> bytes:
    """The input rows as a download: UTF-8 with a byte order mark, so that spreadsheet programs read
    Vietnamese right. Rows are written again by the csv module (cells quoted as needed)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(r for r in rows if any(c.strip() for c in r))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def page_text(store) -> dict:
    item = store.get("statistics_page", "trang")
    return {"intro": item.intro if item else None, "notes": list(item.notes or []) if item else []}


class StatisticsGenerator(PortalGenerator):
    def generate_context(self):
        s = summary(self.store)
        self.context["statistics"] = s

    def generate_output(self, writer):
        s = self.context["statistics"]
        out = Path(self.output_path)
        charts = {"trend": trend_svg(s["months"]) if s["has_data"] else None,
                  "groups": [(u, groups_svg(u)) for u in s["index"][:1]]}  # the first unit: the province
        downloads = [(URLS[key], label) for ct, key, label in (
            (DOSSIERS, "csv_dossiers", "Hồ sơ theo tháng (CSV)"), (INDEX766, "csv_index", "Chỉ số 766 (CSV)"))
            if (self.store.path / ct.file).is_file()]
        self.write_page(writer, "statistics", URLS["index"], s=s, charts=charts, month_label=month_label,
                        downloads=downloads,
                        group_labels=GROUP_LABELS, page=page_text(self.store), script=registry.asset(URLS["script"]))
        site_url = self.settings.get("SITE_URL", "")
        output.write_json(out / URLS["api"].lstrip("/"), open_data(self.store, s, site_url))
        output.write_json(out / URLS["api_schema"].lstrip("/"), api_schema(site_url))
        for ct, url in ((DOSSIERS, URLS["csv_dossiers"]), (INDEX766, URLS["csv_index"])):
            src = self.store.path / ct.file
            if src.is_file():
                output.write_bytes(out / url.lstrip("/"), csv_with_bom(src))
        self.copy_files(HERE / "static", "static/portal_statistics", names={"statistics.js"})


def get_generators(pelican):
    return StatisticsGenerator


def add_globals(generator):
    """`procedure_statistics(code)` for the procedure page's one line (None without data)."""
    from portal_core import content

    generator.env.globals.update(
        procedure_statistics=lambda code: procedure_figures(content.current_store(), code),
        statistics_url=URLS["index"])


def register():
    registry.register_asset(URLS["script"], HERE / "static" / "statistics.js")
    registry.register_urls("statistics", URLS)
    registry.register_type(DOSSIERS)
    registry.register_type(INDEX766)
    registry.register_type(PAGE)
    registry.register_nav("statistics", "Thống kê", "statistics", 35)
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
