"""Pelican glue: load and check all content at the start of every build, read news and pages."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.readers import BaseReader

from . import content, output, publish, registry, render_cache, text
from .content import ContentError, load_store
from .frontmatter import read_markdown_file
from .registry import ContentType
from .text import as_date

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent


def _prepare_page(item, store):
    item.url = registry.url("pages.item", slug=item.slug)


def redirects(store) -> list[tuple[str, str, object]]:
    """(old address, new address, item) for every `redirect_from` of every item."""
    out = []
    for ct in registry.content_types():
        if not ct.folder:
            continue
        for item in store[ct.name]:
            for old in item.data.get("redirect_from") or []:
                out.append((old, item.url, item))
    return out


def check_redirects(store) -> None:
    """An old address must not be a page of the site, nor claimed by two items."""
    pages = {getattr(i, "url", None): i for ct in registry.content_types() if ct.folder for i in store[ct.name]}
    fixed = registry.fixed_urls()
    seen: dict = {}
    for old, new, item in redirects(store):
        k = item.data["redirect_from"].index(old)
        where = (f"redirect_from[{k}]", ("redirect_from", k))
        if old == new:
            store.error(item, f"'{old}' là địa chỉ của chính trang này: bỏ dòng này", *where)
        elif old in pages or old in fixed:
            other = pages.get(old)
            store.error(item, f"'{old}' đang là một trang của trang web" + (f" ({other.source})" if other else "")
                        + ": không chuyển hướng được", *where)
        elif old in seen:
            store.error(item, f"'{old}' đã được {seen[old].source} dùng làm địa chỉ cũ: mỗi địa chỉ cũ chỉ chuyển tới một trang",
                        *where)
        seen.setdefault(old, item)


SITE_TYPE = ContentType(
    name="site", file="site.yaml", schema_path=HERE / "site.schema.json", render_body=False, order=0,
    cross_check=check_redirects,
)
PAGES_TYPE = ContentType(
    name="pages", folder="pages", schema_path=HERE / "page.schema.json", label="Trang",
    reserved_slugs=registry.top_level_slugs, prepare=_prepare_page, order=90,
    urls={"item": "/{slug}/"},
)


def pages_menu(store) -> list:
    """The pages with a `menu` position, in that order (the footer's links)."""
    return sorted((p for p in store["pages"] if p.menu is not None), key=lambda p: p.menu)


PELICAN_OWN = frozenset({"title", "date", "category", "tags", "summary", "status", "slug", "author", "lang"})


class FrontMatterReader(BaseReader):
    """Pelican reader for news and pages: YAML front matter and a Markdown body.

    The content store has already validated these files; this turns them into Pelican metadata.
    """

    enabled = True
    file_extensions = ["md"]

    def read(self, source_path):
        path = Path(source_path)
        store = content.current_store()
        source = store.rel(path)
        item = next((i for ct in registry.content_types() if ct.folder
                     for i in [store.get(ct.name, path.stem)] if i is not None and i.source == source), None)
        html = None
        if item is not None:
            data, body = item.data, item.body  # read and validated moments ago by the store
            if registry.content_type(item.type).render_body:
                html = item.body_html  # rendered by the store too: in parallel, cached for the next build
        else:
            data, body, _ = read_markdown_file(path)
        # As for the store's items, a field the type declares reads None when the file does not
        # give it (Pelican's own metadata excepted: its presence means something to Pelican).
        declared = registry.content_type(item.type).fields if item is not None else frozenset()
        metadata = {"slug": path.stem, **{name: None for name in declared - PELICAN_OWN}}
        for key, value in data.items():
            if key == "date":
                value = str(value)
            elif key == "tags":
                value = [str(v) for v in value]
            elif key == "expires" or key == "updated":
                value = as_date(value)
            metadata[key] = self.process_metadata(key, value)
        if item is not None and item.type == "pages":
            metadata["major_changes"] = content.major_changes(data.get("changes"), store.today)
            metadata["last_updated"] = content.last_updated(metadata.get("updated"), metadata["major_changes"])
        return (store.markdown(body) if html is None else html), metadata


def add_reader(readers):
    readers.reader_classes["md"] = FrontMatterReader


class PortalGenerator(Generator):
    """Base class for the portal's generators: gives them the store and a shared context.

    `invoke livereload` re-runs `generate_context` of the generator that wrote an edited item's
    page, with `live` set, before rendering that page again (plugins/portal_live/live.py): keep it
    to computing context and item attributes, and when `live` is true skip work that writes files
    or starts processes.
    """

    live = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = content.current_store()
        self.context["portal"] = self.store
        self.context["TODAY"] = self.store.today

    def copy_files(self, src: Path, dest: str, names=None) -> None:
        """Publish the files of folder `src` (a plugin's static/, content/forms/) under output/`dest`
        (only `names`, when given)."""
        output.copy_files(src, Path(self.output_path) / dest, names)

    def write(self, writer, template: str, save_as: str, **context):
        writer.write_file(
            save_as, self.get_template(template), self.context, relative_urls=False, **context
        )

    def write_page(self, writer, template: str, url: str, **context):
        """Write the page at `url` (a folder address, '/<root>/…/'): its file is that folder's
        index.html, so a page's address and file are declared once, by its URL pattern."""
        context.setdefault("page_name", url)
        self.write(writer, template, url.lstrip("/") + "index.html", **context)


class HomeGenerator(PortalGenerator):
    """The home page and the 404 page, and every declared asset under its hashed name."""

    def generate_output(self, writer):
        self.write(writer, "home", "index.html", page_name="index")
        self.write(writer, "404", "404.html", page_name="404")
        # renamed or removed pages: an HTML page at each old address for hosts without rules, and
        # the same redirects as server rules (_redirects for static hosts, redirects.nginx)
        moved = sorted((old, new) for old, new, _item in redirects(self.store))
        for old, new in moved:
            self.write_page(writer, "redirect", old, target=new)
        out = Path(self.output_path)
        (out / "_redirects").write_text("".join(f"{old} {new} 301\n" for old, new in moved), encoding="utf-8")
        (out / "redirects.nginx").write_text(
            "# Generated by the build from the items' redirect_from: included by deploy/nginx/portal.conf\n"
            + "".join(f"location = {old} {{ return 301 {new}; }}\nlocation = {old.rstrip('/')} {{ return 301 {new}; }}\n"
                      for old, new in moved), encoding="utf-8")
        out = Path(self.output_path)
        for site_url, source in registry.assets().items():
            target = out / registry.asset(site_url).lstrip("/")
            output.write_bytes(target, source.read_bytes())
            output.precompress_later(target)


def load_content(pelican):
    """At the start of each build (and each livereload rebuild), before Pelican copies its settings
    into the templates' context: read and check all content (which sets the site settings)."""
    settings = pelican.settings
    output.set_release(Path(pelican.output_path), render_cache.previous_release())
    try:
        store = load_store(settings["PATH"], settings)
    except ContentError as exc:
        # An editor's mistake, not a crash: the list of problems without a traceback.
        print(exc.report(), file=sys.stderr)
        raise SystemExit(exc.exitcode) from None
    for w in store.warnings:  # plain lines, so that editors (and editors' tools) can read file:line
        print(f"Cảnh báo: {w}", file=sys.stderr)


def get_generators(pelican):
    return HomeGenerator


def add_globals(generator):
    """What every template may use: the text filters, the registry's URLs, navigation and home blocks."""
    env = generator.env
    env.filters.update(text.FILTERS)
    env.globals.update(url=registry.url, has_url=registry.has_url, NAV=registry.nav(), home_blocks=registry.home_blocks,
                       asset=registry.asset, pages_menu=pages_menu(content.current_store()))


THEME_STATIC = HERE.parents[1] / "theme" / "static"


def register():
    for name in ("css/site.css", "css/print.css", "favicon.svg"):
        registry.register_asset(f"/theme/{name}", THEME_STATIC / name)
    registry.register_type(SITE_TYPE)
    registry.register_type(PAGES_TYPE)
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(add_globals)
    signals.initialized.connect(load_content)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(render_cache.get_writer)
    signals.finalized.connect(publish.finalize)
