"""What the plugins declare: content types, URL spaces, navigation, home page blocks.

Each plugin's `register()` declares what it owns by calling the functions here; nothing is
registered by importing a module. Everything else asks this registry instead of writing another
plugin's URLs or reading its items:

- `url("procedures.field", slug="ho-tich")`: the address of the procedures plugin's page of that
  field, as that plugin declares it (templates: `url(...)`);
- `top_level_slugs()`: the first path segments the site uses (a page may not take them);
- `nav()`: the main navigation, in the declared order;
- `home_blocks(slot)`: the home page's blocks, in the declared order;
- `milestones(store)`: dated moments other types show figures for (the roadmap's phase ends);
- `public(store, type_name, day)`: the items of a type a visitor may see on `day`.

Adding a content type is one plugin folder that declares its type here, and one line in PLUGINS.
"""
from __future__ import annotations

import datetime as dt
import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import jsonschema


@dataclass
class ContentType:
    """A content type: where its files live, how they are checked, and what the type answers.

    `folder` holds one Markdown file per item (the slug is the file name), or `file` is one YAML
    file holding a map, or a list under the key `list_key` (beside an optional `note`: a bare
    top-level list is not editable in the browser editor), or one CSV file (`.csv`: UTF-8 with a header
    row, one item per row, the schema describing a row; problems name the line and the column). `prepare(item, store)` turns validated data
    into what templates use; `cross_check(store)` returns problems across items.

    What the type owns and others ask it: `urls` (named URL patterns, `{slug}` and other
    placeholders; "item" is an item's page and "index" the type's listing), `is_public(item, day)`
    (what a visitor may see on a day; default: everything), `milestones(store)` (dated moments
    as `Milestone`s), `new_template` (the file `invoke new <singular>` writes, with `{title}` and `{today}`),
    `search(store)` (its `SearchEntry`s, listed after the entries of types with a lower
    `search_position`), `record(item)` (its open-data record, what /api/ publishes), `extras` (anything else a type offers by name, such as the badges search shows).
    Labels of fields and enum values live in the schema (`title`, `x-enum-labels`).
    """

    name: str
    schema_path: Path
    folder: str | None = None
    file: str | None = None
    list_key: str | None = None
    reserved_slugs: frozenset | Callable[[], frozenset] = frozenset()
    prepare: Callable | None = None
    cross_check: Callable | None = None
    render_body: bool = True
    order: int = 100
    urls: dict = field(default_factory=dict)
    is_public: Callable | None = None
    milestones: Callable | None = None
    new_template: Path | None = None
    singular: str = ""
    label: str = ""
    search: Callable | None = None
    search_position: int = 100
    record: Callable | None = None
    extras: dict = field(default_factory=dict)

    @property
    def schema(self) -> dict:
        """The type's schema; a type of Markdown files also takes `redirect_from` (its old addresses)."""
        return _with_common(str(self.schema_path)) if self.folder else load_schema(self.schema_path)

    @property
    def fields(self) -> frozenset:
        """The field names an item of this type may have (its schema's properties)."""
        props = self.schema.get("properties") or {}
        return frozenset(props) if props else frozenset({"terms"})

    def reserved(self) -> frozenset:
        r = self.reserved_slugs
        return frozenset(r()) if callable(r) else frozenset(r)

    def validator(self):
        from .content import FORMAT_CHECKER

        base = jsonschema.validators.validator_for(self.schema)
        # A count is a whole number written as one: 1.0 is refused where an integer is meant (JSON
        # Schema accepts it), and true/false is never a number.
        checker = base.TYPE_CHECKER.redefine(
            "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool))
        cls = jsonschema.validators.extend(base, type_checker=checker)
        return cls(self.schema, format_checker=FORMAT_CHECKER)

    def enum_labels(self, field_name: str) -> dict:
        return enum_labels(self.schema, field_name)


REDIRECT_FROM = {
    "title": "Địa chỉ cũ",
    "description": "Địa chỉ trước đây của trang này, mỗi dòng một địa chỉ (ví dụ /trang-cu/): ai mở địa chỉ cũ được chuyển tới trang này",
    "type": "array", "uniqueItems": True,
    "items": {"type": "string", "pattern": "^/([a-z0-9][a-z0-9._-]*/)+$",
              "x-error": "phải là một địa chỉ của trang web, viết thường không dấu, bắt đầu và kết thúc bằng /, ví dụ /trang-cu/"},
}


@functools.lru_cache(maxsize=None)
def _with_common(path: str) -> dict:
    schema = copy.deepcopy(load_schema(path))
    schema.setdefault("properties", {}).setdefault("redirect_from", REDIRECT_FROM)
    return schema


def fixed_urls() -> set[str]:
    """The addresses the plugins declare that take no parameter (listings, the search page...)."""
    return {p for patterns in _URLS.values() for p in patterns.values() if "{" not in p and p.endswith("/")}


@functools.lru_cache(maxsize=None)
def _read_schema(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_schema(path) -> dict:
    """A content type's JSON Schema, read once per process (shared: do not change it)."""
    return _read_schema(str(path))


def enum_labels(schema: dict, field_name: str) -> dict:
    """{value: Vietnamese label} of an enum field of `schema` (a list field's items too)."""
    prop = (schema.get("properties") or {}).get(field_name, {})
    return dict(prop.get("x-enum-labels") or (prop.get("items") or {}).get("x-enum-labels") or {})


@dataclass
class NavEntry:
    label: str
    url: str  # a URL name, as url() takes it
    position: int


@dataclass
class HomeBlock:
    """A block of the home page: `template` is included where the home page shows `slot`
    ("top": above the grid, "grid": one cell of the grid), in `position` order."""

    slot: str
    template: str
    position: int


@dataclass
class Milestone:
    """A dated moment other plugins show figures for (the end of a roadmap phase)."""

    key: str
    day: dt.date
    label: str
    url: str = ""
    title: str = ""


@dataclass
class SearchEntry:
    """What one item gives search: `kind` ("procedure", "news", "announcement", "office"), its
    title and page, `meta` (a date or an address shown under the title), the text of each index
    field, `names` (what it is called, which editors' synonyms are matched against), `body_html`
    (summaries are taken from it) and `facets` (values the results show, such as badges)."""

    kind: str
    title: str
    url: str
    fields: dict
    kind_label: str = ""  # what results call the kind ("Thông báo")
    names: list = field(default_factory=list)
    meta: str = ""
    body_html: str = ""
    facets: dict = field(default_factory=dict)


_TYPES: dict[str, ContentType] = {}
_URLS: dict[str, dict[str, str]] = {}  # owner -> {name: pattern}
_ROOTS: dict[str, str] = {}  # first path segment -> owner
_NAV: dict[str, NavEntry] = {}
_HOME: dict[str, HomeBlock] = {}
# Folders several plugins write into (open data, static files).
SHARED_SEGMENTS = frozenset({"api", "static"})
# Path segments the site itself uses at the top level, owned by no content type.
SITE_SEGMENTS = frozenset({"api", "theme", "static", "images", "feeds", "drafts", "index", "404", "sitemap", "preview"})


def register_plugins(names) -> None:
    """Import the plugins (PLUGINS in the settings) and run their `register()`, as Pelican does:
    for scripts that read the content without a build (`invoke check`, tests, benchmarks)."""
    import importlib

    for name in names:
        importlib.import_module(name).register()


def unregister_type(name: str) -> None:
    """Forget a content type (tests that declare one of their own)."""
    _TYPES.pop(name, None)
    _URLS.pop(name, None)
    for root in [r for r, owner in _ROOTS.items() if owner == name]:
        del _ROOTS[root]


def register_type(ct: ContentType) -> ContentType:
    """Declare a content type (and its URL patterns). Declaring the same name again replaces it."""
    _TYPES[ct.name] = ct
    if ct.urls:
        register_urls(ct.name, ct.urls)
    return ct


def register_urls(owner: str, patterns: dict[str, str]) -> None:
    """Declare named URL patterns (root-relative, e.g. {"index": "/hoi-dap/", "item": "/hoi-dap/{slug}/"}) owned by `owner`.

    The first path segment of each becomes a reserved top-level slug."""
    for pattern in patterns.values():
        first = pattern.strip("/").split("/", 1)[0]
        if first and "{" not in first and _ROOTS.get(first, owner) != owner and first not in SHARED_SEGMENTS:
            raise ValueError(f"'{owner}' declares the URL root /{first}/, which '{_ROOTS[first]}' owns")
    _URLS.setdefault(owner, {}).update(patterns)
    for pattern in patterns.values():
        first = pattern.strip("/").split("/", 1)[0]
        if first and "{" not in first:
            _ROOTS.setdefault(first, owner)


def register_nav(owner: str, label: str, url_name: str, position: int) -> None:
    _NAV[owner] = NavEntry(label, url_name, position)


def register_home_block(name: str, slot: str, template: str, position: int) -> None:
    _HOME[name] = HomeBlock(slot, template, position)


def content_types() -> list[ContentType]:
    return sorted(_TYPES.values(), key=lambda t: (t.order, t.name))


def content_type(name: str) -> ContentType | None:
    return _TYPES.get(name)


def _split(name: str) -> tuple[str, str]:
    owner, _, which = name.partition(".")
    return owner, which or "index"


def pattern(name: str) -> str:
    """The declared pattern itself ("/<root>/{slug}/"): url("procedures") is its "index"."""
    owner, which = _split(name)
    if which not in _URLS.get(owner, {}):
        raise KeyError(f"no URL named '{name}' is declared (declared: {', '.join(sorted(all_url_names()))})")
    return _URLS[owner][which]


def url(name: str, **params) -> str:
    """The URL of a declared pattern, filled in: url("procedures.item", slug=…)."""
    return pattern(name).format(**params)


def has_url(name: str) -> bool:
    owner, which = _split(name)
    return which in _URLS.get(owner, {})


def all_url_names() -> list[str]:
    return [f"{owner}.{n}" for owner, patterns in _URLS.items() for n in patterns]


def top_level_slugs() -> frozenset:
    return frozenset(_ROOTS) | SITE_SEGMENTS


def nav() -> list[tuple[str, str]]:
    """(url, label) of the main navigation, in position order; entries whose URL is not declared skip."""
    entries = sorted(_NAV.values(), key=lambda e: e.position)
    return [(url(e.url), e.label) for e in entries if has_url(e.url)]


def home_blocks(slot: str) -> list[str]:
    return [b.template for b in sorted(_HOME.values(), key=lambda b: b.position) if b.slot == slot]


def milestones(store) -> list[Milestone]:
    out: list[Milestone] = []
    for ct in content_types():
        if ct.milestones:
            out += ct.milestones(store)
    return sorted(out, key=lambda m: m.day)


def search_entries(store) -> list[SearchEntry]:
    """Every type's search entries (made once per build)."""
    out = store.memo.get("registry.search")
    if out is None:
        out = store.memo["registry.search"] = []
        for ct in sorted(_TYPES.values(), key=lambda t: (t.search_position, t.name)):
            if ct.search:
                out += ct.search(store)
    return out


def public(store, type_name: str, day=None) -> list:
    """The items of a type that a visitor may see at `day` (a date or a datetime; default: the
    build's moment, store.now)."""
    ct = _TYPES[type_name]
    day = day or store.now
    items = store[type_name]
    return list(items) if ct.is_public is None else [i for i in items if ct.is_public(i, day)]


def field_label(schema: dict, field: str) -> str:
    """A field path ("documents.0.form") as the browser form labels it ("Thành phần hồ sơ › Mẫu
    đơn"), from the schema's titles; "" when the schema does not know it."""
    labels, node = [], schema
    for part in [p for p in field.replace("[", ".").replace("]", "").split(".") if p]:
        if part.isdigit():
            continue
        if node.get("type") == "array" or "items" in node:
            node = node.get("items") or {}
        prop = (node.get("properties") or {}).get(part)
        if not isinstance(prop, dict) or not prop.get("title"):
            return ""
        labels.append(prop["title"])
        node = prop
    return " › ".join(labels)


_PRIVATE: set[str] = set()


def register_private(prefix: str) -> None:
    """A part of the site that is for the people who run it, not for visitors (the editor at
    /quan-tri/): left out of the link check, the sitemap, search and offline caching."""
    _PRIVATE.add(prefix if prefix.endswith("/") else prefix + "/")


def private_prefixes() -> frozenset:
    return frozenset(_PRIVATE)


# --- assets: static files under names that change with their bytes --------------------------
_ASSETS: dict[str, Path] = {}
_ASSET_NAMES: dict[tuple, str] = {}


def register_asset(site_url: str, source) -> None:
    """Declare a static file a page links to (`/theme/css/site.css`, a plugin's script). Pages
    link it through `asset(site_url)`, which names it by its bytes (`site.3f2a9c1b7d.css`): a
    browser or CDN may keep it for a year, and a page changes only when the file does."""
    _ASSETS[site_url] = Path(source)


def hashed_name(site_url: str, data: bytes) -> str:
    """`/a/b/name.ext` → `/a/b/name.<10 hex of SHA-256>.ext`."""
    import hashlib

    folder, _, name = site_url.rpartition("/")
    stem, dot, ext = name.partition(".")
    return f"{folder}/{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{ext}"


def asset(site_url: str) -> str:
    """The hashed address of a declared asset."""
    source = _ASSETS.get(site_url)
    if source is None:
        raise KeyError(f"asset {site_url} is not declared (registry.register_asset)")
    st = source.stat()
    key = (site_url, st.st_mtime_ns, st.st_size)
    name = _ASSET_NAMES.get(key)
    if name is None:
        name = _ASSET_NAMES[key] = hashed_name(site_url, source.read_bytes())
    return name


def assets() -> dict[str, Path]:
    """Every declared asset: site URL → source file."""
    return dict(_ASSETS)


# --- what serving needs: the security policy's parts ------------------------------------------
_POLICIES: list = []
_PERMISSIONS: set = set()
_AREA_POLICIES: dict = {}


def register_policy(directive: str, sources) -> None:
    """Allow `sources` (a list, or a function of site.yaml's settings giving one) in a directive of
    the public pages' Content-Security-Policy (plugins/portal_core/serving.py)."""
    _POLICIES.append((directive, sources))


def policies() -> list:
    return list(_POLICIES)


def register_permission(feature: str) -> None:
    """A browser feature the site's own pages use (Permissions-Policy: geolocation, camera)."""
    _PERMISSIONS.add(feature)


def permissions() -> set:
    return set(_PERMISSIONS)


def register_area_policy(prefix: str, policy) -> None:
    """A Content-Security-Policy of its own for the pages under `prefix` (the editor): a text, or a
    function of the build's settings giving one."""
    _AREA_POLICIES[prefix] = policy


def area_policies() -> list:
    return sorted(_AREA_POLICIES.items())


# What templates may call without a record of the call (incremental builds): these read only what
# the plugins declared, which the code's digest covers.
url.portal_pure = has_url.portal_pure = home_blocks.portal_pure = asset.portal_pure = True
