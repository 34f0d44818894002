"""Procedures (thủ tục hành chính): pages, printable checklists, QR posters, listings and open data."""
from __future__ import annotations

import bisect
import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from pelican import signals

import portal_offices
from portal_core import content, output, registry, render_cache, text
from portal_core.background import Background
from portal_core.portal_core import PortalGenerator
from portal_core.registry import ContentType, SearchEntry
from portal_core.text import as_date

HERE = Path(__file__).parent
SCHEMA_PATH = HERE / "procedure.schema.json"
SCHEMA = registry.load_schema(SCHEMA_PATH)
QR_SCRIPT = HERE / "qr.py"
# Path segments under /thu-tuc/ that the site uses itself: no procedure file may take them.
RESERVED = frozenset({"linh-vuc", "cap", "truc-tuyen", "phi-dia-gioi", "qr", "page", "index"})
URLS = {
    "index": "/thu-tuc/", "item": "/thu-tuc/{slug}/", "poster": "/thu-tuc/{slug}/qr/", "qr": "/thu-tuc/{slug}/qr.svg",
    "fields": "/thu-tuc/linh-vuc/", "field": "/thu-tuc/linh-vuc/{slug}/", "levels": "/thu-tuc/cap/",
    "level": "/thu-tuc/cap/{level}/", "online": "/thu-tuc/truc-tuyen/", "anywhere": "/thu-tuc/phi-dia-gioi/",
    "form": "/bieu-mau/{file}", "api": "/api/procedures.json", "api_item": "/api/procedures/{slug}.json",
    "api_schema": "/api/procedures.schema.json", "changes": "/thay-doi/", "changes_feed": "/thay-doi/atom.xml",
    "listing_page": "{listing}trang/{number}/", "filter_data": "/thu-tuc/loc.json",
}
CHANGES_SHOWN = 50  # the latest major changes listed on /thay-doi/ and in its feed
# No listing page grows with the catalogue: a listing shows this many procedures a page, and
# /thu-tuc/ lists every procedure only while there are no more than this (else fields and counts;
# its filters then draw their results from /thu-tuc/loc.<hash>.json, loaded when they are used).
LISTING_PAGE_SIZE = 100


# A document's fields, None when the file does not give them (as an item's fields read).
DOCUMENT_FIELDS = dict.fromkeys(SCHEMA["properties"]["documents"]["items"]["properties"])
LEVEL_LABELS = registry.enum_labels(SCHEMA, "levels")
LEVELS = tuple(LEVEL_LABELS)
ONLINE_LABELS = registry.enum_labels(SCHEMA, "online")
CHANNEL_LABELS = registry.enum_labels(SCHEMA["properties"]["channels"]["items"], "kind")
# Each badge says in a few plain words what it means for the citizen.
BADGES = {
    "toan-trinh": {"kind": "online", "label": "Toàn trình",
                   "text": "Làm toàn bộ trên mạng: nộp hồ sơ, nộp phí và nhận kết quả mà không phải đến nơi tiếp nhận."},
    "mot-phan": {"kind": "partial", "label": "Một phần",
                 "text": "Nộp hồ sơ trên mạng được, nhưng vẫn phải đến nơi tiếp nhận cho một số bước, như nộp bản chính hoặc nhận kết quả."},
    "khong": {"kind": "offline", "label": "Không trực tuyến",
              "text": "Chưa làm được trên mạng: nộp hồ sơ trực tiếp hoặc qua bưu chính."},
    "non_geographic": {"kind": "anywhere", "label": "Phi địa giới hành chính",
                       "text": "Nộp tại bất kỳ chi nhánh hoặc điểm tiếp nhận nào, không phụ thuộc nơi bạn cư trú."},
}
MAX_OFFICES_LISTED = 5  # more offices than this: the page lists the main center and links to the finder
RELATED_LIMIT = 6
COMMON_KEYWORD = 200  # a keyword shared by more procedures than this says nothing about relatedness
COMPONENTS = ("badge", "checklist", "qr_code", "procedure_list")  # theme/templates/components/<name>.html

def fill_pattern(pattern: str, code: str) -> str:
    """A URL from a site.yaml pattern such as https://dichvucong.gov.vn/...?ma={code}."""
    return pattern.replace("{code}", code) if pattern else ""


def prepare(item, store):
    item.url = URLS["item"].format(slug=item.slug)
    item.abs_url = store.settings.get("SITE_URL", "") + item.url
    item.updated_date = as_date(item.data["updated"])
    item.major_changes = content.major_changes(item.data.get("changes"), store.today)
    item.last_updated = content.last_updated(item.updated_date, item.major_changes)
    item.active = item.data.get("status", "active") == "active"
    item.field_slug = text.slugify(item.data["field"])
    item.sort_key = text.sort_key(item.data["title"])
    item.has_online_channel = item.data["online"] != "khong" or any(
        ch["kind"] == "truc-tuyen" for ch in item.data["channels"])


# --- what other plugins ask the procedures plugin ----------------------------------------------
def active(store) -> list:
    """Procedures in force (not abolished), in dictionary order of their titles."""
    return sorted((p for p in store["procedures"] if p.active), key=lambda p: p.sort_key)


def popular(store) -> list:
    """The procedures `popular_procedures` in site.yaml names, in its order (the home page, the kiosk)."""
    site = store.get("site", "site")
    found = (store.get("procedures", slug) for slug in (site.data.get("popular_procedures", []) if site else []))
    return [p for p in found if p is not None]


def field_groups(store) -> list[dict]:
    """Active procedures grouped by field, in dictionary order of the field: [{name, slug, url, items}]."""
    return group_by_field(active(store))


def cross_check(store):
    site = store.get("site", "site")
    for i, slug in enumerate(site.data.get("popular_procedures", []) if site else []):
        if store.get("procedures", slug) is None:
            store.error(site, f"không có thủ tục '{slug}' (content/procedures/{slug}.md)",
                        f"popular_procedures[{i}]", ("popular_procedures", i))
    codes, field_slugs = {}, {}
    forms = store.path / "forms"
    for p in store["procedures"]:
        code = p.data["code"]
        if code in codes:
            store.error(p, f"mã thủ tục '{code}' trùng với {codes[code].source}", "code")
        codes.setdefault(code, p)
        other = field_slugs.setdefault(p.field_slug, p)
        if other.field != p.field:
            store.error(p, f"lĩnh vực '{p.field}' và '{other.field}' ({other.source}) có cùng đường dẫn "
                           f"{URLS['field'].format(slug=p.field_slug)}; hãy viết tên lĩnh vực giống hệt nhau", "field")
        for i, slug in enumerate(p.data.get("related", [])):
            if store.get("procedures", slug) is None:
                store.error(p, f"không có thủ tục '{slug}' (content/procedures/{slug}.md)", "related", ("related", i))
            elif slug == p.slug:
                store.error(p, "thủ tục không thể liên quan đến chính nó", "related", ("related", i))
        rb = p.data.get("replaced_by")
        if rb and store.get("procedures", rb) is None:
            store.error(p, f"không có thủ tục '{rb}' (content/procedures/{rb}.md)", "replaced_by")
        elif rb == p.slug:
            store.error(p, "thủ tục không thể được thay thế bằng chính nó", "replaced_by")
        if rb and p.data.get("status") != "abolished":
            store.error(p, "chỉ thủ tục đã bãi bỏ (status: abolished) mới có replaced_by", "replaced_by")
        for i, doc in enumerate(p.data.get("documents", [])):
            if "form" in doc and not (forms / doc["form"]).is_file():
                store.error(p, f"không có tệp mẫu đơn content/forms/{doc['form']}",
                            f"documents[{i}].form", ("documents", i, "form"))
    for p in store["procedures"]:
        for i, c in enumerate(p.data.get("changes") or []):
            if as_date(c["date"]) > store.today:
                store.warn(p, f"ngày thay đổi {c['date']} sau ngày hôm nay ({store.today.isoformat()}); kiểm tra lại",
                           f"changes.{i}.date", path=("changes", i, "date"))
        if p.updated_date > store.today:  # a warning: a stop would depend on the build's day
            store.warn(p, f"ngày cập nhật {p.updated_date.isoformat()} sau ngày hôm nay "
                          f"({store.today.isoformat()}); kiểm tra lại", "updated")
    used = used_forms(store)
    if forms.is_dir():
        for f in sorted(forms.iterdir()):
            if not f.name.startswith(".") and f.name not in used and not f.is_symlink():
                store.warn(store.rel(f), "không thủ tục nào dùng tệp mẫu đơn này (documents[].form) nên tệp "
                                         "không được đăng; hãy thêm vào một thủ tục hoặc xóa tệp")


def used_forms(store) -> set[str]:
    """The files of content/forms/ that some procedure names: the only ones published."""
    return {doc["form"] for p in store["procedures"] for doc in p.documents or [] if "form" in doc}


# --- what each page shows, computed once per build -------------------------------------------
def group_by_field(procs) -> list[dict]:
    """[{name, slug, url, items}] in Vietnamese alphabetical order of the field (items keep their order)."""
    groups: dict[str, dict] = {}
    for p in procs:
        g = groups.get(p.field)
        if g is None:
            g = groups[p.field] = {"name": p.field, "slug": p.field_slug,
                                   "url": URLS["field"].format(slug=p.field_slug), "items": []}
        g["items"].append(p)
    return sorted(groups.values(), key=lambda g: text.sort_key(g["name"]))


def listing_pages(url: str, procs: list, size: int = LISTING_PAGE_SIZE) -> list[tuple[str, list]]:
    """A listing's pages: (address, procedures) each, `size` a page; the first at the listing's
    own address, the others at <listing>trang/2/, trang/3/ ... (one page when there is nothing)."""
    chunks = [procs[i:i + size] for i in range(0, len(procs), size)] or [[]]
    return [(url if n == 1 else URLS["listing_page"].format(listing=url, number=n), chunk)
            for n, chunk in enumerate(chunks, 1)]


def filter_data(groups: list[dict]) -> dict:
    """What the filters of /thu-tuc/ work over: every active procedure in the order of the page
    (fields in Vietnamese alphabetical order, titles within), one short row each, and the labels
    the script shows. Editors' text stays text: the script puts it in the page as text nodes."""
    return {
        "fields": [[g["slug"], g["name"], g["url"]] for g in groups],
        "items": [[p.title, p.url, i, " ".join(p.levels), p.online, 1 if p.non_geographic else 0]
                  for i, g in enumerate(groups) for p in g["items"]],
        "labels": {"online": ONLINE_LABELS, "anywhere": "Phi địa giới"},
    }


def documents(procedure) -> list[dict]:
    """A procedure's documents to bring, each with every field (None where the file gives none)."""
    return [{**DOCUMENT_FIELDS, **doc} for doc in procedure.documents or []]


def group_documents(documents) -> list[dict]:
    """Documents every applicant brings first, then one group per `case`, in the file's order."""
    groups: dict = {None: []}
    for i, doc in enumerate(documents):
        groups.setdefault(doc.get("case"), []).append({**DOCUMENT_FIELDS, **doc, "id": f"ho-so-{i + 1}"})
    return [{"case": case, "items": items} for case, items in groups.items() if items]


def where_to_file(store, p) -> dict:
    """The offices open today that receive the procedure: all of them when they are few, otherwise
    the provincial center, the number of the others and the nearest-office finder."""
    offices = portal_offices.accepting(store, p)
    listed = offices if len(offices) <= MAX_OFFICES_LISTED else [o for o in offices if portal_offices.is_main(o)]
    return {"anywhere": bool(p.non_geographic), "offices": listed, "total": len(offices),
            "more": len(offices) - len(listed), "finder_url": registry.url("offices.finder_for", slug=p.slug)}


def _keywords(p) -> set[str]:
    return {k.casefold().strip() for k in (p.keywords or [])}


def related_procedures(procs, limit=RELATED_LIMIT) -> dict[str, list]:
    """slug -> a handful of active procedures: those listed in `related`, those that list this one,
    then those sharing keywords (same field first), then the same field's neighbours in title order.

    Indexes by keyword and by field keep this linear in the number of procedures."""
    by_slug = {p.slug: p for p in procs}
    order = {p.slug: i for i, p in enumerate(procs)}  # procs come in title order
    field_of = {p.slug: p.field for p in procs}
    keywords_of = {p.slug: _keywords(p) for p in procs}
    is_active = {p.slug: p.active for p in procs}
    by_field, field_keys = defaultdict(list), defaultdict(list)
    by_keyword, listed_by = defaultdict(list), defaultdict(list)
    for p in procs:
        if not p.active:
            continue
        by_field[field_of[p.slug]].append(p.slug)
        field_keys[field_of[p.slug]].append(order[p.slug])
        for k in keywords_of[p.slug]:
            by_keyword[k].append(p.slug)
        for s in p.related or []:
            listed_by[s].append(p.slug)
    result = {}
    for p in procs:
        slug, field = p.slug, field_of[p.slug]
        chosen, seen = [], {slug}
        candidates = [*(p.related or []), *listed_by.get(slug, ())]
        scores = Counter()
        for k in keywords_of[slug]:
            posting = by_keyword.get(k, ())
            if len(posting) <= COMMON_KEYWORD:
                scores.update(posting)
        if scores:
            candidates += sorted(scores, key=lambda s: (-2 * scores[s] - (field_of[s] == field), order[s]))
        for s in candidates:
            if s not in seen and is_active.get(s):
                seen.add(s)
                chosen.append(s)
                if len(chosen) == limit:
                    break
        if len(chosen) < limit:  # the same field's neighbours in title order, nearest first
            same = by_field.get(field, [])
            right = bisect.bisect_left(field_keys[field], order[slug])
            left = right - 1
            while len(chosen) < limit and (left >= 0 or right < len(same)):
                for j in (right, left):
                    if 0 <= j < len(same) and same[j] not in seen and len(chosen) < limit:
                        seen.add(same[j])
                        chosen.append(same[j])
                right, left = right + 1, left - 1
        result[slug] = [by_slug[s] for s in chosen]
    return result


def description(p) -> str:
    """The meta description: what the page answers, in one sentence or two."""
    text = f"{p.title} ({p.field}): giấy tờ cần chuẩn bị, lệ phí, thời hạn giải quyết và nơi nộp hồ sơ."
    if not p.active:
        return f"Thủ tục đã bãi bỏ. {text}"
    extra = []
    if p.online == "toan-trinh":
        extra.append("Làm toàn bộ trực tuyến")
    elif p.online == "mot-phan":
        extra.append("Nộp hồ sơ trực tuyến được")
    if p.non_geographic:
        extra.append("nộp tại bất kỳ điểm tiếp nhận nào" if extra else "Nộp tại bất kỳ điểm tiếp nhận nào")
    return text + (" " + ", ".join(extra) + "." if extra else "")


def jsonld(p, site: dict, site_url: str) -> dict | None:
    """schema.org GovernmentService for search engines (none for an abolished procedure)."""
    if not p.active:
        return None
    channels = []
    for ch in p.channels:
        c = {"@type": "ServiceChannel", "name": CHANNEL_LABELS[ch["kind"]],
             "description": f"Thời hạn giải quyết: {ch['time_limit']}. Phí, lệ phí: {ch['fee']}.",
             "availableLanguage": "vi"}
        if ch["kind"] == "truc-tuyen" and p.filing_url:
            c["serviceUrl"] = p.filing_url
        channels.append(c)
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": p.title,
        "identifier": p.code,
        "url": p.abs_url,
        "description": p.description,
        "serviceType": p.field,
        "provider": {"@type": "GovernmentOrganization", "name": p.agency},
        "serviceOperator": {"@type": "GovernmentOrganization", "name": site.get("name", ""), "url": site_url},
        "availableChannel": channels,
        "serviceOutput": p.result,
    }
    if p.applicants:
        data["audience"] = {"@type": "Audience", "audienceType": p.applicants}
    if p.related_items:
        data["isRelatedTo"] = [{"@type": "GovernmentService", "name": q.title, "url": q.abs_url}
                               for q in p.related_items]
    return data


def api_object(p) -> dict:
    """The open-data record: every front-matter field under its own name, plus slug, url, body_html."""
    return {**p.data, "slug": p.slug, "url": p.abs_url, "body_html": str(p.body_html)}


def _strip_editor_keys(value):
    if isinstance(value, dict):
        return {k: _strip_editor_keys(v) for k, v in value.items() if not k.startswith("x-")}
    if isinstance(value, list):
        return [_strip_editor_keys(v) for v in value]
    return value


def search_entries(store) -> list[SearchEntry]:
    """Each active procedure, by what names it and what identifies it; its badges as facets."""
    online = {value: i for i, value in enumerate(("khong", "mot-phan", "toan-trinh"))}
    return [SearchEntry(
        "procedure", p.title, p.url,
        {"title": [p.title], "code": [p.code], "keywords": [str(k) for k in p.keywords or []],
         "documents": [d["name"] for d in p.documents or []], "field": [p.field], "agency": [p.agency],
         "result": [p.result] if p.result else []},
        names=[p.title] + [str(k) for k in p.keywords or []], body_html=p.body_html,  # the item's own string
        facets={"slug": p.slug, "code": p.code, "field": p.field, "online": online.get(p.online, 0),
                "anywhere": 1 if p.non_geographic else 0},
    ) for p in active(store)]


def search_badges() -> dict:
    """The badges search results show: [css kind, label] per online code (0, 1, 2) and for anywhere."""
    order = ("khong", "mot-phan", "toan-trinh")
    return {"online": [[BADGES[k]["kind"], BADGES[k]["label"]] for k in order],
            "anywhere": [BADGES["non_geographic"]["kind"], BADGES["non_geographic"]["label"]]}


def finder_procedures(store) -> dict:
    """What the nearest-office finder's procedure filter needs, compact: fields, and for each active
    procedure [slug, title, index in fields, non_geographic as 0/1], in dictionary order."""
    procs = active(store)
    fields = sorted({p.field for p in procs}, key=text.sort_key)
    index = {f: i for i, f in enumerate(fields)}
    return {"fields": fields,
            "procedures": [[p.slug, p.title, index[p.field], int(bool(p.non_geographic))] for p in procs]}


def api_schema(site_url: str) -> dict:
    """The published JSON Schema of /api/procedures.json, derived from the content schema."""
    content = _strip_editor_keys(PROCEDURES.schema)  # the type's schema: the file's, and redirect_from
    record = {k: v for k, v in content.items() if k not in ("$schema", "$id")}
    record["title"] = "Thủ tục hành chính (một mục của /api/procedures.json)"
    record["properties"] = {
        **content["properties"],
        "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                 "description": "Tên tệp nội dung, cũng là đường dẫn trang /thu-tuc/<slug>/"},
        "url": {"type": "string", "format": "uri", "description": "Địa chỉ đầy đủ của trang thủ tục"},
        "body_html": {"type": "string", "description": "Phần hướng dẫn (Markdown) đã chuyển sang HTML"},
    }
    record["required"] = list(content["required"]) + ["slug", "url", "body_html"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": site_url + URLS["api_schema"],
        "title": "Danh sách thủ tục hành chính (/api/procedures.json)",
        "description": "Mỗi mục là một thủ tục; /api/procedures/<slug>.json chứa đúng một mục theo #/$defs/procedure.",
        "type": "array",
        "items": {"$ref": "#/$defs/procedure"},
        "$defs": {"procedure": record},
    }


# --- QR codes, made in the background while the pages are written ----------------------------
_qr_workers: list = []


def start_qr_worker(jobs: list, cache_dir: Path) -> None:
    """Start `qr.py` on a job file of [url, svg_path, cache_dir] lines; `wait_for_qr` collects it."""
    if not jobs:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    job_file = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
    with job_file:
        for url, dest in jobs:
            job_file.write(json.dumps([url, str(dest), str(cache_dir)]) + "\n")
    stdin = open(job_file.name, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(QR_SCRIPT)], stdin=stdin, stderr=subprocess.PIPE)
    _qr_workers.append((proc, stdin, job_file.name))


def wait_for_qr(pelican=None) -> None:
    """Every QR code is written, or the build fails (also a `finalized` receiver, as a safety net)."""
    workers = list(_qr_workers)
    _qr_workers.clear()
    for proc, stdin, name in workers:
        _, err = proc.communicate()
        stdin.close()
        Path(name).unlink(missing_ok=True)
        if proc.returncode != 0:
            raise RuntimeError("portal_procedures: không tạo được mã QR:\n" + err.decode("utf-8", "replace"))


def recent_changes(store) -> list[dict]:
    """The latest major changes of procedures in force, newest first (on or before today)."""
    got = [{"date": c["date"], "note": c["note"], "procedure": p} for p in active(store)
           for c in p.major_changes if c["date"] <= store.today]
    return sorted(got, key=lambda c: (c["date"], c["procedure"].sort_key), reverse=True)[:CHANGES_SHOWN]


class ProceduresGenerator(PortalGenerator):
    """Procedure pages, QR posters, listings under /thu-tuc/ and the open data under /api/."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The components these templates use, loaded once per build: an `{% from ... import %}`
        # in a page template costs a module lookup on each of its thousands of renders.
        for name in COMPONENTS:
            self.env.globals[name] = getattr(self.env.get_template(f"components/{name}.html").module, name)

    def generate_context(self):
        site = self.settings.get("SITE", {})
        site_url = self.settings.get("SITE_URL", "")
        procs = sorted(self.store["procedures"], key=lambda p: p.sort_key)
        active = [p for p in procs if p.active]
        related = related_procedures(procs)
        for p in procs:
            p.doc_groups = group_documents(p.documents or [])
            p.where = where_to_file(self.store, p)
            p.related_items = related[p.slug]
            p.replacement = self.store.get("procedures", p.replaced_by) if p.replaced_by else None
            p.filing_url = fill_pattern(site.get("online_filing_url", ""), p.code) \
                if p.active and p.has_online_channel else ""
            p.national_url = fill_pattern(site.get("national_portal_url", ""), p.code)
            p.badges = [BADGES[p.online]] + ([BADGES["non_geographic"]] if p.non_geographic else [])
            p.description = description(p)
            p.jsonld = jsonld(p, site, site_url)
            p.qr_src = URLS["qr"].format(slug=p.slug)
            p.poster_url = URLS["poster"].format(slug=p.slug)
            p.short_url = p.abs_url.split("://", 1)[-1]
        self.context["procedures"] = procs
        self.context["active_procedures"] = active
        self.context["procedure_fields"] = fields = group_by_field(active)
        # the whole list on /thu-tuc/ only while it is short (see LISTING_PAGE_SIZE)
        self.context["procedure_index_lists_all"] = len(active) <= LISTING_PAGE_SIZE
        data = output.json_text(filter_data(fields)).encode("utf-8")
        self.filter_data = (registry.hashed_name(URLS["filter_data"], data), data)
        self.context["procedure_filter_data"] = self.filter_data[0]
        self.context["popular_procedures"] = popular(self.store)
        self.context["procedure_counts"] = {
            "all": len(active),
            "toan-trinh": sum(p.online == "toan-trinh" for p in active),
            "non_geographic": sum(bool(p.non_geographic) for p in active),
            **{lvl: sum(lvl in p.levels for p in active) for lvl in LEVELS},
        }
        if not self.live:  # a livereload page update reuses the QR codes of the last full build
            self.start_qr_codes(procs)

    def start_qr_codes(self, procs):
        """Start making the QR codes now: they are made while the other generators work."""
        out = Path(self.output_path)
        cache = Path(self.settings.get("CACHE_PATH", out.parent / ".cache")) / "qr"
        svgs = [out / URLS["qr"].format(slug=p.slug).lstrip("/") for p in procs]
        start_qr_worker([(p.abs_url, svg) for p, svg in zip(procs, svgs)], cache)

    def write_changes(self, writer, out: Path):
        """/thay-doi/ and its Atom feed: what changed in procedures, for citizens and businesses
        who follow fees and documents. Editors' notes are text: escaped by the feed writer."""
        from feedgenerator import Atom1Feed, get_tag_uri

        changes = recent_changes(self.store)
        site = self.settings.get("SITE_URL", "")
        self.write_page(writer, "procedure_changes", URLS["changes"], changes=changes, feed=URLS["changes_feed"])
        today = self.store.today
        if not isinstance(today, dt.datetime):
            today = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.timezone(dt.timedelta(hours=7)))

        class Feed(Atom1Feed):
            def latest_post_date(self):  # with no entries: the build's today, not the clock, so
                return super().latest_post_date() if self.items else today  # a rebuild is the same

        feed = Feed(title=f"Thay đổi thủ tục – {self.settings.get('SITENAME', '')}", link=site + URLS["changes"],
                    description="Các thay đổi quan trọng của thủ tục hành chính", language="vi",
                    feed_url=site + URLS["changes_feed"])
        for c in changes:
            p = c["procedure"]
            when = dt.datetime.combine(c["date"], dt.time(0, 0), tzinfo=dt.timezone(dt.timedelta(hours=7)))
            link = site + p.url + "#lich-su-cap-nhat"
            feed.add_item(title=f"{p.title}: {c['note']}", link=link, description=c["note"], pubdate=when,
                          updateddate=when, unique_id=get_tag_uri(link + c["date"].isoformat(), when))
        output.write_text(out / URLS["changes_feed"].lstrip("/"), feed.writeString("utf-8"))

    def generate_output(self, writer):
        out = Path(self.output_path)
        procs = self.context["procedures"]
        api = Background(lambda: self.write_api(out))  # 2,000 files, written while the pages render
        with render_cache.batch(writer):  # most of the site's pages: rendered by both processors
            for p in procs:
                self.write_page(writer, "procedure", p.url, procedure=p)
                self.write_page(writer, "procedure_qr", p.poster_url, procedure=p)
            self.write_listings(writer)
        api.result()
        output.write_json(out / registry.url("offices.finder_procedures").lstrip("/"), finder_procedures(self.store))
        self.copy_forms()
        self.copy_static(out)
        wait_for_qr()  # before `finalized`, where the sitemap, minifying and precompressing happen

    def write_listings(self, writer):
        active = self.context["active_procedures"]
        counts = self.context["procedure_counts"]
        self.write_page(writer, "procedures", URLS["index"])
        self.write_changes(writer, Path(self.output_path))

        target = Path(self.output_path) / self.filter_data[0].lstrip("/")
        output.write_bytes(target, self.filter_data[1])
        output.precompress_later(target)

        def listing(url, title, intro, procs, crumbs=(), grouped=True, **extra):
            show = extra.get("show_items", True)
            if grouped:  # pages follow the order in which the groups show them
                procs = [p for g in group_by_field(procs) for p in g["items"]]
            pages = listing_pages(url, procs if show else [])
            for number, (page_url, chunk) in enumerate(pages, 1):
                self.write_page(writer, "procedure_listing", page_url,
                                listing={"title": title, "intro": intro, "count": len(procs),
                                         "groups": group_by_field(chunk) if grouped else None,
                                         "items": chunk, "crumbs": [(URLS["index"], "Thủ tục"), *crumbs],
                                         "links": None, "show_items": True, **extra},
                                pager={"number": number, "urls": [u for u, _ in pages],
                                       "first": (number - 1) * LISTING_PAGE_SIZE + 1,
                                       "last": (number - 1) * LISTING_PAGE_SIZE + len(chunk)})

        all_fields = group_by_field(self.context["procedures"])  # a page even for a field whose
        for g in all_fields:                                      # procedures were all abolished
            items = [p for p in g["items"] if p.active]
            listing(g["url"], f"Thủ tục lĩnh vực {g['name']}",
                    f"{len(items)} thủ tục đang áp dụng thuộc lĩnh vực {g['name']}.", items,
                    crumbs=[(URLS["fields"], "Lĩnh vực")], grouped=False)
        listing(URLS["fields"], "Thủ tục theo lĩnh vực", "Chọn một lĩnh vực để xem các thủ tục thuộc lĩnh vực đó.",
                active, links=[(g["url"], g["name"], len([p for p in g["items"] if p.active])) for g in all_fields],
                grouped=False, show_items=False)
        for lvl in LEVELS:
            items = [p for p in active if lvl in p.levels]
            listing(URLS["level"].format(level=lvl), f"Thủ tục {LEVEL_LABELS[lvl][0].lower()}{LEVEL_LABELS[lvl][1:]}",
                    f"{len(items)} thủ tục đang áp dụng do {LEVEL_LABELS[lvl].lower()} giải quyết.", items,
                    crumbs=[(URLS["levels"], "Cấp thực hiện")])
        listing(URLS["levels"], "Thủ tục theo cấp thực hiện", "Chọn cấp giải quyết thủ tục.", active,
                links=[(URLS["level"].format(level=lvl), LEVEL_LABELS[lvl], counts[lvl]) for lvl in LEVELS],
                grouped=False, show_items=False)
        listing(URLS["online"], "Thủ tục làm toàn trình trực tuyến", BADGES["toan-trinh"]["text"],
                [p for p in active if p.online == "toan-trinh"])
        listing(URLS["anywhere"], "Thủ tục phi địa giới hành chính", BADGES["non_geographic"]["text"],
                [p for p in active if p.non_geographic])

    def write_api(self, out: Path):
        """/api/procedures.json, /api/procedures/<slug>.json and the schema they follow."""
        (out / URLS["api_item"].format(slug="x").lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        records = []  # each record serialised once, for its own file and for the whole list
        for p in self.context["procedures"]:
            record = output.json_text(api_object(p))
            output.put_bytes(out / URLS["api_item"].format(slug=p.slug).lstrip("/"), record.encode("utf-8"))
            records.append(record)
        output.write_text(out / URLS["api"].lstrip("/"), "[" + ",".join(records) + "]")
        output.write_json(out / URLS["api_schema"].lstrip("/"), api_schema(self.settings.get("SITE_URL", "")),
                          newline=False)

    def copy_forms(self):
        """content/forms/<file> is published as /bieu-mau/<file>, for the files procedures name (the
        store has checked that each is a regular file, not a link)."""
        self.copy_files(self.store.path / "forms", URLS["form"].format(file="").strip("/"), names=used_forms(self.store))

    def copy_static(self, out: Path):
        self.copy_files(HERE / "static", "static/portal_procedures")


def get_generators(pelican):
    return ProceduresGenerator


def add_globals(generator):
    generator.env.globals.update(
        LEVEL_LABELS=LEVEL_LABELS, ONLINE_LABELS=ONLINE_LABELS, CHANNEL_LABELS=CHANNEL_LABELS,
        PROCEDURE_LEVELS=LEVELS, PROCEDURE_BADGES=BADGES,
    )


PROCEDURES = ContentType(
    name="procedures", folder="procedures", schema_path=SCHEMA_PATH, label="Thủ tục", urls=URLS,
    singular="procedure", new_template=HERE / "new.md",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=10,
    search=search_entries, search_position=10, record=api_object, extras={"search_badges": search_badges},
)


def register():
    registry.register_type(PROCEDURES)
    for name in ("procedure-filters.js", "print-button.js"):
        registry.register_asset(f"/static/portal_procedures/{name}", HERE / "static" / name)
    registry.register_nav("procedures", "Thủ tục", "procedures", 10)
    registry.register_home_block("procedures", "grid", "home_procedures.html", 10)
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
    signals.finalized.connect(wait_for_qr)
