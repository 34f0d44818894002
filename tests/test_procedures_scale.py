"""Listings at a catalogue larger than a listing page: no page grows with the catalogue.

A generated content folder (benchmarks/generate.py, seeded) with more active procedures than one
listing page holds (100): /thu-tuc/ lists fields with counts instead of every procedure, the
listings of a level or a view are split into pages that together list each procedure once, and the
filters draw their results from the data file, a hundred at a time. Expected values come from
the content files.
"""
from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, assert_no_axe_violations, build, new_page
from test_procedures import ascii_slug, listed_slugs, soup, sources, text_of

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

PROCEDURES = 260
PAGE = 100  # what a listing page holds


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    base = tmp_path_factory.mktemp("scale")
    content = base / "content"
    generate.generate(content, None, seed=5, procedures=PROCEDURES, offices=12, news=4)
    (content / generate.MARKER).unlink()
    build(content, base / "site", today=generate.TODAY.isoformat())
    srcs = sources(content)
    act = {s: d for s, d in srcs.items() if d.get("status", "active") == "active"}
    assert len(act) > 2 * PAGE, "the generated catalogue must fill more than two listing pages"
    return base / "site", act


def pages_of(out, path: str) -> list:
    """The pages of a listing, following its "next" links from the first; their files."""
    files, url = [], path
    while url:
        file = out / url.strip("/") / "index.html"
        assert file.is_file(), url
        files.append(file)
        nxt = soup(file).select_one('main nav.pagination a[rel="next"]')
        url = nxt["href"] if nxt else None
        assert len(files) < 50
    return files


def test_the_index_lists_fields_with_counts_not_every_procedure(large):
    out, act = large
    index = soup(out / "thu-tuc" / "index.html")
    assert listed_slugs(out / "thu-tuc" / "index.html") == []
    counts = {}
    for d in act.values():
        counts[d["field"]] = counts.get(d["field"], 0) + 1
    links = index.select("main #procedure-groups .field-list li")
    shown = {text_of(li.select_one("a")): li for li in links}
    assert set(shown) == set(counts)
    for name, li in shown.items():
        assert li.select_one("a")["href"] == f"/thu-tuc/linh-vuc/{ascii_slug(name)}/"
        assert re.search(rf"\({counts[name]} thủ tục\)", text_of(li)), name
    assert f"{len(act)} thủ tục" in text_of(index.select_one("main .lead"))


@pytest.mark.parametrize("path,keep", [
    ("/thu-tuc/cap/xa/", lambda d: "xa" in d["levels"]),
    ("/thu-tuc/cap/tinh/", lambda d: "tinh" in d["levels"]),
    ("/thu-tuc/phi-dia-gioi/", lambda d: d["non_geographic"]),
])
def test_long_listings_are_split_into_pages_that_list_each_procedure_once(large, path, keep):
    out, act = large
    expected = {s for s, d in act.items() if keep(d)}
    files = pages_of(out, path)
    per_page = [listed_slugs(f) for f in files]
    assert len(files) == -(-len(expected) // PAGE), "as many pages as it takes, no more"
    assert all(len(p) == PAGE for p in per_page[:-1]) and 0 < len(per_page[-1]) <= PAGE
    together = [s for p in per_page for s in p]
    assert len(together) == len(set(together)) and set(together) == expected
    # grouped by field across the pages: each field is one run, continued on the next page
    fields = [act[s]["field"] for s in together]
    runs = [f for i, f in enumerate(fields) if i == 0 or f != fields[i - 1]]
    assert len(runs) == len(set(runs))
    titles = [text_of(soup(f).select_one("title")) for f in files]
    assert len(set(titles)) == len(titles), "each page has a title of its own"
    for n, f in enumerate(files if len(files) > 1 else [], 1):
        nav = soup(f).select_one("main nav.pagination")
        assert nav["aria-label"] and nav.select_one('[aria-current="page"]').get_text() == str(n)
        assert re.search(rf"trang {n} / {len(files)}", text_of(soup(f).select_one("main")))
        if n > 1:
            assert urlsplit(str(f)).path.endswith(f"{path.strip('/')}/trang/{n}/index.html")
            prev = nav.select_one('a[rel="prev"]')["href"]
            assert prev == (path if n == 2 else f"{path}trang/{n - 1}/")


def test_the_filters_show_a_hundred_results_then_more_on_request(browser, serve, large):
    out, act = large
    base = serve(out)
    page = new_page(browser)
    try:
        page.goto(f"{base}/thu-tuc/")
        page.select_option("#loc-cap", "xa")
        page.wait_for_selector("#procedure-groups:not([aria-busy=true])", state="attached")
        expected = {s for s, d in act.items() if "xa" in d["levels"]}
        assert len(expected) > PAGE
        links = page.locator("#procedure-groups .proc-list a")
        assert links.count() == PAGE
        status = page.locator("#procedure-filter-status").inner_text()
        assert re.search(rf"\b{len(expected)} trong {len(act)}\b", status) and f"{PAGE} thủ tục đầu" in status
        more = page.locator("#procedure-groups [data-more]")
        more.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(f"document.querySelectorAll('#procedure-groups .proc-list a').length > {PAGE}")
        shown = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert len(shown) == min(2 * PAGE, len(expected)) and len(set(shown)) == len(shown)
        assert {h.strip("/").split("/")[-1] for h in shown} <= expected
        # the keyboard goes on from the first procedure that was added
        assert page.evaluate("document.activeElement.getAttribute('href')") == shown[PAGE]
        assert_no_axe_violations(page)
        # a field and the non-geographic filter combine; the address carries them
        field = sorted({d["field"] for d in act.values()})[0]
        page.select_option("#loc-linh-vuc", ascii_slug(field))
        page.check("#loc-phi-dia-gioi")
        page.wait_for_selector("#procedure-groups:not([aria-busy=true])", state="attached")
        want = sorted(s for s, d in act.items() if d["field"] == field and "xa" in d["levels"] and d["non_geographic"])
        got = sorted(h.strip("/").split("/")[-1] for h in links.evaluate_all("els => els.map(e => e.getAttribute('href'))"))
        assert got == want
        assert page.locator("#procedure-filter-empty").is_visible() == (not want)
        # no filter: the fields again
        page.click("button[type=reset]")
        page.wait_for_selector("#procedure-groups .field-list")
        assert links.count() == 0
        assert urlsplit(page.url).query == ""
        assert not page.problems.console_errors and not page.problems.page_errors
    finally:
        page.context.close()


def test_pages_of_a_listing_are_browsable_without_javascript(browser, serve, large):
    out, act = large
    base = serve(out)
    page = new_page(browser, javascript=False)
    try:
        page.goto(f"{base}/thu-tuc/cap/xa/")
        seen = []
        while True:
            seen += page.locator("main .proc-list a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
            nxt = page.locator('main nav.pagination a[rel="next"]')
            if not nxt.count():
                break
            nxt.click()
        assert {h.strip("/").split("/")[-1] for h in seen} == {s for s, d in act.items() if "xa" in d["levels"]}
        page.get_by_role("link", name="Trang 1", exact=True).click()
        assert urlsplit(page.url).path == "/thu-tuc/cap/xa/"
    finally:
        page.context.close()


def test_a_later_page_has_no_axe_violations(browser, serve, large):
    out, _act = large
    page = new_page(browser)
    try:
        page.goto(serve(out) + "/thu-tuc/cap/xa/trang/2/")
        assert_no_axe_violations(page)
    finally:
        page.context.close()
