"""Offices (địa điểm tiếp nhận hồ sơ) and wards: pages at /dia-diem/, the nearest-office finder,
the coverage page for planners and the open data files /api/offices.json and .geojson."""
from __future__ import annotations

import json
import math
import shutil
import statistics
import unicodedata
from pathlib import Path

from pelican import signals
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from portal_core import ContentType, register_content_type
from portal_core.content import as_date
from portal_core.portal_core import PortalGenerator

from . import geo

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
STATIC = HERE / "static"
LEAFLET = ROOT / "node_modules" / "leaflet" / "dist"
RESERVED = frozenset({"gan-nhat", "pham-vi", "page", "index"})
# The finder's data: offices and wards (read on opening the finder), and the procedures for its
# filter (read only when the citizen uses the filter: hundreds of titles are not for everyone).
FINDER_DATA = "dia-diem/gan-nhat/du-lieu.json"
FINDER_PROCEDURES = "dia-diem/gan-nhat/thu-tuc.json"

KIND_LABELS = {"trung-tam": "Trung tâm tỉnh", "chi-nhanh": "Chi nhánh", "diem-tiep-nhan": "Điểm tiếp nhận"}
KIND_PLURALS = {"trung-tam": "Trung tâm tỉnh", "chi-nhanh": "Các chi nhánh", "diem-tiep-nhan": "Các điểm tiếp nhận"}
STATUS_LABELS = {"open": "Đang hoạt động", "planned": "Sắp mở", "merged": "Đã sáp nhập", "closed": "Đã ngừng hoạt động"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Distance bands of the coverage picture: (upper bound in km, css/svg key, label).
BANDS = ((geo.GOAL_KM, "gan", "không quá 5 km"), (10.0, "vua", "từ 5 đến 10 km"), (float("inf"), "xa", "trên 10 km"))
WARD_PREFIXES = ("phuong ", "xa ", "thi tran ", "dac khu ")
DAYS_OFF_SHOWN = 8  # upcoming days off listed on an office page; the "open now" status knows them all


# --- rules shared with the procedures plugin and the browser ------------------------------------
def fold(text) -> str:
    """Lower case without diacritics, đ → d (same as fold() in static/geo.js)."""
    s = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    return " ".join("".join(c if c.isascii() and c.isalnum() else " " for c in s).split())


def field_slug(field: str) -> str:
    """The slug of a procedure field's page /thu-tuc/linh-vuc/<slug>/ ("Đất đai" → "dat-dai")."""
    return slugify(field.replace("đ", "d").replace("Đ", "D"), regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


def open_on(office, day) -> bool:
    """Whether the office exists and receives dossiers on `day` (opened, not merged or closed)."""
    if office.opened_date > day:
        return False
    for end in (office.merged_on_date, office.closed_on_date):
        if end is not None and end <= day:
            return False
    return True


def accepts(office, procedure) -> bool:
    """Whether the office receives the procedure (the same rule as accepts() in static/geo.js and in
    portal_procedures): accepts is all, non-geographic (for non-geographic procedures) or a field list."""
    a = office.data["accepts"]
    if a == "all":
        return True
    if a == "non-geographic":
        return bool(procedure.data.get("non_geographic"))
    return procedure.data.get("field") in a  # written exactly as the procedures' field


def format_date(value) -> str:
    """2025-07-01 (a date or an ISO string) → 01/07/2025."""
    return as_date(value).strftime("%d/%m/%Y") if value else ""


def format_km(km, digits=1) -> str:
    """3.25 → '3,3' (Vietnamese decimal comma)."""
    return f"{km:.{digits}f}".replace(".", ",") if km is not None else "–"


# --- preparing each office -------------------------------------------------------------------
def expand_days(spec: str) -> list[int]:
    """'mon-fri' → [0, 1, 2, 3, 4]; 'sat' → [5]; a range may wrap ('sat-mon')."""
    first, _, last = spec.partition("-")
    a, b = DAYS.index(first), DAYS.index(last or first)
    return [(a + i) % 7 for i in range((b - a) % 7 + 1)]


def day_range_label(days: list[int]) -> str:
    if len(days) == 1:
        return DAY_LABELS[days[0]]
    if len(days) == 2:
        return f"{DAY_LABELS[days[0]]}, {DAY_LABELS[days[1]]}"
    return f"{DAY_LABELS[days[0]]} – {DAY_LABELS[days[-1]]}"


def weekly_hours(hours: list[dict]) -> list[dict]:
    """The week as rows of consecutive days with the same sessions: label, sessions, breaks."""
    per_day = [[] for _ in DAYS]
    for h in hours:
        for d in expand_days(h["days"]):
            per_day[d].append((h["open"], h["close"]))
    per_day = [sorted(set(s)) for s in per_day]
    rows: list[dict] = []
    for d, sessions in enumerate(per_day):
        if rows and rows[-1]["sessions"] == sessions:
            rows[-1]["days"].append(d)
        else:
            rows.append({"days": [d], "sessions": sessions})
    for r in rows:
        r["label"] = day_range_label(r["days"])
        r["breaks"] = [(a[1], b[0]) for a, b in zip(r["sessions"], r["sessions"][1:])]
    return rows


def _ward_index(store) -> dict:
    index = getattr(store, "office_ward_index", None)
    if index is None:
        index = {}
        for w in store["wards"]:
            for name in [w.name] + list(w.data.get("old_names", [])):
                index.setdefault(ward_key(name), w)
        store.office_ward_index = index
    return index


def ward_key(name: str) -> str:
    """'Phường Phú Cường' and 'Phú Cường' name the same ward."""
    key = fold(name)
    for prefix in WARD_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def prepare(item, store):
    item.url = f"/dia-diem/{item.slug}/"
    item.opened_date = as_date(item.data["opened"])
    item.merged_on_date = as_date(item.data.get("merged_on"))
    item.closed_on_date = as_date(item.data.get("closed_on"))
    item.is_open = open_on(item, store.today)
    item.planned = item.opened_date > store.today
    if item.planned:
        item.status = "planned"
    elif item.merged_on_date and item.merged_on_date <= store.today:
        item.status = "merged"
    elif item.closed_on_date and item.closed_on_date <= store.today:
        item.status = "closed"
    else:
        item.status = "open"
    item.hours_rows = weekly_hours(item.data["hours"])
    item.ward_item = _ward_index(store).get(ward_key(item.data["ward"]))
    item.district_name = item.data.get("district") or (item.ward_item.district if item.ward_item else None)


def _check_hours(store, o):
    per_day = [[] for _ in DAYS]
    for i, h in enumerate(o.data["hours"]):
        if h["close"] <= h["open"]:
            store.error(o, f"giờ đóng cửa {h['close']} phải sau giờ mở cửa {h['open']}",
                        f"hours[{i}].close", ("hours", i, "close"))
            continue
        for d in expand_days(h["days"]):
            for other, (a, b) in per_day[d]:
                if h["open"] < b and a < h["close"]:
                    store.error(o, f"buổi {h['open']}–{h['close']} trùng giờ với buổi {a}–{b} "
                                   f"(mục {other + 1}) vào {DAY_LABELS[d]}", f"hours[{i}]", ("hours", i))
                    break
            per_day[d].append((i, (h["open"], h["close"])))


def cross_check(store):
    fields = {p.data.get("field") for p in store["procedures"]}
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
        _check_hours(store, o)
        if store["wards"] and o.ward_item is None:
            store.warn(o, f"phường/xã '{o.ward}' không có trong wards.yaml", "ward")
        if isinstance(o.data["accepts"], list) and store["procedures"]:
            for i, f in enumerate(o.data["accepts"]):
                if f not in fields:
                    store.warn(o, f"chưa có thủ tục nào thuộc lĩnh vực '{f}' "
                               "(viết tên lĩnh vực giống hệt trong các tệp thủ tục)", f"accepts[{i}]", ("accepts", i))
    merged_into = {}
    for o in store["offices"]:
        if o.data.get("merged_into"):
            merged_into.setdefault(o.data["merged_into"], []).append(o)
    for o in store["offices"]:
        o.merged_here = sorted(merged_into.get(o.slug, []), key=lambda m: m.data["merged_on"])
        o.successor = store.get("offices", o.data.get("merged_into") or "")
        o.final_successor = _follow(store, o)
        if o.successor is not None and o.successor is not o and o.final_successor is None:
            store.error(o, "chuỗi sáp nhập (merged_into) quay vòng lại chính nó", "merged_into")
        if o.successor is not None and o.merged_on_date and o.successor.opened_date > o.merged_on_date:
            store.warn(o, f"sáp nhập ngày {o.merged_on_date.isoformat()} vào '{o.successor.slug}', nhưng địa điểm "
                          f"này chỉ hoạt động từ {o.successor.opened_date.isoformat()}", "merged_on")


def _follow(store, office):
    """The office a merged office's visitors should go to now: follow merged_into to its end."""
    seen = {office.slug}
    cur = store.get("offices", office.data.get("merged_into") or "")
    while cur is not None and cur.data.get("merged_into"):
        if cur.slug in seen:
            return None
        seen.add(cur.slug)
        if open_on(cur, store.today) or not cur.merged_on_date or cur.merged_on_date > store.today:
            return cur
        cur = store.get("offices", cur.data["merged_into"])
    return cur


register_content_type(ContentType(
    name="offices", folder="offices", schema_path=HERE / "office.schema.json",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=20,
))
register_content_type(ContentType(
    name="wards", file="wards.yaml", list_file=True, schema_path=HERE / "ward.schema.json",
    render_body=False, order=21,
))


# --- coverage, for planners ----------------------------------------------------------------
def band_of(km) -> str | None:
    """The distance band's key ('gan', 'vua', 'xa'); None when there is no open office at all."""
    if km is None:
        return None
    return next(key for limit, key, _ in BANDS if km <= limit)


def coverage(wards, offices, day, label, key) -> dict:
    """Distance from every ward to its nearest office open on `day`."""
    open_ = [o for o in offices if open_on(o, day)]
    rows = []
    for w in wards:
        office, km = geo.nearest(w.lat, w.lon, open_)
        rows.append({"ward": w, "office": office, "km": km, "band": band_of(km)})
    kms = [r["km"] for r in rows if r["km"] is not None]
    return {
        "key": key, "label": label, "day": day, "offices": open_, "rows": rows,
        "kinds": {k: sum(1 for o in open_ if o.kind == k) for k in KIND_LABELS},
        "within_km": sum(1 for k in kms if k <= geo.GOAL_KM),
        "within_time": sum(1 for k in kms if geo.travel_minutes(k) <= geo.GOAL_MINUTES),
        "bands": {b[1]: sum(1 for r in rows if r["band"] == b[1]) for b in BANDS},
        "median_km": statistics.median(kms) if kms else None,
        "max_km": max(kms) if kms else None,
        "farthest": max(rows, key=lambda r: r["km"]) if kms else None,
        "sample": any(w.sample for w in wards) or any(o.sample for o in open_),
    }


def coverage_map(scenario, frame, width=640) -> dict:
    """Projected positions (equirectangular, metres kept square) for the coverage SVG component."""
    lat0, lat1, lon0, lon1 = frame
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    span_x, span_y = max((lon1 - lon0) * kx, 1e-6), max(lat1 - lat0, 1e-6)
    pad = 24
    scale = min((width - 2 * pad) / span_x, (width - 2 * pad) / span_y)
    height = round(span_y * scale + 2 * pad)

    def xy(lat, lon):
        return round(pad + (lon - lon0) * kx * scale, 1), round(pad + (lat1 - lat) * scale, 1)

    km_px = scale / (math.pi * geo.EARTH_RADIUS_KM / 180)
    return {
        "id": f"pham-vi-{scenario['key']}", "width": width, "height": height,
        "radius": round(geo.GOAL_KM * km_px, 1),
        "wards": [dict(zip(("x", "y"), xy(r["ward"].lat, r["ward"].lon)), band=r["band"]) for r in scenario["rows"]],
        "offices": [dict(zip(("x", "y"), xy(o.lat, o.lon)), kind=o.kind) for o in scenario["offices"]],
        "title": f"Bản đồ phạm vi phục vụ: {scenario['label']}",
        "desc": (f"{scenario['within_km']} trên {len(scenario['rows'])} phường/xã cách địa điểm đang mở gần nhất "
                 f"không quá 5 km; {len(scenario['offices'])} địa điểm đang mở, vẽ bằng hình vuông, "
                 f"với vòng tròn bán kính 5 km quanh mỗi địa điểm. Phường/xã: hình tròn xanh là không quá 5 km, "
                 f"hình thoi cam là 5 đến 10 km, tam giác đỏ là trên 10 km."),
    }


def roman(n: int) -> str:
    """1 → I, 4 → IV: roadmap phases are numbered in Roman numerals."""
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def frame_of(points) -> tuple:
    """(south, north, west, east) around every ward and office, so that all pictures share one frame."""
    lats = [p.lat for p in points] or [0.0]
    lons = [p.lon for p in points] or [0.0]
    dlat = (max(lats) - min(lats)) * 0.04 + 0.01
    dlon = (max(lons) - min(lons)) * 0.04 + 0.01
    return min(lats) - dlat, max(lats) + dlat, min(lons) - dlon, max(lons) + dlon


# --- open data ---------------------------------------------------------------------------------
def office_record(o, site_url: str) -> dict:
    """One office for /api/offices.json: its front-matter fields plus slug, url, status, body_html."""
    rec = {"slug": o.slug}
    rec.update(o.data)
    rec.update({"url": site_url + o.url, "status": o.status, "body_html": o.body_html})
    return rec


def geojson(records: list[dict]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": r["slug"], "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
             "properties": r}
            for r in records
        ],
    }


def write_json(path: Path, data, indent=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    sep = (",", ":") if indent is None else (",", ": ")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent, separators=sep) + "\n", encoding="utf-8")


class OfficesGenerator(PortalGenerator):
    """Writes each office's page, the office list, the finder, the coverage page and open data."""

    def generate_context(self):
        order = list(KIND_LABELS)
        offices = sorted(self.store["offices"], key=lambda o: (order.index(o.kind), fold(o.name)))
        self.context["offices"] = offices
        self.context["open_offices"] = [o for o in offices if o.is_open]

    # The office list: kind → district → offices, each with a count.
    def list_groups(self):
        groups = []
        for kind in KIND_LABELS:
            items = [o for o in self.context["open_offices"] if o.kind == kind]
            if not items:
                continue
            districts = {}
            for o in items:
                districts.setdefault(o.district_name or "", []).append(o)
            groups.append({
                "kind": kind, "label": KIND_PLURALS[kind], "count": len(items),
                "districts": [{"name": d, "offices": districts[d]}
                              for d in sorted(districts, key=lambda d: (d == "", fold(d)))],
            })
        return groups

    def finder_data(self) -> dict:
        return {
            "procedures_url": "/" + FINDER_PROCEDURES,
            "speed_kmh": geo.SPEED_KMH, "road_factor": geo.ROAD_FACTOR,
            "goal_km": geo.GOAL_KM, "goal_minutes": geo.GOAL_MINUTES,
            "offices": [
                {"slug": o.slug, "name": o.name, "kind": o.kind, "address": o.address, "ward": o.ward,
                 "url": o.url, "lat": o.lat, "lon": o.lon, "accepts": o.data["accepts"]}
                for o in self.context["open_offices"]
            ],
            "wards": [
                {k: v for k, v in (("name", w.name), ("district", w.district), ("old_names", w.old_names),
                                   ("lat", w.lat), ("lon", w.lon)) if v}
                for w in self.store["wards"]
            ],
        }

    def finder_procedures(self) -> dict:
        """Active procedures as [slug, title, index in fields, non_geographic as 0/1]: compact."""
        procs = sorted(((fold(p.title), p) for p in self.store["procedures"] if p.active), key=lambda kp: kp[0])
        fields = sorted({p.data["field"] for _, p in procs}, key=fold)
        index = {f: i for i, f in enumerate(fields)}
        return {"fields": fields,
                "procedures": [[p.slug, p.title, index[p.data["field"]], int(bool(p.data["non_geographic"]))]
                               for _, p in procs]}

    def scenarios(self) -> list[dict]:
        wards, offices = self.store["wards"], self.store["offices"]
        today = self.store.today
        out = [coverage(wards, offices, today, f"Hôm nay ({today.strftime('%d/%m/%Y')})", "hom-nay")]
        for ph in sorted(self.store["roadmap"], key=lambda p: p.data["phase"]):
            n = ph.data["phase"]
            s = coverage(wards, offices, ph.end_date,
                         f"Cuối giai đoạn {roman(n)} ({ph.end_date.strftime('%d/%m/%Y')})", f"giai-doan-{n}")
            s["phase"] = ph
            out.append(s)
        frame = frame_of(list(wards) + list(offices))
        for s in out:
            s["map"] = coverage_map(s, frame)
        return out

    def field_links(self) -> dict:
        """field → URL of its page /thu-tuc/linh-vuc/<slug>/ (the procedures plugin writes one per field)."""
        return {p.data["field"]: f"/thu-tuc/linh-vuc/{getattr(p, 'field_slug', None) or field_slug(p.data['field'])}/"
                for p in self.store["procedures"]}

    def generate_output(self, writer):
        out = Path(self.output_path)
        site = self.settings["SITE"]
        today = self.store.today
        holidays = sorted(site.get("holidays") or [], key=lambda h: h["date"])
        links = self.field_links()
        for o in self.context["offices"]:
            closed = {h["date"]: h["name"] for h in holidays}
            closed.update({c["date"]: c["reason"] for c in o.data.get("closed_dates", [])})
            schedule = {"hours": [{"days": expand_days(h["days"]), "open": h["open"], "close": h["close"]}
                                  for h in o.data["hours"]], "closed": closed}
            days_off = sorted(
                [(c["date"], c["reason"], "địa điểm nghỉ") for c in o.data.get("closed_dates", [])]
                + [(h["date"], h["name"], "nghỉ lễ") for h in holidays])
            self.write(writer, "office", f"dia-diem/{o.slug}/index.html", office=o, page_name=o.url,
                       schedule=schedule, days_off=[d for d in days_off if d[0] >= today.isoformat()][:DAYS_OFF_SHOWN],
                       field_links=links, jsonld=self.jsonld(o))
        others = [o for o in self.context["offices"] if not o.is_open]
        self.write(writer, "offices", "dia-diem/index.html", page_name="dia-diem",
                   office_groups=self.list_groups(), other_offices=others)
        self.write(writer, "office_finder", "dia-diem/gan-nhat/index.html", page_name="/dia-diem/gan-nhat/",
                   finder_data_url="/" + FINDER_DATA, geo=geo)
        self.write(writer, "office_coverage", "dia-diem/pham-vi/index.html", page_name="/dia-diem/pham-vi/",
                   scenarios=self.scenarios(), bands=BANDS, geo=geo)
        write_json(out / FINDER_DATA, self.finder_data())
        write_json(out / FINDER_PROCEDURES, self.finder_procedures())
        records = [office_record(o, self.settings["SITE_URL"]) for o in self.context["offices"]]
        write_json(out / "api" / "offices.json", records, indent=1)
        write_json(out / "api" / "offices.geojson", geojson(records), indent=1)
        self.copy_static(out)

    def jsonld(self, o) -> dict:
        data = {
            "@context": "https://schema.org", "@type": "GovernmentOffice", "name": o.name,
            "url": self.settings["SITE_URL"] + o.url,
            "address": {"@type": "PostalAddress", "streetAddress": o.address, "addressLocality": o.ward,
                        "addressCountry": "VN"},
            "geo": {"@type": "GeoCoordinates", "latitude": o.lat, "longitude": o.lon},
        }
        if o.district_name:
            data["address"]["addressRegion"] = o.district_name
        if o.phone:
            data["telephone"] = o.phone
        if o.email:
            data["email"] = o.email
        if o.is_open:
            data["openingHoursSpecification"] = [
                {"@type": "OpeningHoursSpecification", "dayOfWeek": [SCHEMA_DAYS[d] for d in expand_days(h["days"])],
                 "opens": h["open"], "closes": h["close"]} for h in o.data["hours"]]
        return data

    def copy_static(self, out: Path):
        self.copy_files(STATIC, "static/portal_offices")
        vendor = out / "static" / "vendor" / "leaflet"
        vendor.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copy2(LEAFLET / name, vendor / name)
        shutil.copytree(LEAFLET / "images", vendor / "images", dirs_exist_ok=True)


def get_generators(pelican):
    return OfficesGenerator


def add_globals(generator):
    generator.env.globals.update(
        KIND_LABELS=KIND_LABELS, KIND_PLURALS=KIND_PLURALS, OFFICE_STATUS_LABELS=STATUS_LABELS,
        office_date=format_date, office_km=format_km,
    )


def register():
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
