"""A content type may read a CSV file (the statistics issue needs it): one item per row, each row
checked against the type's schema, problems with file, line and column."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, SAMPLE_TODAY

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False,
    "required": ["month", "received"],
    "properties": {
        "month": {"title": "Tháng", "type": "string", "pattern": "^\\d{4}-(0[1-9]|1[0-2])$",
                  "x-error": "tháng phải viết theo dạng YYYY-MM"},
        "agency": {"title": "Cơ quan", "type": "string"},
        "received": {"title": "Tiếp nhận", "type": "integer", "minimum": 0},
        "score": {"title": "Điểm", "type": "number", "minimum": 0},
    },
}


@pytest.fixture
def load(tmp_path, monkeypatch):
    from pelican.settings import read_settings

    from portal_core import registry
    from portal_core.content import ContentError, load_store
    from portal_core.registry import ContentType

    schema = tmp_path / "rows.schema.json"
    schema.write_text(json.dumps(SCHEMA), encoding="utf-8")
    registry.register_type(ContentType(name="rows_test", file="thong-ke/rows.csv", schema_path=schema))
    monkeypatch.setenv("PORTAL_TODAY", SAMPLE_TODAY)
    content = tmp_path / "content"
    (content / "thong-ke").mkdir(parents=True)

    def _load(text: str):
        (content / "thong-ke" / "rows.csv").write_text(text, encoding="utf-8")
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={
            "PATH": str(content), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False})
        try:
            return load_store(content, settings)
        except ContentError as exc:
            return exc

    yield _load
    registry.unregister_type("rows_test")


def test_rows_become_items_with_typed_values(load):
    store = load("month,agency,received,score\n2025-01,Sở Tư pháp,120,9.5\n\n2025-02,,0,\n")
    rows = store["rows_test"]
    assert [(r.month, r.agency, r.received, r.score) for r in rows] == [
        ("2025-01", "Sở Tư pháp", 120, 9.5), ("2025-02", None, 0, None)]
    assert [r._line for r in rows] == [2, 4]


def test_bad_rows_name_the_line_and_the_column(load):
    exc = load("month,agency,received\n2025-13,A,5\n2025-01,B,-1\n2025-02,C,1.0\n2025-03,D\n")
    report = exc.report()
    assert "thong-ke/rows.csv:2: trường 'month': tháng phải viết theo dạng YYYY-MM" in report
    assert "thong-ke/rows.csv:3: trường 'received': phải lớn hơn hoặc bằng 0" in report
    assert "thong-ke/rows.csv:4: trường 'received': phải là một số nguyên" in report
    assert "thong-ke/rows.csv:5: dòng có 2 ô nhưng dòng tiêu đề có 3 cột" in report


def test_unknown_and_missing_columns_are_named(load):
    report = load("month,recieved\n2025-01,5\n").report()
    assert "thong-ke/rows.csv:1: trường 'recieved': cột 'recieved' không được hỗ trợ" in report
    assert "thong-ke/rows.csv:1: trường 'received': thiếu cột bắt buộc" in report
