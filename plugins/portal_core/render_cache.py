"""Incremental builds that are always right: a page is rendered again only when something it read
changed; otherwise the previous release's file is taken as it is (by hard link).

While a page renders, its templates' reads are recorded (Jinja routes them all through the
environment and the context, which this module instruments):

- every name the templates look up (`procedures`, `SITE`, `TODAY`, a page's own variables), with a
  digest of its value, where a content item counts by its identity (type and slug) only;
- every attribute or key read of a content item (`p.title`, `o.where`), with a digest of the value;
- every call of a Python function the plugins give templates (`journeys_of(p)`), with its
  arguments and a digest of what it returned: such functions read the store themselves;
- items handed to a plugin's own filter count as read whole, and so does an item a page reads many
  attributes of (WHOLE_AFTER: a procedure's own page), which keeps the records small.

A later build takes the previous file when the code and templates are the same and every recorded
read gives the same digest now (calls are made again). Anything the recorder cannot name or digest
(Pelican's own article objects, the store itself, an unknown object or function) makes the page
one that is always rendered: when in doubt, render.

The records of a build are kept under CACHE_PATH for the release they describe (each names the
(item, attribute) pairs it read by their places in one list of the build's pairs); a build whose
previous release is not that one renders everything. `finalize` then links every other file
whose bytes did not change to the previous release's copy, so that modification times stay and
`rsync` or an object-store upload send only what changed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import os
import pickle
import sys
import types
import zlib
from array import array
from pathlib import Path

from jinja2.runtime import Context, Macro, Undefined
from jinja2.utils import missing as jinja_missing
from pelican.writers import Writer

from . import store_cache
from .background import Background, can_fork
from .content import Item
from .content import Store as _Store

VERSION = 3
DIGEST = 12  # bytes of a value's digest
PARALLEL_MIN_PAGES = 200  # fewer pages are rendered by one process
# A page that reads this many attributes of one content item (its own procedure or office) records
# the item as read whole: one digest, which changes with any of them, instead of one per attribute
# (at 2,000 procedures, 70,000 fewer (item, attribute) pairs held, digested and saved). A listing
# reads a few attributes of each item and keeps them apart: editing a body does not change it.
WHOLE_AFTER = 10
SAVE_CHUNK = 500  # records per part of the saved file (see _save)
SECOND_SHARE = 58  # percent of a batch's pages the second process renders (see _render_all)
ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("plugins", "theme")
CODE_FILES = ("pelicanconf.py", "publishconf.py")
LIBRARIES = ("Jinja2", "pelican", "Markdown", "MarkupSafe")
PURE_BUILTINS = (types.BuiltinFunctionType, types.BuiltinMethodType, types.MethodWrapperType,
                 types.WrapperDescriptorType, types.MethodDescriptorType, type)


class Unknown(Exception):
    """A value the recorder cannot digest: the page is always rendered."""


# --- digests ----------------------------------------------------------------------------------
def ref_of(item) -> tuple:
    """What names an item across builds: (type, slug) for the store's items, ("pelican", source
    path) for Pelican's own articles and pages (news, pages)."""
    ref = item.__dict__.get("_ref")
    if ref is None:
        if isinstance(item, Item):
            ref = (item.type, item.slug)
        else:
            ref = ("pelican", str(item.source_path))
        item.__dict__["_ref"] = ref
    return ref


def _pelican_types():
    global _PELICAN
    if _PELICAN is None:
        from pelican.contents import Content
        from pelican.urlwrappers import URLWrapper

        _PELICAN = (Content, URLWrapper)
    return _PELICAN


_PELICAN = None


class _Pickler(pickle.Pickler):
    """Pickles a value for its digest: content items by reference, Pelican's objects and names of
    code by what identifies them; the store itself cannot be digested (Unknown)."""

    def reducer_override(self, obj):
        if isinstance(obj, Item):
            return tuple, (("I",) + ref_of(obj),)
        content, wrapper = _pelican_types()
        if isinstance(obj, content):
            return tuple, (("C",) + ref_of(obj),)
        if isinstance(obj, wrapper):  # a category, tag or author: its name says it all
            return tuple, (("W", type(obj).__qualname__, str(obj.name)),)
        if isinstance(obj, Undefined) or obj is _MISSING:
            return tuple, (("U",),)
        if isinstance(obj, Macro):
            return tuple, (("M", obj.name),)
        if isinstance(obj, types.ModuleType):
            return tuple, (("m", obj.__name__),)
        if isinstance(obj, (types.FunctionType, types.MethodType)):  # code: its name (classes and
            return tuple, (("F", obj.__module__ or "", obj.__qualname__),)  # built-ins pickle by name)
        if isinstance(obj, _Store):
            raise Unknown("the content store")
        if isinstance(obj, (set, frozenset)):  # in a stable order (exact sets may not come here)
            return tuple, (("S",) + tuple(sorted(digest(v) for v in obj)),)
        return NotImplemented


def _digest(value, protocol: int = 5) -> bytes:
    f = io.BytesIO()
    p = _Pickler(f, protocol=protocol)
    p.fast = True  # no memo: equal values give equal bytes whatever objects they share
    try:
        p.dump(value)
    except Unknown:
        raise
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError) as exc:
        raise Unknown(f"{type(value).__qualname__}: {exc}") from None
    return hashlib.blake2b(f.getvalue(), digest_size=DIGEST).digest()


def digest(value) -> bytes:
    if type(value) is str:  # most reads: straight to the hash
        return hashlib.blake2b(b"s" + value.encode("utf-8", "surrogatepass"), digest_size=DIGEST).digest()
    if isinstance(value, (set, frozenset)):
        return hashlib.blake2b(b"S" + b"".join(sorted(digest(v) for v in value)), digest_size=DIGEST).digest()
    return _digest(value)


_MISSING = object()
_UNSET = object()
# what an item's whole digest leaves out: the reference itself, Pelican's settings and context
_NOT_CONTENT = frozenset({"_ref", "settings", "_context"})


def code_digest(settings) -> str:
    """Everything a page's bytes depend on besides what its templates read."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{VERSION}|{sys.version}".encode())
    store_cache.hash_versions(h, LIBRARIES)
    for folder in CODE_DIRS:
        for f in sorted((ROOT / folder).rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f"|{f.relative_to(ROOT)}|".encode())
                h.update(f.read_bytes())
    for name in CODE_FILES:
        f = ROOT / name
        if f.is_file():
            h.update(f.read_bytes())
    for key in sorted(os.environ):
        if key.startswith("PORTAL_") and key not in ("PORTAL_CACHE", "PORTAL_PREVIOUS", "PORTAL_RENDER_DEBUG"):
            h.update(f"|{key}={os.environ[key]}".encode())
    for key in ("RELATIVE_URLS", "SITEURL", "PORTAL_MINIFY", "PORTAL_PRECOMPRESS", "OUTPUT_SOURCES"):
        h.update(f"|{key}={settings.get(key)!r}".encode())
    return h.hexdigest()


# --- recording --------------------------------------------------------------------------------
class Reads:
    """What one page read: names, item attributes, calls; `unknown` says why it cannot be reused."""

    __slots__ = ("names", "attrs", "calls", "unknown")

    def __init__(self):
        self.names: dict = {}
        self.attrs: dict = {}
        self.calls: list = []
        self.unknown: str | None = None


_current: Reads | None = None


class TrackingContext(Context):
    def resolve_or_missing(self, key):
        value = super().resolve_or_missing(key)
        # names the template set itself ({% set %}, imports) follow from what it read
        if _current is not None and key not in self.vars and key not in _current.names:
            _current.names[key] = _MISSING if value is jinja_missing else value
        return value

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        reads = _current
        if reads is None or reads.unknown or isinstance(__obj, (Macro,) + PURE_BUILTINS) \
                or getattr(__obj, "portal_pure", False):
            return Context.call(__self, __obj, *args, **kwargs)
        name = _global_names.get(id(__obj))
        if name is None:
            reads.unknown = f"call of {getattr(__obj, '__qualname__', type(__obj).__qualname__)}"
            return Context.call(__self, __obj, *args, **kwargs)
        result = Context.call(__self, __obj, *args, **kwargs)
        try:
            reads.calls.append((name, _call_args(args, kwargs), digest(result)))
        except Unknown as exc:
            reads.unknown = f"{name}: {exc}"
        return result


def _call_args(args, kwargs):
    """Arguments as they can be given again in a later build: items by reference."""
    def one(v):
        if isinstance(v, Item):
            return ("item", ref_of(v))
        if v is None or isinstance(v, (str, int, float, bool, dt.date)):
            return ("value", v if not isinstance(v, str) else str(v))
        raise Unknown(f"argument {type(v).__qualname__}")
    return (tuple(one(a) for a in args),
            tuple((k, one(v)) for k, v in sorted(kwargs.items()) if k not in ("_loop_vars", "_block_vars")))


_global_names: dict[int, str] = {}


_TRACKED: set = {Item}  # the exact types whose reads are recorded (Pelican's articles and pages join)


def _tracked_getattr(original):
    def getattr_(obj, attribute):
        value = original(obj, attribute)
        if _current is not None and type(obj) in _TRACKED:
            _current.attrs[(obj, attribute)] = value  # the item itself: its reference is taken once, at the end
        return value
    return getattr_


def _wrap_filter(fn):
    def filter_(*args, **kwargs):
        reads = _current
        if reads is not None:
            for a in args:
                if type(a) in _TRACKED:
                    reads.attrs[(a, None)] = a
            for a in kwargs.values():
                if type(a) in _TRACKED:
                    reads.attrs[(a, None)] = a
        return fn(*args, **kwargs)
    filter_.__wrapped__ = fn
    return filter_


def instrument(env) -> None:
    """Record what templates of this Jinja environment read (once per environment)."""
    if getattr(env, "_portal_tracked", False):
        return
    env._portal_tracked = True
    from pelican.contents import Article, Page

    _TRACKED.update({Article, Page})
    env.context_class = TrackingContext
    env.getattr = _tracked_getattr(env.getattr)
    env.getitem = _tracked_getattr(env.getitem)
    for name, fn in list(env.filters.items()):
        if not getattr(fn, "__module__", "").startswith("jinja2"):
            env.filters[name] = _wrap_filter(fn)


def _note_globals(env) -> None:
    stamp = len(env.globals)
    if getattr(env, "_portal_globals_seen", None) == stamp:
        return
    env._portal_globals_seen = stamp
    for name, value in env.globals.items():
        if callable(value) and not isinstance(value, (Macro, type)):
            _global_names[id(value)] = name


# --- the key of a page's reads, now ------------------------------------------------------------
class Digests:
    """Digests of this build's values, each computed once."""

    def __init__(self, store):
        self.store = store
        self.attrs: dict = {}
        self.values: dict = {}
        self.pelican: dict | None = None  # source path -> Pelican's article or page, this build
        self.context: dict = {}

    def find(self, ref):
        if ref[0] != "pelican":
            return self.store.get(ref[0], ref[1])
        if self.pelican is None:
            self.pelican = {}
            for key in ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages"):
                for c in self.context.get(key) or []:
                    for one in [c] + list(getattr(c, "translations", []) or []):
                        self.pelican[str(one.source_path)] = one
        return self.pelican.get(ref[1])

    def value(self, value) -> bytes:
        key = id(value)
        hit = self.values.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        d = digest(value)
        self.values[key] = (value, d)  # keeps the value alive: its id is not reused this build
        return d

    def item(self, ref) -> bytes | None:
        """The digest of a content item as a whole (None for Pelican's own articles and pages,
        whose attributes are computed by their classes)."""
        if ref[0] == "pelican":
            return None
        try:
            return self.attr(ref, None)
        except Unknown:
            return None

    def attr(self, ref, attribute, value=_UNSET) -> bytes:
        """The digest of item `ref`'s attribute (None: the whole item), from `value` when the
        render saw it (a whole item's value is the item), else read from this build's item."""
        key = (ref, attribute)
        d = self.attrs.get(key)
        if d is None:
            if value is _UNSET:
                item = self.find(ref)
                if item is None:
                    raise Unknown("gone")
                if attribute is None:
                    value = item.__dict__
                else:
                    try:  # as Jinja reads it: a missing attribute is undefined
                        value = getattr(item, attribute)
                    except AttributeError:
                        value = _MISSING
            elif attribute is None:
                value = value.__dict__
            # a whole item in the order of its names: plugins may set its attributes in any order.
            # Pickled with protocol 0, which writes each string escaped: the binary protocols write
            # its UTF-8, which CPython then keeps inside the string (every item's body and fields
            # would carry a copy for the rest of the build, 6 MB at 2,000 procedures)
            d = self.attrs[key] = _digest(sorted((k, v) for k, v in value.items() if k not in _NOT_CONTENT),
                                          protocol=0) if attribute is None else digest(value)
        return d


def key_of(names: dict, attrs, calls: list, digests: Digests, *, recorded: bool = False,
           kept: bytes = b"", same=None) -> tuple[bytes, bytes]:
    """One digest of a page's reads, in the order the record keeps them (which names what each
    digest is of), and the digests of its attribute reads, joined. `recorded`: the values are those
    the render saw. Otherwise `kept` are the attribute digests recorded then, taken as they are for
    an item that `same(ref)` says is unchanged as a whole."""
    value, attr = digests.value, digests.attr
    parts = [value(v) for v in names.values()]
    if recorded:  # keys are (the item read, attribute)
        read = [attr(ref_of(obj), attribute, v) for (obj, attribute), v in attrs.items()]
    else:
        read = [kept[i * DIGEST:(i + 1) * DIGEST] if same(ref) else attr(ref, attribute)
                for i, (ref, attribute) in enumerate(attrs)]
    joined = b"".join(read)
    parts += [joined] + [result for _name, _args, result in calls]
    return hashlib.blake2b(b"".join(parts), digest_size=16).digest(), joined


def _whole_items(attrs: dict) -> dict:
    """A page's attribute reads, with each content item it read WHOLE_AFTER or more attributes of
    read whole instead, where its first read was. An item's whole digest covers every attribute it
    has (its fields and what `prepare` set: Item has no other attributes), so a page recorded so is
    rendered again at least whenever it would have been."""
    counts: dict = {}
    for obj, _attribute in attrs:
        if type(obj) is Item:
            counts[obj] = counts.get(obj, 0) + 1
    if not counts or max(counts.values()) < WHOLE_AFTER:
        return attrs
    out: dict = {}
    for (obj, attribute), value in attrs.items():
        if type(obj) is Item and counts[obj] >= WHOLE_AFTER:
            out.setdefault((obj, None), obj)
        else:
            out[(obj, attribute)] = value
    return out


# --- the writer -------------------------------------------------------------------------------
@dataclasses.dataclass(slots=True)
class Record:
    names: tuple
    attrs: array  # the (item reference, attribute) pairs read: their places in the writer's `pairs`
    calls: tuple
    key: bytes
    read: bytes  # the digests of `attrs`, DIGEST bytes each
    parts: dict | None = None  # with PORTAL_RENDER_DEBUG: the digest of each read, to say what changed


class _Plain(tuple):
    """A write_file call Pelican's writer does as it always does (paginated pages, relative URLs):
    shared by a batch's processes like any page, never taken from the previous release."""


class CachingWriter(Writer):
    """Pelican's writer, taking a page from the previous release when its reads did not change."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        from . import content

        self.store = content.current_store()
        self.digests = Digests(self.store)
        self.code = code_digest(settings or {})
        self.previous = Path(os.environ["PORTAL_PREVIOUS"]) if os.environ.get("PORTAL_PREVIOUS") else None
        self.records_path = _records_path(settings or {}, output_path)
        # every (item reference, attribute) pair a page read, once; records name them by place
        self.old, self.old_items, self.pairs = _load(self.records_path, self.code, self.previous)
        self.places: dict = {pair: i for i, pair in enumerate(self.pairs)}
        self.same: dict = {}
        self.new: dict[str, Record] = {}
        self.reused = 0
        self.reused_names: set[str] = set()
        self.rendered = 0
        self.rendered_elsewhere = 0  # by the second process of a batch
        self.folders: set = set()
        self._jobs: list | None = None  # pages to write at the end of a batch
        self._pending: list = []  # the batches' second processes, collected by `join`
        global _writer
        _writer = self

    def write_file(self, name, template, context, relative_urls=False, paginated=None, template_name=None,
                   override_output=False, url=None, **kwargs):
        if not name or relative_urls or paginated or (paginated is None and kwargs.keys() & {"articles", "dates"}):
            call = _Plain((name, template, context, relative_urls, paginated, template_name, override_output, url, kwargs))
            if name and self._jobs is not None:  # in a batch's processes too, but never reused
                self._jobs.append(call)
                return None
            return self._write(call)
        env = template.environment
        if not getattr(env, "_portal_tracked", False):
            instrument(env)
        _note_globals(env)
        job = (name, template, context, relative_urls, paginated, template_name, override_output, url, kwargs)
        if self._jobs is not None:
            self._jobs.append(job)
            return None
        return self._write(job)

    def _write(self, job):
        """Take the page from the previous release, or render it."""
        if type(job) is _Plain:
            return super().write_file(*job[:-1], **job[-1])
        name, template, context, kwargs = job[0], job[1], job[2], job[-1]
        self.digests.context = context
        if self._reuse(name, template, context, kwargs):
            return None
        return self._render(*job)

    @contextlib.contextmanager
    def batch(self):
        """Pages written inside are checked and rendered at its end, shared by two processes when
        there are many (they are independent: each reads the same context and writes its own
        file); the second process's share is collected by `join`. The generator must not change
        its context inside: pages see it as it is at the end. Inside another batch, the outer one
        renders them."""
        opened = self.start_batch()
        try:
            yield
        except BaseException:
            self._jobs = None
            raise
        if opened:
            self.finish_batch()

    def start_batch(self) -> bool:
        """Start a batch (see `batch`) where a generator gives no place for a `with`: a signal before
        its first page, `finish_batch` in one after its last. False if one is already open."""
        if self._jobs is not None:
            return False
        self._jobs = []
        return True

    def finish_batch(self) -> None:
        jobs, self._jobs = self._jobs, None
        if jobs:
            self._render_all(jobs)

    def _render_all(self, jobs: list) -> None:
        least = int(os.environ.get("PORTAL_PARALLEL_MIN_PAGES") or PARALLEL_MIN_PAGES)  # the tests lower it
        if len(jobs) < max(least, 2) or not can_fork():
            for job in jobs:
                self._write(job)
            return
        # Split by a hash of each page's name, not by turns: generators write pages in patterns (a
        # procedure's page, then its light poster page), which turns would put all on one side.
        # The second process takes more than half: this one has the rest of the build to do
        # while it finishes (its share is collected by `join`, before `finalized` reads the pages).
        mine, theirs = [], []
        for job in jobs:
            (theirs if zlib.crc32(job[0].encode("utf-8")) % 100 < SECOND_SHARE else mine).append(job)

        known = len(self.pairs)  # the pairs both processes have; the second one's new pairs go back

        def write_theirs():  # in the second process: its share, and what it recorded
            self.new, self.rendered, self.reused, self.reused_names = {}, 0, 0, set()
            before = set(self._written_files)
            for job in theirs:
                self._write(job)
            wholes = {key: d for key, d in self.digests.attrs.items() if key[1] is None}  # items' digests
            return (self.new, self.rendered, self.reused, self.reused_names, set(self._written_files) - before,
                    wholes, known, self.pairs[known:])

        other = Background(write_theirs)
        try:
            for job in mine:
                self._write(job)
        except BaseException:
            try:
                other.result()  # no second process left behind
            except RuntimeError:
                pass  # this process's error is the one to report
            raise
        self._pending.append(other)

    def join(self) -> None:
        """Collect what the second processes of the batches rendered and recorded (`finalize` does,
        before it reads the pages). A page both wrote is Pelican's error for a page written twice."""
        while self._pending:
            records, rendered, reused, reused_names, written, wholes, known, pairs = self._pending.pop(0).result()
            twice = sorted(written & self._written_files)
            if twice:
                raise RuntimeError(f"File {twice[0]} is to be overwritten")
            for key, d in wholes.items():
                self.digests.attrs.setdefault(key, d)
            if pairs:  # the pairs the second process added, at their places in this one's list
                places = array("I", range(known))
                places.extend(self._place(pair) for pair in pairs)
                for record in records.values():
                    record.attrs = array("I", map(places.__getitem__, record.attrs))
            self.new.update(records)
            self.rendered += rendered
            self.rendered_elsewhere += rendered
            self.reused += reused
            self.reused_names |= reused_names
            self._written_files.update(written)

    def _open_w(self, filename, encoding, override=False):
        # never write into a page taken from the previous release: it is that release's file too
        try:
            if os.stat(filename).st_nlink > 1:
                os.unlink(filename)
        except FileNotFoundError:
            pass
        return super()._open_w(filename, encoding, override)

    def _localcontext(self, name, context, kwargs) -> dict:
        local = context.copy()
        local["localsiteurl"] = local.get("localsiteurl", None)
        local["output_file"] = name
        local.update(kwargs)
        return local

    def _reuse(self, name, template, context, kwargs) -> bool:
        old = self.old.get(name)
        if old is None or self.previous is None:
            return False
        src = self.previous / name
        if not src.is_file() or src.is_symlink():
            return False
        local = self._localcontext(name, context, kwargs)
        env = template.environment
        names = {}
        for n in old.names:
            if n in local:
                names[n] = local[n]
            elif n in env.globals:
                names[n] = env.globals[n]
            else:
                names[n] = _MISSING
        try:
            calls = [(n, args, digest(self._call_again(env, local, n, args))) for n, args, _ in old.calls]
            key, _read = key_of(names, map(self.pairs.__getitem__, old.attrs), calls, self.digests, kept=old.read,
                                same=self._same_item)
        except Unknown:
            return False
        except Exception:  # a function that fails now: render, and let the template say why
            return False
        if key != old.key:
            if os.environ.get("PORTAL_RENDER_DEBUG"):
                self._explain(name, names, old)
            return False
        dest = Path(self.output_path) / name
        if dest.parent not in self.folders:
            dest.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(dest.parent)
        _link_or_copy(src, dest)
        self._written_files.add(str(dest))
        self.new[name] = old
        self.reused += 1
        self.reused_names.add(name)
        return True

    def _explain(self, name, names, old) -> None:
        parts = getattr(old, "parts", None) or {}
        now = {f"name:{n}": self.digests.value(v) for n, v in names.items()}
        for ref, attribute in map(self.pairs.__getitem__, old.attrs):
            try:
                now[f"attr:{ref}.{attribute}"] = self.digests.attr(ref, attribute)
            except Unknown as exc:
                now[f"attr:{ref}.{attribute}"] = repr(exc).encode()
        diff = [k for k in now if parts.get(k) != now[k]]
        print("DEBUG changed", name, diff[:8], file=sys.stderr)

    @staticmethod
    def _call_again(env, local, name, args):
        fn = local.get(name, env.globals.get(name))
        if fn is None or not callable(fn):
            raise Unknown("function gone")
        positional, keywords = args
        return fn(*[_given(a) for a in positional], **{k: _given(v) for k, v in keywords})

    def _render(self, name, template, context, relative_urls, paginated, template_name, override_output, url,
                kwargs):
        global _current
        reads = Reads()
        outer, _current = _current, reads
        try:
            result = super().write_file(name, template, context, relative_urls, paginated, template_name,
                                        override_output, url, **kwargs)
        finally:
            _current = outer
        self.rendered += 1
        if reads.unknown is not None and os.environ.get("PORTAL_RENDER_DEBUG"):
            print("DEBUG always", name, reads.unknown, file=sys.stderr)
        if reads.unknown is None:
            reads.attrs = _whole_items(reads.attrs)
            try:
                key, read = key_of(reads.names, reads.attrs, reads.calls, self.digests, recorded=True)
            except Unknown as exc:
                key = None
                if os.environ.get("PORTAL_RENDER_DEBUG"):
                    print("DEBUG always", name, "digest:", exc, file=sys.stderr)
            if key is not None:
                record = Record(tuple(reads.names), array("I", [self._place((ref_of(o), a)) for o, a in reads.attrs]),
                                tuple(reads.calls), key, read)
                if os.environ.get("PORTAL_RENDER_DEBUG"):
                    record.parts = {f"name:{n}": self.digests.value(v) for n, v in reads.names.items()}
                    record.parts.update({f"attr:{ref_of(o)}.{a}": self.digests.attr(ref_of(o), a, v)
                                         for (o, a), v in reads.attrs.items()})
                self.new[name] = record
        return result

    def _place(self, pair) -> int:
        place = self.places.get(pair)
        if place is None:
            place = self.places[pair] = len(self.pairs)
            self.pairs.append(pair)
        return place

    def _same_item(self, ref) -> bool:
        """Whether a content item is, as a whole, what the previous build saw: then every attribute
        of it reads the same (an item's attributes are its fields and what `prepare` set, all in
        its __dict__), and the digests recorded then stand for them."""
        same = self.same.get(ref)
        if same is None:
            then = self.old_items.get(ref)
            same = self.same[ref] = then is not None and self.digests.item(ref) == then
        return same

    def save(self, release: Path) -> None:
        """Keep the records for the next build (after `join`)."""
        if os.environ.get("PORTAL_RENDER_DEBUG"):
            print("DEBUG items the same:", sum(self.same.values()), "changed:", len(self.same) - sum(self.same.values()),
                  file=sys.stderr)
        _save(self.records_path, self.code, release, self.new, self._item_digests(), self.pairs)

    def _item_digests(self) -> dict:
        """The whole digest of every content item the pages read, for the next build's `_same_item`.
        Each is taken once per build, when first needed: items do not change while pages are
        written (generators compute in `generate_context`), and were one changed then by a page
        rendered, the same would happen in a clean build, whose bytes are what a reused page has."""
        items = {}
        pairs = self.pairs
        for ref in {pairs[i][0] for record in self.new.values() for i in record.attrs}:
            then = self.digests.item(ref)
            if then is not None:
                items[ref] = then
        return items


def _given(arg):
    kind, value = arg
    if kind == "item":
        from . import content

        item = content.current_store().get(value[0], value[1])
        if item is None:
            raise Unknown("item gone")
        return item
    return value


_writer: CachingWriter | None = None


def _records_path(settings, output_path) -> Path | None:
    folder = settings.get("CACHE_PATH")
    if not folder or not os.environ.get("PORTAL_PREVIOUS_ENABLED", "1") == "1":
        return None
    return Path(folder) / "portal-pages.pickle"


def _load(path: Path | None, code: str, previous: Path | None) -> tuple[dict, dict, list]:
    """The records of the previous release's pages, the digests of the items they read and the
    (item, attribute) pairs the records name (see `_save` for the file's parts)."""
    if path is None or previous is None:
        return {}, {}, []
    records: dict = {}
    try:
        with open(path, "rb") as f:
            version, stored_code, release, items, refs, names, pair_refs, pair_names = pickle.load(f)
            if version != VERSION or stored_code != code or Path(release).name != previous.name:
                return {}, {}, []
            pairs = [(refs[r], names[a]) for r, a in zip(array("I", pair_refs), array("I", pair_names))]
            while True:
                try:
                    chunk = pickle.load(f)  # each part has its own memo: a new unpickler each
                except EOFError:
                    break
                for name, names_read, attrs, calls, key, read, parts in chunk:
                    records[name] = Record(names_read, array("I", attrs), calls, key, read, parts)
    except (OSError, pickle.PickleError, ValueError, TypeError, AttributeError, ImportError, IndexError, EOFError):
        return {}, {}, []  # a cache only saves time
    return records, items, pairs


def _save(path: Path | None, code: str, release: Path, records: dict, items: dict, pairs: list) -> None:
    """The records in parts, each pickled with a memo of its own (one pickle of every record and
    pair kept a table of each object it wrote, 7 MB at 2,000 procedures). First the items' digests
    and the (item, attribute) pairs, as the items' references and the attributes' names with two
    lists of places in them; then the records by SAVE_CHUNK, each naming its pairs by place."""
    if path is None:
        return
    refs: dict = {}
    names: dict = {}
    pair_refs, pair_names = array("I"), array("I")
    for ref, attribute in pairs:
        pair_refs.append(refs.setdefault(ref, len(refs)))
        pair_names.append(names.setdefault(attribute, len(names)))

    def parts():
        yield (VERSION, code, str(release), items, list(refs), list(names), pair_refs.tobytes(),
               pair_names.tobytes())
        chunk = []
        for name, r in records.items():
            chunk.append((name, r.names, r.attrs.tobytes(), r.calls, r.key, r.read, r.parts))
            if len(chunk) == SAVE_CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    store_cache.write_pickles(path, parts())


def _link_or_copy(src: Path, dest: Path) -> None:
    import shutil

    try:
        os.link(src, dest)
    except FileExistsError:
        dest.unlink()
        _link_or_copy(src, dest)
    except OSError:
        shutil.copy2(src, dest)


# --- after the build: every other unchanged file from the previous release ---------------------
def link_unchanged(output: Path, previous: Path | None) -> tuple[int, int]:
    """Replace each file of `output` whose bytes equal the previous release's file of the same
    path by a hard link to it. Returns (files linked, files compared)."""
    if previous is None or not previous.is_dir():
        return 0, 0
    linked = compared = 0
    out, prev = str(output), str(previous)
    for dirpath, _dirs, files in os.walk(out):  # plain strings: pathlib was most of the time here
        old_dir = prev + dirpath[len(out):]
        for fname in files:
            new, old = os.path.join(dirpath, fname), os.path.join(old_dir, fname)
            try:
                st_new, st_old = os.lstat(new), os.lstat(old)
            except OSError:
                continue
            if st_new.st_ino == st_old.st_ino or not _regular(st_new) or not _regular(st_old):
                continue
            if st_new.st_size != st_old.st_size:
                continue
            compared += 1
            if _same_bytes(new, old):
                tmp = os.path.join(dirpath, f".{fname}.link-{os.getpid()}")
                try:
                    os.link(old, tmp)
                    os.replace(tmp, new)
                    linked += 1
                except OSError:
                    if os.path.lexists(tmp):
                        os.unlink(tmp)
    return linked, compared


def _regular(st) -> bool:
    import stat

    return stat.S_ISREG(st.st_mode)


def _same_bytes(a, b) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 16), fb.read(1 << 16)
            if x != y:
                return False
            if not x:
                return True


def batch(writer):
    """`with batch(writer):` renders the pages written inside in parallel, at its end, when the
    writer is the caching one (else as they are written)."""
    return writer.batch() if isinstance(writer, CachingWriter) else contextlib.nullcontext()


def start_batch() -> None:
    """`CachingWriter.start_batch` on this build's writer, when it is the caching one."""
    if _writer is not None:
        _writer.start_batch()


def finish_batch(writer) -> None:
    if isinstance(writer, CachingWriter):
        writer.finish_batch()


def get_writer(pelican):
    """The caching writer, unless PORTAL_RENDER_CACHE=0 (then Pelican's own: everything rendered)."""
    return CachingWriter if os.environ.get("PORTAL_RENDER_CACHE", "1") != "0" else None


def current_writer() -> CachingWriter | None:
    return _writer


def previous_release() -> Path | None:
    """The release this build replaces (tasks.pelican names it), when there is one."""
    value = os.environ.get("PORTAL_PREVIOUS")
    return Path(value) if value and Path(value).is_dir() else None
