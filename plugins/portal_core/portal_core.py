"""Pelican glue: load and check all content at the start of every build, read news and pages."""
from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.readers import BaseReader

from . import content, publish
from .content import ContentError, ContentType, as_date, load_store, register_content_type
from .frontmatter import read_markdown_file

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent

# URL spaces the site itself uses at the top level: a page may not take these slugs.
TOP_LEVEL_SLUGS = frozenset({
    "thu-tuc", "dia-diem", "lo-trinh", "tin-tuc", "tim-kiem", "bieu-mau", "api", "theme",
    "static", "images", "feeds", "drafts", "index", "404", "sitemap", "kiosk", "preview",
})


def _prepare_page(item, store):
    item.url = f"/{item.slug}/"


register_content_type(ContentType(
    name="site", file="site.yaml", schema_path=HERE / "site.schema.json", render_body=False, order=0,
))
register_content_type(ContentType(
    name="pages", folder="pages", schema_path=HERE / "page.schema.json",
    reserved_slugs=TOP_LEVEL_SLUGS, prepare=_prepare_page, order=90,
))


class FrontMatterReader(BaseReader):
    """Pelican reader for news and pages: YAML front matter and a Markdown body.

    The content store has already validated these files; this turns them into Pelican metadata.
    """

    enabled = True
    file_extensions = ["md"]

    def read(self, source_path):
        path = Path(source_path)
        store = content.current_store()
        item = store.get("news", path.stem) or store.get("pages", path.stem)
        if item is not None and item.source == store.rel(path):
            data, body = item.data, item.body  # read and validated moments ago by the store
        else:
            data, body, _ = read_markdown_file(path)
        metadata = {"slug": path.stem}
        for key, value in data.items():
            if key == "date":
                value = str(value)
            elif key == "tags":
                value = [str(v) for v in value]
            elif key == "expires" or key == "updated":
                value = as_date(value)
            metadata[key] = self.process_metadata(key, value)
        return store.markdown(body), metadata


def add_reader(readers):
    readers.reader_classes["md"] = FrontMatterReader


class PortalGenerator(Generator):
    """Base class for the portal's generators: gives them the store and a shared context.

    `invoke livereload` re-runs `generate_context` of the generator that wrote an edited item's
    page, with `live` set, before rendering that page again (portal_core/incremental.py): keep it
    to computing context and item attributes, and when `live` is true skip work that writes files
    or starts processes.
    """

    live = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = content.current_store()
        self.context["portal"] = self.store
        self.context["TODAY"] = self.store.today

    def copy_files(self, src: Path, dest: str) -> None:
        """Publish the files of folder `src` (a plugin's static/, content/forms/) under output/`dest`."""
        if not src.is_dir():
            return
        target = Path(self.output_path) / dest
        target.mkdir(parents=True, exist_ok=True)
        for f in src.iterdir():
            if f.is_file() and not f.name.startswith("."):
                shutil.copy2(f, target / f.name)

    def write(self, writer, template: str, save_as: str, **context):
        writer.write_file(
            save_as, self.get_template(template), self.context, relative_urls=False, **context
        )


class HomeGenerator(PortalGenerator):
    """The home page and the 404 page."""

    def generate_output(self, writer):
        self.write(writer, "home", "index.html", page_name="index")
        self.write(writer, "404", "404.html", page_name="404")


def load_content(pelican):
    """At the start of each build (and each livereload rebuild): read and check all content."""
    settings = pelican.settings
    try:
        store = load_store(settings["PATH"], settings)
    except ContentError as exc:
        # An editor's mistake, not a crash: the list of problems without a traceback.
        print(exc.report(), file=sys.stderr)
        raise SystemExit(exc.exitcode) from None
    store.pages_menu = sorted(
        (p for p in store["pages"] if p.data.get("menu") is not None), key=lambda p: p.data["menu"]
    )
    for w in store.warnings:  # plain lines, so that editors (and editors' tools) can read file:line
        print(f"Cảnh báo: {w}", file=sys.stderr)
    return HomeGenerator


def register():
    signals.readers_init.connect(add_reader)
    signals.get_generators.connect(load_content)
    signals.finalized.connect(publish.finalize)
