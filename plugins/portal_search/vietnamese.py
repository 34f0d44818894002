"""How search reads Vietnamese: one token pipeline, the same as static/vietnamese.js.

Both files implement the same steps and are checked against the same vectors
(tests/data/search-vectors.json), because an index built here is queried there:

1. normalise: Unicode NFC, lower case, "ð" (U+00F0, used for Đ by old font conversions) → "đ";
2. split into words: runs of letters, combining marks and digits (Unicode-aware on both sides);
   words joined by "." "-" or "/" that contain an ASCII digit stay one word ("1.001193",
   "bd-ht-001", "123/2024/nđ-cp") and their parts of 2+ characters follow as extra tokens;
3. fold each word: drop every combining mark, "đ" → "d", then the i/y spelling variant:
   a syllable made of an initial consonant (or none) and a final "y" ends in "i" instead
   ("ký"/"kí" → "ki", "lý" → "li", "quý" → "qui", "công ty" → "ti"); "y" inside a vowel group is
   not a variant and stays ("giấy" → "giay", "xây" → "xay", "thủy" → "thuy", "yêu" → "yeu");
4. add each pair of adjacent words as one more token ("khai_sinh"), so a phrase outranks pages
   that merely contain its syllables.

`exact_words()` gives the accented form of each word, with which the browser ranks titles that
have an accented query's exact diacritics first: the tone mark is moved to the end as its Telex
letter (s f r x j), so "hòa" and "hoà", "thủy" and "thuỷ" agree, and "đường", "dương", "đương"
differ.

No stemmer and no stop words: neither exists for Vietnamese, and the English ones break it
("giấy" → "giấi", "an" and "do" dropped).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from . import word_chars

LABEL = "portal-vi"  # the name lunr knows the pipeline step by, in Python and in JavaScript
PAIR_JOINER = "_"
CODE_JOINERS = ".-/"
TONE_LETTERS = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_FINAL_Y = re.compile(r"^(?:b|c|ch|d|đ|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)?y$")
_ASCII_DIGIT = re.compile(r"[0-9]")


def normalise(text: str) -> str:
    """NFC, lower case, and the look-alike eth read as đ."""
    return unicodedata.normalize("NFC", str(text)).lower().replace("ð", "đ")


def _word_char_class() -> str:
    """A regex class of every letter, mark and digit (Unicode categories L, M, N), like \\p{L}\\p{M}\\p{N}."""
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in word_chars.ranges())


_WORD_RUN = re.compile(f"[{_word_char_class()}]+")


def _final_y_to_i(syllable: str) -> str:
    return syllable[:-1] + "i" if _FINAL_Y.match(syllable) else syllable


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A normalised word without diacritics, đ as d, and the i/y variant folded."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
    return _final_y_to_i(unicodedata.normalize("NFC", bare).replace("đ", "d"))


@lru_cache(maxsize=65536)
def exact(word: str) -> str:
    """A normalised word with its letters' marks kept and its tone as a Telex letter at the end."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(TONE_LETTERS[c] for c in decomposed if c in TONE_LETTERS)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_LETTERS))
    return _final_y_to_i(base) + tones


@dataclass
class Word:
    """One word of a text: where it is in the normalised text, and its parts if it is a code."""

    text: str
    start: int
    end: int
    parts: list = field(default_factory=list)


def words(text: str) -> list[Word]:
    """The words of a text, in order (positions index the normalised text)."""
    s = normalise(text)
    runs = [(m.start(), m.end()) for m in _WORD_RUN.finditer(s)]
    out: list[Word] = []
    i = 0
    while i < len(runs):
        chunks = [runs[i]]
        # runs joined by exactly one of . - / make one compound
        while i + 1 < len(runs) and runs[i + 1][0] == chunks[-1][1] + 1 and s[chunks[-1][1]] in CODE_JOINERS:
            i += 1
            chunks.append(runs[i])
        start, end = chunks[0][0], chunks[-1][1]
        if len(chunks) > 1 and _ASCII_DIGIT.search(s, start, end):
            out.append(Word(s[start:end], start, end, [s[a:b] for a, b in chunks if b - a >= 2]))
        else:
            out.extend(Word(s[a:b], a, b) for a, b in chunks)
        i += 1
    return out


def tokens(text: str) -> list[str]:
    """Index and query tokens of a text: folded words (codes with their parts), then word pairs."""
    ws = words(text)
    out: list[str] = []
    for w in ws:
        out.append(fold(w.text))
        out.extend(fold(p) for p in w.parts)
    folded = [fold(w.text) for w in ws]
    out.extend(a + PAIR_JOINER + b for a, b in zip(folded, folded[1:]))
    return out


def exact_words(text: str) -> list[str]:
    """The accented form of each word, for the `exact` field."""
    return [exact(w.text) for w in words(text)]


# --- the lunr pipeline step -------------------------------------------------------------------
def portal_vi(token, i=None, tokens_=None):
    """lunr pipeline function: one token holding a whole text becomes the text's tokens."""
    return [token.clone(lambda _s, _m, t=t: t) for t in tokens(str(token))]


def register_with_lunr() -> None:
    from lunr.pipeline import Pipeline

    if Pipeline.registered_functions.get(LABEL) is not portal_vi:
        Pipeline.register_function(portal_vi, LABEL)


register_with_lunr()
