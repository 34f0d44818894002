"""The one module for Vietnamese text: slugs (shared vectors with Decap CMS's rule), dictionary
order, dates, numbers and Roman numerals."""
import datetime as dt
import json
from pathlib import Path

import pytest

from portal_core import text

DATA = Path(__file__).parent / "data"
VECTORS = json.loads((DATA / "slug-vectors.json").read_text(encoding="utf-8"))["vectors"]


@pytest.mark.parametrize("title,slug", VECTORS)
def test_slug_vectors(title, slug):
    assert text.slugify(title) == slug


@pytest.mark.parametrize("title,slug", VECTORS)
def test_a_slug_is_its_own_slug(title, slug):
    assert text.slugify(slug) == slug
    assert text.is_slug(slug) == bool(slug)


def test_not_slugs():
    for name in ("Dang-ky", "dang ky", "đăng-ký", "-dang", "dang-", "dang--ky", "a.b", ""):
        assert not text.is_slug(name), name


def test_dictionary_order():
    words = ["Xác nhận", "Đăng ký", "Dân cư", "Ăn uống", "An toàn", "Âm nhạc", "Ba", "Bà", "Bả", "Bá", "Bạ", "2 bản", "10 bản"]
    ordered = sorted(words, key=text.sort_key)
    assert ordered == ["10 bản", "2 bản", "An toàn", "Ăn uống", "Âm nhạc", "Ba", "Bà", "Bả", "Bá", "Bạ",
                       "Dân cư", "Đăng ký", "Xác nhận"]


def test_initial():
    assert text.initial("Đăng ký") == "Đ"
    assert text.initial("ấn định") == "Â"
    assert text.initial("(1) Cấp") == "#"


def test_formats():
    assert text.date(dt.date(2025, 7, 1)) == "01/07/2025"
    assert text.date("2025-07-01") == "01/07/2025"
    assert text.date(dt.datetime(2025, 7, 1, 23, 59)) == "01/07/2025"
    assert text.date(None) == ""
    assert text.number(1500) == "1.500"
    assert text.number(1500.0) == "1.500"
    assert text.number(2.5) == "2,5"
    assert text.km(12.04) == "12,0"
    assert text.km(4.5, digits=0) == "4"
    assert text.km(3.26) == "3,3"
    assert text.km(None) == "–"
    assert [text.roman(n) for n in (1, 4, 9, 14, 40, 90, 400, 2025)] == ["I", "IV", "IX", "XIV", "XL", "XC", "CD", "MMXXV"]


def test_ascii_fold():
    assert text.ascii_fold("Phường Đông Hòa") == "phuong dong hoa"
    assert text.ascii_fold("  Thủ Dầu Một, (cũ) ") == "thu dau mot cu"
