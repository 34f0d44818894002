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


def test_synonyms_kept_from_an_earlier_build_serve_only_the_same_groups():
    from portal_search import search_index

    groups = [["căn cước", "cccd"], ["khai sinh", "giấy khai sinh"]]
    used: dict = {}
    assert search_index.Synonyms(groups, None, used).expand(["Cấp thẻ căn cước"]) == ["cccd"]
    assert len(used) == 1
    kept = {key: ["đã giữ"] for key in used}  # what the next build reads, marked
    assert search_index.Synonyms(groups, kept).expand(["Cấp thẻ căn cước"]) == ["đã giữ"]
    assert search_index.Synonyms(groups, kept).expand(["Cấp căn cước"]) == ["cccd"]  # other texts
    changed = [["căn cước", "cccd", "thẻ căn cước"], ["khai sinh", "giấy khai sinh"]]
    assert search_index.Synonyms(changed, kept).expand(["Cấp thẻ căn cước"]) == ["cccd"]


def test_the_split_index_holds_the_whole_index_and_nothing_else():
    """Shards put back together are the whole index; rows put together are the display data; the
    field lengths are the ones lunr counts (the number of a document's terms in a field)."""
    import hashlib
    import json

    search_index, docs, boosts = _documents(DATA / "search" / "content")
    first_fields = {k: v for k, v in boosts.items() if k in search_index.FIRST_FIELDS}
    more_fields = {k: v for k, v in boosts.items() if k not in search_index.FIRST_FIELDS}
    first = {"kind": "procedures", "url": "/thu-tuc/{slug}/", "badges": {}, "fields": ["F"], "topics": {},
             "docs": [[f"T{i}", f"s{i}", f"c{i}", 0, 0, 0] for i in range(len(docs))],
             "index": search_index.index_of(docs, first_fields)}
    more = {"index": search_index.index_of(docs, more_fields)}
    head, files = search_index.split_procedures(
        first, more, lambda name, raw: f"/s/{name.replace('.json', '')}.{hashlib.sha256(raw).hexdigest()[:10]}.json",
        shard_bytes=200, chunk_docs=5)

    def read(pattern, digest, n):
        url = pattern.replace("{n}", str(n)).replace("{hash}", digest)
        assert hashlib.sha256(files[url]).hexdigest()[:10] == digest  # named by its bytes
        return json.loads(files[url])

    for part, whole in zip(head["parts"], (first["index"], more["index"])):
        shards = [read(part["shards"]["pattern"], h, n) for n, h in enumerate(part["shards"]["hashes"])]
        assert len(shards) > 3
        assert [t for s in shards for t in s["terms"]] == whole["terms"]
        assert [p for s in shards for p in s["postings"]] == whole["postings"]
        assert part["starts"] == [s["terms"][0] for s in shards]
        assert part["words"] == [t for t in whole["terms"] if "_" not in t and not any(c.isdigit() for c in t)]
        lengths = part["lengths"] if isinstance(part["lengths"], list) else json.loads(files[part["lengths"]])["lengths"]
        for f, name in enumerate(whole["fields"]):
            for ref, doc in enumerate(docs):
                counted = search_index.field_terms(name, doc.get(name, []))
                assert lengths[f][ref] == sum(counted.values()), (name, ref)
    rows = [r for n, h in enumerate(head["docs"]["hashes"]) for r in read(head["docs"]["pattern"], h, n)["docs"]]
    assert rows == first["docs"] and head["documents"] == len(docs) and head["chunk"] == 5
    assert not any(k in head for k in ("index", "postings")) and "docs" not in json.dumps(head["parts"])
