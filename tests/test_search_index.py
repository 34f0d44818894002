"""The search index is counted directly in Python (search_index.index_of): it must be exactly the
compact form of the index lunr.py's Builder makes of the same documents."""
from __future__ import annotations

import os

import pytest

from conftest import DATA, ROOT


def _documents(content):
    from pelican.settings import read_settings

    from portal_core import registry
    from portal_core.content import load_store

    os.environ["PORTAL_TODAY"] = "2025-08-01"
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False})
    registry.register_plugins(settings["PLUGINS"])
    from portal_search import portal_search, search_index

    store = load_store(content, settings)
    config = portal_search.search_settings(settings)
    synonyms = search_index.Synonyms(search_index.synonym_groups(store))
    docs = [search_index.procedure_document(e, synonyms, config["summary_words"])
            for e in registry.search_entries(store) if e.kind == "procedure"]
    return search_index, docs, config["procedure_boosts"]


@pytest.mark.parametrize("content", [DATA / "search" / "content", ROOT / "content"], ids=["test data", "sample"])
def test_the_direct_index_is_lunr_pys_index(content):
    search_index, docs, boosts = _documents(content)
    assert len(docs) > 20
    for fields in (["title", "code", "keywords", "synonyms"], ["documents", "field", "agency", "summary"]):
        part = {k: boosts[k] for k in fields}
        mine = search_index.index_of(docs, part)
        assert mine == search_index.lunr_index_of(docs, part)
        assert len(mine["terms"]) > 100
        # counts kept from an earlier build give the same index, and are what it used
        used: dict = {}
        search_index.index_of(docs, part, used=used)
        assert search_index.index_of(docs, part, memo=used) == mine
        assert 0 < len(used) <= sum(1 for d in docs for k in fields if d.get(k))  # equal texts counted once
