"""Vietnamese text rules and formatting, in one place for the whole portal.

- `sort_key`: dictionary order (a ă â b c d đ e ê …, tones break ties), used by every list;
- `initial`: the letter an A–Z list files a title under;
- `slugify`: the one slug rule (file names, field pages), the same as Decap CMS's with
  `slug: {encoding: ascii, clean_accents: true}`, so that a file the browser editor creates is
  one the content store accepts (checked against tests/data/slug-vectors.json on both sides);
- `ascii_fold`: lower case without diacritics, for matching names (the same as fold() in
  portal_offices/static/geo.js);
- `date`, `number`, `km`, `roman`: how the site writes dates, numbers, distances and phase numbers;
  templates get them as the filters in `FILTERS`.

The search pipeline (tokens, i/y folding) is search's own: portal_search/vietnamese.py.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

TONE_MARKS = "\u0300\u0309\u0303\u0301\u0323"  # huyền, hỏi, ngã, sắc, nặng (in dictionary order)
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text))


def normalise(text) -> str:
    """NFC, lower case, and the look-alike eth (U+00F0, from old font conversions) read as đ."""
    return nfc(text).lower().replace("ð", "đ")


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


# --- dictionary order ------------------------------------------------------------------------
_KEYS: dict[str, tuple[int, int]] = {}


def _char_key(ch: str) -> tuple[int, int]:
    key = _KEYS.get(ch)
    if key is None:
        decomposed = unicodedata.normalize("NFD", ch)
        tone = next((1 + TONE_MARKS.index(c) for c in decomposed if c in TONE_MARKS), 0)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        if base in ALPHABET:
            primary = 100 + ALPHABET.index(base)
        elif base.isdigit():
            primary = 50 + int(base) if base.isascii() else 60
        elif _is_word_char(base):
            primary = 200 + ord(base[0])
        else:
            primary = 1  # spaces and punctuation sort before letters
        key = _KEYS[ch] = (primary, tone)
    return key


def sort_key(text) -> tuple:
    """Vietnamese dictionary order: letters a ă â b c d đ …, digits before letters, then the tones
    (none, huyền, hỏi, ngã, sắc, nặng) break ties, then the text itself."""
    return _sort_key(str(text))


@lru_cache(maxsize=1 << 16)  # each listing sorts the same titles again
def _sort_key(text: str) -> tuple:
    keys = [_char_key(ch) for ch in normalise(text)]
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys), text


def initial(text) -> str:
    """The letter a title is listed under in an A–Z list (tone removed, Ă Â Đ Ê Ô Ơ Ư kept)."""
    for ch in normalise(text):
        if _is_word_char(ch):
            decomposed = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
            return base.upper() if base in ALPHABET else "#"
    return "#"


# --- slugs -------------------------------------------------------------------------------------
# Letters that Unicode does not decompose into a base letter and marks, spelt as the `diacritics`
# package (which Decap CMS uses for clean_accents) spells them.
_LETTERS = {"đ": "d", "ð": "dh", "þ": "th", "æ": "ae", "œ": "oe", "ø": "o", "ß": "ss", "ł": "l",
            "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t", "ŉ": "n"}
_SLUG_CHAR = re.compile(r"[A-Za-z0-9_.~-]")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_REPLACEMENT = "-"


def strip_accents(text) -> str:
    """Without diacritics: 'Đăng ký' → 'Dang ky'."""
    out = []
    for ch in unicodedata.normalize("NFD", str(text)):
        if unicodedata.category(ch) == "Mn":
            continue
        low = ch.lower()
        if low in _LETTERS:
            ch = _LETTERS[low] if ch == low else _LETTERS[low].capitalize()
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def slugify(text) -> str:
    """The portal's one slug rule: 'Đăng ký khai sinh' → 'dang-ky-khai-sinh'.

    The steps are Decap CMS's for `encoding: ascii`, `clean_accents: true` and the default
    replacement '-': trim, lower case, drop apostrophes, '.' → '-', remove diacritics, every
    character but ASCII letters, digits, '_', '.', '~' and '-' → '-', a Windows device name
    (con, nul, …) → '-', at most 255 characters, runs of '-' made one, '-' trimmed at both ends.
    """
    s = nfc(text).strip().lower().replace("'", "").replace(".", "-")
    s = "".join(c if _SLUG_CHAR.match(c) else _REPLACEMENT for c in strip_accents(s))
    if _WINDOWS_RESERVED.match(s):
        s = _REPLACEMENT
    s = s[:255]
    return re.sub(f"{re.escape(_REPLACEMENT)}+", _REPLACEMENT, s).strip(_REPLACEMENT)


_PLAIN_SLUG = re.compile(r"[a-z0-9_~]+(?:-[a-z0-9_~]+)*")  # what the rule surely leaves as it is


def is_slug(text: str) -> bool:
    """A file name the slug rule leaves as it is (so the browser editor could have made it)."""
    if _PLAIN_SLUG.fullmatch(text or "") and len(text) <= 255 and not _WINDOWS_RESERVED.match(text):
        return True
    return bool(text) and slugify(text) == text


# --- matching ------------------------------------------------------------------------------------
def ascii_fold(text) -> str:
    """Lower case without diacritics, đ → d, anything but ASCII letters and digits a single space:
    'Phường Đông Hòa' → 'phuong dong hoa' (the same as fold() in portal_offices/static/geo.js)."""
    s = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    return " ".join("".join(c if c.isascii() and c.isalnum() else " " for c in s).split())


# --- formatting --------------------------------------------------------------------------------
def as_date(value) -> dt.date | None:
    """A validated date field (ISO string, date or datetime) as a date."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def date(value) -> str:
    """2025-07-01 (a date, a datetime or an ISO string) → '01/07/2025'; nothing → ''."""
    return as_date(value).strftime("%d/%m/%Y") if value else ""


def number(value) -> str:
    """Vietnamese thousands separator and decimal comma: 1500 → '1.500', 2.5 → '2,5'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value).replace(".", ",")


def km(value, digits: int = 1) -> str:
    """3.25 → '3,3'; nothing → '–'."""
    return f"{value:.{digits}f}".replace(".", ",") if value is not None else "–"


def percent(value, digits: int = 1) -> str:
    """A share (0.978) written the Vietnamese way: '97,8 %'; nothing to divide → '—'."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}".replace(".", ",") + "\u00a0%"


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(n: int) -> str:
    """1 → 'I', 4 → 'IV', 2025 → 'MMXXV'."""
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


FILTERS = {"vi_date": date, "vi_number": number, "vi_km": km, "vi_percent": percent, "roman": roman, "slugify": slugify}
