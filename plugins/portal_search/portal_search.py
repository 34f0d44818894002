"""Search: editors' synonyms, the index built at build time, the /tim-kiem/ page."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

from portal_core import ContentType, register_content_type
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent

register_content_type(ContentType(
    name="synonyms", file="search/synonyms.yaml", list_file=True,
    schema_path=HERE / "synonyms.schema.json", render_body=False, order=50,
))


class SearchGenerator(PortalGenerator):
    """Writes the search page (the index itself comes with the search issue)."""

    def generate_output(self, writer):
        self.write(writer, "search", "tim-kiem/index.html", page_name="tim-kiem")


def get_generators(pelican):
    return SearchGenerator


def register():
    signals.get_generators.connect(get_generators)
