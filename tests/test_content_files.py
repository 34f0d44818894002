"""Only regular files from inside the content folder are published: a symbolic link in forms/ or
images/ (to /etc/passwd, to .git/config) stops the build with the file named, and forms no
procedure uses are not published (a warning names them)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import DATA, ROOT, build

INVOKE = str(ROOT / ".venv" / "bin" / "invoke")


@pytest.fixture
def content(tmp_path):
    c = tmp_path / "content"
    shutil.copytree(DATA / "minimal", c)
    return c


def _check(content):
    return subprocess.run([INVOKE, "check", "--content", str(content)], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("folder,name,target", [
    ("forms", "mau-to-khai.pdf", "/etc/passwd"),
    ("images", "anh.png", str(ROOT / ".git" / "config")),
    ("forms", "to-khai-khai-sinh.pdf", "/etc/hostname"),  # even a form a procedure names
])
def test_a_symbolic_link_stops_the_build_and_keeps_the_site(content, tmp_path, folder, name, target):
    out = tmp_path / "site"
    build(content, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (content / folder).mkdir(exist_ok=True)
    link = content / folder / name
    if link.exists():
        link.unlink()
    os.symlink(target, link)
    proc = build(content, out, check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"content/{folder}/{name}: là liên kết tượng trưng (symbolic link) tới {target}" in proc.stderr
    assert "Traceback" not in proc.stderr
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the published site is left as it was
    check = _check(content)
    assert check.returncode == 2 and f"content/{folder}/{name}" in check.stderr


def test_a_linked_folder_is_refused_too(content, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "a.png").write_bytes(b"secret")
    os.symlink(secret, content / "images")
    proc = _check(content)
    assert proc.returncode == 2 and "content/images: là liên kết tượng trưng" in proc.stderr


def test_forms_no_procedure_uses_are_not_published(content, tmp_path):
    (content / "forms" / "khong-dung.pdf").write_bytes(b"%PDF-1.4 unused")
    out = tmp_path / "site"
    proc = build(content, out)
    assert "content/forms/khong-dung.pdf: không thủ tục nào dùng tệp mẫu đơn này" in proc.stderr
    assert not (out / "bieu-mau" / "khong-dung.pdf").exists()
    assert (out / "bieu-mau" / "to-khai-khai-sinh.pdf").is_file()
