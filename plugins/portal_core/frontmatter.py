"""Read a content file: NFC text, a YAML front-matter block between `---` lines, a Markdown body."""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import yaml

try:  # libyaml is several times faster; the pure loader gives the same result
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """Safe loader that keeps dates as written ("2025-13-45" must reach validation, not crash)."""


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


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FrontMatterError(f"không đọc được tệp: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrontMatterError("tệp không phải UTF-8; hãy lưu lại với mã hóa UTF-8") from exc
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


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


def load_yaml(text: str, first_line: int = 1):
    """Parse YAML; a syntax error becomes FrontMatterError with the file's line number."""
    try:
        return nfc(yaml.load(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        problem = exc.problem or exc.context or "không đọc được"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            # e.g. an unclosed "[" is noticed a line later: say where it began too
            problem += f" ({exc.context}, bắt đầu ở dòng {exc.context_mark.line + first_line})"
        raise FrontMatterError(f"lỗi cú pháp YAML: {problem}", line) from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"lỗi cú pháp YAML: {exc}") from exc


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
