"""Helpers (no tests) for the news, roadmap, home and editor tests: small content folders written
in tmp_path, so that each publishing rule is tested on exactly the items it is about."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from conftest import DATA

MINIMAL = DATA / "minimal"


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def shift(text: str, days: int) -> str:
    return (day(text) + dt.timedelta(days=days)).isoformat()


def small_content(tmp_path: Path, keep_news=False, keep_roadmap=False) -> Path:
    """A copy of the foundation's minimal content folder, without its news and roadmap."""
    dest = tmp_path / "content"
    shutil.copytree(MINIMAL, dest)
    if not keep_news:
        shutil.rmtree(dest / "news")
        (dest / "news").mkdir()
    if not keep_roadmap:
        shutil.rmtree(dest / "roadmap")
        (dest / "roadmap").mkdir()
    return dest


def front_matter_file(path: Path, data: dict, body: str = "Nội dung.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{text}---\n{body}\n", encoding="utf-8")
    return path


def write_news(content: Path, slug: str, *, date: str, title: str | None = None, category="tin-tuc",
               status="published", expires: str | None = None, pinned: bool | None = None,
               tags=(), summary: str | None = None, sample: bool | None = None, body="Nội dung tin.") -> Path:
    data = {"title": title or f"Tin {slug}", "date": date, "category": category}
    if tags:
        data["tags"] = list(tags)
    data["summary"] = summary or f"Tóm tắt của {slug}."
    data["status"] = status
    if expires:
        data["expires"] = expires
    if pinned is not None:
        data["pinned"] = pinned
    if sample is not None:
        data["sample"] = sample
    return front_matter_file(content / "news" / f"{slug}.md", data, body)


def write_office(content: Path, slug: str, *, kind: str, opened: str, merged_on: str | None = None,
                 closed_on: str | None = None, sample: bool = False) -> Path:
    data = {
        "name": f"Địa điểm {slug}", "kind": kind, "address": "Số 1, đường Thử", "ward": "Phú Cường",
        "lat": 10.98, "lon": 106.65,
        "hours": [{"days": "mon-fri", "open": "07:30", "close": "17:00"}],
        "accepts": "all", "opened": opened,
    }
    if merged_on:
        data["merged_into"] = "trung-tam-tinh"
        data["merged_on"] = merged_on
    if closed_on:
        data["closed_on"] = closed_on
    if sample:
        data["sample"] = True
    return front_matter_file(content / "offices" / f"{slug}.md", data, "Đường đi: thử.")


def write_phase(content: Path, slug: str, *, phase: int, start: str, end: str, targets: dict | None = None,
                title: str | None = None, body: str | None = None, target_labels: dict | None = None,
                **extra) -> Path:
    """A phase file; `targets` {name: value} and `target_labels` {name: label} become the file's
    list of targets ({name, value, label})."""
    data = {"phase": phase, "title": title or f"Giai đoạn thử {phase}", "start": start, "end": end}
    if targets:
        data["targets"] = [{"name": k, "value": v, **({"label": target_labels[k]} if k in (target_labels or {}) else {})}
                           for k, v in targets.items()]
    data.update(extra)
    return front_matter_file(content / "roadmap" / f"{slug}.md", data, body or f"Việc làm của giai đoạn {phase}.")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def listed_links(page: Path, selector: str = ".news-list h2 a") -> list[str]:
    return [a["href"] for a in soup(page).select(selector)]


def read_front_matter(path: Path) -> dict:
    """A content file's front matter, read here with plain PyYAML (not with the code under test)."""
    text = Path(path).read_text(encoding="utf-8")
    _, front, _ = text.split("---", 2)
    return yaml.safe_load(front)
