"""The search indexes: built with lunr.py's formulas from the content store, written in a compact form.

The procedures' index is built whole in two parts (format 2; README.md, "Index files"):
- the first: what names a procedure (title, code, keywords, editors' synonyms), with the display
  data of every active procedure and the life events ("topics") with the words that find them;
- the second ("procedures-more"): what else identifies it (document names, field, agency, result
  and the first words of its description), merged into the ranking once the first results show;
then split (format 3, `split_procedures`) into a small head and files of terms and rows, so that a
query loads only the parts it needs. other.json (news and offices, shown after procedures) stays
whole. static/search-engine.js turns each back into weights as lunr.js computes them.
"""
from __future__ import annotations

import hashlib
import html
import re

from lunr.builder import Builder

from portal_core import output, registry

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

    def __init__(self, groups: list[list[str]], memo: dict | None = None, used: dict | None = None):
        self.groups = [[(term, _folded_line(term)) for term in group] for group in groups]
        # what an earlier build found for the same texts and groups (see index_of's memo)
        self.memo, self.used = memo, used
        self.key = hashlib.blake2b(repr(groups).encode("utf-8"), digest_size=16).digest()

    def expand(self, texts: list[str]) -> list[str]:
        key = ("synonyms", self.key, tuple(texts))
        found = self.memo.get(key) if self.memo is not None else None
        if found is None:
            found = self._expand(texts)
        if self.used is not None:
            self.used[key] = found
        return list(found)

    def _expand(self, texts: list[str]) -> list[str]:
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
    synonyms = Synonyms(synonym_groups(store), memo, used)
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


def build_other(store, settings: dict, memo: dict | None = None, used: dict | None = None) -> dict:
    """News, announcements and offices: a small index of their own, shown after procedures
    (`memo`, `used`: see index_of)."""
    synonyms = Synonyms(synonym_groups(store), memo, used)
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
        "index": index_of(documents, settings["other_boosts"], memo, used),
    }


# --- split for national scale (format 3) ----------------------------------------------------------
# A first search loads only what its query needs: the head (procedures.json: the terms without
# digits for completions and near spellings, where each shard of terms starts, the life events and
# the first part's field lengths for lunr's BM25), the shards holding the query's terms, and the
# display data of the results shown. README.md ("Index files") describes the files.
FORMAT_SPLIT = 3
SHARD_BYTES = 20_000  # postings (compact JSON) per shard: about 3–6 KB gzipped
CHUNK_DOCS = 128  # display rows per file
_DIGITS = re.compile(r"[0-9]")


def field_lengths(index: dict) -> list[list[int]]:
    """How many terms each document has in each field (lunr's field length), from the postings."""
    lengths = [[0] * index["documents"] for _ in index["fields"]]
    for flat in index["postings"]:
        k = 0
        while k < len(flat):
            f, count = flat[k], flat[k + 1]
            ref = 0
            for gap in flat[k + 2:k + 2 + count]:
                ref += gap
                lengths[f][ref] += 1
            k += 2 + count
    return lengths


def term_letters(terms: list[str]) -> list[str]:
    """The characters of the single-word terms, in the order in which search-engine.js met them in
    a whole index (object keys: digits first in ascending order, then first occurrence): near
    spellings try them in that order."""
    seen: dict[str, None] = {}
    for t in terms:
        if vietnamese.PAIR_JOINER not in t:
            for c in t:
                seen.setdefault(c)
    digits = sorted(c for c in seen if c in "0123456789")
    return digits + [c for c in seen if c not in "0123456789"]


def split_part(index: dict, shard_bytes: int = SHARD_BYTES) -> tuple[dict, list[dict]]:
    """One part's index as (descriptor for the head, shard files). Shards are
    consecutive runs of the sorted terms, so a term or the completions of a prefix are found by
    where each shard starts; terms without digits are listed in the head as well."""
    shards, terms, postings, size = [], [], [], 0
    for term, flat in zip(index["terms"], index["postings"]):
        cost = len(output.json_text(flat)) + len(term) + 4
        if terms and size + cost > shard_bytes:
            shards.append({"terms": terms, "postings": postings})
            terms, postings, size = [], [], 0
        terms.append(term)
        postings.append(flat)
        size += cost
    if terms or not shards:
        shards.append({"terms": terms, "postings": postings})
    descriptor = {k: index[k] for k in ("version", "pipeline", "fields", "boosts", "b", "k1", "documents")}
    descriptor["words"] = [t for t in index["terms"] if vietnamese.PAIR_JOINER not in t and not _DIGITS.search(t)]
    descriptor["letters"] = "".join(term_letters(index["terms"]))
    descriptor["starts"] = [s["terms"][0] if s["terms"] else "" for s in shards]
    return descriptor, shards


def split_procedures(first: dict, more: dict, name_file, shard_bytes: int = SHARD_BYTES,
                     chunk_docs: int = CHUNK_DOCS) -> tuple[dict, dict[str, bytes]]:
    """procedures.json and procedures-more.json (format 2) as the split files: (head, {url: bytes}).
    `name_file(name, raw)` gives a file's address from its plain name and bytes."""
    files: dict[str, bytes] = {}

    def add(name: str, value) -> str:
        raw = output.json_text(value).encode("utf-8")
        url = name_file(name, raw)
        files[url] = raw
        return url

    def numbered(name: str, values: list) -> dict:
        """Files `<name>-0.<hash>.json`, `<name>-1.<hash>.json` …: the head keeps their pattern
        and hashes ({n} the number, {hash} the hash) rather than every address."""
        stems = [add(f"{name}-{n}.json", v).rsplit(".", 2) for n, v in enumerate(values)]
        return {"pattern": stems[0][0].rsplit("-", 1)[0] + "-{n}.{hash}." + stems[0][2],
                "hashes": [s[1] for s in stems]}

    parts = []
    for key, index in (("p0", first["index"]), ("p1", more["index"])):
        descriptor, shards = split_part(index, shard_bytes)
        descriptor["shards"] = numbered(key, shards)
        # every first search needs the first part's lengths: in the head, sparing a request on
        # the way to the first results; the second part's come in a file of their own
        lengths = field_lengths(index)
        descriptor["lengths"] = lengths if key == "p0" else add(key + "-lengths.json", {"lengths": lengths})
        parts.append(descriptor)
    docs = first["docs"]
    chunks = [{"docs": docs[i:i + chunk_docs]} for i in range(0, len(docs), chunk_docs)] or [{"docs": []}]
    head = {
        "format": FORMAT_SPLIT,
        **{k: first[k] for k in ("kind", "url", "badges", "fields", "topics")},
        "documents": len(docs),
        "chunk": chunk_docs,
        "docs": numbered("d", chunks),
        "parts": parts,
    }
    return head, files
