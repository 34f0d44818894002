"""Offices (địa điểm tiếp nhận hồ sơ) and wards: pages at /dia-diem/, the nearest-office finder,
the coverage page for planners and the open data files /api/offices.json and .geojson."""
from __future__ import annotations

import math
import statistics
from pathlib import Path

from pelican import signals

from portal_core import output, registry, serving, text
from portal_core.portal_core import PortalGenerator
from portal_core.registry import ContentType, SearchEntry
from portal_core.text import as_date

from . import geo

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
STATIC = HERE / "static"
LEAFLET = ROOT / "node_modules" / "leaflet" / "dist"
RESERVED = frozenset({"gan-nhat", "pham-vi", "page", "index"})
# The finder's data: offices and wards (read on opening the finder), and the procedures for its
# filter (read only when the citizen uses the filter: hundreds of titles are not for everyone;
# the procedures plugin writes that file, at the address declared here).
URLS = {
    "index": "/dia-diem/", "item": "/dia-diem/{slug}/", "finder": "/dia-diem/gan-nhat/",
    "finder_for": "/dia-diem/gan-nhat/?thu-tuc={slug}", "coverage": "/dia-diem/pham-vi/",
    "finder_data": "/dia-diem/gan-nhat/du-lieu.json", "finder_procedures": "/dia-diem/gan-nhat/thu-tuc.json",
    "api": "/api/offices.json", "geojson": "/api/offices.geojson",
}
SCHEMA_PATH = HERE / "office.schema.json"


KIND_LABELS = registry.enum_labels(registry.load_schema(SCHEMA_PATH), "kind")  # trung-tam, chi-nhanh, diem-tiep-nhan, in this order
KIND_PLURALS = {"trung-tam": "Trung tâm tỉnh", "chi-nhanh": "Các chi nhánh", "diem-tiep-nhan": "Các điểm tiếp nhận"}
STATUS_LABELS = {"open": "Đang hoạt động", "planned": "Sắp mở", "merged": "Đã sáp nhập", "closed": "Đã ngừng hoạt động"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Distance bands of the coverage picture: (upper bound in km, css/svg key, label).
BANDS = ((geo.GOAL_KM, "gan", "không quá 5 km"), (10.0, "vua", "từ 5 đến 10 km"), (float("inf"), "xa", "trên 10 km"))
WARD_PREFIXES = ("phuong ", "xa ", "thi tran ", "dac khu ")
DAYS_OFF_SHOWN = 8  # upcoming days off listed on an office page; the "open now" status knows them all


# --- what other plugins ask the offices plugin --------------------------------------------------
def open_on(office, day) -> bool:
    """Whether the office exists and receives dossiers on `day` (opened, not merged or closed)."""
    if office.opened_date > day:
        return False
    for end in (office.merged_on_date, office.closed_on_date):
        if end is not None and end <= day:
            return False
    return True


def accepts_rule(accepts, field: str, non_geographic: bool) -> bool:
    """The one rule of an office's `accepts`: "all", "non-geographic" (the procedures that may be
    filed anywhere) or a list of procedure fields, written exactly as the procedures' `field`.
    static/geo.js applies the same rule in the browser; both are checked against
    tests/data/accepts-vectors.json."""
    if accepts == "all":
        return True
    if accepts == "non-geographic":
        return bool(non_geographic)
    return isinstance(accepts, list) and field in accepts


def accepts(office, procedure) -> bool:
    """Whether the office receives the procedure (its `field` and `non_geographic`)."""
    return accepts_rule(office.accepts, procedure.field, procedure.non_geographic)


def in_order(offices) -> list:
    """Offices in the site's order: the provincial center, branches, reception points; by name."""
    order = list(KIND_LABELS)
    return sorted(offices, key=lambda o: (order.index(o.kind), text.sort_key(o.name)))


def accepting(store, procedure, day=None) -> list:
    """The offices open on `day` (default: the build's today) that receive the procedure, in order.

    Computed once per day, field and non_geographic for the whole build."""
    day = day or store.today
    memo = store.memo.setdefault("offices.accepting", {})
    key = (day, procedure.field, bool(procedure.non_geographic))
    found = memo.get(key)
    if found is None:
        open_ = memo.get(day)
        if open_ is None:
            open_ = memo[day] = in_order(o for o in store["offices"] if open_on(o, day))
        found = memo[key] = [o for o in open_ if accepts_rule(o.accepts, key[1], key[2])]
    return found


def is_main(office) -> bool:
    """The provincial center, which the procedure pages name when many offices receive a procedure."""
    return office.kind == "trung-tam"


def of_kind(store, kind: str) -> list:
    return [o for o in store["offices"] if o.kind == kind]


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
    index = store.memo.get("offices.wards")
    if index is None:
        index = store.memo["offices.wards"] = {}
        for w in store["wards"]:
            for name in [w.name] + list(w.old_names or []):
                index.setdefault(ward_key(name), w)
    return index


def ward_key(name: str) -> str:
    """'Phường Phú Cường' and 'Phú Cường' name the same ward."""
    key = text.ascii_fold(name)
    for prefix in WARD_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def prepare(item, store):
    item.url = registry.url("offices.item", slug=item.slug)
    item.abs_url = store.settings.get("SITE_URL", "") + item.url
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
    fields = {p.field for p in store["procedures"]}
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
        if o.successor is not None and o.successor is not o and _in_merge_cycle(store, o):
            # checked on the whole graph, whatever the merge dates: a cycle of merges still to come
            # would otherwise pass today and stop the nightly build months later
            store.error(o, "chuỗi sáp nhập (merged_into) quay vòng lại chính nó", "merged_into")
        if o.successor is not None and o.merged_on_date and o.successor.opened_date > o.merged_on_date:
            store.warn(o, f"sáp nhập ngày {o.merged_on_date.isoformat()} vào '{o.successor.slug}', nhưng địa điểm "
                          f"này chỉ hoạt động từ {o.successor.opened_date.isoformat()}", "merged_on")


def _in_merge_cycle(store, office) -> bool:
    """Whether following merged_into from the office comes back to it (dates aside)."""
    seen, cur = set(), office
    while cur is not None and cur.merged_into:
        if cur.slug in seen:
            return cur is office or office.slug in seen
        seen.add(cur.slug)
        cur = store.get("offices", cur.merged_into)
        if cur is office:
            return True
    return False


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


def search_entries(store) -> list[SearchEntry]:
    """Offices open or planned, under their name and their address."""
    out = []
    for o in store["offices"]:
        if not (o.is_open or o.planned):
            continue
        place = ", ".join(str(x) for x in (o.address, o.ward, o.district) if x)
        out.append(SearchEntry("office", o.name, o.url, {"title": [o.name], "summary": [place]},
                               kind_label=OFFICES.label, names=[o.name], meta=place))
    return out


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
        "milestone": None,  # the Milestone (end of a roadmap phase) the scenario is for, if any
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


def frame_of(points) -> tuple:
    """(south, north, west, east) around every ward and office, so that all pictures share one frame."""
    lats = [p.lat for p in points] or [0.0]
    lons = [p.lon for p in points] or [0.0]
    dlat = (max(lats) - min(lats)) * 0.04 + 0.01
    dlon = (max(lons) - min(lons)) * 0.04 + 0.01
    return min(lats) - dlat, max(lats) + dlat, min(lons) - dlon, max(lons) + dlon


# --- open data ---------------------------------------------------------------------------------
def office_record(o) -> dict:
    """One office for /api/offices.json: its front-matter fields plus slug, url, status, body_html."""
    return {"slug": o.slug, **o.data, "url": o.abs_url, "status": o.status, "body_html": o.body_html}


def geojson(records: list[dict]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": r["slug"], "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
             "properties": r}
            for r in records
        ],
    }


class OfficesGenerator(PortalGenerator):
    """Writes each office's page, the office list, the finder, the coverage page and open data."""

    def generate_context(self):
        offices = in_order(self.store["offices"])
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
                              for d in sorted(districts, key=lambda d: (d == "", text.sort_key(d)))],
            })
        return groups

    def finder_data(self) -> dict:
        return {
            "procedures_url": registry.url("offices.finder_procedures"),
            "roadmap_url": registry.url("roadmap") if registry.has_url("roadmap") else "",
            "kind_labels": {k: v.lower() for k, v in KIND_LABELS.items()},
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

    def scenarios(self) -> list[dict]:
        wards, offices = self.store["wards"], self.store["offices"]
        today = self.store.today
        out = [coverage(wards, offices, today, f"Hôm nay ({text.date(today)})", "hom-nay")]
        for m in registry.milestones(self.store):  # the end of each roadmap phase
            s = coverage(wards, offices, m.day, m.label, m.key)
            s["milestone"] = m
            out.append(s)
        frame = frame_of(list(wards) + list(offices))
        for s in out:
            s["map"] = coverage_map(s, frame)
        return out

    def field_links(self) -> dict:
        """field → URL of the procedures plugin's page of that field (one per field procedures have)."""
        if not registry.has_url("procedures.field"):
            return {}
        fields = {p.field for p in self.store["procedures"]}
        return {f: registry.url("procedures.field", slug=text.slugify(f)) for f in sorted(fields)}

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
                                  for h in o.data["hours"]], "closed": closed, "day_names": DAY_LABELS}
            days_off = sorted(
                [(c["date"], c["reason"], "địa điểm nghỉ") for c in o.data.get("closed_dates", [])]
                + [(h["date"], h["name"], "nghỉ lễ") for h in holidays])
            self.write_page(writer, "office", o.url, office=o,
                       schedule=schedule, days_off=[d for d in days_off if d[0] >= today.isoformat()][:DAYS_OFF_SHOWN],
                       field_links=links, jsonld=self.jsonld(o))
        others = [o for o in self.context["offices"] if not o.is_open]
        self.write(writer, "offices", "dia-diem/index.html", page_name="dia-diem",
                   office_groups=self.list_groups(), other_offices=others)
        self.write_page(writer, "office_finder", URLS["finder"],
                   finder_data_url=URLS["finder_data"], geo=geo)
        self.write_page(writer, "office_coverage", URLS["coverage"],
                   scenarios=self.scenarios(), bands=BANDS, geo=geo)
        output.write_json(out / URLS["finder_data"].lstrip("/"), self.finder_data())
        records = [office_record(o) for o in self.context["offices"]]
        output.write_json(out / URLS["api"].lstrip("/"), records, indent=1)
        output.write_json(out / URLS["geojson"].lstrip("/"), geojson(records), indent=1)
        self.copy_static(out)

    def jsonld(self, o) -> dict:
        data = {
            "@context": "https://schema.org", "@type": "GovernmentOffice", "name": o.name,
            "url": o.abs_url,
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
        output.copy_files(LEAFLET, vendor, names=("leaflet.js", "leaflet.css"))
        output.copy_tree(LEAFLET / "images", vendor / "images")


def get_generators(pelican):
    return OfficesGenerator


def add_globals(generator):
    generator.env.globals.update(KIND_LABELS=KIND_LABELS, KIND_PLURALS=KIND_PLURALS, OFFICE_STATUS_LABELS=STATUS_LABELS)


OFFICES = ContentType(
    name="offices", folder="offices", schema_path=SCHEMA_PATH, label="Địa điểm", urls=URLS,
    singular="office", new_template=HERE / "new.md",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=20,
    search=search_entries, search_position=20, record=office_record,
)
WARDS = ContentType(
    name="wards", file="wards.yaml", list_key="wards", schema_path=HERE / "ward.schema.json", label="Phường, xã",
    render_body=False, order=21,
)


def register():
    registry.register_type(OFFICES)
    for name in ("hours.js", "geo.js", "finder.js"):
        registry.register_asset(f"/static/portal_offices/{name}", STATIC / name)
    for name in ("leaflet.js", "leaflet.css"):
        registry.register_asset(f"/static/vendor/leaflet/{name}", LEAFLET / name)
    registry.register_type(WARDS)
    # the finder's map tiles, when site.yaml names a tile server; the visitor's position
    registry.register_policy("img-src", lambda site: [serving.origin(site.get("map_tile_url") or "")])
    registry.register_permission("geolocation")
    registry.register_nav("offices", "Địa điểm", "offices", 20)
    registry.register_home_block("offices", "grid", "home_offices.html", 20)
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
