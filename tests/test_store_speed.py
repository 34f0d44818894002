"""The content store's speed-ups change nothing but speed: reading files in several processes gives
the same items and the same problems in the same order, and the cache of unchanged files never
hides a problem or an edit. No timing here (see benchmarks/)."""
from __future__ import annotations

import sys

import pytest

from conftest import ROOT, SAMPLE_TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402


@pytest.fixture
def load(monkeypatch, tmp_path):
    """load(content, cache=bool) -> Store or ContentError, in this process, as a build loads it."""
    from pelican.settings import read_settings

    def _load(content, cache=False):
        monkeypatch.setenv("PORTAL_CONTENT", str(content))
        monkeypatch.setenv("PORTAL_TODAY", SAMPLE_TODAY)
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={
            "CACHE_PATH": str(tmp_path / "cache"), "CACHE_CONTENT": cache, "LOAD_CONTENT_CACHE": cache})
        from portal_core import registry
        from portal_core.content import ContentError, load_store

        registry.register_plugins(settings["PLUGINS"])
        try:
            return load_store(settings["PATH"], settings)
        except ContentError as exc:
            return exc

    return _load


def snapshot(store):
    return [(name, i.slug, i.source, i.data, i.body, i.body_line, str(i.body_html))
            for name in sorted(store.items) for i in store.items[name]]


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    generate.generate(folder, None, seed=5, procedures=40, offices=12, news=10)
    (folder / generate.MARKER).unlink()
    return folder


def break_files(content):
    """Problems of every kind a file alone can have, in several files."""
    procs = sorted((content / "procedures").glob("*.md"))
    procs[3].write_text(procs[3].read_text(encoding="utf-8").replace("\nonline: ", "\nonline: sai-\n  - x\nold: "),
                        encoding="utf-8")  # YAML syntax error
    for p in procs[5:8]:
        text = p.read_text(encoding="utf-8")
        p.write_text(text.replace("\nonline: ", "\nonline: doi-khi\nx_online: ", 1), encoding="utf-8")
    procs[9].rename(procs[9].with_name("Sai_Ten.md"))
    procs[11].write_text(procs[11].read_text(encoding="utf-8").replace("\nupdated: ", "\nupdated: 2025-13-45\nx: ", 1),
                         encoding="utf-8")


def test_parallel_reading_gives_the_same_store_and_the_same_problems(content, load, monkeypatch):
    from portal_core import content as content_mod

    monkeypatch.setenv("PORTAL_PARALLEL", "0")
    sequential = snapshot(load(content))
    monkeypatch.setenv("PORTAL_PARALLEL", "1")
    monkeypatch.setattr(content_mod, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(content_mod.os, "cpu_count", lambda: 3)
    submitted = []

    class Pool(content_mod.ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(content_mod, "ProcessPoolExecutor", Pool)
    assert snapshot(load(content)) == sequential
    assert len(submitted) >= 2 and sum(submitted) > 20, "files were read by worker processes"

    break_files(content)
    parallel = load(content)
    monkeypatch.setenv("PORTAL_PARALLEL", "0")
    one_by_one = load(content)
    assert isinstance(parallel, content_mod.ContentError)
    assert len(parallel.problems) >= 6
    assert parallel.report() == one_by_one.report()


def test_cache_reads_only_changed_files_and_never_hides_a_problem(content, load, monkeypatch):
    from portal_core import content as content_mod

    monkeypatch.setenv("PORTAL_PARALLEL", "0")
    reads = []
    real = content_mod.read_markdown_file
    monkeypatch.setattr(content_mod, "read_markdown_file", lambda f: reads.append(f.name) or real(f))
    first = snapshot(load(content, cache=True))
    assert len(reads) > 40
    reads.clear()
    assert snapshot(load(content, cache=True)) == first
    assert reads == [], "unchanged files come from the cache"

    edited = content / "procedures" / "dang-ky-khai-sinh.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    store = load(content, cache=True)
    assert reads == ["dang-ky-khai-sinh.md"]
    assert "Thêm một câu." in store.get("procedures", "dang-ky-khai-sinh").body_html

    edited.write_text(edited.read_text(encoding="utf-8").replace("\nonline: ", "\nonline: doi-khi\nx: ", 1),
                      encoding="utf-8")
    for _ in range(2):  # a broken file is never cached: it fails every time
        err = load(content, cache=True)
        assert isinstance(err, content_mod.ContentError)
        assert "trường 'online'" in err.report()

    from portal_core import store_cache

    edited.write_text(edited.read_text(encoding="utf-8").replace("\nonline: doi-khi\nx: ", "\nonline: "),
                      encoding="utf-8")
    load(content, cache=True)
    reads.clear()
    monkeypatch.setattr(store_cache, "fingerprint", lambda *args: "a schema changed")
    load(content, cache=True)
    assert len(reads) > 40, "a new schema or new code reads every file again"


def test_the_cache_is_written_by_a_second_process_and_read_whole(content, load, monkeypatch, tmp_path):
    """The content cache is pickled by a forked process: this one's strings are left as they were
    (pickling here would leave a UTF-8 copy inside each Vietnamese string), and the next load, in
    this process or another, finds the whole file."""
    from portal_core import content as content_mod
    from portal_core import store_cache

    monkeypatch.setenv("PORTAL_PARALLEL", "1")
    monkeypatch.setattr(content_mod.os, "cpu_count", lambda: 2)
    store = load(content, cache=True)
    bodies = [i.body_html for i in store.items["procedures"]] + [i.body for i in store.items["procedures"]]
    assert any(not s.isascii() for s in bodies)
    grown = [s[:40] for s in bodies if sys.getsizeof(s) != sys.getsizeof((s + ".")[:-1])]
    assert grown == [], "strings pickled in the build's process"
    store_cache.wait_for_saves()
    assert list((tmp_path / "cache").glob("portal-store-*.pickle"))

    reads = []
    real = content_mod.read_markdown_file
    monkeypatch.setattr(content_mod, "read_markdown_file", lambda f: reads.append(f.name) or real(f))
    assert snapshot(load(content, cache=True)) == snapshot(store)
    assert reads == []
