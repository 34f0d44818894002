"""Build the search indexes of a content folder with the real Python code and print them as JSON.

Used by tests/js/search-engine.test.js so that Node tests query an index made by lunr.py:
    .venv/bin/python tests/js/helpers/build_search_index.py CONTENT_DIR [QUERIES.yaml ...]
The queries files (read with PyYAML) come back too, under "queries".
"""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))
os.environ["PORTAL_CONTENT"] = str(Path(sys.argv[1]).resolve())
os.environ["PORTAL_TODAY"] = "2025-08-01"

import yaml  # noqa: E402
from pelican.settings import read_settings  # noqa: E402

settings = read_settings(str(ROOT / "pelicanconf.py"))
from portal_core import registry  # noqa: E402
from portal_core.content import load_store  # noqa: E402

registry.register_plugins(settings["PLUGINS"])
from portal_search import portal_search, search_index  # noqa: E402

store = load_store(settings["PATH"], settings)
config = portal_search.search_settings(settings)
first, more = search_index.build_procedures(store, config)

# lunr.py's own term weights of the first file's fields: {"field/ref": {term: weight}}
boosts = {k: v for k, v in config["procedure_boosts"].items() if k in search_index.FIRST_FIELDS}
documents = [search_index.procedure_document(e, search_index.Synonyms(search_index.synonym_groups(store)),
                                             config["summary_words"])
             for e in registry.search_entries(store) if e.kind == "procedure"]
_, index = search_index.build_lunr(documents, boosts)
serialised = index.serialize()
term_of = {posting["_index"]: term for term, posting in serialised["invertedIndex"]}
weights = {ref: {term_of[v[i]]: v[i + 1] for i in range(0, len(v), 2)} for ref, v in serialised["fieldVectors"]}

# the same index split as the build splits it, in small shards and row files so that a query
# crosses several of each: {"head", "files": {url: text}}
head, split_files = search_index.split_procedures(
    first, more, lambda name, raw: portal_search.registry.hashed_name(f"/static/search/{name}", raw),
    shard_bytes=300, chunk_docs=4)

json.dump({"procedures": first, "more": more, "other": search_index.build_other(store, config),
           "split": {"head": head, "files": {url: raw.decode("utf-8") for url, raw in split_files.items()}},
           "lunr_py_weights": weights,
           "queries": [q for f in sys.argv[2:] for q in yaml.safe_load(Path(f).read_text(encoding="utf-8"))]},
          sys.stdout, ensure_ascii=False)
