"""Life events, step by step: a journey ("Khi sinh con") lists the steps a citizen takes, each with
its procedures (all of them, or one of them for a `choice` step), and a combined online service
first when one does several steps at once. /su-kien/ lists the journeys, /su-kien/<slug>/ shows
one, and each procedure page asks `journeys_of(store, procedure)` where it stands."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

import portal_procedures
from portal_core import output, registry, text
from portal_core.portal_core import PortalGenerator
from portal_core.registry import ContentType, SearchEntry
from portal_core.text import as_date

HERE = Path(__file__).parent
URLS = {"index": "/su-kien/", "item": "/su-kien/{slug}/", "api": "/api/journeys.json",
        "script": "/static/portal_journeys/journey.js"}


def prepare(item, store):
    item.url = URLS["item"].format(slug=item.slug)
    item.updated_date = as_date(item.data["updated"])
    item.sort_key = text.sort_key(item.data["title"])


def cross_check(store):
    """A step's procedure must exist and be in force."""
    active = {p.slug for p in portal_procedures.active(store)}
    for j in store["journeys"]:
        for i, step in enumerate(j.data["steps"]):
            for k, slug in enumerate(step["procedures"]):
                if store.get("procedures", slug) is None:
                    store.error(j, f"không có thủ tục '{slug}' (content/procedures/{slug}.md)",
                                f"steps[{i}].procedures[{k}]", ("steps", i, "procedures", k))
                elif slug not in active:
                    store.error(j, f"thủ tục '{slug}' đã bãi bỏ: bỏ khỏi bước hoặc thay bằng thủ tục thay thế",
                                f"steps[{i}].procedures[{k}]", ("steps", i, "procedures", k))


def steps(store, journey) -> list[dict]:
    """The journey's steps with their procedures (items), numbered from 1."""
    return [{"number": i, "title": s["title"], "note": s.get("note"), "choice": bool(s.get("choice")),
             "procedures": [store.get("procedures", slug) for slug in s["procedures"]]}
            for i, s in enumerate(journey.data["steps"], 1)]


def journeys_of(store, procedure) -> list[dict]:
    """Where a procedure stands in each journey: {"journey", "step", "of", "previous", "next"}
    (previous and next are steps, or None)."""
    out = []
    for j in sorted(store["journeys"], key=lambda j: j.sort_key):
        all_steps = steps(store, j)
        for s in all_steps:
            if procedure in s["procedures"]:
                n = s["number"]
                out.append({"journey": j, "step": s, "of": len(all_steps),
                             "previous": all_steps[n - 2] if n > 1 else None,
                             "next": all_steps[n] if n < len(all_steps) else None})
                break
    return out


def _same(name: str) -> str:
    """What makes two documents the same: their names after NFC, case and whitespace folding."""
    return " ".join(text.nfc(name).casefold().split())


def _new_groups(procedures, have: set, prefix: str) -> list[dict]:
    """The documents of `procedures` not in `have` (which grows), in checklist groups: the ones
    every applicant brings first, then one group per case. A document already needed by everyone
    is not repeated under a case; a document needed in one case is repeated under another case."""
    groups: dict = {None: []}
    for p in procedures:
        for doc in portal_procedures.documents(p):
            name = _same(doc["name"])
            case = doc.get("case")
            key = name if case is None else (_same(case), name)
            if name in have or key in have:
                continue
            have.add(key)
            groups.setdefault(case, []).append(doc)
    out = [{"case": case, "items": items} for case, items in groups.items() if items]
    n = 0
    for g in out:
        for item in g["items"]:
            n += 1
            item["id"] = f"{prefix}-{n}"
    return out


def checklist(store, journey) -> list[dict]:
    """One checklist for the whole journey: each step with the documents it needs first.

    A document appears once, under the first step that needs it. In a choice step each option
    lists what it needs (the citizen does one of them), and only documents every option needs
    count as brought for the steps after it."""
    have: set = set()
    out = []
    for s in steps(store, journey):
        prefix = f"giay-to-{s['number']}"
        if not s["choice"]:
            out.append({**s, "groups": _new_groups(s["procedures"], have, prefix), "options": []})
            continue
        options, brought = [], None
        for k, p in enumerate(s["procedures"], 1):
            mine = set(have)
            groups = _new_groups([p], mine, f"{prefix}-{k}")
            options.append({"procedure": p, "groups": groups})
            brought = mine if brought is None else brought & mine
        have |= brought or set()
        out.append({**s, "groups": [], "options": options})
    return out


def search_entries(store) -> list[SearchEntry]:
    """Journeys for search's own block above the procedures: found by the words of their title
    and keywords (the search plugin decides how)."""
    return [SearchEntry("journey", j.data["title"], j.url,
                        {"title": [j.data["title"]], "keywords": list(j.data.get("keywords") or [])},
                        kind_label=JOURNEYS_LABEL, names=[j.data["title"]], meta=j.data["summary"])
            for j in sorted(store["journeys"], key=lambda j: j.sort_key)]


def record(journey, site_url: str = "") -> dict:
    """A journey as open data: its steps name procedures by file name (slug)."""
    d = journey.data
    return {"slug": journey.slug, "title": d["title"], "summary": d["summary"], "url": site_url + journey.url,
            "steps": [{"title": s["title"], "note": s.get("note"), "choice": bool(s.get("choice")),
                       "procedures": list(s["procedures"])} for s in d["steps"]],
            "combined_service": d.get("combined_service"), "keywords": list(d.get("keywords") or []),
            "updated": str(d["updated"]), "sample": bool(d.get("sample"))}


class JourneysGenerator(PortalGenerator):
    def generate_output(self, writer):
        journeys = sorted(self.store["journeys"], key=lambda j: j.sort_key)
        self.write_page(writer, "journeys", URLS["index"], journeys=journeys)
        for j in journeys:
            self.write_page(writer, "journey", j.url, journey=j, steps=steps(self.store, j),
                            documents_by_step=checklist(self.store, j))
        self.copy_files(HERE / "static", "static/portal_journeys", names={"journey.js"})
        site = self.settings.get("SITE_URL", "")
        output.write_json(Path(self.output_path) / URLS["api"].lstrip("/"), [record(j, site) for j in journeys])


JOURNEYS_LABEL = "Sự kiện trong đời"
JOURNEYS = ContentType(
    name="journeys", folder="journeys", schema_path=HERE / "journey.schema.json", label=JOURNEYS_LABEL,
    urls=URLS, prepare=prepare, cross_check=cross_check, order=15, reserved_slugs=frozenset({"index"}),
    search=search_entries, search_position=5,
)


def get_generators(pelican):
    return JourneysGenerator


def add_globals(generator):
    from portal_core import content

    generator.env.globals["journeys_of"] = lambda p: journeys_of(content.current_store(), p)
    generator.env.globals["journeys_list"] = lambda: sorted(content.current_store()["journeys"],
                                                            key=lambda j: j.sort_key)


def register():
    registry.register_type(JOURNEYS)
    registry.register_asset(URLS["script"], HERE / "static" / "journey.js")
    registry.register_home_block("journeys", "grid", "home_journeys.html", 12)
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
