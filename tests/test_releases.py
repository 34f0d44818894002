"""The builder never loses the site: one build at a time per output folder, an atomic switch to
the new release, the previous release kept for `invoke rollback`, and an output folder the portal
did not make is never overwritten."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time

import pytest

from conftest import DATA, ROOT, build

INVOKE = str(ROOT / ".venv" / "bin" / "invoke")


def _name(out):
    html = (out / "index.html").read_text(encoding="utf-8")
    return "NEW" if "Trung tâm BẢN MỚI" in html else "OLD"


@pytest.fixture
def content(tmp_path):
    c = tmp_path / "content"
    shutil.copytree(DATA / "minimal", c)
    return c


def _rename_site(content, name="Trung tâm BẢN MỚI"):
    site = content / "site.yaml"
    lines = [f"name: {name}" if line.startswith("name:") else line for line in site.read_text(encoding="utf-8").split("\n")]
    site.write_text("\n".join(lines), encoding="utf-8")


def test_output_is_a_link_to_a_release_and_rollback_restores_the_previous(content, tmp_path):
    out = tmp_path / "site"
    build(content, out)
    assert out.is_symlink() and _name(out) == "OLD"
    first = os.path.realpath(out)
    _rename_site(content)
    build(content, out)
    assert _name(out) == "NEW" and os.path.realpath(out) != first
    assert os.path.isdir(first)  # the previous release is kept
    build(content, out)  # a third build: the first release goes, the one it replaced stays
    assert not os.path.isdir(first)
    releases = sorted((tmp_path / ".site.releases").iterdir())
    assert len(releases) == 2
    proc = subprocess.run([INVOKE, "rollback", "--output", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert os.path.realpath(out) == str(releases[0]) and _name(out) == "NEW"


def test_a_failing_build_keeps_the_current_and_the_previous_release(content, tmp_path):
    out = tmp_path / "site"
    build(content, out)
    _rename_site(content)
    build(content, out)
    kept = sorted(p.name for p in (tmp_path / ".site.releases").iterdir())
    (content / "site.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    for _ in range(2):  # the old builder deleted the last copy on the second failure
        proc = build(content, out, check=False)
        assert proc.returncode == 2
        assert sorted(p.name for p in (tmp_path / ".site.releases").iterdir()) == kept
        assert _name(out) == "NEW"
    assert subprocess.run([INVOKE, "rollback", "--output", str(out)], cwd=ROOT).returncode == 0
    assert _name(out) == "OLD"


def test_an_output_folder_the_portal_did_not_make_is_refused(content, tmp_path):
    out = tmp_path / "somebodys-folder"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    proc = build(content, out, check=False)
    assert proc.returncode == 2 and "không ghi đè" in proc.stderr
    assert (out / "thesis.docx").read_bytes() == b"precious" and not out.is_symlink()
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    os.symlink(target, link)
    proc = build(content, link, check=False)
    assert proc.returncode == 2 and os.path.realpath(link) == str(target)


def test_a_build_from_before_releases_is_adopted_once(content, tmp_path):
    out = tmp_path / "site"
    build(content, out)
    old = tmp_path / "old-layout"
    shutil.copytree(out, old, symlinks=False)  # what the old builder left: a plain folder
    (old / ".portal-build").unlink()
    shutil.rmtree(tmp_path / ".site.releases")
    out.unlink()
    old.rename(out)
    _rename_site(content)
    build(content, out)
    assert out.is_symlink() and _name(out) == "NEW"
    assert subprocess.run([INVOKE, "rollback", "--output", str(out)], cwd=ROOT).returncode == 0
    assert _name(out) == "OLD"  # the adopted folder is the previous release


def test_a_second_build_waits_for_the_first(content, tmp_path):
    out = tmp_path / "site"
    build(content, out)
    lock = open(tmp_path / ".site.lock", "a+")
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a build in progress holds it
    _rename_site(content)
    err = tmp_path / "second.err"
    with open(err, "w") as fh:
        proc = subprocess.Popen([INVOKE, "build", "--content", str(content), "--output", str(out),
                                 "--today", "2025-10-15"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=fh)
    deadline = time.monotonic() + 120
    while "đang chờ" not in err.read_text(encoding="utf-8") and time.monotonic() < deadline:
        assert proc.poll() is None, err.read_text(encoding="utf-8")
        time.sleep(0.05)
    assert "đang chờ" in err.read_text(encoding="utf-8")
    assert proc.poll() is None and _name(out) == "OLD"  # it waits, writing nothing
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()
    assert proc.wait(timeout=300) == 0
    assert _name(out) == "NEW"


def test_the_switch_is_atomic_whenever_the_builder_is_killed(tmp_path, monkeypatch):
    """Killed before the link is replaced, the old release is served; after, the new one; there
    is no moment with no site (the old builder renamed the folder away, then the new one in)."""
    from portal_core.releases import Releases

    out = tmp_path / "site"
    rel = Releases(out)
    a = rel.new_release()
    a.mkdir()
    (a / "index.html").write_text("A", encoding="utf-8")
    rel.publish(a)
    b = rel.new_release()
    b.mkdir()
    (b / "index.html").write_text("B", encoding="utf-8")

    seen = []
    real_replace = os.replace

    def killed(src, dst):
        seen.append((out / "index.html").read_text(encoding="utf-8"))  # what is served just before
        raise KeyboardInterrupt  # the build is killed at the last step

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        rel.publish(b)
    assert seen == ["A"] and (out / "index.html").read_text(encoding="utf-8") == "A"
    monkeypatch.setattr(os, "replace", real_replace)
    rel.publish(b)
    assert (out / "index.html").read_text(encoding="utf-8") == "B"
