"""Procedures (thủ tục hành chính): pages, printable checklists, QR posters, listings and open data."""
from __future__ import annotations

import bisect
import json
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from pelican import signals
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from portal_core import ContentType, register_content_type
from portal_core.content import as_date
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
SCHEMA_PATH = HERE / "procedure.schema.json"
QR_SCRIPT = HERE / "qr.py"
# Path segments under /thu-tuc/ that the site uses itself: no procedure file may take them.
RESERVED = frozenset({"linh-vuc", "cap", "truc-tuyen", "phi-dia-gioi", "qr", "page", "index"})

LEVELS = ("tinh", "huyen", "xa")
LEVEL_LABELS = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện (trước 01/7/2025)", "xa": "Cấp xã"}
ONLINE_LABELS = {"toan-trinh": "Toàn trình", "mot-phan": "Một phần", "khong": "Không trực tuyến"}
CHANNEL_LABELS = {"truc-tiep": "Trực tiếp", "truc-tuyen": "Trực tuyến", "buu-chinh": "Bưu chính"}
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
OFFICE_KINDS = ("trung-tam", "chi-nhanh", "diem-tiep-nhan")
MAX_OFFICES_LISTED = 5  # more offices than this: the page lists the main center and links to the finder
RELATED_LIMIT = 6
COMMON_KEYWORD = 200  # a keyword shared by more procedures than this says nothing about relatedness
FINDER_URL = "/dia-diem/gan-nhat/?thu-tuc={slug}"
API_FOLDER = "api"
COMPONENTS = ("badge", "checklist", "qr_code", "procedure_list")  # theme/templates/components/<name>.html

# Vietnamese alphabetical order: ă, â after a; đ after d; ê after e; ô, ơ after o; ư after u;
# the tone marks only break ties (ngang, huyền, hỏi, ngã, sắc, nặng).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: 1000 + i for i, c in enumerate(_ALPHABET)}
_SHAPE_MARKS = "\u0306\u0302\u031b"  # breve, circumflex, horn: part of the letter
_TONE_MARKS = "\u0300\u0309\u0303\u0301\u0323"


_CHAR_KEYS: dict[str, tuple[int, int]] = {}


def _char_key(ch: str) -> tuple[int, int]:
    parts = unicodedata.normalize("NFD", ch)
    letter = unicodedata.normalize("NFC", parts[0] + "".join(m for m in parts[1:] if m in _SHAPE_MARKS))
    rank = _RANK.get(letter, ord(letter[0]) if ord(letter[0]) < 1000 else 2000 + ord(letter[0]))
    tone = next((1 + _TONE_MARKS.index(m) for m in parts[1:] if m in _TONE_MARKS), 0)
    _CHAR_KEYS[ch] = (rank, tone)
    return rank, tone


def vi_sort_key(text: str) -> tuple:
    """A sort key that orders Vietnamese words as a dictionary does (Python's own order puts Đ after Z)."""
    keys = [_CHAR_KEYS.get(ch) or _char_key(ch) for ch in unicodedata.normalize("NFC", text.casefold())]
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys)


def field_slug(name: str, settings=None) -> str:
    """The ASCII path segment of a field: 'Đất đai' -> 'dat-dai'."""
    subs = (settings or {}).get("SLUG_REGEX_SUBSTITUTIONS", DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    return slugify(name.replace("đ", "d").replace("Đ", "D"), regex_subs=subs)


def fill_pattern(pattern: str, code: str) -> str:
    """A URL from a site.yaml pattern such as https://dichvucong.gov.vn/...?ma={code}."""
    return pattern.replace("{code}", code) if pattern else ""


def prepare(item, store):
    item.url = f"/thu-tuc/{item.slug}/"
    item.abs_url = store.settings.get("SITE_URL", "") + item.url
    item.updated_date = as_date(item.data["updated"])
    item.active = item.data.get("status", "active") == "active"
    item.field_slug = field_slug(item.data["field"], store.settings)
    item.sort_key = vi_sort_key(item.data["title"])
    item.has_online_channel = item.data["online"] != "khong" or any(
        ch["kind"] == "truc-tuyen" for ch in item.data["channels"])


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
                           f"/thu-tuc/linh-vuc/{p.field_slug}/; hãy viết tên lĩnh vực giống hệt nhau", "field")
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


register_content_type(ContentType(
    name="procedures", folder="procedures", schema_path=SCHEMA_PATH,
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=10,
))


# --- what each page shows, computed once per build -------------------------------------------
def group_by_field(procs) -> list[dict]:
    """[{name, slug, url, items}] in Vietnamese alphabetical order of the field (items keep their order)."""
    groups: dict[str, dict] = {}
    for p in procs:
        g = groups.get(p.field)
        if g is None:
            g = groups[p.field] = {"name": p.field, "slug": p.field_slug,
                                   "url": f"/thu-tuc/linh-vuc/{p.field_slug}/", "items": []}
        g["items"].append(p)
    return sorted(groups.values(), key=lambda g: vi_sort_key(g["name"]))


def group_documents(documents) -> list[dict]:
    """Documents every applicant brings first, then one group per `case`, in the file's order."""
    groups: dict = {None: []}
    for i, doc in enumerate(documents):
        groups.setdefault(doc.get("case"), []).append(dict(doc, id=f"ho-so-{i + 1}"))
    return [{"case": case, "items": items} for case, items in groups.items() if items]


class OfficeFinder:
    """Open offices that accept a procedure, computed once per (field, non-geographic)."""

    def __init__(self, offices):
        self.offices = sorted(
            (o for o in offices if getattr(o, "is_open", True)),
            key=lambda o: (OFFICE_KINDS.index(o.kind) if o.kind in OFFICE_KINDS else 9, vi_sort_key(o.name)),
        )
        self._cache: dict = {}

    def where(self, p) -> dict:
        key = (p.field, bool(p.non_geographic))
        found = self._cache.get(key)
        if found is None:
            offices = [o for o in self.offices if accepts(o.accepts, *key)]
            listed = offices if len(offices) <= MAX_OFFICES_LISTED else [o for o in offices if o.kind == "trung-tam"]
            found = self._cache[key] = {"anywhere": key[1], "offices": listed, "total": len(offices),
                                        "more": len(offices) - len(listed)}
        return {**found, "finder_url": FINDER_URL.format(slug=p.slug)}


def accepts(value, field: str, non_geographic: bool) -> bool:
    """Whether an office's `accepts` (all, non-geographic or a list of fields) covers a procedure."""
    if value == "all":
        return True
    if value == "non-geographic":
        return non_geographic
    return isinstance(value, list) and field in value


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


def api_schema(site_url: str) -> dict:
    """The published JSON Schema of /api/procedures.json, derived from the content schema."""
    content = _strip_editor_keys(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
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
        "$id": f"{site_url}/{API_FOLDER}/procedures.schema.json",
        "title": "Danh sách thủ tục hành chính (/api/procedures.json)",
        "description": "Mỗi mục là một thủ tục; /api/procedures/<slug>.json chứa đúng một mục theo #/$defs/procedure.",
        "type": "array",
        "items": {"$ref": "#/$defs/procedure"},
        "$defs": {"procedure": record},
    }


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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
        finder = OfficeFinder(self.store["offices"])
        related = related_procedures(procs)
        for p in procs:
            p.doc_groups = group_documents(p.documents or [])
            p.where = finder.where(p)
            p.related_items = related[p.slug]
            p.replacement = self.store.get("procedures", p.replaced_by) if p.replaced_by else None
            p.filing_url = fill_pattern(site.get("online_filing_url", ""), p.code) \
                if p.active and p.has_online_channel else ""
            p.national_url = fill_pattern(site.get("national_portal_url", ""), p.code)
            p.badges = [BADGES[p.online]] + ([BADGES["non_geographic"]] if p.non_geographic else [])
            p.description = description(p)
            p.jsonld = jsonld(p, site, site_url)
            p.qr_src = p.url + "qr.svg"
            p.poster_url = p.url + "qr/"
            p.short_url = p.abs_url.split("://", 1)[-1]
        self.context["procedures"] = procs
        self.context["active_procedures"] = active
        self.context["procedure_fields"] = group_by_field(active)
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
        for p in procs:  # the QR worker writes into these; it never creates folders itself
            (out / "thu-tuc" / p.slug).mkdir(parents=True, exist_ok=True)
        start_qr_worker([(p.abs_url, out / "thu-tuc" / p.slug / "qr.svg") for p in procs], cache)

    def generate_output(self, writer):
        out = Path(self.output_path)
        procs = self.context["procedures"]
        for p in procs:
            self.write(writer, "procedure", f"thu-tuc/{p.slug}/index.html", procedure=p, page_name=p.url)
            self.write(writer, "procedure_qr", f"thu-tuc/{p.slug}/qr/index.html", procedure=p,
                       page_name=p.poster_url)
        self.write_listings(writer)
        self.write_api(out)
        self.copy_forms()
        self.copy_static(out)
        wait_for_qr()  # before `finalized`, where the sitemap, minifying and precompressing happen

    def write_listings(self, writer):
        active = self.context["active_procedures"]
        counts = self.context["procedure_counts"]
        self.write(writer, "procedures", "thu-tuc/index.html", page_name="/thu-tuc/")

        def listing(path, title, intro, procs, crumbs=(), grouped=True, **extra):
            self.write(writer, "procedure_listing", f"{path}index.html", page_name=f"/{path}",
                       listing={"title": title, "intro": intro, "count": len(procs),
                                "groups": group_by_field(procs) if grouped else None,
                                "items": procs, "crumbs": [("/thu-tuc/", "Thủ tục"), *crumbs], **extra})

        all_fields = group_by_field(self.context["procedures"])  # a page even for a field whose
        for g in all_fields:                                      # procedures were all abolished
            items = [p for p in g["items"] if p.active]
            listing(f"thu-tuc/linh-vuc/{g['slug']}/", f"Thủ tục lĩnh vực {g['name']}",
                    f"{len(items)} thủ tục đang áp dụng thuộc lĩnh vực {g['name']}.", items,
                    crumbs=[("/thu-tuc/linh-vuc/", "Lĩnh vực")], grouped=False)
        listing("thu-tuc/linh-vuc/", "Thủ tục theo lĩnh vực", "Chọn một lĩnh vực để xem các thủ tục thuộc lĩnh vực đó.",
                active, links=[(g["url"], g["name"], len([p for p in g["items"] if p.active])) for g in all_fields],
                grouped=False, show_items=False)
        for lvl in LEVELS:
            items = [p for p in active if lvl in p.levels]
            listing(f"thu-tuc/cap/{lvl}/", f"Thủ tục {LEVEL_LABELS[lvl][0].lower()}{LEVEL_LABELS[lvl][1:]}",
                    f"{len(items)} thủ tục đang áp dụng do {LEVEL_LABELS[lvl].lower()} giải quyết.", items,
                    crumbs=[("/thu-tuc/cap/", "Cấp thực hiện")])
        listing("thu-tuc/cap/", "Thủ tục theo cấp thực hiện", "Chọn cấp giải quyết thủ tục.", active,
                links=[(f"/thu-tuc/cap/{lvl}/", LEVEL_LABELS[lvl], counts[lvl]) for lvl in LEVELS],
                grouped=False, show_items=False)
        listing("thu-tuc/truc-tuyen/", "Thủ tục làm toàn trình trực tuyến", BADGES["toan-trinh"]["text"],
                [p for p in active if p.online == "toan-trinh"])
        listing("thu-tuc/phi-dia-gioi/", "Thủ tục phi địa giới hành chính", BADGES["non_geographic"]["text"],
                [p for p in active if p.non_geographic])

    def write_api(self, out: Path):
        """/api/procedures.json, /api/procedures/<slug>.json and the schema they follow."""
        api = out / API_FOLDER
        (api / "procedures").mkdir(parents=True, exist_ok=True)
        records = []  # each record serialised once, for its own file and for the whole list
        for p in self.context["procedures"]:
            record = _json(api_object(p))
            (api / "procedures" / f"{p.slug}.json").write_text(record, encoding="utf-8")
            records.append(record)
        (api / "procedures.json").write_text("[" + ",".join(records) + "]", encoding="utf-8")
        (api / "procedures.schema.json").write_text(_json(api_schema(self.settings.get("SITE_URL", ""))),
                                                    encoding="utf-8")

    def copy_forms(self):
        """content/forms/<file> is published as /bieu-mau/<file>."""
        self.copy_files(self.store.path / "forms", "bieu-mau")

    def copy_static(self, out: Path):
        self.copy_files(HERE / "static", "static/portal_procedures")


def get_generators(pelican):
    return ProceduresGenerator


def add_globals(generator):
    generator.env.globals.update(
        LEVEL_LABELS=LEVEL_LABELS, ONLINE_LABELS=ONLINE_LABELS, CHANNEL_LABELS=CHANNEL_LABELS,
        PROCEDURE_LEVELS=LEVELS, PROCEDURE_BADGES=BADGES,
    )


def register():
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
    signals.finalized.connect(wait_for_qr)
