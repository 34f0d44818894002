"""A cache of the content files the store has read, validated and rendered: a rebuild reads only
the files that changed.

An entry is a file's front matter, body, first body line and rendered HTML, kept under the file's
path with its size and modification time. The whole cache belongs to a fingerprint of everything
an entry depends on: the store's code, every content type's schema, the Markdown settings and the
versions of the libraries; a change to any of them starts a new cache. Only files that loaded
without any problem are kept, so every message still comes from reading the file. Pelican's
settings decide as for its own cache: LOAD_CONTENT_CACHE to read it, CACHE_CONTENT to write it,
under CACHE_PATH, one file per content folder.
"""
from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

VERSION = 1
MAX_AGE_DAYS = 7  # cache files of content folders not built for this long are removed
HERE = Path(__file__).resolve().parent
CODE = ("content.py", "frontmatter.py", "store_cache.py", "registry.py", "text.py", "sanitize.py")
LIBRARIES = ("PyYAML", "Markdown", "jsonschema", "nh3")


def hash_versions(h, libraries) -> None:
    """Feed the installed versions of `libraries` (distribution names) into hash `h`."""
    for lib in libraries:
        try:
            h.update(f"|{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"|{lib}=?".encode())


def read_pickle(path: Path):
    """What a cache file holds, or None when it is missing or unreadable (a cache only saves time)."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, EOFError, pickle.PickleError, ValueError, TypeError, AttributeError, ImportError):
        return None


def write_pickle(path: Path, data) -> None:
    """Write a cache file whole (a temporary file renamed over it), or not at all."""
    write_pickles(path, (data,))


def write_pickles(path: Path, parts) -> None:
    """Write a cache file of several pickles in a row, each with a memo of its own (a reader calls
    pickle.load on the open file until EOFError), whole (a temporary file renamed over it), or not
    at all."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a cache that cannot be written only costs time
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def fingerprint(types, settings, checks=()) -> str:
    """`checks`: the format checks validation uses (a plugin may add one)."""
    h = hashlib.sha256(f"{VERSION}|{sys.version}".encode())
    for name, func in checks:
        code = getattr(func, "__code__", None)
        h.update(f"|{name}|{getattr(func, '__qualname__', func)}|".encode() + (code.co_code if code else b""))
    for name in CODE:
        h.update((HERE / name).read_bytes())
    hash_versions(h, LIBRARIES)
    for ct in types:
        h.update(f"|{ct.name}|{ct.folder}|{ct.render_body}|".encode())
        h.update(Path(ct.schema_path).read_bytes())
    h.update(repr(settings.get("MARKDOWN")).encode())
    return h.hexdigest()


class StoreCache:
    """Entries for one content folder: (type, path) -> (mtime_ns, size, value)."""

    def __init__(self, path: Path, fp: str, load: bool, save: bool):
        self.path, self.fp, self.saving = path, fp, save
        self.old: dict = {}
        self.new: dict = {}
        self.changed = False
        wait_for_saves()  # an earlier build's file, whole
        if load:
            try:
                with open(path, "rb") as f:
                    stored_fp, entries = pickle.load(f)
                if stored_fp == fp:
                    self.old = entries
            except (OSError, EOFError, pickle.PickleError, ValueError, TypeError, AttributeError, ImportError):
                self.old = {}

    @classmethod
    def for_store(cls, store, types, checks=()) -> "StoreCache | None":
        settings = store.settings
        load, save = bool(settings.get("LOAD_CONTENT_CACHE")), bool(settings.get("CACHE_CONTENT"))
        if not settings.get("CACHE_PATH") or not (load or save):
            return None
        folder = Path(settings["CACHE_PATH"])
        key = hashlib.sha1(str(Path(store.path).resolve()).encode("utf-8")).hexdigest()[:16]
        return cls(folder / f"portal-store-{key}.pickle", fingerprint(types, settings, checks), load, save)

    def get(self, type_name: str, f: Path):
        key = (type_name, str(f))
        entry = self.old.get(key)
        if entry is None:
            return None
        try:
            st = os.stat(f)
        except OSError:
            return None
        if (st.st_mtime_ns, st.st_size) != entry[:2]:
            return None
        self.new[key] = entry
        return entry[2]

    def put(self, type_name: str, f: Path, value) -> None:
        try:
            st = os.stat(f)
        except OSError:
            return
        self.new[(type_name, str(f))] = (st.st_mtime_ns, st.st_size, value)
        self.changed = True

    def save(self) -> None:
        """Write the entries of this build (files gone since are dropped), if anything changed.

        A second process writes them (Background) while the build goes on: pickling the whole
        store takes time, a table of every object while it runs, and leaves each non-ASCII string
        it wrote holding a UTF-8 copy of itself (CPython keeps the encoding it made), 6 MB at
        2,000 procedures. The next StoreCache, `finalize` and the end of the process wait for it."""
        if not self.saving or not (self.changed or set(self.old) != set(self.new)):
            return
        path, data = self.path, (self.fp, self.new)

        def write() -> None:
            write_pickle(path, data)
            try:
                cutoff = time.time() - MAX_AGE_DAYS * 86400
                for other in path.parent.glob("portal-store-*.pickle"):
                    if other != path and other.stat().st_mtime < cutoff:
                        other.unlink(missing_ok=True)
            except OSError:
                pass  # a cache that cannot be written only costs time

        from .background import Background

        if not _pending:
            atexit.register(wait_for_saves)
        _pending.append(Background(write))
        self.old, self.changed = self.new, False


_pending: list = []  # the saves second processes are writing


def wait_for_saves() -> None:
    """Until every cache file this process started writing is written (or failed: a cache only
    saves time)."""
    while _pending:
        try:
            _pending.pop(0).result()
        except RuntimeError:
            pass
