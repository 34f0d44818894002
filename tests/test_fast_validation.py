"""The compiled schema check (fastjsonschema) that lets most items skip jsonschema says "valid" only
where jsonschema finds no error, for every content type: each sample file as written and many broken
copies of it (wrong types, 1.0 and true where a count is meant, impossible dates, missing and unknown
fields, at the top and inside lists). It must also say "valid" for the sample files themselves, or
the build gains nothing from it."""
from __future__ import annotations

import copy

import pytest

from conftest import ROOT

from portal_core.frontmatter import read_markdown_file, read_yaml_file, to_json

BAD_VALUES = [1.0, 2.5, True, None, "", " ", "x" * 2000, -1, 0, [], {}, ["x"], "2025-02-30", "2025-13-01",
              "1899-01-01", "30/12/2025", "khong-co", "a@", "@b"]


@pytest.fixture(scope="module")
def content_types():
    from pelican.settings import read_settings

    from portal_core import registry

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    registry.register_plugins(settings["PLUGINS"])
    return registry.content_types()


def samples(ct) -> list:
    """The type's sample data as the store checks it: one value per file (per row of a list file)."""
    content = ROOT / "content"
    if ct.folder is not None:
        return [to_json(read_markdown_file(f)[0]) for f in sorted((content / ct.folder).rglob("*.md"))]
    if ct.file is None or not (content / ct.file).exists() or ct.file.endswith(".csv"):
        return []
    data = to_json(read_yaml_file(content / ct.file))
    if ct.list_key:
        return data[ct.list_key] if isinstance(data, dict) else data
    return [data]


def mutations(data):
    """Copies of data with one thing wrong (or, by chance, still right) at every place in it."""
    if isinstance(data, dict):
        yield {**data, "truong_la": "x"}
        for key, value in data.items():
            yield {k: v for k, v in data.items() if k != key}
            for bad in BAD_VALUES:
                yield {**data, key: bad}
            for changed in mutations(value):
                yield {**data, key: changed}
    elif isinstance(data, list) and data:
        yield data + data[:1]  # a repeated entry
        for changed in mutations(data[0]):
            yield [changed] + copy.deepcopy(data[1:])


def test_the_fast_check_never_passes_what_jsonschema_refuses(content_types):
    from portal_core.content import _fast_validator

    compared = fast_used = 0
    for ct in content_types:
        fast = _fast_validator(ct.schema)
        if fast is None:
            continue
        validator = ct.validator()
        for data in samples(ct):
            assert fast(data), f"{ct.name}: a sample file the fast check refuses: {data}"
            fast_used += 1
            for changed in mutations(data):
                compared += 1
                valid = not list(validator.iter_errors(changed))
                if fast(changed):
                    assert valid, f"{ct.name}: the fast check passes what jsonschema refuses: {changed}"
    assert fast_used >= 50 and compared >= 10_000, (fast_used, compared)


def test_procedures_and_news_take_the_fast_check(content_types):
    """The types with many items must not fall back to jsonschema for every item."""
    from portal_core.content import _fast_validator

    fast = {ct.name for ct in content_types if _fast_validator(ct.schema) is not None}
    assert {"procedures", "news"} <= fast, fast


def test_a_count_written_as_1_0_is_refused_both_ways(content_types):
    from portal_core.content import _fast_validator

    ct = next(ct for ct in content_types if ct.name == "procedures")
    data = samples(ct)[0]
    data = {**data, "documents": [{**data["documents"][0], "copies": 1.0}]}
    assert list(ct.validator().iter_errors(data))
    assert not _fast_validator(ct.schema)(data)
