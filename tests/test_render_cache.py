"""Incremental builds are always right: after each edit of every content type, of a template and of
a setting, the build that takes unchanged pages from the previous release gives exactly the bytes of
a clean full build; unchanged files stay the previous release's files (same inode, same time)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

TODAY = "2025-10-15"
PROJECT_FILES = ("plugins", "theme", "pelicanconf.py", "publishconf.py", "tasks.py")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project's code (so that a test may edit a template) and of the sample content."""
    base = tmp_path_factory.mktemp("render-cache")
    code = base / "code"
    code.mkdir()
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, code / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, code / name)
    (code / "node_modules").symlink_to(ROOT / "node_modules")
    shutil.copytree(ROOT / "content", base / "content")
    return base


def _build(project: Path, output: Path, env: dict | None = None, elsewhere: list | None = None) -> tuple[int, int]:
    invoke = ROOT / ".venv" / "bin" / "invoke"
    proc = subprocess.run([str(invoke) if invoke.exists() else "invoke", "build", "--content", str(project / "content"),
                           "--output", str(output), "--today", TODAY],
                          cwd=project / "code", capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PORTAL_STRICT_TEMPLATES": "1", **(env or {})})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    m = re.search(r"Trang: (\d+) trang tạo mới, (\d+) trang giữ nguyên", proc.stdout)
    assert m, proc.stdout
    if elsewhere is not None:
        second = re.search(r"Trang do tiến trình thứ hai tạo: (\d+)", proc.stdout)
        elsewhere.append(int(second.group(1)) if second else 0)
    return int(m.group(1)), int(m.group(2))


def _files(root: Path) -> dict[str, Path]:
    root = Path(os.path.realpath(root))
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def _same_as_clean_build(project: Path, incremental: Path, n: int) -> None:
    clean = project / f"clean-{n}"
    _build(project, clean)
    mine, theirs = _files(incremental), _files(clean)
    assert sorted(mine) == sorted(theirs)
    differ = [name for name in mine if mine[name].read_bytes() != theirs[name].read_bytes()]
    assert differ == []
    shutil.rmtree(Path(os.path.realpath(clean)).parent)  # its releases folder
    (project / f"clean-{n}").unlink()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_kind_of_change_builds_the_same_bytes_as_a_clean_build(project):
    content, code, site = project / "content", project / "code", project / "site"
    rendered, reused = _build(project, site)
    assert reused == 0 and rendered > 100
    previous = Path(os.path.realpath(site))
    page = "thu-tuc/dang-ky-khai-sinh/index.html"

    # nothing changed: every page is the previous release's file
    rendered, reused = _build(project, site)
    assert rendered == 0 and reused > 100
    now = Path(os.path.realpath(site))
    assert now != previous and os.path.samefile(now / page, previous / page)
    index = json.loads((now / "static/search/manifest.json").read_text(encoding="utf-8"))["procedures"].lstrip("/")
    assert os.path.samefile(now / (index + ".br"), previous / (index + ".br"))  # not compressed again

    steps = [
        # a procedure: a document's name (its page, journeys, search), another's title (listings)
        lambda: (_edit(content / "procedures/dang-ky-khai-sinh.md", "name: Tờ khai đăng ký khai sinh",
                       "name: Tờ khai đăng ký khai sinh (mẫu mới)"),
                 _edit(content / "procedures/cap-the-can-cuoc.md", "title: Cấp thẻ căn cước",
                       "title: Cấp thẻ căn cước lần đầu")),
        # new files: a procedure and an office
        lambda: (shutil.copy(content / "procedures/khai-bao-tam-vang.md", content / "procedures/khai-bao-tam-vang-2.md"),
                 _edit(content / "procedures/khai-bao-tam-vang-2.md", "title: Khai báo tạm vắng",
                       "title: Khai báo tạm vắng cho người đi nước ngoài"),
                 _edit(content / "procedures/khai-bao-tam-vang-2.md", "code: ", "code: X")),
        # a news item renamed, a journey deleted, a page edited
        lambda: (_rename_one(content / "news"), (content / "journeys/khi-xay-nha.md").unlink(),
                 _edit(content / "pages/gioi-thieu.md", "\n---\n", "\n---\nMột câu mới ở đầu trang.\n\n")),
        # offices, roadmap, wards, synonyms, statistics, site settings
        lambda: (_edit_first_office(content), _edit_first(content / "roadmap", "title: ", "title: (sửa) "),
                 _edit(content / "wards.yaml", "name: ", "name: Phường "),
                 _edit(content / "search/synonyms.yaml", "terms:", "terms:\n      - từ mới thử"),
                 _edit_csv(content / "statistics/dossiers.csv"),
                 _edit(content / "site.yaml", "hotline: ", "hotline: 0")),
        # a template
        lambda: _edit(code / "theme/templates/base.html", "</footer>", "<!-- sửa giao diện --></footer>"),
        # a setting
        lambda: (code / "pelicanconf.py").write_text(
            (code / "pelicanconf.py").read_text(encoding="utf-8") + '\nSEARCH = {"summary_words": 6}\n',
            encoding="utf-8"),
    ]
    for n, step in enumerate(steps):
        step()
        rendered, reused = _build(project, site)
        if n == 0:  # one procedure's page and poster, listings with the renamed title, journeys
            assert 0 < rendered < reused
        _same_as_clean_build(project, site, n)


def test_pages_rendered_by_two_processes_are_the_pages_one_process_renders(project, tmp_path):
    """The procedures' and news pages are shared by two processes when there are many: with the threshold
    lowered to one page, a clean build gives the bytes of a build by one process, and the next
    build takes every page from it (the second process's records came back)."""
    two, one, elsewhere = tmp_path / "two", tmp_path / "one", []
    parallel = {"PORTAL_PARALLEL_MIN_PAGES": "1"}
    rendered, _ = _build(project, two, env=parallel, elsewhere=elsewhere)
    assert rendered > 100 and 0 < elsewhere[0] < rendered  # both processes rendered a share
    assert _build(project, one, env={"PORTAL_PARALLEL": "0"}, elsewhere=elsewhere)[0] == rendered
    assert elsewhere[1] == 0
    mine, theirs = _files(two), _files(one)
    assert sorted(mine) == sorted(theirs)
    assert [name for name in mine if mine[name].read_bytes() != theirs[name].read_bytes()] == []
    assert _build(project, two, env=parallel) == (0, rendered)


def _rename_one(folder: Path) -> None:
    f = sorted(folder.glob("*.md"))[0]
    f.rename(f.with_name("doi-ten-" + f.name))


def _edit_first(folder: Path, old: str, new: str) -> None:
    _edit(sorted(folder.glob("*.md"))[0], old, new)


def _edit_first_office(content: Path) -> None:
    _edit(content / "offices" / "chi-nhanh-di-an.md", "close: 17:00", "close: 16:30")


def _edit_csv(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = re.sub(r",(\d+),", lambda m: f",{int(m.group(1)) + 1},", lines[1], count=1)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_saved_records_come_back_as_they_were(tmp_path):
    """The records file is written in parts, each with a memo of its own: read back, every record
    of every part is the one saved, its (item, attribute) pairs the same pairs, and a file of
    another release or of other code gives nothing."""
    from array import array

    from portal_core import render_cache as rc

    pairs = [(("procedures", f"thu-tuc-{i}"), attribute) for i in range(300) for attribute in ("title", "url", None)]
    records = {}
    for n in range(rc.SAVE_CHUNK * 2 + 7):  # three parts, the last one short
        records[f"trang-{n}/index.html"] = rc.Record(
            ("procedure", "SITENAME", f"ten-{n % 5}"), array("I", [n % len(pairs), (n * 7) % len(pairs)]),
            (("asset", (("value", "/theme/site.css"),), ()), f"k{n}".encode()),
            n.to_bytes(16, "big"), bytes([n % 256]) * (2 * rc.DIGEST))
    items = {("procedures", "thu-tuc-1"): b"digest"}
    path, release = tmp_path / "portal-pages.pickle", tmp_path / "20260101T000000-1-0"
    rc._save(path, "code", release, records, items, pairs)

    got, got_items, got_pairs = rc._load(path, "code", release)
    assert got == records and got_items == items and got_pairs == pairs
    assert [got_pairs[i] for i in got["trang-8/index.html"].attrs] == [pairs[8], pairs[56]]
    assert rc._load(path, "other code", release) == ({}, {}, [])
    assert rc._load(path, "code", tmp_path / "20260101T000000-2-0") == ({}, {}, [])
    path.write_bytes(path.read_bytes()[:-40])  # cut short: nothing, not a part of it
    assert rc._load(path, "code", release) == ({}, {}, [])


def test_an_items_whole_digest_leaves_its_strings_as_they_were():
    """Digesting an item whole must not leave a UTF-8 copy inside each of its strings (CPython
    keeps the UTF-8 a binary pickle asks of a string): the digest of every item is taken in each
    build. The digest still changes with any field."""
    import sys

    from portal_core import render_cache as rc
    from portal_core.content import Item

    def item(title):
        return Item("procedures", "dang-ky-khai-sinh", "procedures/dang-ky-khai-sinh.md",
                    {"title": title, "documents": [{"name": "Tờ khai đăng ký khai sinh"}]},
                    body="Người yêu cầu nộp tờ khai và giấy chứng sinh.")

    one = item("Đăng ký khai sinh")
    strings = [one.data["title"], one.data["documents"][0]["name"], one.body]
    sizes = [sys.getsizeof(s) for s in strings]
    first = rc.Digests(None).attr(("procedures", "dang-ky-khai-sinh"), None, one)
    assert [sys.getsizeof(s) for s in strings] == sizes
    assert rc.Digests(None).attr(("procedures", "dang-ky-khai-sinh"), None, item("Đăng ký khai sinh")) == first
    assert rc.Digests(None).attr(("procedures", "dang-ky-khai-sinh"), None, item("Đăng ký khai tử")) != first
