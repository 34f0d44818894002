"""Benchmark the portal's build at reference scale against plain Pelican, and livereload's fast path.

    invoke bench                      # or: python benchmarks/bench.py [--runs 3] [--quick] [--no-livereload]

1. Generates the reference content (2,000 procedures, 120 offices, 500 news) and the same items as
   plain Pelican articles with benchmarks/generate.py (skipped when the folders are up to date).
2. Builds both in turn, alternating which goes first, `--runs` times each (median reported): ours
   through `tasks.pelican()` (what `invoke build` runs), plain Pelican with its default theme and
   benchmarks/plainconf.py. A full build starts with an empty content cache; the rebuild after
   editing one procedure file starts from the cache the full build left.
3. Measures wall time, CPU time and peak memory (os.wait4 of the build process tree), the output
   size (files, bytes, gzipped bytes of one procedure page), and the ratio ours / plain of each.
4. Starts `invoke livereload` on the reference content and measures, over several edits of one
   procedure file, the time from saving the file to the new content on disk and served over HTTP.
5. Runs the extra measurements registered with `@measurement` (see EXTRA_MEASUREMENTS below).

Prints a table and writes benchmarks/results/latest.json. Wall times depend on what else the
machine is doing: compare ours with plain Pelican from the same run (the ratio), not across runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.server
import json
import mimetypes
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results"
PY = sys.executable
TODAY = "2025-10-15"  # the reference content is dated around this day (benchmarks/generate.py)
EDITED = "dang-ky-khai-sinh"  # the procedure edited for rebuilds and livereload (always generated)
GOAL_RATIO = 0.7  # full build, ours / plain Pelican (issue 14)
GOAL_MEMORY_RATIO = 1.25  # peak memory, ours / plain Pelican
GOAL_REBUILD_RATIO = 0.15  # rebuild after editing one procedure / cold full build
GOAL_LIVERELOAD_S = 2.0
LIVERELOAD_EDITS = 5

sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "plugins"))  # portal_core: what the build does, where a figure needs it
import generate  # noqa: E402


@dataclass
class BenchContext:
    """What an extra measurement gets: the folders of this run (all built as of `today`)."""

    root: Path  # the repository
    work: Path  # benchmarks/work/
    content: Path  # the reference content folder (portal format)
    plain_content: Path  # the same items as plain Pelican articles
    output: Path  # the portal's build of `content` (the last full build of this run)
    plain_output: Path  # plain Pelican's build of `plain_content`
    today: str
    runs: int
    quick: bool
    results: dict = field(default_factory=dict)  # the figures measured so far (read only)


# Extra measurements: functions taking a BenchContext and returning a dict of figures (numbers or
# short strings; add "goal" / "ok" keys when there is one). Each result is printed and saved
# under results["extra"][<function name>]. Register one with the @measurement decorator, e.g. the
# search index size, the time to the first result and query p95 in headless Chromium.
EXTRA_MEASUREMENTS: list[Callable[[BenchContext], dict]] = []


def measurement(fn: Callable[[BenchContext], dict]) -> Callable[[BenchContext], dict]:
    EXTRA_MEASUREMENTS.append(fn)
    return fn


# --- running one build ------------------------------------------------------------------------
@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_mb: float
    ok: bool


def timed(cmd: list[str], log: Path, env: dict | None = None) -> Run:
    """Run a command; wall time, CPU time (user + sys) and peak RSS of its whole process tree."""
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss: the largest RSS of the process or any descendant it waited for (kilobytes on Linux)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode == 0)


def build_ours(content: Path, output: Path, cache: Path, log: Path) -> Run:
    """`invoke build` as editors run it (tasks.pelican), with a content cache of its own."""
    code = ("import sys; a = sys.argv; sys.path.insert(0, a[1]); from invoke import Context; import tasks; "
            "tasks.pelican(Context(), a[2], a[3], today=a[4], extra=a[5])")
    extra = f"-e CACHE_PATH='\"{cache}\"'"
    return timed([PY, "-c", code, str(ROOT), str(content), str(output), TODAY, extra], log)


def remove_build(output: Path, cache: Path) -> None:
    """Everything a build of `output` left: the output (a link to a release, or a folder), its
    releases, its caches (content, pages, search terms, QR codes): the next build is cold."""
    if output.is_symlink():
        output.unlink()
    shutil.rmtree(output, ignore_errors=True)
    for extra in (cache, output.parent / f".{output.name}.releases", output.parent / f".{output.name}.trash",
                  output.parent / f".{output.name}.cache"):
        shutil.rmtree(extra, ignore_errors=True)
    (output.parent / f".{output.name}.lock").unlink(missing_ok=True)


def build_plain(content: Path, output: Path, cache: Path, log: Path) -> Run:
    return timed([PY, "-m", "pelican", str(content), "-o", str(output), "-s", str(HERE / "plainconf.py"),
                   "-e", f'CACHE_PATH="{cache}"'], log)


def procedure_file(kind: str, content: Path) -> Path:
    return content / "procedures" / f"{EDITED}.md"


def edit(path: Path, token: str) -> None:
    """What an editor does: change one sentence of a procedure and save."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n\nSửa lần [^\n]*\n?$", "\n", text)
    path.write_text(text.rstrip("\n") + f"\n\nSửa lần {token}.\n", encoding="utf-8")


def unedit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\n\nSửa lần [^\n]*\n?$", "\n", text), encoding="utf-8")


def output_size(folder: Path, page: Path) -> dict:
    files = [f for f in folder.rglob("*") if f.is_file()]
    data = page.read_bytes() if page.exists() else b""
    return {"files": len(files), "bytes": sum(f.stat().st_size for f in files),
            "procedure_page_bytes": len(data), "procedure_page_gzip_bytes": len(gzip.compress(data, 9))}


# --- livereload -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except OSError:
        return ""


def measure_livereload(content: Path, log: Path, edits: int) -> dict:
    """Start `invoke livereload`, edit one procedure `edits` times, time the page's update."""
    output = WORK / "livereload-site"
    shutil.rmtree(output, ignore_errors=True)
    port = free_port()
    invoke = Path(PY).parent / "invoke"
    cmd = [str(invoke) if invoke.exists() else "invoke", "livereload", "--content", str(content),
           "--output", str(output), "--port", str(port), "--today", TODAY]
    lines: list[str] = []
    ready = threading.Event()
    out = open(log, "ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    def reader():
        for raw in proc.stdout:
            out.write(raw)
            out.flush()
            line = raw.decode("utf-8", "replace")
            lines.append(line)
            if "Cập nhật nhanh đã sẵn sàng" in line:
                ready.set()

    threading.Thread(target=reader, daemon=True).start()
    page = output / "thu-tuc" / EDITED / "index.html"
    url = f"http://localhost:{port}/thu-tuc/{EDITED}/"
    path = content / "procedures" / f"{EDITED}.md"
    result: dict = {"edits": edits}
    try:
        start = time.perf_counter()
        if not ready.wait(900):
            result["error"] = "livereload did not report that the fast path is ready within 900 s"
            return result
        result["startup_s"] = round(time.perf_counter() - start, 2)
        disk, served = [], []
        for i in range(edits):
            token = f"{os.getpid()}-{i}-{time.time_ns()}"
            t0 = time.perf_counter()
            edit(path, token)
            t_disk = t_served = None
            while time.perf_counter() - t0 < 60:
                if t_disk is None and page.exists() and token in page.read_text(encoding="utf-8", errors="replace"):
                    t_disk = time.perf_counter() - t0
                if t_disk is not None and token in fetch(url):
                    t_served = time.perf_counter() - t0
                    break
                time.sleep(0.02)
            disk.append(t_disk)
            served.append(t_served)
            # the full build that follows in the background: the procedure list is rebuilt
            time.sleep(3)
        done = [s for s in served if s is not None]
        result.update({
            "to_disk_s": [round(x, 3) if x is not None else None for x in disk],
            "served_s": [round(x, 3) if x is not None else None for x in served],
            "served_median_s": round(statistics.median(done), 3) if done else None,
            "served_max_s": round(max(done), 3) if done else None,
            "missed": edits - len(done),
        })
    finally:
        unedit(path)
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the livereload process group this function started
            proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        out.close()
    return result


# --- search in headless Chromium ---------------------------------------------------------------
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SEARCH_INDEX_FILES = ("procedures.json", "other.json")  # the split index's head, news and offices
SEARCH_MANIFEST_KEYS = dict(zip(SEARCH_INDEX_FILES, ("procedures", "other")))


def split_sizes(output: Path) -> dict:
    """The split index's files (the manifest's `all` list, head and other.json aside): how many,
    and their bytes raw and gzipped, in all and for the largest one."""
    manifest = json.loads((output / "static" / "search" / "manifest.json").read_text(encoding="utf-8"))
    urls = json.loads((output / manifest["all"].lstrip("/")).read_text(encoding="utf-8"))
    skip = {manifest["procedures"], manifest["other"]}
    sizes = [_file_sizes(output / u.lstrip("/")) for u in urls if u not in skip]
    return {"split_files": len(sizes), "split_raw_bytes": sum(x["raw"] for x in sizes),
            "split_gzip_bytes": sum(x["gzip"] for x in sizes),
            "split_largest_gzip_bytes": max((x["gzip"] for x in sizes), default=0)}


def search_file(output: Path, name: str) -> Path:
    """An index file of a build by its plain name: the manifest gives its hashed name."""
    manifest = json.loads((output / "static" / "search" / "manifest.json").read_text(encoding="utf-8"))
    return output / manifest[SEARCH_MANIFEST_KEYS[name]].lstrip("/")
SEARCH_FIRST_QUERY = "dang ky khai sinh"  # what /tim-kiem/?q= is opened with (a citizen's query)
SEARCH_COLD_LOADS = 11
SEARCH_GENERATED_QUERIES = 180
GOAL_SEARCH_FIRST_GZIP_BYTES = 150_000
GOAL_SEARCH_FIRST_RESULT_MS = 300
GOAL_SEARCH_QUERY_P95_MS = 10
_COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".geojson"}
# Installed in every page before its scripts: the time (ms since navigation start) at which the
# results list first holds a link.
_FIRST_RESULT_JS = """
(() => {
  const seen = () => {
    if (window.__firstResult === undefined && document.querySelector('[data-results] a')) {
      window.__firstResult = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, {childList: true, subtree: true});
})();
"""


class PrecompressedHandler(http.server.BaseHTTPRequestHandler):
    """Serves a built site as a production server configured as README.md says: the `.gz` file
    next to a file when the request accepts gzip (nginx `gzip_static`), other text compressed on
    the fly at level 6 (nginx `gzip on`), everything else as is. Counts the bytes it sends."""

    protocol_version = "HTTP/1.1"
    root: Path = Path(".")
    sent: list = []  # (path, bytes on the wire including headers), shared with the measurement

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        file = (self.root / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        status = 200
        if not file.is_relative_to(self.root) or not file.is_file():
            status, file = 404, self.root / "404.html"
        body = file.read_bytes() if file.is_file() else b"Not found"
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        encoding = None
        if "gzip" in self.headers.get("Accept-Encoding", "") and file.suffix in _COMPRESSIBLE:
            gz = file.with_name(file.name + ".gz")
            body = gz.read_bytes() if gz.is_file() else gzip.compress(body, 6)
            encoding = "gzip"
        headers = [("Content-Type", ctype), ("Content-Length", str(len(body))), ("Vary", "Accept-Encoding"),
                   ("Cache-Control", "public, max-age=3600")]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        head = len(f"HTTP/1.1 {status} OK\r\n") + sum(len(k) + len(v) + 4 for k, v in headers) + 2
        self.sent.append((path, head + len(body)))


class SiteServer:
    """A built site on 127.0.0.1 (a free port), served by PrecompressedHandler in a thread."""

    def __init__(self, root: Path):
        handler = type("Handler", (PrecompressedHandler,), {"root": root.resolve(), "sent": []})
        self.sent = handler.sent
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), linear between the closest ranks."""
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _strip_marks(text: str) -> str:
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in t if not unicodedata.combining(ch)))


def search_queries(titles: list[str], n_generated: int, seed: int = 1) -> list[str]:
    """Realistic queries: the relevance test's queries (tests/data/search/queries*.yaml), then
    queries made from procedure titles as citizens type them: without diacritics, half-typed
    (a prefix of the title ending inside a word), with a typo in one word, or a few words of it."""
    import yaml

    queries = []
    for f in sorted((ROOT / "tests" / "data" / "search").glob("queries*.yaml")):
        queries += [str(q["q"]) for q in yaml.safe_load(f.read_text(encoding="utf-8")) or [] if q.get("q")]
    rng = random.Random(seed)
    letters = "abcdeghiklmnopqrstuvxy"
    for i in range(n_generated):
        words = rng.choice(titles).split()
        kind = i % 4
        if kind == 0:  # the start of the title without diacritics
            q = _strip_marks(" ".join(words[:rng.randint(2, 5)])).lower()
        elif kind == 1:  # half-typed: a prefix that ends inside a word
            text = " ".join(words[:rng.randint(2, 6)])
            q = text[:max(3, len(text) - rng.randint(1, 3))]
        elif kind == 2:  # a typo (one letter replaced) in a word of 4+ letters
            words = [_strip_marks(w).lower() for w in words[:rng.randint(2, 5)]]
            long = [j for j, w in enumerate(words) if len(w) >= 4] or [0]
            j = rng.choice(long)
            w = words[j]
            at = rng.randrange(len(w))
            words[j] = w[:at] + rng.choice(letters) + w[at + 1:]
            q = " ".join(words)
        else:  # a few words from the middle of the title, with diacritics
            start = rng.randrange(max(1, len(words) - 2))
            q = " ".join(words[start:start + rng.randint(2, 3)])
        queries.append(q)
    return queries


def _first_search(browser, base: str, query: str, index_name: str = SEARCH_INDEX_FILES[0]) -> dict:
    """One cold load of /tim-kiem/?q=: bytes and times until the results list has a link."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    try:
        context.add_init_script(_FIRST_RESULT_JS)
        page = context.new_page()
        finished: list = []
        page.on("requestfinished", lambda r: finished.append(r))
        page.goto(f"{base}/tim-kiem/?q={urllib.parse.quote(query)}", wait_until="commit")
        page.wait_for_function("window.__firstResult !== undefined", timeout=30_000, polling=50)
        figures = page.evaluate("""(name) => {
          const first = window.__firstResult;
          const nav = performance.getEntriesByType('navigation')[0];
          const entries = [nav].concat(performance.getEntriesByType('resource'));
          const before = entries.filter(e => e.responseEnd <= first);
          const index = performance.getEntriesByType('resource').find(e => new URL(e.name).pathname.endsWith('/' + name));
          return {
            first_result_ms: first,
            index_request_ms: index ? index.startTime : null,
            index_response_end_ms: index ? index.responseEnd : null,
            bytes: before.reduce((s, e) => s + e.transferSize, 0),
            body_bytes: before.reduce((s, e) => s + e.encodedBodySize, 0),
            decoded_bytes: before.reduce((s, e) => s + e.decodedBodySize, 0),
            requests: before.map(e => [new URL(e.name).pathname, e.transferSize]),
          };
        }""", index_name)
        figures["results_shown"] = page.locator("[data-results] a").count()
        # the browser's own count of the same responses (headers + body as received)
        sizes = {}
        for r in finished:
            try:
                s = r.sizes()
                sizes[urllib.parse.urlsplit(r.url).path] = s["responseHeadersSize"] + s["responseBodySize"]
            except Exception:  # a request the page no longer holds
                pass
        figures["browser_bytes"] = sum(sizes.get(p, 0) for p, _ in figures["requests"])
        return figures
    finally:
        context.close()


def _query_times(browser, base: str, queries: list[str]) -> dict:
    """Each query through the engine the page uses (engine.search, as search.js calls it), timed
    with performance.now(); then the same queries typed into the page and rendered."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    try:
        page = context.new_page()
        page.goto(f"{base}/tim-kiem/", wait_until="load")
        page.wait_for_function("window.PortalSearch !== undefined")
        # engine.need(q) loads what a query reads from the split index (timed apart: the files
        # come from 127.0.0.1); engine.search(q) is the ranking itself
        engine_ms = page.evaluate("""async (queries) => {
          const engine = await window.PortalSearch.load().complete;
          await window.PortalSearch.load().other;
          // warm up (the first queries also compile the engine's code)
          for (const q of queries.slice(0, 20)) { await engine.need(q); engine.search(q); }
          const times = [], needs = [];
          let found = 0;
          for (const q of queries) {
            const t1 = performance.now();
            await engine.need(q);
            needs.push(performance.now() - t1);
            const t0 = performance.now();
            const r = engine.search(q);
            times.push(performance.now() - t0);
            if (r.results.length) found++;
          }
          return {times, needs, found};
        }""", queries)
        # the whole page: the query submitted in the form, results (procedures, news and offices)
        # rendered and laid out
        render_ms = page.evaluate("""async (queries) => {
          await window.PortalSearch.load().complete;
          await window.PortalSearch.load().other;
          const input = document.querySelector('[data-search-page] input[name=q]');
          const results = document.querySelector('[data-results]');
          const times = [];
          const settled = (q) => new Promise((resolve) => {
            const check = () => (results.getAttribute('aria-busy') === 'false' &&
              (results.hidden || results.getAttribute('data-query') === q)) ? resolve() : setTimeout(check, 0);
            check();
          });
          for (const q of queries) {
            const t0 = performance.now();
            input.value = q;
            input.form.requestSubmit();
            await settled(q);  // the page renders once the query's files are in
            results.getBoundingClientRect();  // layout
            times.push(performance.now() - t0);
          }
          return times;
        }""", queries)
        # the worst queries a visitor can type or paste: the caps of search-engine.js keep them quick
        worst_ms = page.evaluate("""async (queries) => {
          const engine = await window.PortalSearch.load().complete;
          const times = {};
          for (const [name, q] of queries) {
            await engine.need(q);
            const t0 = performance.now();
            engine.search(q);
            times[name] = performance.now() - t0;
          }
          return times;
        }""", WORST_QUERIES)
        return {"engine": engine_ms, "render": render_ms, "worst": worst_ms}
    finally:
        context.close()


# Queries that froze the tab before search-engine.js capped the query, its words and near spellings.
WORST_QUERIES = [
    ["10000-letter word", "khaisinh" * 1250],
    ["10000 letters with diacritics", "ầ" * 10000],
    ["2000 words", "đăng ký " * 2000],
    ["30-letter typo", "dangkykhaisinhchochaconcuaban"],
]


def _file_sizes(path: Path) -> dict:
    data = path.read_bytes()
    sizes = {"raw": len(data), "gzip": len(gzip.compress(data, 9))}
    gz, br = path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")
    if gz.is_file():
        sizes["gzip"] = gz.stat().st_size  # what the server sends
    if br.is_file():
        sizes["brotli"] = br.stat().st_size
    else:
        try:
            import brotli

            from portal_core.output import BROTLI_QUALITY
            sizes["brotli"] = len(brotli.compress(data, quality=BROTLI_QUALITY))
        except ImportError:
            pass
    return sizes


@measurement
def search(ctx: BenchContext) -> dict:
    """Search at reference scale, in headless Chromium against the build served on 127.0.0.1:
    index sizes; a cold /tim-kiem/?q= (median of SEARCH_COLD_LOADS, a new browser context each):
    bytes transferred and times until the first result link; query times (median, p95)."""
    from playwright.sync_api import sync_playwright

    sizes = {name: _file_sizes(search_file(ctx.output, name)) for name in SEARCH_INDEX_FILES}
    first_path = search_file(ctx.output, SEARCH_INDEX_FILES[0])
    head = json.loads(first_path.read_text(encoding="utf-8"))
    rows = head["docs"]
    titles = [d[0] for n, digest in enumerate(rows["hashes"]) for d in json.loads(
        (ctx.output / rows["pattern"].replace("{n}", str(n)).replace("{hash}", digest).lstrip("/")).read_text(
            encoding="utf-8"))["docs"]]
    queries = search_queries(titles, SEARCH_GENERATED_QUERIES)
    loads = SEARCH_COLD_LOADS if not ctx.quick else 3
    server = SiteServer(ctx.output)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                _first_search(browser, server.url, SEARCH_FIRST_QUERY, first_path.name)  # Chromium's own start-up
                cold = [_first_search(browser, server.url, SEARCH_FIRST_QUERY, first_path.name) for _ in range(loads)]
                timed_queries = _query_times(browser, server.url, queries)
            finally:
                browser.close()
    finally:
        server.close()
    if any(c["index_request_ms"] is None for c in cold):
        raise RuntimeError(f"the page did not request {SEARCH_INDEX_FILES[0]}")
    to_first = [c["first_result_ms"] for c in cold]
    from_index = [c["first_result_ms"] - c["index_request_ms"] for c in cold]
    transferred = [c["bytes"] for c in cold]
    typical = sorted(cold, key=lambda c: c["first_result_ms"])[len(cold) // 2]
    engine, render = timed_queries["engine"]["times"], timed_queries["render"]
    r = {
        **{f"{name.split('.')[0]}_{kind}_bytes": v for name, s in sizes.items() for kind, v in s.items()},
        **split_sizes(ctx.output),
        "query_need_median_ms": round(statistics.median(timed_queries["engine"]["needs"]), 2),
        "query_need_p95_ms": round(percentile(timed_queries["engine"]["needs"], 95), 2),
        "first_search_query": SEARCH_FIRST_QUERY,
        "first_search_loads": loads,
        "first_search_transferred_bytes": int(statistics.median(transferred)),
        "first_search_transferred_browser_bytes": int(statistics.median(c["browser_bytes"] for c in cold)),
        "first_search_decoded_bytes": int(statistics.median(c["decoded_bytes"] for c in cold)),
        "first_search_requests": typical["requests"],
        "page_load_to_first_result_ms": round(statistics.median(to_first), 1),
        "page_load_to_first_result_runs_ms": [round(x, 1) for x in to_first],
        "index_request_to_first_result_ms": round(statistics.median(from_index), 1),
        "index_request_to_first_result_runs_ms": [round(x, 1) for x in from_index],
        "index_request_to_response_end_ms": round(statistics.median(
            c["index_response_end_ms"] - c["index_request_ms"] for c in cold), 1),
        "queries": len(queries),
        "queries_with_results": timed_queries["engine"]["found"],
        "query_median_ms": round(statistics.median(engine), 2),
        "query_p95_ms": round(percentile(engine, 95), 2),
        "query_max_ms": round(max(engine), 2),
        "query_rendered_median_ms": round(statistics.median(render), 2),
        "query_rendered_p95_ms": round(percentile(render, 95), 2),
        "query_worst_case_ms": {k: round(v, 2) for k, v in timed_queries["worst"].items()},
    }
    r["goals"] = {
        "first_search_transferred_bytes_max": GOAL_SEARCH_FIRST_GZIP_BYTES,
        "index_request_to_first_result_ms_max": GOAL_SEARCH_FIRST_RESULT_MS,
        "query_p95_ms_max": GOAL_SEARCH_QUERY_P95_MS,
    }
    r["ok"] = {
        "first_search_transferred": r["first_search_transferred_bytes"] < GOAL_SEARCH_FIRST_GZIP_BYTES,
        "first_result_time": r["index_request_to_first_result_ms"] < GOAL_SEARCH_FIRST_RESULT_MS,
        "query_p95": r["query_p95_ms"] < GOAL_SEARCH_QUERY_P95_MS,
    }
    return r

# --- the run ----------------------------------------------------------------------------------
STATISTICS_ROWS = 100_000


def write_dossiers(path: Path, codes: list[str], rows: int, seed: int = 766) -> None:
    """A nightly export of the one-stop software at province scale: `rows` rows of months x
    agencies x procedures (portal_statistics' dossiers.csv)."""
    import csv
    import random

    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    months = [f"{y}-{m:02d}" for y in range(2017, 2027) for m in range(1, 13)]
    agencies = [f"Đơn vị {i}" for i in range(1, 121)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "agency", "procedure_code", "received", "received_online", "resolved_on_time",
                    "resolved_late", "in_progress", "sample"])
        n = 0
        for m in months:
            for a in agencies:
                for c in codes[:8] + [""]:
                    r = rng.randint(0, 300)
                    late = rng.randint(0, min(5, r))
                    w.writerow([m, a, c, r, rng.randint(0, r), r - late, late, rng.randint(0, 30), "true"])
                    n += 1
                    if n == rows:
                        return


@measurement
def statistics_rows(ctx: BenchContext) -> dict:
    """A full build of the reference content with a 100,000-row dossiers.csv against the same
    content without it: medians of `runs` cold builds each (no content cache), and their ratio."""
    import re

    codes = sorted({m.group(1) for f in (ctx.content / "procedures").glob("*.md")
                    for m in [re.search(r"^code: *['\"]?([^'\"\n]+)", f.read_text(encoding="utf-8"), re.M)] if m})
    with_rows = ctx.work / "statistics-content"
    shutil.rmtree(with_rows, ignore_errors=True)
    shutil.copytree(ctx.content, with_rows)
    rows = 2_000 if ctx.quick else STATISTICS_ROWS
    write_dossiers(with_rows / "statistics" / "dossiers.csv", codes, rows)
    log = ctx.work / "statistics.log"
    times = {"without": [], "with": []}
    for i in range(max(ctx.runs, 1)):
        for kind, content in (("without", ctx.content), ("with", with_rows)):
            out, cache = ctx.work / f"stat-out-{kind}", ctx.work / f"stat-cache-{kind}-{i}"
            shutil.rmtree(cache, ignore_errors=True)
            run = build_ours(content, out, cache, log)
            if not run.ok:
                return {"error": f"the build failed: see {log}"}
            times[kind].append(run.wall)
    a, b = median(times["without"]), median(times["with"])
    return {"rows": rows, "build_without_s": round(a, 2), "build_with_s": round(b, 2),
            "added_s": round(b - a, 2), "ratio": round(b / a, 2)}


def ensure_content(quick: bool) -> tuple[Path, Path]:
    """Generate the content unless the folders were made by the same generator and options."""
    counts = dict(procedures=200, offices=30, news=60) if quick else dict(procedures=2000, offices=120, news=500)
    name = "quick" if quick else "reference"
    content, plain = WORK / name, WORK / f"plain-{name}" if quick else WORK / "plain"
    if not (generate.is_current(content, 1, **counts) and generate.is_current(plain, 1, **counts)):
        print(f"Generating {content} and {plain} ...", flush=True)
        generate.generate(content, plain, seed=1, **counts)
    return content, plain


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


# --- Lighthouse (mobile) on one page of each kind -------------------------------------------------
LIGHTHOUSE_DIR = HERE / "lighthouse"  # its own package.json and lock: ./dev test does not install it
LIGHTHOUSE_RUNS = 3
GOAL_LIGHTHOUSE = 95
LIGHTHOUSE_AUDITS = ("total-blocking-time", "largest-contentful-paint", "first-contentful-paint",
                     "speed-index", "cumulative-layout-shift")


def lighthouse_cli() -> Path:
    """Lighthouse from npm (benchmarks/lighthouse/package-lock.json), installed on first use."""
    cli = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    marker = LIGHTHOUSE_DIR / "node_modules" / ".package-lock.installed"
    lock = (LIGHTHOUSE_DIR / "package-lock.json").read_bytes()
    if not cli.is_file() or not marker.is_file() or marker.read_bytes() != lock:
        print("Installing Lighthouse (benchmarks/lighthouse) ...", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=LIGHTHOUSE_DIR, check=True)
        marker.write_bytes(lock)
    return cli


def lighthouse_pages(output: Path) -> dict[str, str]:
    """One page of each kind: the home page, a procedure, the procedures' listing, a search."""
    procedure = sorted(p.parent.parent.name for p in (output / "thu-tuc").glob("*/qr/index.html"))[0]
    return {"home": "/", "procedure": f"/thu-tuc/{procedure}/", "listing": "/thu-tuc/",
            "search": "/tim-kiem/?q=" + urllib.parse.quote(SEARCH_FIRST_QUERY)}


def measure_lighthouse(output: Path, runs: int = LIGHTHOUSE_RUNS) -> dict:
    """Lighthouse's mobile performance (its defaults: a phone's screen, simulated slow 4G and a 4×
    slower CPU) of one page of each kind, the build served with its .gz files: the median score of
    `runs` runs and the median of each main figure."""
    cli = lighthouse_cli()
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    server = SiteServer(output)
    result = {}
    try:
        for kind, path in lighthouse_pages(output).items():
            got = []
            for i in range(runs):
                report = WORK / f"lighthouse-{kind}.json"
                cmd = ["node", str(cli), server.url + path, "--output=json", f"--output-path={report}",
                       "--only-categories=performance", "--quiet",
                       "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
                done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
                if done.returncode != 0:
                    raise RuntimeError(f"Lighthouse failed on {path}: {done.stderr[-500:]}")
                r = json.loads(report.read_text(encoding="utf-8"))
                got.append({"score": round(r["categories"]["performance"]["score"] * 100),
                            **{a: r["audits"][a]["numericValue"] for a in LIGHTHOUSE_AUDITS}})
                print(f"  Lighthouse {kind} {path} run {i + 1}/{runs}: {got[-1]['score']}", flush=True)
            result[kind] = {"path": path, "score": median([g["score"] for g in got]),
                            "score_runs": [g["score"] for g in got],
                            **{a: median([g[a] for g in got]) for a in LIGHTHOUSE_AUDITS}}
    finally:
        server.close()
    result["goal"] = GOAL_LIGHTHOUSE
    result["ok"] = all(v["score"] >= GOAL_LIGHTHOUSE for k, v in result.items() if isinstance(v, dict))
    return result


def measure_sizes(sizes: list[int], runs: int, lighthouse: bool = True) -> dict:
    """Cold full builds, ours and plain Pelican paired in the same run, at each catalogue size
    (procedures; 120 offices and 500 news items throughout): medians and ranges of wall time, CPU
    and peak memory; then, on our build of each size, a first search in Chromium (bytes and time
    to the first result), and Lighthouse's mobile performance at the largest size."""
    log = WORK / "sizes.log"
    log.write_text(f"sizes {dt.datetime.now().isoformat(timespec='seconds')}\n")
    rows = []
    for n in sizes:
        counts = dict(procedures=n, offices=120, news=500)
        content, plain = (WORK / "reference", WORK / "plain") if n == 2000 else (WORK / f"size-{n}", WORK / f"plain-{n}")
        if not (generate.is_current(content, 1, **counts) and generate.is_current(plain, 1, **counts)):
            print(f"Generating {content} and {plain} ...", flush=True)
            generate.generate(content, plain, seed=1, **counts)
        out = {"ours": WORK / "site-ours", "plain": WORK / "site-plain"}
        cache = {"ours": WORK / "cache-ours", "plain": WORK / "cache-plain"}
        got: dict[str, list[Run]] = {"ours": [], "plain": []}
        for i in range(runs):
            for kind in (["ours", "plain"] if i % 2 == 0 else ["plain", "ours"]):
                print(f"{n} procedures, run {i + 1}/{runs}: cold build, {kind} ...", flush=True)
                remove_build(out[kind], cache[kind])
                r = (build_ours(content, out[kind], cache[kind], log) if kind == "ours"
                     else build_plain(plain, out[kind], cache[kind], log))
                if not r.ok:
                    raise SystemExit(f"The {kind} build of {n} procedures failed; see {log}")
                got[kind].append(r)
                print(f"  {r.wall:.1f} s wall, {r.cpu:.1f} s CPU, {r.max_rss_mb:.0f} MB", flush=True)
        row = {"procedures": n}
        for kind in ("ours", "plain"):
            rs = got[kind]
            row[kind] = {"build_s": median([r.wall for r in rs]), "build_range_s": [round(min(r.wall for r in rs), 2),
                                                                                    round(max(r.wall for r in rs), 2)],
                         "cpu_s": median([r.cpu for r in rs]), "peak_memory_mb": median([r.max_rss_mb for r in rs]),
                         "peak_memory_range_mb": [round(min(r.max_rss_mb for r in rs), 1),
                                                  round(max(r.max_rss_mb for r in rs), 1)]}
        row["ratio"] = {k: round(row["ours"][k] / row["plain"][k], 2)
                        for k in ("build_s", "cpu_s", "peak_memory_mb")}
        print(f"{n} procedures: search in Chromium ...", flush=True)
        ctx = BenchContext(ROOT, WORK, content, plain, out["ours"], out["plain"], TODAY, runs, False, {})
        figures = search(ctx)
        row["search"] = {k: figures[k] for k in (
            "first_search_transferred_bytes", "first_search_requests", "page_load_to_first_result_ms",
            "index_request_to_first_result_ms", "index_request_to_first_result_runs_ms", "query_median_ms",
            "query_p95_ms", "procedures_gzip_bytes", "split_files", "split_gzip_bytes", "ok")}
        if lighthouse and n == max(sizes):
            print(f"{n} procedures: Lighthouse ...", flush=True)
            row["lighthouse"] = measure_lighthouse(out["ours"])
        rows.append(row)
    return {"date": dt.datetime.now().isoformat(timespec="seconds"), "runs": runs, "cpus": os.cpu_count(),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                     text=True).stdout.strip(), "sizes": rows}


def sizes_svg(result: dict) -> str:
    """Two small line charts (build time, peak memory) against catalogue size, ours and plain
    Pelican: plain SVG, no plotting library for a dozen points."""
    rows = result["sizes"]
    w, h, pad = 360, 240, 48
    xs = [r["procedures"] for r in rows]
    panels = [("Cold full build (s, median)", "build_s"), ("Peak memory (MB, median)", "peak_memory_mb")]
    colours = {"ours": "#0b5394", "plain": "#b45f06"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h + 30}" '
           f'viewBox="0 0 {2 * w} {h + 30}" font-family="sans-serif" font-size="11">',
           f"<title>Build time and memory against catalogue size ({result['date']}, {result['runs']} runs)</title>"]
    for i, (title, key) in enumerate(panels):
        ox = i * w
        top = max(max(r["ours"][key], r["plain"][key]) for r in rows) * 1.1 or 1
        xmax = max(xs) * 1.05

        def px(x, ox=ox, xmax=xmax):
            return ox + pad + (w - 1.5 * pad) * x / xmax

        def py(y, top=top):
            return h - pad + 10 - (h - 1.5 * pad) * y / top

        out.append(f'<text x="{ox + pad}" y="16" font-weight="bold">{title}</text>')
        out.append(f'<line x1="{px(0):.1f}" y1="{py(0):.1f}" x2="{px(xmax):.1f}" y2="{py(0):.1f}" stroke="#333"/>')
        out.append(f'<line x1="{px(0):.1f}" y1="{py(0):.1f}" x2="{px(0):.1f}" y2="{py(top):.1f}" stroke="#333"/>')
        for k in range(5):
            v = top * k / 4
            out.append(f'<text x="{px(0) - 4:.1f}" y="{py(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
        for x in xs:
            out.append(f'<text x="{px(x):.1f}" y="{py(0) + 14:.1f}" text-anchor="middle">{x:,}</text>')
        out.append(f'<text x="{px(xmax / 2):.1f}" y="{py(0) + 28:.1f}" text-anchor="middle">procedures</text>')
        for kind, colour in colours.items():
            pts = " ".join(f"{px(r['procedures']):.1f},{py(r[kind][key]):.1f}" for r in rows)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for r in rows:
                out.append(f'<circle cx="{px(r["procedures"]):.1f}" cy="{py(r[kind][key]):.1f}" r="3" fill="{colour}"/>')
        for j, (kind, colour) in enumerate(colours.items()):
            label = "this generator" if kind == "ours" else "plain Pelican"
            out.append(f'<rect x="{ox + pad + 10}" y="{28 + 14 * j}" width="10" height="3" fill="{colour}"/>'
                       f'<text x="{ox + pad + 24}" y="{33 + 14 * j}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="builds of each kind (median reported; at least 3)")
    ap.add_argument("--sizes", help="instead, cold builds at these catalogue sizes (2000,5000,10000), paired with "
                                    "plain Pelican: benchmarks/results/sizes.json and sizes.svg")
    ap.add_argument("--quick", action="store_true", help="a small content folder and 1 run: checks the harness")
    ap.add_argument("--no-livereload", action="store_true", help="skip the livereload measurement")
    ap.add_argument("--no-lighthouse", action="store_true", help="with --sizes: skip Lighthouse")
    ap.add_argument("--output", help="the JSON file (default benchmarks/results/latest.json, quick.json with --quick)")
    a = ap.parse_args(argv)
    runs = 1 if a.quick else max(3, a.runs)
    if a.sizes:
        WORK.mkdir(exist_ok=True)
        result = measure_sizes([int(x) for x in a.sizes.split(",")], runs, lighthouse=not a.no_lighthouse)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "sizes.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        (RESULTS / "sizes.svg").write_text(sizes_svg(result), encoding="utf-8")
        print(f"\n{'procedures':>10}{'ours s':>10}{'plain s':>10}{'ratio':>8}{'ours MB':>10}{'plain MB':>10}{'ratio':>8}")
        for r in result["sizes"]:
            print(f"{r['procedures']:>10,}{r['ours']['build_s']:>10.1f}{r['plain']['build_s']:>10.1f}"
                  f"{r['ratio']['build_s']:>8.2f}{r['ours']['peak_memory_mb']:>10.0f}{r['plain']['peak_memory_mb']:>10.0f}"
                  f"{r['ratio']['peak_memory_mb']:>8.2f}")
        print(f"\n{'procedures':>10}{'first search KB':>18}{'first result ms':>18}{'query p95 ms':>15}")
        for r in result["sizes"]:
            sr = r["search"]
            print(f"{r['procedures']:>10,}{sr['first_search_transferred_bytes'] / 1000:>18.1f}"
                  f"{sr['index_request_to_first_result_ms']:>18.1f}{sr['query_p95_ms']:>15.2f}")
        for r in result["sizes"]:
            if "lighthouse" in r:
                lh = r["lighthouse"]
                print(f"\nLighthouse, mobile, {r['procedures']:,} procedures (median of {LIGHTHOUSE_RUNS}; goal "
                      f"{GOAL_LIGHTHOUSE}: {'met' if lh['ok'] else 'NOT met'}):")
                for kind, v in lh.items():
                    if isinstance(v, dict):
                        print(f"  {kind:10} {v['path']:48} {v['score']:>4} (runs {v['score_runs']}), TBT "
                              f"{v['total-blocking-time']:.0f} ms, LCP {v['largest-contentful-paint']:.0f} ms, "
                              f"CLS {v['cumulative-layout-shift']:.3f}")
        print("Wrote benchmarks/results/sizes.json and sizes.svg")
        return 0
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    WORK.mkdir(exist_ok=True)
    log = WORK / "bench.log"
    log.write_text(f"bench {dt.datetime.now().isoformat(timespec='seconds')}\n")
    content, plain = ensure_content(a.quick)
    out = {"ours": WORK / "site-ours", "plain": WORK / "site-plain"}
    cache = {"ours": WORK / "cache-ours", "plain": WORK / "cache-plain"}
    builders = {"ours": lambda: build_ours(content, out["ours"], cache["ours"], log),
                "plain": lambda: build_plain(plain, out["plain"], cache["plain"], log)}
    sources = {"ours": content, "plain": plain}
    full: dict[str, list[Run]] = {"ours": [], "plain": []}
    rebuild: dict[str, list[Run]] = {"ours": [], "plain": []}
    warm: dict[str, list[Run]] = {"ours": [], "plain": []}
    for i in range(runs):
        order = ["ours", "plain"] if i % 2 == 0 else ["plain", "ours"]
        for kind in order:
            print(f"run {i + 1}/{runs}: full build, {kind} ...", flush=True)
            remove_build(out[kind], cache[kind])
            r = builders[kind]()
            if not r.ok:
                print(f"The {kind} build failed; see {log}", file=sys.stderr)
                return 1
            full[kind].append(r)
            print(f"  {r.wall:.1f} s wall, {r.cpu:.1f} s CPU, {r.max_rss_mb:.0f} MB", flush=True)
        for kind in order:
            print(f"run {i + 1}/{runs}: rebuild after editing one procedure, {kind} ...", flush=True)
            f = procedure_file(kind, sources[kind])
            try:
                edit(f, f"rebuild {i}")
                r = builders[kind]()
            finally:
                unedit(f)
            rebuild[kind].append(r)
            print(f"  {r.wall:.1f} s wall, {r.cpu:.1f} s CPU", flush=True)
        for kind in order:
            print(f"run {i + 1}/{runs}: warm build (nothing changed), {kind} ...", flush=True)
            r = builders[kind]()
            warm[kind].append(r)
            print(f"  {r.wall:.1f} s wall, {r.cpu:.1f} s CPU", flush=True)
    pages = {"ours": out["ours"] / "thu-tuc" / EDITED / "index.html", "plain": out["plain"] / f"{EDITED}.html"}
    results: dict = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": load_at_start, "load_average_at_end": None},
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "content": {"procedures": len(list((content / "procedures").glob("*.md"))),
                    "offices": len(list((content / "offices").glob("*.md"))),
                    "news": len(list((content / "news").glob("*.md"))), "quick": a.quick},
        "runs": runs,
    }
    for kind in ("ours", "plain"):
        results[kind] = {
            "full_build_s": median([r.wall for r in full[kind]]),
            "full_build_cpu_s": median([r.cpu for r in full[kind]]),
            "full_build_runs_s": [round(r.wall, 2) for r in full[kind]],
            "peak_memory_mb": round(max(r.max_rss_mb for r in full[kind] + rebuild[kind]), 1),
            "rebuild_after_edit_s": median([r.wall for r in rebuild[kind]]),
            "rebuild_after_edit_cpu_s": median([r.cpu for r in rebuild[kind]]),
            "rebuild_after_edit_runs_s": [round(r.wall, 2) for r in rebuild[kind]],
            "warm_build_s": median([r.wall for r in warm[kind]]),
            "warm_build_runs_s": [round(r.wall, 2) for r in warm[kind]],
            # an editor's one-file change against a cold build of everything, same builder, same run
            "rebuild_to_full_ratio": round(median([r.wall for r in rebuild[kind]]) / median([r.wall for r in full[kind]]), 2),
            **output_size(out[kind], pages[kind]),
        }
    ratio = {}
    for key in ("full_build_s", "full_build_cpu_s", "peak_memory_mb", "rebuild_after_edit_s",
                "rebuild_after_edit_cpu_s", "warm_build_s", "files", "bytes", "procedure_page_gzip_bytes"):
        o, p = results["ours"][key], results["plain"][key]
        ratio[key] = round(o / p, 2) if o and p else None
    # each run's pair (the two builds one after the other) against each other: the machine's speed
    # drifts between runs (CPU time for the same build varies by half), less within a pair
    pairs = [round(o.wall / p.wall, 2) for o, p in zip(full["ours"], full["plain"])]
    ratio["full_build_pairs"] = pairs
    ratio["full_build_median_of_pairs"] = median(pairs)
    results["ratio_ours_to_plain"] = ratio
    results["goals"] = {
        "full_build_ratio_max": GOAL_RATIO, "full_build_ratio_ok": (ratio["full_build_s"] or 99) <= GOAL_RATIO,
        "full_build_median_of_pairs_ok": ratio["full_build_median_of_pairs"] <= GOAL_RATIO,
        "peak_memory_ratio_max": GOAL_MEMORY_RATIO,
        "peak_memory_ratio_ok": (ratio["peak_memory_mb"] or 99) <= GOAL_MEMORY_RATIO,
        "rebuild_to_full_max": GOAL_REBUILD_RATIO,
        "rebuild_to_full_ok": results["ours"]["rebuild_to_full_ratio"] <= GOAL_REBUILD_RATIO}
    if not a.no_livereload:
        edits = 2 if a.quick else LIVERELOAD_EDITS
        print(f"livereload: {edits} edits of {EDITED}.md ...", flush=True)
        lr = measure_livereload(content, log, edits)
        lr["goal_s"] = GOAL_LIVERELOAD_S
        lr["ok"] = lr.get("served_max_s") is not None and lr["served_max_s"] <= GOAL_LIVERELOAD_S and not lr.get("missed")
        results["livereload"] = lr
    ctx = BenchContext(ROOT, WORK, content, plain, out["ours"], out["plain"], TODAY, runs, a.quick, results)
    results["extra"] = {}
    for fn in EXTRA_MEASUREMENTS:
        print(f"extra: {fn.__name__} ...", flush=True)
        try:
            results["extra"][fn.__name__] = fn(ctx)
        except Exception as exc:  # one broken measurement must not lose the others
            results["extra"][fn.__name__] = {"error": f"{type(exc).__name__}: {exc}"}
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_table(results)
    dest = Path(a.output or RESULTS / ("quick.json" if a.quick else "latest.json"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
    return 0


def print_table(r: dict) -> None:
    def fmt(v, unit=""):
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:,.2f}{unit}"
        return f"{v:,}{unit}"

    c = r["content"]
    print(f"\nReference content: {c['procedures']} procedures, {c['offices']} offices, {c['news']} news; "
          f"{r['runs']} run(s) each, medians; load average {r['machine']['load_average_at_start']} at start, "
          f"{r['machine']['load_average_at_end']} at end")
    rows = [("full build, wall", "full_build_s", " s"), ("full build, CPU", "full_build_cpu_s", " s"),
            ("peak memory", "peak_memory_mb", " MB"), ("rebuild after editing 1 procedure", "rebuild_after_edit_s", " s"),
            ("rebuild after editing 1 procedure, CPU", "rebuild_after_edit_cpu_s", " s"),
            ("rebuild after editing 1 procedure / full build", "rebuild_to_full_ratio", "×"),
            ("warm build, nothing changed", "warm_build_s", " s"),
            ("output files", "files", ""), ("output bytes", "bytes", ""),
            ("1 procedure page, gzipped bytes", "procedure_page_gzip_bytes", "")]
    w = max(len(x[0]) for x in rows) + 2
    print(f"{'':{w}}{'ours':>14}{'plain Pelican':>16}{'ours/plain':>12}")
    for label, key, unit in rows:
        print(f"{label:{w}}{fmt(r['ours'][key], unit):>14}{fmt(r['plain'][key], unit):>16}"
              f"{fmt(r['ratio_ours_to_plain'].get(key)):>12}")
    g = r["goals"]
    pairs = r["ratio_ours_to_plain"].get("full_build_pairs")
    if pairs:
        print(f"full build, ours/plain in each run's pair: {', '.join(f'{x:.2f}' for x in pairs)}; median "
              f"{r['ratio_ours_to_plain']['full_build_median_of_pairs']:.2f}")
    print(f"goal: full build within {g['full_build_ratio_max']}x plain Pelican: "
          f"{'met' if g['full_build_ratio_ok'] else 'NOT met'} (medians' ratio), "
          f"{'met' if g.get('full_build_median_of_pairs_ok') else 'NOT met'} (median of the pairs)")
    if "peak_memory_ratio_max" in g:
        print(f"goal: peak memory within {g['peak_memory_ratio_max']}x plain Pelican: "
              f"{'met' if g['peak_memory_ratio_ok'] else 'NOT met'}")
        print(f"goal: rebuild after one edit within {g['rebuild_to_full_max']}x of a cold build: "
              f"{'met' if g['rebuild_to_full_ok'] else 'NOT met'}")
    lr = r.get("livereload")
    if lr:
        if lr.get("error"):
            print(f"livereload: {lr['error']}")
        else:
            print(f"livereload fast path (save -> new page served), {lr['edits']} edits: median "
                  f"{fmt(lr['served_median_s'], ' s')}, max {fmt(lr['served_max_s'], ' s')}, missed {lr['missed']} "
                  f"(on disk: {lr['to_disk_s']}); goal {lr['goal_s']} s: {'met' if lr['ok'] else 'NOT met'}")
    for name, figures in r.get("extra", {}).items():
        if name == "search" and "error" not in figures:
            print_search(figures)
            continue
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def print_search(s: dict) -> None:
    """The search figures of the `search` measurement, with its goals."""
    def kb(n):
        return f"{n / 1000:,.1f} KB"

    def met(key):
        return "met" if s["ok"][key] else "NOT met"

    g = s["goals"]
    print(f"\nsearch (headless Chromium, {s['first_search_loads']} cold loads of /tim-kiem/?q={s['first_search_query']}, medians)")
    print(f"{'index file':24}{'raw':>12}{'gzip':>12}{'brotli':>12}")
    for name in SEARCH_INDEX_FILES:
        stem = name.split(".")[0]
        print(f"{name:24}{kb(s[f'{stem}_raw_bytes']):>12}{kb(s[f'{stem}_gzip_bytes']):>12}"
              f"{kb(s.get(f'{stem}_brotli_bytes', 0)):>12}")
    print(f"{s['split_files']} split files (shards, lengths, rows): {kb(s['split_raw_bytes'])} raw, "
          f"{kb(s['split_gzip_bytes'])} gzip in all, the largest {kb(s['split_largest_gzip_bytes'])} gzip")
    print(f"transferred before the first result: {kb(s['first_search_transferred_bytes'])} "
          f"({len(s['first_search_requests'])} responses, gzip); goal < {kb(g['first_search_transferred_bytes_max'])}: "
          f"{met('first_search_transferred')}")
    print(f"page load -> first result: {s['page_load_to_first_result_ms']} ms; index request -> first result: "
          f"{s['index_request_to_first_result_ms']} ms (runs {s['index_request_to_first_result_runs_ms']}); "
          f"goal < {g['index_request_to_first_result_ms_max']} ms: {met('first_result_time')}")
    print(f"query ({s['queries']} queries, engine.search): median {s['query_median_ms']} ms, p95 {s['query_p95_ms']} ms, "
          f"max {s['query_max_ms']} ms; goal p95 < {g['query_p95_ms_max']} ms: {met('query_p95')}")
    print(f"loading what a query reads (engine.need, from 127.0.0.1): median {s['query_need_median_ms']} ms, "
          f"p95 {s['query_need_p95_ms']} ms")
    print(f"query typed into /tim-kiem/ and rendered: median {s['query_rendered_median_ms']} ms, "
          f"p95 {s['query_rendered_p95_ms']} ms")
    worst = ", ".join(f"{k} {v} ms" for k, v in s.get("query_worst_case_ms", {}).items())
    print(f"worst-case queries (engine.search): {worst}")


if __name__ == "__main__":
    sys.exit(main())
