"""Reference-scale content for benchmarks: a seeded generator of realistic Vietnamese content.

    python benchmarks/generate.py [--out benchmarks/work/reference] [--plain benchmarks/work/plain]
                                  [--seed 1] [--procedures 2000] [--offices 120] [--news 500]

writes a content folder in the portal's format (procedures, offices, wards.yaml, roadmap, news,
pages, site.yaml, search synonyms, forms), valid against the schemas (`invoke check --content`),
and the same items as plain Pelican articles (`Title:`/`Date:`/`Category:` metadata, the
structured fields as Markdown lists in the body) for plain Pelican with its default theme.
The same seed gives byte-identical folders. Everything is sample data (`sample: true`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vocabulary as V  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
TODAY = dt.date(2025, 10, 15)  # the builds of the reference content use --today 2025-10-15
MARKER = ".generated-by-benchmarks"  # only folders carrying this file are ever deleted
LEVEL_WORDS = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện (trước 01/7/2025)", "xa": "Cấp xã"}
ONLINE_WORDS = {"toan-trinh": "Toàn trình", "mot-phan": "Một phần", "khong": "Không trực tuyến"}
CHANNEL_WORDS = {"truc-tiep": "Trực tiếp", "truc-tuyen": "Trực tuyến", "buu-chinh": "Bưu chính"}
KIND_WORDS = {"trung-tam": "Trung tâm tỉnh", "chi-nhanh": "Chi nhánh", "diem-tiep-nhan": "Điểm tiếp nhận"}
CATEGORY_WORDS = {"tin-tuc": "Tin tức", "thong-bao": "Thông báo"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def slugify(text: str, limit: int = 80) -> str:
    """Readable ASCII slug: diacritics folded (đ → d), words joined by '-', at most `limit` chars."""
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).lower()
    words = re.findall(r"[a-z0-9]+", t)
    slug = ""
    for w in words:
        if len(slug) + len(w) + 1 > limit and slug:
            break
        slug = f"{slug}-{w}" if slug else w
    return slug


def unique(slug: str, taken: set) -> str:
    out, n = slug, 2
    while out in taken:
        out, n = f"{slug}-{n}", n + 1
    taken.add(out)
    return out


def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def front_matter(data: dict, body: str) -> str:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120, default_flow_style=False)
    return nfc(f"---\n{text}---\n{body.rstrip()}\n")


def plain_article(meta: dict, body: str) -> str:
    head = "".join(f"{k}: {v}\n" for k, v in meta.items() if v not in (None, "", []))
    return nfc(f"{head}\n{body.rstrip()}\n")


def paragraphs(rng: random.Random, sentences: list[str], n_min: int, n_max: int, per_min=2, per_max=5) -> list[str]:
    return [" ".join(rng.sample(sentences, rng.randint(per_min, per_max))) for _ in range(rng.randint(n_min, n_max))]


# --- procedures -------------------------------------------------------------------------------
def procedure_titles(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """n distinct (field, title) pairs: explicit titles, verb × object, then with qualifiers."""
    pool: list[tuple[str, str]] = []
    seen = set()
    for field, f in V.FIELDS.items():
        base = list(f["titles"]) + [f"{v} {o}" for v in f["verbs"] for o in f["objects"]]
        variants = [f"{t} {q}" for t in base for q in f["qualifiers"]]
        for t in base + variants:
            t = t[0].upper() + t[1:]
            if t not in seen:
                seen.add(t)
                pool.append((field, t))
    base_titles = {t for fld in V.FIELDS for t in V.FIELDS[fld]["titles"]}
    first = [p for p in pool if p[1] in base_titles]  # the common procedures always exist
    rest = [p for p in pool if p[1] not in base_titles]
    rng.shuffle(rest)
    # As in provincial lists, some procedures are listed once per level.
    by_level = [(fld, f"{t} (cấp tỉnh)") for fld, t in pool] + [(fld, f"{t} (cấp xã)") for fld, t in pool]
    rng.shuffle(by_level)
    out = first + rest + by_level
    if n > len(out):
        # The national catalogue (several thousand procedures) lists more variants: those done at
        # district level before the 2025 reform, at the ministries, and as one joint procedure
        # (liên thông). Drawn from their own generator, so that the first 5,373 titles stay those
        # of earlier runs and smaller sizes are unchanged.
        extra_rng = random.Random(rng.random())
        more = [(fld, f"{t} ({level})") for level in ("cấp huyện", "cấp trung ương", "liên thông") for fld, t in pool]
        extra_rng.shuffle(more)
        out += more
    if n > len(out):
        raise SystemExit(f"--procedures {n}: at most {len(out)} distinct titles can be made")
    return out[:n]


def make_procedure(rng: random.Random, field: str, title: str, code: str) -> dict:
    f = V.FIELDS[field]
    online = rng.choices(["toan-trinh", "mot-phan", "khong"], [35, 35, 30])[0]
    levels = sorted(rng.sample(["tinh", "xa"], rng.randint(1, 2)), key=["tinh", "huyen", "xa"].index)
    if rng.random() < 0.1:
        levels = sorted(set(levels) | {"huyen"}, key=["tinh", "huyen", "xa"].index)
    fee = rng.choice(V.FEES)
    limit = rng.choice(V.TIME_LIMITS)
    channels = [{"kind": "truc-tiep", "time_limit": limit, "fee": fee}]
    if online != "khong":
        channels.append({"kind": "truc-tuyen", "time_limit": limit,
                         "fee": fee if rng.random() < 0.6 else rng.choice(V.FEES)})
    if rng.random() < 0.5:
        channels.append({"kind": "buu-chinh", "time_limit": rng.choice(V.TIME_LIMITS), "fee": fee + V.POSTAL_EXTRA})
    documents = []
    names = rng.sample(f["documents"], rng.randint(1, min(5, len(f["documents"]))))
    names += rng.sample(V.GENERIC_DOCUMENTS, rng.randint(0, 2))
    cases = rng.sample(V.CASES, 2) if rng.random() < 0.2 else None
    for i, name in enumerate(names):
        d = {"name": name, "originals": rng.choice([0, 1, 1, 1, 2]), "copies": rng.choice([0, 0, 1, 1, 2])}
        if rng.random() < 0.3:
            d["note"] = rng.choice(V.DOCUMENT_NOTES)
        if cases:
            d["case"] = cases[0] if i < len(names) / 2 else cases[1]
        if f["forms"] and i == 0 and rng.random() < 0.3:
            d["form"] = rng.choice(f["forms"])
        documents.append(d)
    data = {
        "code": code, "title": title, "field": field, "agency": rng.choice(f["agencies"]), "levels": levels,
        "online": online, "non_geographic": rng.random() < 0.4, "channels": channels, "documents": documents,
    }
    if rng.random() < 0.85:
        data["steps"] = [V.STEPS[i] for i in sorted(rng.sample(range(len(V.STEPS)), rng.randint(3, 6)))]
    data["requirements"] = rng.choice(V.REQUIREMENTS)
    data["result"] = rng.choice(f["results"])
    data["legal_basis"] = rng.sample(f["laws"], rng.randint(1, len(f["laws"])))
    if rng.random() < 0.7:
        data["applicants"] = rng.choice(V.APPLICANTS)
    if rng.random() < 0.5:
        d = day_between(rng, dt.date(2023, 1, 1), dt.date(2025, 9, 30))
        data["decision"] = (f"Quyết định số {rng.randint(100, 3999)}/QĐ-UBND ngày {d.day:02d}/{d.month:02d}/{d.year} "
                            "của Chủ tịch Ủy ban nhân dân tỉnh Bình Dương")
    if rng.random() < 0.7:
        data["keywords"] = rng.sample(f["keywords"], rng.randint(1, min(4, len(f["keywords"]))))
    data["updated"] = day_between(rng, dt.date(2023, 6, 1), dt.date(2025, 10, 10))
    return data


def procedure_body(rng: random.Random, title: str) -> str:
    parts = [f"Hướng dẫn thực hiện thủ tục {title[0].lower() + title[1:]}. "
             + " ".join(rng.sample(V.BODY_SENTENCES, rng.randint(1, 3)))]
    parts += paragraphs(rng, V.BODY_SENTENCES, 0, 3)
    if rng.random() < 0.5:
        parts.append("**Lưu ý:**\n\n" + "\n".join(f"- {s}" for s in rng.sample(V.NOTE_ITEMS, rng.randint(2, 4))))
    if rng.random() < 0.2:
        parts.append("### Câu hỏi thường gặp\n\n" + " ".join(rng.sample(V.BODY_SENTENCES, 3)))
    return "\n\n".join(parts)


def procedure_plain_body(data: dict, body: str) -> str:
    lines = [f"- **Mã thủ tục:** {data['code']}", f"- **Lĩnh vực:** {data['field']}",
             f"- **Cơ quan thực hiện:** {data['agency']}",
             "- **Cấp thực hiện:** " + ", ".join(LEVEL_WORDS[x] for x in data["levels"]),
             f"- **Dịch vụ trực tuyến:** {ONLINE_WORDS[data['online']]}",
             f"- **Phi địa giới hành chính:** {'Có' if data['non_geographic'] else 'Không'}", "",
             "## Thời hạn và lệ phí", ""]
    lines += [f"- {CHANNEL_WORDS[c['kind']]}: {c['time_limit']}; {c['fee']}" for c in data["channels"]]
    lines += ["", "## Thành phần hồ sơ", ""]
    for d in data["documents"]:
        extra = "".join(f"; {d[k]}" for k in ("case", "note") if k in d)
        lines.append(f"- {d['name']} ({d['originals']} bản chính, {d['copies']} bản sao){extra}")
    if data.get("steps"):
        lines += ["", "## Trình tự thực hiện", ""] + [f"{i}. {s}" for i, s in enumerate(data["steps"], 1)]
    lines += ["", "## Yêu cầu, điều kiện", "", data["requirements"], "", "## Kết quả", "", data["result"],
              "", "## Căn cứ pháp lý", ""] + [f"- {x}" for x in data["legal_basis"]]
    if data.get("applicants"):
        lines += ["", f"**Đối tượng thực hiện:** {data['applicants']}"]
    if data.get("decision"):
        lines += ["", f"**Quyết định công bố:** {data['decision']}"]
    if data.get("keywords"):
        lines += ["", "**Từ khóa:** " + ", ".join(data["keywords"])]
    return "\n".join(lines) + "\n\n" + body


def write_procedures(rng, out: Path, plain: Path | None, n: int) -> list[dict]:
    pairs = procedure_titles(rng, n)
    taken: set = set()
    numbers = rng.sample(range(1000, 14999), n)
    procs = []
    for i, (field, title) in enumerate(pairs):
        code = f"{rng.choice('12')}.{numbers[i]:06d}" if rng.random() < 0.9 else f"BD-{numbers[i]:05d}"
        data = make_procedure(rng, field, title, code)
        procs.append({"slug": unique(slugify(title), taken), "data": data, "body": procedure_body(rng, title)})
    by_field: dict[str, list] = {}
    for p in procs:
        by_field.setdefault(p["data"]["field"], []).append(p)
    for p in procs:  # related procedures and abolished ones, always pointing at existing files
        same = [q["slug"] for q in by_field[p["data"]["field"]] if q is not p]
        if same and rng.random() < 0.6:
            p["data"]["related"] = rng.sample(same, min(len(same), rng.randint(1, 3)))
        if same and rng.random() < 0.03:
            p["data"]["status"] = "abolished"
            p["data"]["replaced_by"] = rng.choice(same)
    for p in procs:
        p["data"]["sample"] = True
        (out / "procedures" / f"{p['slug']}.md").write_text(front_matter(p["data"], p["body"]), encoding="utf-8")
        if plain is not None:
            d = p["data"]
            meta = {"Title": d["title"], "Date": d["updated"].isoformat(), "Category": d["field"], "Slug": p["slug"]}
            (plain / "procedures" / f"{p['slug']}.md").write_text(
                plain_article(meta, procedure_plain_body(d, p["body"])), encoding="utf-8")
    return procs


# --- offices and wards ------------------------------------------------------------------------
def district_label(name: str, lower=False) -> str:
    kind = "Thành phố " if name in V.CITIES else "Huyện "
    return (kind.lower() if lower else kind) + name


def commune_label(district: str, name: str, lower=False) -> str:
    kind = "Phường " if district in V.CITIES else "Xã "
    return (kind.lower() if lower else kind) + name


def jitter(rng, center, spread=0.04):
    return round(center[0] + rng.uniform(-spread, spread), 5), round(center[1] + rng.uniform(-spread, spread), 5)


def make_wards(rng) -> tuple[list[dict], dict]:
    """The 2025 wards with the communes they replaced; returns (wards.yaml entries, old name → ward)."""
    wards, ward_of = [], {}
    for district, (center, olds) in V.DISTRICTS.items():
        news = V.NEW_WARDS[district]
        groups: dict[str, list] = {w: [] for w in news}
        for i, old in enumerate(olds):
            groups[news[i % len(news)]].append(old)
        for w in news:
            name = commune_label(district, w)
            lat, lon = jitter(rng, center, 0.06)
            old_names = [commune_label(district, o) for o in groups[w] if o != w]
            entry = {"name": name, "district": district_label(district), "lat": lat, "lon": lon}
            if old_names:
                entry["old_names"] = old_names
            entry["sample"] = True
            wards.append(entry)
            for o in groups[w]:
                ward_of[(district, o)] = name
    return wards, ward_of


def hours(rng) -> list[dict]:
    h = [{"days": "mon-fri", "open": "07:30", "close": "11:30"}, {"days": "mon-fri", "open": "13:00", "close": "17:00"}]
    if rng.random() < 0.4:
        h.append({"days": "sat", "open": "07:30", "close": "11:30"})
    return h


def write_offices(rng, out: Path, plain: Path | None, n: int, fields: list[str]) -> list[dict]:
    wards, ward_of = make_wards(rng)
    offices: list[dict] = []
    launch = dt.date(2024, 12, 2)

    def add(slug, name, kind, district, ward, opened, accepts, center):
        lat, lon = jitter(rng, center)
        street = rng.choice(V.STREETS)
        data = {"name": name, "kind": kind, "address": f"Số {rng.randint(1, 450)}, {street}, {ward}", "ward": ward,
                "district": district_label(district), "lat": lat, "lon": lon,
                "phone": f"0274 {rng.randint(3800000, 3899999)}", "email": f"{slug.replace('-', '.')}@example.gov.vn",
                "hours": hours(rng), "accepts": accepts, "opened": opened}
        if rng.random() < 0.15:
            data["closed_dates"] = [{"date": day_between(rng, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                                     "reason": rng.choice(V.CLOSED_REASONS)}]
        offices.append({"slug": slug, "data": data, "district": district})

    centers = {d: c for d, (c, _) in V.DISTRICTS.items()}
    first = next(iter(V.DISTRICTS))
    add("trung-tam-tinh", "Trung tâm Phục vụ hành chính công tỉnh Bình Dương", "trung-tam", first,
        ward_of[(first, "Hòa Phú")], launch, "all", (11.05, 106.68))
    for district in V.DISTRICTS:
        add(f"chi-nhanh-{slugify(district)}", f"Chi nhánh Trung tâm Phục vụ hành chính công {district_label(district, True)}",
            "chi-nhanh", district, ward_of[(district, V.DISTRICTS[district][1][0])], launch, "all", centers[district])
    points = []
    for district, (center, olds) in V.DISTRICTS.items():
        for old in olds:
            label = commune_label(district, old)
            slug = f"diem-tiep-nhan-{slugify(label)}"
            if any(o["slug"] == slug for o in offices):
                slug = f"{slug}-{slugify(district)}"
            accepts = "non-geographic" if rng.random() < 0.3 else rng.sample(fields, rng.randint(2, 6))
            add(slug, f"Điểm tiếp nhận hồ sơ {commune_label(district, old, True)}", "diem-tiep-nhan", district,
                ward_of[(district, old)], launch, accepts, center)
            points.append(offices[-1])
    # Phase III's new branches: one in each former district, one more in Thủ Dầu Một.
    new_branch_wards = [(d, V.NEW_WARDS[d][1]) for d in V.NEW_WARDS] + [(first, V.NEW_WARDS[first][2])]
    new_branches = []
    for district, w in new_branch_wards:
        ward = commune_label(district, w)
        add(f"chi-nhanh-{slugify(ward)}", f"Chi nhánh Trung tâm Phục vụ hành chính công {commune_label(district, w, True)}",
            "chi-nhanh", district, ward, dt.date(2025, 7, 1), "all", centers[district])
        new_branches.append(offices[-1])
    district_list = list(V.DISTRICTS)
    while len(offices) < n:
        district = district_list[(len(offices)) % len(district_list)]
        k = sum(1 for o in offices if o["slug"].startswith(f"buu-dien-{slugify(district)}"))
        slug = f"buu-dien-{slugify(district)}" + (f"-{k + 1}" if k else "")
        add(slug, f"Điểm tiếp nhận tại Bưu điện {district_label(district, True)}" + (f" số {k + 1}" if k else ""),
            "diem-tiep-nhan", district, ward_of[(district, V.DISTRICTS[district][1][-1])], dt.date(2025, 1, 1),
            "non-geographic", centers[district])
    offices = offices[:n]
    # Phase II: the reception point of each central ward merges into its branch; phase III: 34 more
    # merge into the new branches.
    for district in V.DISTRICTS:
        p = next(p for p in points if p["district"] == district)
        p["data"]["merged_into"] = f"chi-nhanh-{slugify(district)}"
        p["data"]["merged_on"] = dt.date(2025, 1, 1)
    new_branches = [b for b in new_branches if b in offices]  # a small folder may have none
    rest = [p for p in points if "merged_into" not in p["data"] and p in offices]
    for p in rng.sample(rest, min(34, len(rest)) if new_branches else 0):
        same = [b for b in new_branches if b["district"] == p["district"]] or new_branches
        p["data"]["merged_into"] = rng.choice(same)["slug"]
        p["data"]["merged_on"] = dt.date(2025, 7, 1)
    for o in offices:
        o["data"]["sample"] = True
        d = o["data"]
        body = (f"{KIND_WORDS[d['kind']]} tiếp nhận hồ sơ của người dân và doanh nghiệp. "
                + " ".join(rng.sample(["Có chỗ để xe máy miễn phí.", "Có lối đi và quầy dành cho người khuyết tật.",
                                       "Có máy lấy số thứ tự tự động.", "Có khu vực tra cứu và nộp hồ sơ trực tuyến.",
                                       "Có nhân viên bưu điện hỗ trợ chuyển phát kết quả.",
                                       "Gần trạm xe buýt."], rng.randint(1, 3))))
        (out / "offices" / f"{o['slug']}.md").write_text(front_matter(d, body), encoding="utf-8")
        if plain is not None:
            hrs = "; ".join(f"{h['days']} {h['open']}–{h['close']}" for h in d["hours"])
            acc = d["accepts"] if isinstance(d["accepts"], str) else ", ".join(d["accepts"])
            lines = [f"- **Loại:** {KIND_WORDS[d['kind']]}", f"- **Địa chỉ:** {d['address']}",
                     f"- **Phường, xã:** {d['ward']}", f"- **Điện thoại:** {d['phone']}", f"- **Email:** {d['email']}",
                     f"- **Giờ làm việc:** {hrs}", f"- **Tiếp nhận:** {acc}", f"- **Tọa độ:** {d['lat']}, {d['lon']}"]
            if d.get("merged_into"):
                lines.append(f"- **Sáp nhập vào:** {d['merged_into']} từ {d['merged_on'].isoformat()}")
            meta = {"Title": d["name"], "Date": d["opened"].isoformat(), "Category": "Địa điểm", "Slug": o["slug"]}
            (plain / "offices" / f"{o['slug']}.md").write_text(plain_article(meta, "\n".join(lines) + "\n\n" + body),
                                                               encoding="utf-8")
    (out / "wards.yaml").write_text(nfc(yaml.safe_dump({"wards": wards}, allow_unicode=True, sort_keys=False, width=120)),
                                    encoding="utf-8")
    return offices


# --- news -------------------------------------------------------------------------------------
def write_news(rng, out: Path, plain: Path | None, n: int, offices: list[dict], fields: list[str]) -> None:
    taken: set = set()
    names = [o["data"]["name"] for o in offices]
    wards = sorted({o["data"]["ward"] for o in offices})
    for i in range(n):
        category = "tin-tuc" if rng.random() < 0.65 else "thong-bao"
        day = day_between(rng, dt.date(2024, 6, 1), TODAY + dt.timedelta(days=10))
        values = {"office": rng.choice(names), "n": rng.randint(120, 9800), "month": day.month, "year": day.year,
                  "ward": rng.choice(wards), "field_lower": rng.choice(fields).lower(), "pct": rng.randint(95, 100),
                  "q": (day.month - 1) // 3 + 1, "holiday": rng.choice(V.HOLIDAYS), "day": rng.randint(1, 28)}
        title = rng.choice(V.NEWS_TEMPLATES[category]).format(**values)
        slug = unique(slugify(title, 70), taken)
        date = f"{day.isoformat()} {rng.randint(7, 17):02d}:{rng.choice(['00', '15', '30', '45'])}" if rng.random() < 0.4 else day
        paras = paragraphs(rng, V.NEWS_SENTENCES, 2, 6)
        summary = paras[0].split(". ")[0].rstrip(".") + "."
        data = {"title": title, "date": date, "category": category}
        tags = rng.sample(V.NEWS_TAGS, rng.randint(0, 3))
        if tags:
            data["tags"] = tags
        data["summary"] = summary
        data["status"] = "draft" if rng.random() < 0.03 else "published"
        if category == "thong-bao" and rng.random() < 0.3:
            data["expires"] = day + dt.timedelta(days=rng.randint(7, 120))
        if data["status"] == "published" and rng.random() < 0.02 and (data.get("expires") or TODAY) >= TODAY:
            data["pinned"] = True
        data["sample"] = True
        body = "\n\n".join(paras)
        (out / "news" / f"{slug}.md").write_text(front_matter(data, body), encoding="utf-8")
        if plain is not None:
            meta = {"Title": title, "Date": str(date), "Category": CATEGORY_WORDS[category], "Tags": ", ".join(tags),
                    "Slug": slug, "Summary": summary, "Status": "draft" if data["status"] == "draft" else None}
            (plain / "news" / f"{slug}.md").write_text(plain_article(meta, body), encoding="utf-8")


# --- the rest: roadmap, pages, site.yaml, synonyms, forms ------------------------------------
def write_rest(rng, out: Path, plain: Path | None, procs: list[dict]) -> None:
    for number, slug, title, start, end, targets in V.PHASES:
        data = {"phase": number, "title": title, "start": dt.date.fromisoformat(start),
                "end": dt.date.fromisoformat(end), "targets": [{"name": k, "value": v} for k, v in targets.items()],
                "sample": True}
        body = "\n\n".join(paragraphs(rng, V.NEWS_SENTENCES, 2, 3))
        (out / "roadmap" / f"{slug}.md").write_text(front_matter(data, body), encoding="utf-8")
        if plain is not None:
            lines = [f"- **Từ ngày:** {start}", f"- **Đến ngày:** {end}"] + [f"- **{k}:** {v}" for k, v in targets.items()]
            (plain / "pages" / f"{slug}.md").write_text(plain_article({"Title": title, "Slug": slug},
                                                                      "\n".join(lines) + "\n\n" + body), encoding="utf-8")
    for slug, (title, menu, summary) in V.PAGES.items():
        body = "\n\n".join([summary] + paragraphs(rng, V.BODY_SENTENCES, 1, 4))
        (out / "pages" / f"{slug}.md").write_text(front_matter({"title": title, "summary": summary, "menu": menu,
                                                                 "sample": True}, body), encoding="utf-8")
        if plain is not None:
            (plain / "pages" / f"{slug}.md").write_text(plain_article({"Title": title, "Slug": slug}, body), encoding="utf-8")
    active = [p["slug"] for p in procs if p["data"].get("status") != "abolished"]
    site = {
        "name": "Trung tâm Phục vụ hành chính công tỉnh Bình Dương", "short_name": "TTPVHCC Bình Dương",
        "url": "https://hcc.example.gov.vn", "description": "Nội dung tham chiếu cho đo hiệu năng (dữ liệu mẫu).",
        "sample": True,
        "contacts": {"address": "Tầng 1, Tháp A, Trung tâm Hành chính tỉnh, Thành phố mới Bình Dương",
                     "phone": "0274 3822 000", "hotline": "1022", "email": "ttpvhcc@example.gov.vn",
                     "hours": "Thứ Hai đến thứ Sáu, 7 giờ 30 đến 17 giờ", "sample": True},
        "national_portal_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}",
        "online_filing_url": "https://dichvucong.gov.vn/p/home/dvc-dich-vu-cong-truc-tuyen-ds.html?ma_thu_tuc={code}",
        "map_tile_url": "",
        "holidays": [{"date": dt.date(2025, 1, 1), "name": "Tết Dương lịch"},
                     {"date": dt.date(2025, 4, 7), "name": "Giỗ Tổ Hùng Vương"},
                     {"date": dt.date(2025, 4, 30), "name": "Ngày Giải phóng miền Nam"},
                     {"date": dt.date(2025, 5, 1), "name": "Ngày Quốc tế Lao động"},
                     {"date": dt.date(2025, 9, 1), "name": "Quốc khánh"},
                     {"date": dt.date(2025, 9, 2), "name": "Quốc khánh"}],
        "popular_procedures": active[:8],
    }
    (out / "site.yaml").write_text(nfc(yaml.safe_dump(site, allow_unicode=True, sort_keys=False, width=120)),
                                   encoding="utf-8")
    (out / "search" / "synonyms.yaml").write_text(
        nfc(yaml.safe_dump({"groups": [{"terms": g} for g in V.SYNONYMS]}, allow_unicode=True, default_flow_style=None, width=120)), encoding="utf-8")
    for f in V.FIELDS.values():
        for form in f["forms"]:
            (out / "forms" / form).write_bytes(nfc(f"Mẫu {form} (dữ liệu mẫu cho đo hiệu năng)\n").encode())


def stamp(seed: int, **counts) -> str:
    """What a generated folder was made from: this generator's code, the seed and the counts."""
    src = (HERE / "generate.py").read_bytes() + (HERE / "vocabulary.py").read_bytes()
    return hashlib.sha256(src + repr((seed, sorted(counts.items()))).encode()).hexdigest()


def is_current(folder: Path, seed: int, **counts) -> bool:
    marker = Path(folder) / MARKER
    return marker.exists() and f"stamp {stamp(seed, **counts)}" in marker.read_text()


def _fresh(folder: Path, subfolders, made_from: str) -> None:
    if folder.exists():
        if not (folder / MARKER).exists():
            raise SystemExit(f"{folder} exists and was not made by this generator; choose another folder")
        shutil.rmtree(folder)
    for sub in subfolders:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(f"made by benchmarks/generate.py; deleted on the next run\nstamp {made_from}\n")


def generate(out: Path, plain: Path | None = None, seed: int = 1, procedures: int = 2000, offices: int = 120,
             news: int = 500) -> dict:
    """Write the content folder (and the plain Pelican folder); returns the counts."""
    rng = random.Random(seed)
    out, plain = Path(out), Path(plain) if plain else None
    made_from = stamp(seed, procedures=procedures, offices=offices, news=news)
    _fresh(out, ["procedures", "offices", "news", "roadmap", "pages", "search", "forms"], made_from)
    if plain is not None:
        _fresh(plain, ["procedures", "offices", "news", "pages"], made_from)
    fields = list(V.FIELDS)
    procs = write_procedures(rng, out, plain, procedures)
    offs = write_offices(rng, out, plain, offices, fields)
    write_news(rng, out, plain, news, offs, fields)
    write_rest(rng, out, plain, procs)
    return {"procedures": len(procs), "offices": len(offs), "news": news}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(WORK / "reference"))
    ap.add_argument("--plain", default=str(WORK / "plain"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--procedures", type=int, default=2000)
    ap.add_argument("--offices", type=int, default=120)
    ap.add_argument("--news", type=int, default=500)
    a = ap.parse_args(argv)
    counts = generate(Path(a.out), Path(a.plain) if a.plain else None, a.seed, a.procedures, a.offices, a.news)
    print(f"Wrote {a.out} ({counts}) and {a.plain}")


if __name__ == "__main__":
    main()
