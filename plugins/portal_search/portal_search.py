"""Search: editors' synonyms, the indexes built at build time, the /tim-kiem/ page and its scripts."""
from __future__ import annotations

import copy
import logging
from itertools import groupby
from pathlib import Path

from pelican import signals

from portal_core import output, registry, store_cache, text
from portal_core.background import Background
from portal_core.portal_core import PortalGenerator
from portal_core.registry import ContentType

from . import search_index

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent
ROOT = HERE.parents[1]
LUNR_JS = ROOT / "node_modules" / "lunr" / "lunr.min.js"
ASSETS = ["search.js", "search.css"]
# lunr.js, the Vietnamese pipeline and the engine, loaded by search.js as one file (one request and
# one compile on the way to a first result): the build joins them, in this order
CODE = [LUNR_JS, HERE / "static" / "vietnamese.js", HERE / "static" / "search-engine.js"]
INDEX_FILES = ("procedures.json", "other.json")
URLS = {"index": "/tim-kiem/", "assets": "/static/search/{name}",
        "manifest": "/static/search/manifest.json", "letter": "/tim-kiem/chu-{slug}/"}
# Letters of the A–Z pages in readable ASCII, as Telex types them (Đ is "dd", Ơ is "ow").
LETTER_SLUGS = {"Ă": "aw", "Â": "aa", "Đ": "dd", "Ê": "ee", "Ô": "oo", "Ơ": "ow", "Ư": "uw", "#": "so"}
# what search.js finds in the manifest: the other scripts and the index files, by hashed name
MANIFEST_KEYS = {"css": "/static/search/search.css"}
INDEX_KEYS = dict(zip(("procedures", "other"), INDEX_FILES))

# SEARCH = {...} in the settings overrides any of these.
DEFAULTS = {
    # Field boosts of the procedure index (title, code, keywords and synonyms are in its first
    # part, the others in the second, loaded once the first results show).
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


def letter_url(letter: str) -> str:
    return URLS["letter"].format(slug=LETTER_SLUGS.get(letter, letter.lower()))


def name_file(name: str, raw: bytes) -> str:
    return registry.hashed_name(URLS["assets"].format(name=name), raw)


class SearchGenerator(PortalGenerator):
    """Builds the indexes (started in generate_context, in a second process) and writes them, the
    scripts and the /tim-kiem/ page."""

    def generate_context(self):
        """The pages' search script and styles (named by the code's bytes), and the index files
        with the manifest that names every search file, built by a second process while the other
        generators work (`generate_output` waits for them).

        Pages link only search.js and search.css by their hashed names, which change with the
        code alone: editing a procedure changes the index files and the manifest, not the pages
        (but /tim-kiem/, which carries the manifest to spare a round trip)."""
        self.config = search_settings(self.settings)
        if not LUNR_JS.is_file():
            raise FileNotFoundError(f"portal_search: {LUNR_JS} is missing: run `npm ci` (lunr is in package.json)")
        self.code = b"".join(path.read_bytes().rstrip() + b"\n;\n" for path in CODE)
        self.context["SEARCH_ASSETS"] = {
            "script": registry.asset("/static/search/search.js"),
            "css": registry.asset(MANIFEST_KEYS["css"]),
            "manifest": URLS["manifest"],
            # what search.js loads first on /tim-kiem/, announced early in the page's head
            "preload_scripts": [name_file("search-code.js", self.code)],
        }
        self.index = Background(self.build_index, parallel=not self.live)

    def build_index(self) -> tuple[dict, dict, dict]:
        """({site URL: bytes} of every index file, the manifest, the new files' compressed copies)."""
        memo, used = self._load_terms(), {}
        first, more = search_index.build_procedures(self.store, self.config, memo, used)
        other = search_index.build_other(self.store, self.config, memo, used)
        self._save_terms(used)
        # the procedures' index split so that a query loads only the parts it needs (format 3)
        head, files = search_index.split_procedures(first, more, name_file)  # site URL -> bytes
        manifest = {"format": 2, **{key: registry.asset(url) for key, url in MANIFEST_KEYS.items()}}
        manifest["code"] = name_file("search-code.js", self.code)
        files[manifest["code"]] = self.code
        for (key, name), data in zip(INDEX_KEYS.items(), (head, other)):
            raw = output.json_text(data).encode("utf-8")
            url = name_file(name, raw)
            files[url] = raw
            manifest[key] = url
        # every search file, for a screen that keeps them all for use without a network (the kiosk)
        listing = output.json_text(sorted(files)).encode("utf-8")
        manifest["all"] = name_file("files.json", listing)
        files[manifest["all"]] = listing
        return files, manifest, self._compressed(files)

    def _compressed(self, files: dict) -> dict:
        """{site URL: (gzip, Brotli)} of the index files that are new in this build: made here, in
        the second process, rather than at the end of the build (Brotli takes a second for them)."""
        if not self.config["precompress"] or self.live:
            return {}
        out = Path(self.output_path)
        return {url: output.compressed(data) for url, data in files.items()
                if output.needs_compressing(out / url.lstrip("/"), data)}

    # The term counts of each procedure's fields, kept for the next build: counting is most of the
    # index's time, and an edit changes a few procedures. Keyed by the text rules' code.
    def _terms_path(self) -> Path | None:
        folder = self.settings.get("CACHE_PATH")
        return Path(folder) / "portal-search-terms.pickle" if folder and self.settings.get("CACHE_CONTENT") else None

    def _terms_code(self) -> bytes:
        import hashlib

        return hashlib.sha256((HERE / "vietnamese.py").read_bytes() + (HERE / "search_index.py").read_bytes()).digest()

    def _load_terms(self) -> dict:
        path = self._terms_path()
        if path is None or not self.settings.get("LOAD_CONTENT_CACHE"):
            return {}
        try:
            code, memo = store_cache.read_pickle(path)
        except (TypeError, ValueError):
            return {}
        return memo if code == self._terms_code() and isinstance(memo, dict) else {}

    def _save_terms(self, used: dict) -> None:
        path = self._terms_path()
        if path is not None:
            store_cache.write_pickle(path, (self._terms_code(), used))

    def generate_output(self, writer):
        self.files, self.manifest, copies = self.index.result()
        self.context["SEARCH_FILES"] = self.manifest
        out = Path(self.output_path)
        for url, data in self.files.items():
            path = out / url.lstrip("/")
            if self.config["precompress"]:
                output.put_compressed(path, data, copies.get(url))
            else:
                output.write_bytes(path, data)
        manifest = out / URLS["manifest"].lstrip("/")
        output.write_json(manifest, self.manifest)
        if self.config["precompress"]:
            for path in [manifest] + [out / self.manifest[key].lstrip("/") for key in MANIFEST_KEYS]:
                output.precompress_later(path)
        # the A–Z list for browsers without JavaScript: one page per letter, so that no page grows
        # with the catalogue; /tim-kiem/ lists the letters
        groups = az_groups(registry.search_entries(self.store))
        letters = [(letter, letter_url(letter), len(items)) for letter, items in groups]
        self.write(writer, "search", "tim-kiem/index.html", page_name="tim-kiem", az_letters=letters,
                   search_suggestions=self.config["suggestions"])
        for (letter, items), (_, url, _n) in zip(groups, letters):
            self.write_page(writer, "search_letter", url, letter=letter, items=items, az_letters=letters)


def get_generators(pelican):
    return SearchGenerator


def register():
    for name in ASSETS:
        registry.register_asset(URLS["assets"].format(name=name), HERE / "static" / name)
    registry.register_type(SYNONYMS)
    registry.register_urls("search", URLS)
    registry.register_nav("search", "Tìm kiếm", "search", 50)
    signals.get_generators.connect(get_generators)
