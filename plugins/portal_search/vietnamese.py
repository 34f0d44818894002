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


_WORD_CLASS = _word_char_class()
# runs of letters, marks and digits, joined by exactly one of CODE_JOINERS into one compound
_COMPOUND = re.compile(f"[{_WORD_CLASS}]+(?:[{re.escape(CODE_JOINERS)}][{_WORD_CLASS}]+)*")
_JOINED = re.compile(f"[{re.escape(CODE_JOINERS)}]")


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


def _spans(s: str):
    """(text, start, end, parts) of each word of a normalised text, in order."""
    for m in _COMPOUND.finditer(s):
        text = m.group()
        if not _JOINED.search(text):  # most words: one run of letters and digits
            yield text, m.start(), m.end(), ()
            continue
        start = m.start()
        chunks, at = [], start
        for piece in _JOINED.split(text):
            chunks.append((piece, at, at + len(piece)))
            at += len(piece) + 1
        if _ASCII_DIGIT.search(text):  # a code: one word, its parts of 2+ characters follow
            yield text, start, m.end(), tuple(c for c, a, b in chunks if b - a >= 2)
        else:
            yield from ((c, a, b, ()) for c, a, b in chunks)


def words(text: str) -> list[Word]:
    """The words of a text, in order (positions index the normalised text)."""
    return [Word(w, a, b, list(parts)) for w, a, b, parts in _spans(normalise(text))]


def tokens(text: str) -> list[str]:
    """Index and query tokens of a text: folded words (codes with their parts), then word pairs."""
    return list(_tokens(text))


@lru_cache(maxsize=65536)  # the same phrases recur across documents (agencies, fields, documents)
def _tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    folded: list[str] = []
    for w, _a, _b, parts in _spans(normalise(text)):
        f = fold(w)
        folded.append(f)
        out.append(f)
        out.extend(fold(p) for p in parts)
    out.extend(a + PAIR_JOINER + b for a, b in zip(folded, folded[1:]))
    return tuple(out)


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
