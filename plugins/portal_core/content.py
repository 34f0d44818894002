"""The content store: every content type read, validated and cross-checked in one pass.

A content-type plugin describes its files with a `ContentType` and declares it in its `register()`
(`portal_core.registry.register_type`); the store reads them all, checks each file against the type's JSON
Schema, runs the cross-checks no schema can make, and reports every problem at once.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import multiprocessing
import os
import re
import stat
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import fastjsonschema
import jsonschema
import markdown as markdown_lib
from markupsafe import Markup

from .frontmatter import (
    FrontMatterError,
    line_of,
    read_markdown_file,
    read_text,
    read_yaml_file,
    to_json,
)
from . import sanitize
from . import registry
from .registry import ContentType, content_types
from .store_cache import StoreCache
from .text import as_date, is_slug, slugify

# Reading, checking and rendering files is shared out between processes on a multi-core machine
# when a content type has at least this many files to read (fewer: a process costs more than it
# saves); PORTAL_PARALLEL=0 in the environment turns it off.
PARALLEL_MIN_FILES = 300


@dataclass
class Problem:
    """One thing wrong (or worth a warning) in one file."""

    file: str
    message: str
    field: str = ""
    line: int | None = None
    label: str = ""  # the field as the editor sees it in the browser form ("Thành phần hồ sơ › Mẫu đơn")

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        shown = f" («{self.label}» trong biểu mẫu)" if self.label else ""
        what = f"trường '{self.field}'{shown}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class ContentError(Exception):
    """Invalid content: the build stops and says everything that is wrong."""

    exitcode = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        lines = [f"Nội dung không hợp lệ: {n} lỗi. Sửa các lỗi sau rồi chạy lại (trang web cũ được giữ nguyên):"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


FORMAT_CHECKER = jsonschema.FormatChecker()


FIRST_YEAR, LAST_YEAR = 1990, 2100  # a date outside is a typing mistake, on any build day


@FORMAT_CHECKER.checks("date-or-datetime", raises=ValueError)
def _date_or_datetime(value) -> bool:
    if isinstance(value, str):
        _in_range(dt.datetime.fromisoformat(value))
    return True


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _date(value) -> bool:
    if isinstance(value, str):
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise ValueError(value)
        _in_range(dt.date.fromisoformat(value))
    return True


class DateOutOfRange(ValueError):
    pass


def _in_range(day) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DateOutOfRange(day)


_current: "Store | None" = None


def current_store() -> "Store":
    if _current is None:
        raise RuntimeError("portal_core: the content store is not loaded yet")
    return _current


class Item:
    """One content item. The fields its type's schema declares read as attributes (None when the
    file does not give them); what `prepare` sets is an ordinary attribute; any other name raises
    AttributeError, so that a misspelt name fails instead of reading None."""

    def __init__(self, type_name: str, slug: str, source: str, data: dict, body: str = "", body_line: int = 1,
                 fields: frozenset = frozenset()):
        self.type = type_name
        self.slug = slug
        self.source = source  # path relative to the content folder's parent, for messages
        self.data = data
        self.body = body
        self.body_line = body_line
        self.body_html = ""
        self._fields = fields

    def __getattr__(self, name):
        d = self.__dict__
        if name.startswith("_") or "data" not in d:
            raise AttributeError(name)
        if name in d["data"]:
            return d["data"][name]
        if name in d.get("_fields", ()):
            return None
        raise AttributeError(f"{d.get('type')} '{d.get('slug')}' has no field or attribute '{name}'")

    def __repr__(self) -> str:
        return f"<{self.type} {self.slug}>"


_TYPE_WORDS = {
    "string": "một đoạn chữ",
    "integer": "một số nguyên",
    "number": "một số",
    "boolean": "true hoặc false",
    "array": "một danh sách (mỗi mục một dòng bắt đầu bằng '- ')",
    "object": "một nhóm trường con",
    "null": "để trống",
}


QUOTE_HINT = "hãy viết giá trị trong dấu nháy để giữ đúng như đã gõ"


def _written_value(full: Path, line: int | None) -> str:
    """The value as typed on a line `key: value` (or `- value`) of a file."""
    if not line:
        return ""
    try:
        text = full.read_text(encoding="utf-8").split("\n")[line - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return ""
    value = text.split(":", 1)[1] if ":" in text else text.lstrip().removeprefix("- ")
    return value.split(" #", 1)[0].strip()


def _field_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: jsonschema.ValidationError) -> tuple[tuple, str]:
    """A plain Vietnamese message and the field path it is about."""
    path = tuple(err.absolute_path)
    custom = err.schema.get("x-error") if isinstance(err.schema, dict) else None
    v = err.validator
    inst = err.instance
    if v == "required":
        missing = [k for k in err.validator_value if not isinstance(inst, dict) or k not in inst]
        return path + (missing[0],) if missing else path, "thiếu trường bắt buộc"
    if v == "additionalProperties":
        extra = sorted(set(inst) - set(err.schema.get("properties", {})))
        names = ", ".join(extra)
        return path + (extra[0],) if extra else path, (
            f"trường không được hỗ trợ: {names} (kiểm tra chính tả tên trường)"
        )
    if v == "type" and "string" in (err.validator_value if isinstance(err.validator_value, list)
                                     else [err.validator_value]) and isinstance(inst, (int, float, bool)):
        return path, f"phải là {_TYPE_WORDS['string']}; {QUOTE_HINT}"  # completed with the text as written
    if custom:
        return path, f"{custom} (giá trị: {inst!r})" if not isinstance(inst, (dict, list)) else custom
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " hoặc ".join(_TYPE_WORDS.get(t, t) for t in want)
        return path, f"phải là {words} (đang là {inst!r})"
    if v == "enum" or v == "const":
        allowed = err.validator_value if v == "enum" else [err.validator_value]
        return path, f"giá trị {inst!r} không hợp lệ; chỉ nhận: " + ", ".join(map(str, allowed))
    if v == "format" and err.validator_value in ("date", "date-or-datetime"):
        if isinstance(err.cause, DateOutOfRange):
            return path, f"ngày {inst} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}; kiểm tra lại năm"
        return path, f"{inst!r} không phải là ngày hợp lệ (viết theo dạng YYYY-MM-DD, ví dụ 2025-07-01)"
    if v == "format":
        return path, f"{inst!r} không đúng định dạng {err.validator_value}"
    if v == "pattern":
        return path, f"{inst!r} không đúng định dạng"
    if v == "minLength":
        return path, "không được để trống"
    if v == "minItems":
        return path, f"cần ít nhất {err.validator_value} mục"
    if v == "uniqueItems":
        return path, "có mục bị lặp lại"
    if v == "minimum":
        return path, f"phải lớn hơn hoặc bằng {err.validator_value} (đang là {inst!r})"
    if v == "maximum":
        return path, f"phải nhỏ hơn hoặc bằng {err.validator_value} (đang là {inst!r})"
    if v in ("oneOf", "anyOf"):
        return path, f"giá trị {inst!r} không hợp lệ"
    return path, err.message


class Store:
    """Everything the site is built from, loaded once per build."""

    def __init__(self, content_path: Path, settings: dict):
        self.path = Path(content_path)
        self.settings = settings
        from .site import parse_moment

        # the build's moment in Vietnam (a date alone means the end of that day) and its day
        self.now: dt.datetime = parse_moment(settings["PORTAL_TODAY"])
        self.today: dt.date = self.now.date()
        self.items: dict[str, list[Item]] = {}
        self.by_slug: dict[str, dict[str, Item]] = {}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.memo: dict = {}  # what plugins compute once per build from the content (see offices.accepting)
        self._markdown = None
        self._cache: StoreCache | None = None  # files already read by an earlier build (load())
        self._base: Path | None = None

    # --- helpers for plugins -------------------------------------------------------------
    def rel(self, path: Path) -> str:
        if self._base is None:
            self._base = self.path.resolve().parent
            self._inside = (str(self.path) + os.sep, self.path.resolve().name + os.sep)
        path = str(path)
        if path.startswith(self._inside[0]) and "/.." not in path and "/./" not in path:  # a file the
            return self._inside[1] + path[len(self._inside[0]):]  # store found: no resolving
        try:
            return str(Path(path).resolve().relative_to(self._base))
        except ValueError:
            return path

    def error(self, item_or_file, message: str, field: str = "", path: tuple | None = None):
        """Record a cross-check error about an item's field (line found from the field path)."""
        self.problems.append(self._problem(item_or_file, message, field, path))

    def warn(self, item_or_file, message: str, field: str = "", path: tuple | None = None, line=None):
        p = self._problem(item_or_file, message, field, path)
        if line:
            p.line = line
        self.warnings.append(p)

    def _problem(self, item_or_file, message, field, path):
        if isinstance(item_or_file, Item):
            source = item_or_file.source
            full = self.path.parent / source
            first = 2 if full.suffix == ".md" else 1
            keys = path if path is not None else tuple(field.split(".")) if field else ()
            line = line_of(full, keys, first_line=first) if keys else None
            if getattr(item_or_file, "_line", None) is not None:  # a CSV row
                line = item_or_file._line
            elif getattr(item_or_file, "_index", None) is not None:
                line = line_of(full, item_or_file._index + keys, first_line=1)
            ct = registry.content_type(item_or_file.type)
            return Problem(source, message, field, line, registry.field_label(ct.schema, field) if ct else "")
        return Problem(str(item_or_file), message, field)

    def get(self, type_name: str, slug: str) -> Item | None:
        return self.by_slug.get(type_name, {}).get(slug)

    def __getitem__(self, type_name: str) -> list[Item]:
        return self.items.get(type_name, [])

    def markdown(self, text: str) -> str:
        """An editor's Markdown as HTML, cleaned to the allow-list of sanitize.py: safe to put in a
        page unescaped (everything else in templates is escaped: autoescape)."""
        return Markup(sanitize.clean(self.markdown_unsafe(text)))

    def markdown_unsafe(self, text: str) -> str:
        """The Markdown renderer's own HTML, before cleaning (only to tell editors what was removed)."""
        if self._markdown is None:
            config = dict(self.settings.get("MARKDOWN", {}))
            # as Pelican's own Markdown reader does: every extension that has a configuration is on
            config["extensions"] = list(dict.fromkeys([*config.get("extensions", []),
                                                       *config.get("extension_configs", {})]))
            self._markdown = markdown_lib.Markdown(**config)
        self._markdown.reset()
        return self._markdown.convert(text)

    # --- loading ---------------------------------------------------------------------------
    def load(self) -> "Store":
        checks = sorted((name, func) for name, (func, _) in FORMAT_CHECKER.checkers.items())
        self._cache = StoreCache.for_store(self, content_types(), checks)
        self._check_files()
        for ct in content_types():
            self._load_type(ct)
        if self._cache:  # before prepare(), which may change items' data
            self._cache.save()
        if not self.problems:
            from .site import site_settings

            self.settings.update(site_settings(self))
            for ct in content_types():
                if ct.prepare:
                    for item in self.items[ct.name]:
                        ct.prepare(item, self)
            for ct in content_types():
                if ct.cross_check:
                    ct.cross_check(self)
            sanitize.warn_removed(self, self.markdown_unsafe)
        if self.problems:
            raise ContentError(self.problems)
        return self

    def _check_files(self) -> None:
        """Only regular files inside the content folder are read or published: a symbolic link (to
        /etc/passwd, to .git/config…) or a device, pipe or socket anywhere in it stops the build.
        Hidden files and folders (.git, .DS_Store) are neither read nor published, so not looked at."""
        for folder, dirs, files in os.walk(self.path, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            for name in sorted(dirs) + sorted(files):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                try:
                    mode = os.lstat(path).st_mode
                except OSError:
                    continue
                if stat.S_ISLNK(mode):
                    target = os.readlink(path)
                    self.problems.append(Problem(self.rel_link(path), (
                        f"là liên kết tượng trưng (symbolic link) tới {target}; trang web chỉ đăng tệp thật nằm "
                        "trong thư mục nội dung: hãy chép chính tệp vào đây thay cho liên kết")))
                elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                    self.problems.append(Problem(self.rel_link(path), (
                        "không phải là tệp thông thường (thiết bị, pipe hoặc socket); hãy xóa nó khỏi thư mục nội dung")))

    def rel_link(self, path: Path) -> str:
        """`rel` of a path without following a link at its end."""
        return str(Path(self.rel(path.parent)) / path.name)

    def _load_type(self, ct: ContentType) -> None:
        self.items[ct.name] = []
        self.by_slug[ct.name] = {}
        validator = ct.validator()
        if ct.folder is not None:
            folder = self.path / ct.folder
            files = sorted(folder.rglob("*.md")) if folder.is_dir() else []
            done = self._read_in_parallel(ct, validator, files)
            for f in files:
                self._load_markdown(ct, validator, f, done.get(f))
        elif ct.file is not None:
            f = self.path / ct.file
            if f.exists():
                if f.suffix == ".csv":
                    self._load_csv(ct, validator, f)
                else:
                    self._load_yaml(ct, validator, f)

    def _check(self, ct, validator, data, source: str, full: Path, first_line: int, index=None) -> bool:
        problems = self._schema_problems(validator, data, source, full, first_line, index)
        self.problems += problems
        return not problems

    def _schema_problems(self, validator, data, source: str, full: Path, first_line: int, index=None):
        data = to_json(data)
        fast = _fast_validator(validator.schema)
        if fast is not None and fast(data):
            return []  # the common case: a compiled check, many times quicker than jsonschema's
        errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        problems = []
        for err in errors:
            fpath, msg = _message(err)
            keys = (tuple(index) if index is not None else ()) + fpath
            line = line_of(full, keys, first_line=first_line)
            if msg.endswith(QUOTE_HINT):  # a code written as a number: quote what the editor wrote
                written = _written_value(full, line)
                msg += f": '{written}'" if written else ""
            problems.append(Problem(source, msg, _field_path(fpath), line,
                                    registry.field_label(validator.schema, _field_path(fpath))))
        return problems

    def _read_file(self, ct: ContentType, validator, f: Path):
        """What loading a file needs from that file alone: ((data, body, body_line, body_html) or
        None, problems). Worker processes run this for `_read_in_parallel`."""
        try:
            data, body, body_line = read_markdown_file(f)
        except FrontMatterError as exc:
            return None, [Problem(self.rel(f), exc.message, "", exc.line)]
        problems = self._schema_problems(validator, data, self.rel(f), f, 2)
        html = self.markdown(body) if ct.render_body and not problems else ""
        return (data, body, body_line, html), problems

    def _read_in_parallel(self, ct: ContentType, validator, files) -> dict:
        """{file: _read_file(...)} for the files no cache holds, read by several processes, or {}
        (then each file is read in turn). Problems come out in the same order either way."""
        global _forked
        n = min(os.cpu_count() or 1, 4)
        todo = [f for f in files if not (self._cache and self._cache.get(ct.name, f))]
        if n < 2 or len(todo) < PARALLEL_MIN_FILES or os.environ.get("PORTAL_PARALLEL") == "0":
            return {}
        chunks = [todo[i::n] for i in range(n)]
        _forked = (self, ct, validator)  # the workers are forked from this process and read it
        try:
            with ProcessPoolExecutor(n - 1, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(_read_in_worker, chunk) for chunk in chunks[1:]]
                done = {f: self._read_file(ct, validator, f) for f in chunks[0]}
                for chunk, future in zip(chunks[1:], futures):
                    done.update(zip(chunk, future.result()))
            return done
        except (OSError, BrokenProcessPool):  # no processes here: read in turn
            return {}
        finally:
            _forked = None

    def _load_markdown(self, ct: ContentType, validator, f: Path, read=None) -> None:
        source = self.rel(f)
        slug = f.stem
        # An unchanged file that loaded without problems last time: read, checked, rendered.
        cached = self._cache.get(ct.name, f) if self._cache else None
        warnings = len(self.warnings)
        schema_problems = []
        if cached:
            data, body, body_line, body_html = cached
        else:
            loaded, schema_problems = read if read is not None else self._read_file(ct, validator, f)
            if loaded is None:  # the front matter could not be read at all
                self.problems += schema_problems
                return
            data, body, body_line, body_html = loaded
        ok = True
        if not is_slug(slug):
            ok = False
            hint = f"; hãy đổi tên thành {slugify(slug)}.md" if slugify(slug) else ""
            self.problems.append(Problem(
                source, f"tên tệp '{f.name}' phải là chữ thường không dấu, số và dấu '-' (ví dụ dang-ky-khai-sinh.md); tên tệp là đường dẫn của trang{hint}"))
        elif slug in ct.reserved():
            ok = False
            self.problems.append(Problem(
                source, f"tên tệp '{slug}' trùng với một đường dẫn dành riêng của trang web; hãy đặt tên khác"))
        elif slug in self.by_slug[ct.name]:
            ok = False
            other = self.by_slug[ct.name][slug].source
            self.problems.append(Problem(source, f"tên tệp '{slug}' đã được dùng bởi {other}"))
        self.problems += schema_problems
        if schema_problems or not ok:
            return
        item = Item(ct.name, slug, source, data, body, body_line, ct.fields)
        self.items[ct.name].append(item)
        self.by_slug[ct.name][slug] = item
        if ct.render_body:
            item.body_html = body_html
        if self._cache and not cached and len(self.warnings) == warnings:
            self._cache.put(ct.name, f, (data, body, body_line, item.body_html))

    def _load_csv(self, ct: ContentType, validator, f: Path) -> None:
        """A CSV file (UTF-8, a header row): one item per row, each row checked against the schema
        as an object of its columns (an empty cell is an absent field); problems name the line and
        the column."""
        source = self.rel(f)
        text = self._read_whole(f, lambda path: read_text(path, CSV_MAX_BYTES))
        if text is _UNREADABLE:
            return
        reader = csv.reader(io.StringIO(text))
        try:
            header = [h.strip() for h in next(reader, [])]
        except csv.Error as exc:
            self.problems.append(Problem(source, f"không đọc được dòng tiêu đề CSV: {exc}", "", 1))
            return
        props = ct.schema.get("properties") or {}
        unknown = [h for h in header if h not in props]
        missing = [name for name in ct.schema.get("required", []) if name not in header]
        for h in unknown:
            self.problems.append(Problem(source, f"cột '{h}' không được hỗ trợ; các cột: {', '.join(props)}", h, 1))
        for name in missing:
            self.problems.append(Problem(source, "thiếu cột bắt buộc trong dòng tiêu đề", name, 1))
        if unknown or missing:
            return
        fast = _fast_validator(ct.schema)
        convert = {h: _csv_converter(props[h].get("type")) for h in header}
        fields = ct.fields
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.problems.append(Problem(source, f"dòng CSV không đọc được: {exc}", "", reader.line_num))
                continue
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines
            if len(row) != len(header):
                self.problems.append(Problem(
                    source, f"dòng có {len(row)} ô nhưng dòng tiêu đề có {len(header)} cột", "", line))
                continue
            data = {}
            for h, cell in zip(header, row):
                cell = cell.strip()
                if cell:
                    data[h] = convert[h](cell)
            if fast is not None and fast(data):
                errors = []  # the common case: a compiled check, ~50 times quicker than jsonschema's
            else:
                errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
            if errors:
                for err in errors:
                    fpath, msg = _message(err)
                    self.problems.append(Problem(source, msg, _field_path(fpath), line))
                continue
            item = Item(ct.name, str(line), source, data, fields=fields)
            item._line = line
            self.items[ct.name].append(item)
            self.by_slug[ct.name][item.slug] = item

    def _read_whole(self, f: Path, read):
        """read(f), or _UNREADABLE with the problem recorded (not UTF-8, YAML syntax…)."""
        try:
            return read(f)
        except FrontMatterError as exc:
            self.problems.append(Problem(self.rel(f), exc.message, "", exc.line))
            return _UNREADABLE

    def _load_yaml(self, ct: ContentType, validator, f: Path) -> None:
        source = self.rel(f)
        data = self._read_whole(f, read_yaml_file)
        if data is _UNREADABLE:
            return
        if ct.list_key:
            key = ct.list_key
            if isinstance(data, list):  # the format before the browser editor: still read, with a hint
                self.warnings.append(Problem(source, (
                    f"tệp là một danh sách trần: hãy thêm dòng '{key}:' ở đầu tệp và thụt lề các mục "
                    "bên dưới (trình soạn thảo trên trình duyệt chỉ sửa được dạng này)"), "", 1))
                data, prefix = {key: data}, ()
            else:
                prefix = (key,)
            if data is None:
                data = {}
            extra = sorted(set(data) - {key, "note"}) if isinstance(data, dict) else None
            if not isinstance(data, dict) or not isinstance(data.get(key, []), list) or extra:
                self.problems.append(Problem(source, (
                    f"tệp phải có dạng '{key}:' với danh sách các mục bên dưới (mỗi mục bắt đầu bằng '- '), "
                    f"và có thể thêm 'note:' (ghi chú cho người biên tập)"
                    + (f"; không biết trường {', '.join(map(str, extra))}" if extra else "")), "", 1))
                return
            if data.get("note") is not None and not isinstance(data["note"], str):
                self.problems.append(Problem(source, "'note' phải là một đoạn chữ", "note",
                                             line_of(f, ("note",), first_line=1)))
            for i, entry in enumerate(data.get(key) or []):
                if not self._check(ct, validator, entry, source, f, 1, index=prefix + (i,)):
                    continue
                name = entry.get("name", str(i)) if isinstance(entry, dict) else str(i)
                item = Item(ct.name, name, source, entry, fields=ct.fields)
                item._index = prefix + (i,)
                self.items[ct.name].append(item)
                self.by_slug[ct.name].setdefault(name, item)
        else:
            if data is None:
                data = {}
            if self._check(ct, validator, data, source, f, 1):
                item = Item(ct.name, f.stem, source, data, fields=ct.fields)
                self.items[ct.name].append(item)
                self.by_slug[ct.name][f.stem] = item


# JSON Schema keywords newer than draft 7, which fastjsonschema does not know (it would ignore them)
_NEWER_KEYWORDS = ("dependentRequired", "dependentSchemas", "prefixItems", "unevaluatedProperties",
                   "unevaluatedItems", "minContains", "maxContains", "$anchor", "$dynamicRef", "$dynamicAnchor")
_FAST: dict[int, tuple] = {}  # id(schema) -> (schema, check): schemas live as long as the build


class _FastCheck:
    """fastjsonschema's compiled check of a schema, for the items that are right (nearly all):
    `check(data)` is True when the data is valid, False when jsonschema must look (it gives the
    messages). fastjsonschema counts 1.0 as an integer, which jsonschema here refuses: data holding
    a float goes to jsonschema when the schema has integers. Formats are this module's checks."""

    def __init__(self, compiled, integers: bool):
        self.compiled, self.integers = compiled, integers

    def __call__(self, data) -> bool:
        if self.integers and _has_float(data):
            return False
        try:
            self.compiled(data)
            return True
        except fastjsonschema.JsonSchemaException:
            return False


def _has_float(value) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def _format(func, raises):
    def check(value) -> bool:
        try:
            return bool(func(value))
        except raises:
            return False
    return check


def _fast_validator(schema: dict):
    """The schema's `_FastCheck`, compiled once; None when fastjsonschema cannot be trusted to read
    it as jsonschema does (keywords newer than draft 7, or it does not compile)."""
    kept = _FAST.get(id(schema))
    if kept is not None and kept[0] is schema:
        return kept[1]
    text = json.dumps(schema)
    check = None
    if not any(f'"{k}"' in text for k in _NEWER_KEYWORDS):
        formats = {name: _format(func, raises) for name, (func, raises) in FORMAT_CHECKER.checkers.items()}
        try:
            compiled = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$schema"}, formats=formats)
            check = _FastCheck(compiled, '"integer"' in text)
        except Exception:  # noqa: BLE001 - any schema it cannot compile: the slow path
            check = None
    _FAST[id(schema)] = (schema, check)
    return check


def major_changes(changes, today: dt.date) -> list[dict]:
    """An item's `changes` a reader should know about: major, and their day has come; newest first
    as {"date", "note"}. A minor change (a typo fixed) shows nowhere. Procedures and pages share it."""
    return sorted(({"date": as_date(c["date"]), "note": c["note"]} for c in changes or []
                   if c.get("major") and as_date(c["date"]) <= today), key=lambda c: c["date"], reverse=True)


def last_updated(updated: dt.date | None, majors: list[dict]) -> dt.date | None:
    """"Cập nhật lần cuối": the later of the last check (`updated`) and the last major change."""
    dates = [d for d in [updated] + [c["date"] for c in majors[:1]] if d]
    return max(dates) if dates else None


_UNREADABLE = object()
CSV_MAX_BYTES = 64 * 1024 * 1024  # a nightly export of every dossier of a province
_INTEGER = re.compile(r"^[+-]?\d+$")


def _csv_converter(kind):
    """The function that reads a column's cells (see _csv_value), chosen once per column."""
    kinds = kind if isinstance(kind, list) else [kind]
    if kinds == ["integer"]:
        def integer(text):
            digits = text[1:] if text[0] in "+-" else text
            return int(text) if digits.isascii() and digits.isdigit() else text
        return integer
    if kinds == ["string"]:
        return str
    return lambda text: _csv_value(text, kind)


def _csv_value(text: str, kind) -> object:
    """A CSV cell as the schema's type wants it: whole numbers and numbers when they read as such
    (otherwise the text, which the schema then refuses with a clear message)."""
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and _INTEGER.match(text):
        return int(text)
    if "boolean" in kinds and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if "number" in kinds:
        try:
            value = float(text)
        except ValueError:
            return text
        return value if math.isfinite(value) else text
    return text


_forked: tuple | None = None  # (store, content type, validator) while workers read files


def _read_in_worker(files) -> list:
    store, ct, validator = _forked
    return [store._read_file(ct, validator, f) for f in files]


def load_store(content_path, settings) -> Store:
    """Load and check all content; raises ContentError listing every problem."""
    global _current
    store = Store(Path(content_path), settings)
    _current = None
    store.load()
    _current = store
    return store


__all__ = ["ContentError", "ContentType", "Item", "Problem", "Store", "as_date", "content_types",
           "current_store", "load_store"]
