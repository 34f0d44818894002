"""`invoke new procedure|office|news "Tiêu đề"`: a new content file with every field to fill.

Each content type owns its template (`ContentType.new_template`, a file beside its plugin with
`{title}` and `{today}`); the file name follows the portal's one slug rule (portal_core.text)."""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import yaml

from . import registry
from .site import today_in_vietnam
from .text import slugify



def _yaml_text(text: str) -> str:
    """The title as YAML reads it back: quoted when it holds ': ', ' #' or other YAML syntax."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def kinds() -> dict:
    """{kind: content type} of the types that have a template, by their singular name."""
    return {ct.singular or ct.name: ct for ct in registry.content_types() if ct.new_template}


def new_item(kind: str, title: str, content: Path, today: str | None = None) -> Path:
    types = kinds()
    if kind not in types:
        raise SystemExit(f"Loại nội dung '{kind}' không có; chọn một trong: {', '.join(types)}")
    ct = types[kind]
    title = unicodedata.normalize("NFC", title.strip())
    slug = slugify(title)
    if not slug:
        raise SystemExit("Tiêu đề phải có ít nhất một chữ cái hoặc chữ số để đặt tên tệp.")
    path = content / ct.folder / f"{slug}.md"
    if path.exists():
        raise SystemExit(f"Tệp {path} đã có; hãy chọn tiêu đề khác hoặc sửa tệp đó.")
    path.parent.mkdir(parents=True, exist_ok=True)
    today = today or today_in_vietnam()
    dt.date.fromisoformat(today)
    template = Path(ct.new_template).read_text(encoding="utf-8")
    path.write_text(template.format(title=_yaml_text(title), today=today), encoding="utf-8")
    return path
