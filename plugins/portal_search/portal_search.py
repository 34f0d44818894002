"""Search: editors' synonyms, the indexes built at build time, the /tim-kiem/ page and its scripts."""
from __future__ import annotations

import copy
import hashlib
import logging
from itertools import groupby
from pathlib import Path

from pelican import signals

from portal_core import output, registry, text
from portal_core.portal_core import PortalGenerator
from portal_core.registry import ContentType

from . import search_index

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent
ROOT = HERE.parents[1]
LUNR_JS = ROOT / "node_modules" / "lunr" / "lunr.min.js"
ASSETS = ["vietnamese.js", "search-engine.js", "search.js", "search.css"]
INDEX_FILES = ("procedures.json", "procedures-more.json", "other.json")
URLS = {"index": "/tim-kiem/", "assets": "/static/search/{name}", "lunr": "/static/vendor/lunr.min.js"}

# SEARCH = {...} in the settings overrides any of these.
DEFAULTS = {
    # Field boosts of the procedure index (title, code, keywords and synonyms are in the first
    # file, the others in procedures-more.json).
    "procedure_boosts": {"title": 10, "code": 10, "keywords": 6, "synonyms": 4,
                         "documents": 2, "field": 2, "agency": 1, "summary": 1},
    # Field boosts of the news and offices index.
    "other_boosts": {"title": 5, "synonyms": 3, "summary": 1},
    # How many words of a procedure's first sentence are indexed (with its result) as its summary.
    "summary_words": 12,
    # What an empty result suggests trying instead.
    "suggestions": ["đăng ký khai sinh", "căn cước", "giấy phép lái xe", "đăng ký kết hôn", "sổ đỏ"],
    # Write .gz (and .br, with the Brotli package) next to the index and scripts.
    "precompress": True,
}

SYNONYMS = ContentType(
    name="synonyms", file="search/synonyms.yaml", list_key="groups", label="Từ đồng nghĩa",
    schema_path=HERE / "synonyms.schema.json", render_body=False, order=50,
)


def search_settings(settings) -> dict:
    """SEARCH merged over DEFAULTS and checked; errors name the plugin."""
    merged = copy.deepcopy(DEFAULTS)
    user = settings.get("SEARCH") or {}
    if not isinstance(user, dict):
        raise ValueError("portal_search: SEARCH must be a dict")
    unknown = set(user) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"portal_search: unknown SEARCH keys: {', '.join(sorted(unknown))}")
    merged.update(copy.deepcopy(user))
    for key in ("procedure_boosts", "other_boosts"):
        boosts = merged[key]
        if not isinstance(boosts, dict) or "title" not in boosts:
            raise ValueError(f"portal_search: SEARCH['{key}'] must map field names (with title) to boosts")
        for name, boost in boosts.items():
            if "/" in name or not isinstance(boost, (int, float)) or boost <= 0:
                raise ValueError(f"portal_search: SEARCH['{key}']['{name}'] must be a positive number")
    if not isinstance(merged["summary_words"], int) or merged["summary_words"] < 0:
        raise ValueError("portal_search: SEARCH['summary_words'] must be a whole number")
    if not all(isinstance(s, str) and s for s in merged["suggestions"]):
        raise ValueError("portal_search: SEARCH['suggestions'] must be a list of texts")
    return merged


def az_groups(entries) -> list[tuple[str, list]]:
    """Procedures' search entries (title, url) in Vietnamese alphabetical order, grouped by initial letter."""
    ordered = sorted((e for e in entries if e.kind == "procedure"), key=lambda e: text.sort_key(e.title))
    return [(letter, list(items)) for letter, items in groupby(ordered, key=lambda e: text.initial(e.title))]


class SearchGenerator(PortalGenerator):
    """Builds the indexes (in generate_context, so every page knows their version) and writes them,
    the scripts and the /tim-kiem/ page."""

    def generate_context(self):
        self.config = search_settings(self.settings)
        self.files: dict[str, bytes] = {}
        first, more = search_index.build_procedures(self.store, self.config)
        other = search_index.build_other(self.store, self.config)
        for name, data in zip(INDEX_FILES, (first, more, other)):
            self.files[name] = output.json_text(data).encode("utf-8")
        for name in ASSETS:
            self.files[name] = (HERE / "static" / name).read_bytes()
        if not LUNR_JS.is_file():
            raise FileNotFoundError(f"portal_search: {LUNR_JS} is missing: run `npm ci` (lunr is in package.json)")
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name])
        digest.update(LUNR_JS.read_bytes())
        version = digest.hexdigest()[:10]
        self.context["SEARCH_ASSETS"] = {
            "version": version,
            "script": f"/static/search/search.js?v={version}",
            "css": f"/static/search/search.css?v={version}",
            "procedures": f"/static/search/{INDEX_FILES[0]}?v={version}",
            # what search.js loads first on /tim-kiem/, announced early in the page's head
            "preload_scripts": [f"/static/vendor/lunr.min.js?v={version}",
                                f"/static/search/vietnamese.js?v={version}",
                                f"/static/search/search-engine.js?v={version}"],
        }

    def generate_output(self, writer):
        out = Path(self.output_path)
        written = []
        for name, data in self.files.items():
            path = out / URLS["assets"].format(name=name).lstrip("/")
            output.write_bytes(path, data)
            written.append(path)
        lunr = out / URLS["lunr"].lstrip("/")
        output.write_bytes(lunr, LUNR_JS.read_bytes())
        written.append(lunr)
        if self.config["precompress"]:
            for path in written:
                output.precompress_later(path)
        self.write(writer, "search", "tim-kiem/index.html", page_name="tim-kiem",
                   az_groups=az_groups(registry.search_entries(self.store)),
                   search_suggestions=self.config["suggestions"])


def get_generators(pelican):
    return SearchGenerator


def register():
    registry.register_type(SYNONYMS)
    registry.register_urls("search", URLS)
    registry.register_nav("search", "Tìm kiếm", "search", 50)
    signals.get_generators.connect(get_generators)
