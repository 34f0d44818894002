"""The Vietnamese search pipeline (Python side) gives exactly the shared vectors; lunr knows it by name."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from portal_core import text
from portal_search import vietnamese

VECTORS = json.loads((Path(__file__).parent / "data" / "search-vectors.json").read_text(encoding="utf-8"))["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["note"] for v in VECTORS])
def test_tokens_match_the_shared_vectors(vector):
    assert vietnamese.tokens(vector["input"]) == vector["tokens"]
    assert vietnamese.exact_words(vector["input"]) == vector["exact"]


def test_vectors_cover_the_known_traps():
    inputs = " ".join(v["input"] for v in VECTORS)
    for needed in ("đ", "Đ", "đăng kí", "đăng ký", "giấy", "xây", "an do", "1.001193", "BD-HT-001"):
        assert needed in unicodedata.normalize("NFC", inputs), needed
    assert any(v["input"] != unicodedata.normalize("NFC", v["input"]) for v in VECTORS), "an NFD input"


def test_registered_with_lunr_under_the_shared_label():
    from lunr.pipeline import Pipeline

    pipeline = Pipeline.load([vietnamese.LABEL])
    assert vietnamese.LABEL == "portal-vi"
    for v in VECTORS:
        assert pipeline.run_string(v["input"]) == v["tokens"]


@pytest.mark.parametrize("a, b", [
    ("đăng ký", "dang ki"), ("Đăng Kí", "dang ky"), ("lý lịch", "li lich"), ("quý", "qui"),
    ("ĐẤT ĐAI", "dat dai"), ("Ðăng ký", "đăng ký"),
])
def test_variants_fold_together(a, b):
    assert vietnamese.tokens(a) == vietnamese.tokens(b)


@pytest.mark.parametrize("a, b", [("giấy", "giai"), ("xây", "xai"), ("tay", "tai"), ("thủy", "thui")])
def test_y_inside_a_vowel_group_is_not_folded(a, b):
    assert vietnamese.tokens(a) != vietnamese.tokens(b)


def test_exact_forms_tell_apart_what_folding_merges():
    forms = {vietnamese.exact(vietnamese.normalise(w)) for w in ("đường", "dương", "đương")}
    assert len(forms) == 3
    assert vietnamese.exact_words("hòa thủy") == vietnamese.exact_words("hoà thuỷ")


def test_titles_sort_in_vietnamese_alphabet_order():
    titles = ["Đổi giấy phép lái xe", "Cấp thẻ căn cước", "Đăng ký khai sinh", "Dịch vụ", "Ăn uống", "An toàn",
              "Ân xá", "Bảo hiểm"]
    assert sorted(titles, key=text.sort_key) == [
        "An toàn", "Ăn uống", "Ân xá", "Bảo hiểm", "Cấp thẻ căn cước", "Dịch vụ", "Đăng ký khai sinh",
        "Đổi giấy phép lái xe"]
    assert [text.initial(t) for t in ("Đăng ký", "ăn", "Ủy ban", "1 cửa")] == ["Đ", "Ă", "U", "#"]


def test_the_kept_table_of_word_characters_is_unicodes():
    """word_chars.py keeps the letters, marks and digits for one Unicode version: the table must be
    what asking Python's unicodedata gives now (remake it with `python plugins/portal_search/word_chars.py`)."""
    from portal_search import word_chars

    assert word_chars.UNIDATA_VERSION == unicodedata.unidata_version
    assert word_chars.RANGES == word_chars.compute()
    for c in "aĐđạỹ9\u0301":  # letters, a digit, a combining tone mark
        assert any(a <= ord(c) <= b for a, b in word_chars.RANGES), c
    assert not any(a <= ord(c) <= b for a, b in word_chars.RANGES for c in " -_.,/")
