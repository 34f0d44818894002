"""The search indexes: built with lunr.py from the content store, written in a compact form.

Three files (the format is described in README.md beside this file):
- procedures.json: what a first result needs: display data of every active procedure and the
  index of what names it (title, code, keywords, editors' synonyms), and the life events
  ("topics") with the words that find them;
- procedures-more.json: the index of what else identifies it (document names, field, agency,
  result and the first words of its description), loaded right after and merged into the ranking;
- other.json: news and offices, shown after procedures.
static/search-engine.js turns each back into a lunr.js index.
"""
from __future__ import annotations

import html
import re

from lunr.builder import Builder

from portal_core import registry

from . import vietnamese

FORMAT = 2
OTHER_KINDS = ["news", "announcement", "office"]
# Kinds shown in a block of their own above the procedures, found by whole words, not ranked.
TOPIC_KINDS = ["journey"]
# Which procedure fields go in the first file; the others go in procedures-more.json.
FIRST_FIELDS = ("title", "code", "keywords", "synonyms")
# Fields indexed word by word, without adjacent-word pairs (long or generic text).
WORDS_ONLY = frozenset({"code", "field", "agency", "summary"})
LUNR_B, LUNR_K1 = 0.75, 1.2  # lunr's defaults, repeated in the file for search-engine.js
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


# --- what is indexed ------------------------------------------------------------------------
def plain_summary(body_html: str, words: int) -> str:
    """The first sentence of an item's body as plain text, at most `words` words."""
    text = html.unescape(_TAG.sub(" ", body_html or "")).strip()
    first = _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""
    return " ".join(first.split()[:words])


def synonym_groups(store) -> list[list[str]]:
    return [list(item.data.get("terms", [])) for item in store["synonyms"]]


def _folded_line(text: str) -> str:
    return " " + " ".join(vietnamese.fold(w.text) for w in vietnamese.words(text)) + " "


class Synonyms:
    """Editors' synonym groups, applied at build time.

    When any term of a group occurs (as whole words, diacritics and i/y folded) in what a thing
    is called (its title or keywords), the group's other terms are indexed for it in the
    `synonyms` field. Build time rather than query time: the index stays a plain lunr index, the
    browser needs no extra file or step, and an abbreviation is completed as it is typed like
    any other word; the cost is a few words per matching item.
    """

    def __init__(self, groups: list[list[str]]):
        self.groups = [[(term, _folded_line(term)) for term in group] for group in groups]

    def expand(self, texts: list[str]) -> list[str]:
        lines = [_folded_line(t) for t in texts]
        added: list[str] = []
        for group in self.groups:
            hits = {term for term, needle in group if needle.strip() and any(needle in line for line in lines)}
            if hits:
                added += [term for term, _ in group if term not in hits]
        return list(dict.fromkeys(added))


def procedure_document(e, synonyms: Synonyms, summary_words: int) -> dict:
    """The text of one procedure's entry, field by field (each field a list of separate phrases)."""
    f = e.fields
    return {
        "title": f["title"], "code": f["code"], "keywords": f["keywords"],
        "synonyms": synonyms.expand(e.names),
        "documents": f["documents"], "field": f["field"], "agency": f["agency"],
        "summary": [t for t in (*f["result"], plain_summary(e.body_html, summary_words)) if t],
    }


def procedure_display(e, field_names: list[str]) -> list:
    f = e.facets
    if f["field"] not in field_names:
        field_names.append(f["field"])
    return [e.title, f["slug"], f["code"], field_names.index(f["field"]), f["online"], f["anywhere"]]


def topic_words(e) -> str:
    """The folded words of what a topic (a life event) is called, sorted, separated by spaces."""
    texts = e.fields.get("title", []) + e.fields.get("keywords", [])
    return " ".join(sorted({vietnamese.fold(w.text) for t in texts for w in vietnamese.words(t)}))


def build_topics(store) -> dict:
    """Life events and the like: [title, url, summary, folded words] each, and what to call them."""
    entries = [e for e in registry.search_entries(store) if e.kind in TOPIC_KINDS]
    return {"label": entries[0].kind_label if entries else "",
            "docs": [[e.title, e.url, e.meta, topic_words(e)] for e in entries]}


# --- building -------------------------------------------------------------------------------
def _phrases(name: str, values: list[str]) -> list[str]:
    """A field's value as lunr receives it: whole phrases, or single words for WORDS_ONLY fields."""
    if name not in WORDS_ONLY:
        return values
    return [w.text for v in values for w in vietnamese.words(v)]


def build_lunr(documents: list[dict], boosts: dict[str, float]):
    """A lunr.py index of documents (ref = position), tokenised by the portal-vi pipeline step.

    Each field value is a list of phrases: lunr's tokenizer keeps each phrase whole and the
    pipeline step splits it, so word pairs never join two phrases (nor two words of a
    WORDS_ONLY field, which arrive one word per phrase).
    """
    builder = Builder()
    builder.pipeline.add(vietnamese.portal_vi)
    builder.search_pipeline.add(vietnamese.portal_vi)
    builder.ref("ref")
    builder.b(LUNR_B)
    builder.k1(LUNR_K1)
    for name, boost in boosts.items():
        builder.field(name, boost=boost)
    for i, doc in enumerate(documents):
        builder.add({"ref": str(i), **{name: _phrases(name, doc.get(name, [])) for name in boosts}})
    return builder, builder.build()


def _utf16_order(term: str) -> bytes:
    # lunr.js inserts terms in JavaScript string order (UTF-16 code units)
    return term.encode("utf-16-be")


def compact(builder, index, boosts: dict[str, float], n_docs: int) -> dict:
    """lunr.py's index without what can be computed again.

    lunr serialises every (document, field) vector of term weights next to the inverted index,
    though the weights follow from the term counts by lunr's BM25 formula. This keeps the
    sorted terms and, for each term, the documents of each field that have it (a document
    repeated once per extra occurrence); search-engine.js rebuilds the weights with the
    formula of lunr's Builder (tests check they equal lunr.py's).
    """
    fields = list(index.fields)
    terms = sorted(index.inverted_index, key=_utf16_order)
    postings = []
    for term in terms:
        flat = []
        for f, field in enumerate(fields):
            refs = sorted(int(ref) for ref in index.inverted_index[term][field])
            if not refs:
                continue
            ids = []
            for ref in refs:
                ids += [ref] * builder.field_term_frequencies[f"{field}/{ref}"][term]
            flat += [f, len(ids)] + [b - a for a, b in zip([0] + ids, ids)]
        postings.append(flat)
    return {
        "version": "2.3.9",
        "pipeline": index.pipeline.serialize(),
        "fields": fields,
        "boosts": [boosts[f] for f in fields],
        "b": LUNR_B,
        "k1": LUNR_K1,
        "documents": n_docs,
        "terms": terms,
        "postings": postings,
    }


def field_terms(name: str, values: list[str]) -> dict[str, int]:
    """How often each index term occurs in one field of one document, as lunr's Builder counts
    them: its tokenizer lower-cases each phrase of a list, the portal-vi step splits it."""
    counts: dict[str, int] = {}
    for phrase in _phrases(name, values):
        for term in vietnamese.tokens(str(phrase).lower()):
            counts[term] = counts.get(term, 0) + 1
    return counts


def index_of(documents: list[dict], boosts: dict[str, float], memo: dict | None = None,
             used: dict | None = None) -> dict:
    """The compact index of documents: what `compact(*build_lunr(...))` gives (a test compares
    them), counted directly. lunr.py's Builder also computes every document's vector of term
    weights and a token set of all terms, which the compact form drops: at 2,000 procedures that
    was most of the build's search time. `memo` ((field, phrases) → term counts, from an earlier
    build) spares counting what did not change; `used` collects the entries of this build."""
    fields = list(boosts)
    by_term: dict[str, list[list[int]]] = {}
    for ref, doc in enumerate(documents):
        for f, name in enumerate(fields):
            values = doc.get(name, [])
            if not values:
                continue
            key = (name, tuple(values))
            counts = memo.get(key) if memo is not None else None
            if counts is None:
                counts = field_terms(name, values)
            if used is not None:
                used[key] = counts
            for term, n in counts.items():
                per_field = by_term.get(term)
                if per_field is None:
                    per_field = by_term[term] = [[] for _ in fields]
                per_field[f] += [ref] * n
    terms = sorted(by_term, key=_utf16_order)
    postings = []
    for term in terms:
        flat = []
        for f, ids in enumerate(by_term[term]):
            if ids:
                flat += [f, len(ids)] + [b - a for a, b in zip([0] + ids, ids)]
        postings.append(flat)
    return {"version": "2.3.9", "pipeline": [vietnamese.LABEL], "fields": fields,
            "boosts": [boosts[f] for f in fields], "b": LUNR_B, "k1": LUNR_K1, "documents": len(documents),
            "terms": terms, "postings": postings}


def lunr_index_of(documents: list[dict], boosts: dict[str, float]) -> dict:
    """The same compact index made with lunr.py's Builder (what index_of must equal)."""
    builder, index = build_lunr(documents, boosts)
    return compact(builder, index, boosts, len(documents))


def build_procedures(store, settings: dict, memo: dict | None = None, used: dict | None = None) -> tuple[dict, dict]:
    """procedures.json and procedures-more.json (`memo`, `used`: see index_of)."""
    synonyms = Synonyms(synonym_groups(store))
    procedures = [e for e in registry.search_entries(store) if e.kind == "procedure"]
    documents = [procedure_document(e, synonyms, settings["summary_words"]) for e in procedures]
    field_names: list[str] = []
    display = [procedure_display(e, field_names) for e in procedures]
    ct = registry.content_type("procedures")
    boosts = settings["procedure_boosts"]
    first = {k: v for k, v in boosts.items() if k in FIRST_FIELDS}
    more = {k: v for k, v in boosts.items() if k not in FIRST_FIELDS}
    return {
        "format": FORMAT,
        "kind": "procedures",
        "url": registry.pattern("procedures.item") if ct else "",
        "badges": ct.extras["search_badges"]() if ct else {},
        "fields": field_names,
        "docs": display,
        "index": index_of(documents, first, memo, used),
        "topics": build_topics(store),
    }, {
        "format": FORMAT,
        "kind": "procedures-more",
        "index": index_of(documents, more, memo, used),
    }


def build_other(store, settings: dict) -> dict:
    """News, announcements and offices: a small index of their own, shown after procedures."""
    synonyms = Synonyms(synonym_groups(store))
    documents, display = [], []
    labels = dict.fromkeys(OTHER_KINDS, "")
    for e in registry.search_entries(store):
        if e.kind not in OTHER_KINDS:
            continue
        labels[e.kind] = labels[e.kind] or e.kind_label
        documents.append({"title": e.fields["title"], "synonyms": synonyms.expand(e.names),
                          "summary": e.fields.get("summary", [])})
        display.append([e.title, e.url, OTHER_KINDS.index(e.kind), e.meta])
    return {
        "format": FORMAT,
        "kind": "other",
        "kinds": OTHER_KINDS,
        "kind_labels": [labels[k] for k in OTHER_KINDS],  # what the results call each kind
        "docs": display,
        "index": index_of(documents, settings["other_boosts"]),
    }
