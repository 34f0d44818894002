"""The /tim-kiem/ page and the header search box in headless Chromium, and the files they load."""
from __future__ import annotations

import gzip
import json
import re
from urllib.parse import quote

import brotli
import pytest

from conftest import DATA, assert_no_axe_violations, build

SEARCH = DATA / "search"
TODAY = "2025-08-01"
INDEX_KEYS = ["procedures", "other", "all"]
XSS = [
    '<img src=x onerror="window.__xss=1">',
    '"><script>window.__xss=1</script>',
    "khai sinh</mark><b onmouseover=window.__xss=1>x</b>",
    "javascript:window.__xss=1",
]


def search_files(out) -> dict:
    """What the manifest names: every search file's address, by its bytes."""
    return json.loads((out / "static" / "search" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def search_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("search-page") / "site"
    build(SEARCH / "content", out, today=TODAY)
    return out


@pytest.fixture(scope="module")
def base(search_output, serve):
    return serve(search_output)


def results(page, base, q):
    page.goto(f"{base}/tim-kiem/?q={quote(q)}")
    page.wait_for_selector('[data-results][aria-busy="false"]', state="attached", timeout=15000)
    return page.eval_on_selector_all("[data-results] a", "as => as.map(a => a.getAttribute('href'))")


# --- files ------------------------------------------------------------------------------------
def test_index_files_are_compact_json_and_precompressed(search_output, capsys):
    import hashlib

    files = search_files(search_output)
    script = re.search(r'<script src="(/static/search/search\.[0-9a-f]{10}\.js)"',
                       (search_output / "index.html").read_text(encoding="utf-8")).group(1)
    sizes = []
    split = json.loads((search_output / files["all"].lstrip("/")).read_text(encoding="utf-8"))
    assert files["procedures"] in split and files["other"] in split
    assert any("/p0-" in u for u in split) and any("/p1-" in u for u in split) and any("/d-" in u for u in split)
    for url in [files[k] for k in INDEX_KEYS + ["code", "css"]] + split + [script]:
        path = search_output / url.lstrip("/")
        name = path.name
        raw = path.read_bytes()
        # named by their bytes: a file's address changes exactly when the file does
        assert hashlib.sha256(raw).hexdigest()[:10] in name, name
        assert gzip.decompress((path.parent / (name + ".gz")).read_bytes()) == raw, name
        assert brotli.decompress((path.parent / (name + ".br")).read_bytes()) == raw, name
        if name.endswith(".json"):
            data = json.loads(raw)
            if name.startswith("procedures."):  # the head of the split index
                assert data["format"] == 3 and [p["pipeline"] for p in data["parts"]] == [["portal-vi"]] * 2
            elif name.startswith("other."):
                assert data["format"] == 2 and data["index"]["pipeline"] == ["portal-vi"]
            assert b"\n" not in raw and b", " not in raw[:200], "written without spaces"
        sizes.append(f"{name}: {len(raw)} B, gzip {(path.parent / (name + '.gz')).stat().st_size} B, "
                     f"brotli {(path.parent / (name + '.br')).stat().st_size} B")
    with capsys.disabled():
        print("\nSearch files (tests/data/search):\n  " + "\n  ".join(sizes))


def test_every_page_loads_the_small_search_script_only(search_output):
    html = (search_output / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert [s for s in scripts if "search" in s] == [s for s in scripts if re.fullmatch(r"/static/search/search\.[0-9a-f]{10}\.js", s)]
    assert len([s for s in scripts if "search" in s]) == 1
    assert "lunr" not in html and "procedures.json" not in html


def test_abolished_procedures_are_not_searchable(search_output):
    head = json.loads((search_output / search_files(search_output)["procedures"].lstrip("/")).read_text(encoding="utf-8"))
    rows = head["docs"]
    slugs = []
    for n, digest in enumerate(rows["hashes"]):  # the display rows, in files of head["chunk"]
        url = rows["pattern"].replace("{n}", str(n)).replace("{hash}", digest)
        slugs += [d[1] for d in json.loads((search_output / url.lstrip("/")).read_text(encoding="utf-8"))["docs"]]
    assert len(slugs) == head["documents"]
    assert "dang-ky-ket-hon-cu" not in slugs and "dang-ky-ket-hon" in slugs


# --- without JavaScript -----------------------------------------------------------------------
@pytest.mark.browser
def test_without_javascript_the_page_lists_active_procedures_a_to_z(nojs_page, base, search_output):
    nojs_page.goto(f"{base}/tim-kiem/?q=khai+sinh")
    # the search page lists the letters; each letter's page lists its procedures (no page grows
    # with the catalogue)
    letters = nojs_page.eval_on_selector_all("[data-search-az] .search-az__letters a", "as => as.map(a => a.getAttribute('href'))")
    assert letters and all(re.fullmatch(r"/tim-kiem/chu-[a-z]+/", u) for u in letters)
    assert "/tim-kiem/chu-dd/" in letters  # Đ, as Telex types it
    titles = []
    for u in letters:
        nojs_page.goto(base + u)
        assert nojs_page.locator(".search-az__letters a[aria-current=page]").get_attribute("href") == u
        titles += nojs_page.eval_on_selector_all(".search-az__items a", "as => as.map(a => a.textContent)")
    nojs_page.goto(f"{base}/tim-kiem/?q=khai+sinh")
    procedures = list((SEARCH / "content" / "procedures").glob("*.md"))
    assert len(titles) == len(procedures) - 1  # the abolished one is not listed
    assert titles.index("Đăng ký khai sinh") < titles.index("Đổi giấy phép lái xe do ngành Giao thông vận tải cấp")
    assert titles[0].startswith("Cấp") and titles[-1] == "Khen thưởng, tuyên dương gương người tốt, việc tốt"
    form = nojs_page.locator("[data-search-page] form")
    assert form.get_attribute("action") == "/tim-kiem/" and form.get_attribute("method") == "get"
    assert nojs_page.locator("#search-page-q").get_attribute("name") == "q"
    assert nojs_page.locator("[data-results]").is_hidden()
    header = nojs_page.locator("header form[role=search]")
    assert header.get_attribute("action") == "/tim-kiem/"


# --- the search page --------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("payload", XSS)
def test_a_query_with_markup_is_shown_as_text(page, base, payload):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    results(page, base, payload)
    assert page.evaluate("window.__xss") is None
    assert page.input_value("#search-page-q") == payload
    status = page.inner_text("[data-search-status]") + page.inner_text("[data-search-empty]")
    assert payload.strip() in status
    # (the one script in main is the page's own search.js, between the results and the A–Z list)
    assert page.locator("img[src=x], b[onmouseover], main script:not([src^='/static/search/search.'])").count() == 0
    # and typed, as the results update
    page.fill("#search-page-q", "")
    page.type("#search-page-q", payload, delay=5)
    page.wait_for_timeout(400)
    page.focus("#site-search-q")
    page.type("#site-search-q", payload, delay=5)
    page.wait_for_timeout(400)
    assert page.evaluate("window.__xss") is None and not dialogs


@pytest.mark.browser
def test_results_appear_as_you_type_and_the_url_follows(page, base):
    page.goto(f"{base}/tim-kiem/")
    assert page.locator("[data-search-az]").is_visible()
    page.type("#search-page-q", "dang ky khai si", delay=20)
    page.wait_for_selector('[data-results][data-query="dang ky khai si"][aria-busy="false"]', state="attached")
    first = page.locator("[data-results] li").first
    assert first.locator("a").get_attribute("href") == "/thu-tuc/dang-ky-khai-sinh/"
    assert first.locator("mark").all_inner_texts() == ["Đăng", "ký", "khai", "sinh"]
    assert "BD-0001" in first.inner_text() and "Hộ tịch" in first.inner_text()
    assert first.locator(".badge").all_inner_texts() == ["Toàn trình", "Phi địa giới hành chính"]
    assert page.locator("[data-search-az]").is_hidden()
    assert "q=dang+ky+khai+si" in page.url or "q=dang%20ky%20khai%20si" in page.url


@pytest.mark.browser
def test_results_hold_only_result_links_in_rank_order(page, base):
    hrefs = results(page, base, "đăng ký khai sinh")
    assert hrefs[0] == "/thu-tuc/dang-ky-khai-sinh/"
    assert all(h.startswith("/thu-tuc/") for h in hrefs)
    assert page.locator("[data-results] > li").count() == len(hrefs)


@pytest.mark.browser
def test_arrow_keys_and_enter_open_a_result(page, base):
    results(page, base, "khai sinh")
    page.focus("#search-page-q")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/thu-tuc/dang-ky-khai-sinh/"
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert second != "/thu-tuc/dang-ky-khai-sinh/" and second.startswith("/thu-tuc/")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-page-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/thu-tuc/dang-ky-khai-sinh/")


@pytest.mark.browser
def test_an_empty_result_suggests_what_to_try(page, base):
    assert results(page, base, "xyzzy qwrtp") == []
    empty = page.locator("[data-search-empty]")
    assert empty.is_visible()
    assert "Không tìm thấy" in empty.inner_text()
    suggestions = empty.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert "?q=" + quote("căn cước") in suggestions and "/thu-tuc/" in suggestions


@pytest.mark.browser
def test_news_and_offices_come_after_procedures_in_their_own_list(page, base):
    procedures = results(page, base, "căn cước")
    assert procedures[0] == "/thu-tuc/cap-the-can-cuoc/"
    page.wait_for_selector("[data-results-other] a")
    other = page.eval_on_selector_all("[data-results-other] a", "as => as.map(a => a.getAttribute('href'))")
    assert other == ["/tin-tuc/cap-can-cuoc-tai-trung-tam/"]
    after = page.evaluate("""() => {
        const r = document.querySelector('[data-results]'), o = document.querySelector('[data-results-other]');
        return !!(r.compareDocumentPosition(o) & Node.DOCUMENT_POSITION_FOLLOWING) && !r.contains(o);
    }""")
    assert after
    assert "Thông báo" in page.inner_text("[data-results-other]")


@pytest.mark.browser
def test_results_are_busy_while_the_index_loads(page, base):
    release = []

    def slow(route):
        release.append(route)

    page.route("**/static/search/p1-*.json", slow)  # the second part of the index
    page.goto(f"{base}/tim-kiem/?q=khai+sinh")
    page.wait_for_selector("[data-results] a")  # first results from the first part
    assert page.get_attribute("[data-results]", "aria-busy") == "true"
    page.wait_for_function("() => true")
    for r in release:
        r.continue_()
    page.unroute("**/static/search/p1-*.json")
    page.wait_for_selector('[data-results][aria-busy="false"]', state="attached")
    assert page.eval_on_selector("[data-results] a", "a => a.getAttribute('href')") == "/thu-tuc/dang-ky-khai-sinh/"


@pytest.mark.browser
def test_search_page_has_no_accessibility_violations(page, base):
    results(page, base, "khai sinh")
    page.wait_for_selector("[data-results-other]", state="attached")
    assert_no_axe_violations(page)


# --- the header search box on every page ------------------------------------------------------
@pytest.mark.browser
def test_header_box_loads_the_index_on_focus_and_offers_results(page, base):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{base}/thu-tuc/dang-ky-ket-hon/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requested if re.search(r"procedures\.[0-9a-f]{10}\.json|manifest\.json|search-code|lunr", u)], \
        "loaded before focus"
    page.focus("#site-search-q")
    page.keyboard.type("khai sinh", delay=20)
    # wait for the drop-down of the whole query (each letter typed updates it: after "k" it already
    # holds a link, the one to all results for "k")
    page.wait_for_function("""q => { const a = document.querySelectorAll('.search-dropdown a');
        return a.length > 1 && a[a.length - 1].getAttribute('href') === '/tim-kiem/?q=' + q; }""",
                           arg=quote("khai sinh"))
    assert any(re.search(r"/static/search/procedures\.[0-9a-f]{10}\.json", u) for u in requested)
    links = page.eval_on_selector_all(".search-dropdown a", "as => as.map(a => a.getAttribute('href'))")
    assert links[0] == "/thu-tuc/dang-ky-khai-sinh/"
    assert links[-1] == "/tim-kiem/?q=" + quote("khai sinh")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/thu-tuc/dang-ky-khai-sinh/"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    assert page.locator(".search-dropdown").is_hidden()
    page.keyboard.press("Enter")  # no result chosen: the form goes to the search page
    page.wait_for_url(re.compile(r".*/tim-kiem/\?q=khai\+sinh$"))
    assert page.input_value("#search-page-q") == "khai sinh"


@pytest.mark.browser
def test_results_arriving_move_nothing_on_a_phone(browser, base):
    """A query in the address: the results have their room from the first paint and the A–Z list
    is never drawn, so nothing jumps when the results arrive (cumulative layout shift)."""
    from conftest import phone_page_with_late_file

    # the index comes after the first paint, as on a slow network
    page = phone_page_with_late_file(browser, f"{base}/tim-kiem/?q={quote('khai sinh')}", "**/static/search/procedures.*.json")
    try:
        page.wait_for_selector('[data-results][aria-busy="false"]', state="attached")
        page.wait_for_selector("[data-results-other]", state="attached")
        assert page.locator("[data-results] a").count() > 0
        assert page.locator("[data-search-az]").is_hidden()
        shifts = page.evaluate("window.__shifts")
        assert sum(shifts) < 0.02, shifts
        # without a query, the A–Z list is there for whoever wants it
        page.fill("#search-page-q", "")
        page.locator("#search-page-q").press("Enter")
        page.wait_for_selector("[data-search-az]")
    finally:
        page.context.close()
