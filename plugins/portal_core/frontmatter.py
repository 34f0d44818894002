"""Read a content file: NFC text, a YAML front-matter block between `---` lines, a Markdown body.

YAML is read with the rules of YAML 1.2's core schema, which the browser editor (Decap CMS) writes:
`7:30` and `13:00` are text (YAML 1.1 read them as minutes), `yes`/`no`/`on`/`off` are text, `012`
is twelve; dates stay the text written, for validation to judge. Editors never need YAML's
anchors and aliases, which can make a small file expand without limit: they are refused, and so
are a key written twice in one mapping (YAML 1.1 lets the last silently win), numbers that are
not finite or not reasonable, nesting deeper than any schema allows, invisible control characters
(bidirectional overrides) and files larger than a content file can be.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from pathlib import Path

import yaml

try:  # libyaml is several times faster; the pure loader gives the same result
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

MAX_BYTES = 1024 * 1024  # a Markdown or YAML content file; CSV files may be larger (see read_text)
MAX_DEPTH = 12  # lists and maps inside each other: the deepest schema needs 4
MAX_INTEGER = 10 ** 12  # no count, code or target in the content comes near
# Control characters that are invisible or reorder text (C0/C1 controls but tab and line breaks,
# bidirectional overrides and isolates, the byte order mark inside a text).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


class _Loader(_Base):
    """Safe loader with YAML 1.2 core-schema scalars, no aliases and no duplicate keys."""

    yaml_implicit_resolvers: dict = {}

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "không dùng được tham chiếu YAML (anchor & và alias *): hãy viết lại giá trị",
                node.start_mark)
        return super().construct_object(node, deep)

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"trường '{key_node.value}' được viết hai lần; hãy giữ một (lần thứ hai ở dòng này)",
                        key_node.start_mark)
                seen[key_node.value] = key_node.start_mark.line
        return super().construct_mapping(node, deep)

    def flatten_mapping(self, node):
        pass  # YAML 1.2 has no merge key: `<<` is an ordinary (and unknown) field name


def _core_int(loader, node):
    text = loader.construct_scalar(node)
    sign, digits = (-1, text[1:]) if text[0] == "-" else (1, text.lstrip("+"))
    value = sign * (int(digits[2:], 8) if digits.startswith("0o") else int(digits[2:], 16) if digits.startswith("0x")
                    else int(digits, 10))
    if abs(value) > MAX_INTEGER:
        raise yaml.constructor.ConstructorError(None, None, f"số {text} quá lớn", node.start_mark)
    return value


def _core_float(loader, node):
    text = loader.construct_scalar(node)
    value = float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))  # YAML's .inf, .NaN…
    if not math.isfinite(value) or abs(value) > MAX_INTEGER:
        raise yaml.constructor.ConstructorError(None, None, f"{text} không phải là một số dùng được", node.start_mark)
    return value


for tag, pattern, first, construct in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF",
     lambda loader, node: loader.construct_scalar(node).lower() == "true"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789", _core_int),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789.", _core_float),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""], lambda loader, node: None),
):
    _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", re.compile(pattern), list(first))
    _Loader.add_constructor(f"tag:yaml.org,2002:{tag}", construct)
# Dates stay the text written ("2025-13-45" must reach validation, not crash).
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


class FrontMatterError(ValueError):
    """A file whose front matter cannot be read at all; `line` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def nfc(value):
    """Unicode NFC for every string inside a YAML value (lists and maps included)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """A content file as NFC text, refused when too large, not UTF-8 or holding invisible controls."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FrontMatterError(f"tệp quá lớn ({size // 1024} KB; tối đa {max_bytes // 1024} KB): "
                                   "hãy chia nội dung hoặc bỏ phần thừa")
        raw = path.read_bytes()
    except OSError as exc:
        raise FrontMatterError(f"không đọc được tệp: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrontMatterError("tệp không phải UTF-8; hãy lưu lại với mã hóa UTF-8") from exc
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    bad = _CONTROL.search(text)
    if bad:
        name = unicodedata.name(bad.group(0), f"U+{ord(bad.group(0)):04X}")
        raise FrontMatterError(f"có ký tự điều khiển vô hình {name} (U+{ord(bad.group(0)):04X}); hãy xóa nó "
                               "(thường do dán từ nơi khác)", text.count("\n", 0, bad.start()) + 1)
    return text


def split(text: str) -> tuple[str, str, int]:
    """Return (front matter, body, line number of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(
            "tệp phải bắt đầu bằng khối thông tin (front matter) giữa hai dòng '---'", 1
        )
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise FrontMatterError("khối thông tin đầu tệp không có dòng '---' kết thúc", 1)


def _depth(value) -> int:
    """How deep lists and maps nest in a value (iteratively: a deep value must not crash the check)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            if d > MAX_DEPTH:
                return d
            stack += [(x, d + 1) for x in (v.values() if isinstance(v, dict) else v)]
    return deepest


def load_yaml(text: str, first_line: int = 1):
    """Parse YAML; a syntax error becomes FrontMatterError with the file's line number."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except RecursionError:
        raise FrontMatterError("các danh sách, nhóm trường lồng nhau quá sâu", first_line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        problem = exc.problem or exc.context or "không đọc được"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            # e.g. an unclosed "[" is noticed a line later: say where it began too
            problem += f" ({exc.context}, bắt đầu ở dòng {exc.context_mark.line + first_line})"
        if isinstance(exc, yaml.constructor.ConstructorError) and exc.context is None:
            raise FrontMatterError(problem, line) from exc  # not a syntax error: what the value is
        raise FrontMatterError(f"lỗi cú pháp YAML: {problem}", line) from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"lỗi cú pháp YAML: {exc}") from exc
    if _depth(data) > MAX_DEPTH:
        raise FrontMatterError(f"các danh sách, nhóm trường lồng nhau quá sâu (quá {MAX_DEPTH} tầng)", first_line)
    return nfc(data)


def read_markdown_file(path: Path) -> tuple[dict, str, int]:
    """(metadata, markdown body, first body line) of a content file."""
    front, body, body_line = split(read_text(path))
    data = load_yaml(front, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("khối thông tin đầu tệp phải là các dòng 'tên_trường: giá trị'", 2)
    return data, body, body_line


def read_yaml_file(path: Path):
    return load_yaml(read_text(path), first_line=1)


def line_of(text_or_path, field_path: tuple, first_line: int = 2) -> int | None:
    """Line (1-based, in the file) of the node at `field_path` in a YAML document.

    Used only when reporting an error, so the second parse costs nothing on a good build.
    `field_path` is a tuple of keys and indexes; the deepest existing node is used.
    """
    text = text_or_path
    if isinstance(text_or_path, Path):
        try:
            text = read_text(text_or_path)
            if first_line == 2:
                text = split(text)[0]
        except FrontMatterError:
            return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line
    for key in field_path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    child, line = v, k.start_mark.line
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line
        if child is None:
            break
        node = child
    return line + first_line


def to_json(value):
    """Dates become ISO strings so that a JSON Schema can check them (and the JSON API can use them)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value
