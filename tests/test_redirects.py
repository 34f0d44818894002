"""Renamed or removed pages: `redirect_from` in any content item's front matter gives an HTML page at
each old address (for hosts without server rules) and the same redirects as server rules; an old
address that is a page of the site, or claimed twice, stops the build with file, line and field."""
from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build

OLD, NEW = "/thu-tuc/cap-the-can-cuoc-cong-dan/", "/thu-tuc/cap-the-can-cuoc/"


def test_an_old_address_leads_to_the_page(sample_site):
    page = BeautifulSoup((sample_site / OLD.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")
    refresh = page.find("meta", attrs={"http-equiv": "refresh"})["content"]
    assert refresh == f"0; url={NEW}" and page.find("a", href=NEW)
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert f"{OLD} {NEW} 301" in (sample_site / "_redirects").read_text(encoding="utf-8").splitlines()
    rules = (sample_site / "redirects.nginx").read_text(encoding="utf-8")
    assert f"location = {OLD} {{ return 301 {NEW}; }}" in rules
    assert OLD not in (sample_site / "sitemap.xml").read_text(encoding="utf-8")


BAD = {
    "an address of an existing page": ("/thu-tuc/dang-ky-khai-sinh/", "đang là một trang của trang web"),
    "a listing's address": ("/thu-tuc/", "đang là một trang của trang web"),
    "the page's own address": (NEW, "địa chỉ của chính trang này"),
    "not an address": ("thu-tuc/cu", "bắt đầu và kết thúc bằng /"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_old_address_stops_the_build(tmp_path, case):
    old, words = BAD[case]
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    f = content / "procedures" / "cap-the-can-cuoc.md"
    f.write_text(f.read_text(encoding="utf-8").replace(OLD, old, 1), encoding="utf-8")
    proc = build(content, tmp_path / "site", check=False)
    message = proc.stdout + proc.stderr
    assert proc.returncode != 0 and not (tmp_path / "site").exists(), message
    assert re.search(r"procedures/cap-the-can-cuoc\.md:\d+: trường 'redirect_from\[0\]'", message), message
    assert words in message and "Traceback" not in message


def test_two_items_cannot_claim_the_same_old_address(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    f = content / "procedures" / "cap-ho-chieu-pho-thong.md"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("sample: true\n---", f"sample: true\nredirect_from:\n  - {OLD}\n---", 1), encoding="utf-8")
    proc = build(content, tmp_path / "site", check=False)
    assert proc.returncode != 0 and "mỗi địa chỉ cũ chỉ chuyển tới một trang" in proc.stdout + proc.stderr
