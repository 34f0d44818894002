"""Shared fixtures: build a content folder with the real `invoke build`, serve it on localhost,
drive it with Playwright in Debian's Chromium, and check pages with axe-core."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
# The sample site is always built as of this day, so that no test depends on the day CI runs.
SAMPLE_TODAY = "2025-10-15"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

sys.path.insert(0, str(ROOT / "plugins"))
# Every build in the tests renders with Jinja's StrictUndefined (pelicanconf.py): a misspelt
# variable or attribute in a template fails the build, and so the test.
os.environ["PORTAL_STRICT_TEMPLATES"] = "1"


def build(content, output, today=SAMPLE_TODAY, drafts=False, check=True, extra=()):
    """Run the real `invoke build` on a content folder; returns the CompletedProcess."""
    cmd = [str(ROOT / ".venv" / "bin" / "invoke") if (ROOT / ".venv" / "bin" / "invoke").exists() else "invoke",
           "build", "--content", str(content), "--output", str(output)]
    if today:
        cmd += ["--today", today]
    if drafts:
        cmd += ["--drafts"]
    cmd += list(extra)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class Server:
    """A static file server for a built site on 127.0.0.1 (a free port)."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample content (content/) built as of SAMPLE_TODAY."""
    out = tmp_path_factory.mktemp("sample") / "site"
    build(ROOT / "content", out)
    return out


@pytest.fixture(scope="session")
def site_url(sample_site):
    server = Server(sample_site)
    yield server.url
    server.close()


@pytest.fixture(scope="session")
def serve():
    """serve(path) -> base URL of a server for another built site (closed at the end)."""
    servers = []

    def _serve(root):
        s = Server(Path(root))
        servers.append(s)
        return s.url

    yield _serve
    for s in servers:
        s.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run ./dev test (installs Debian's chromium as root)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class PageProblems:
    def __init__(self):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.external_requests: list[str] = []


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("127.0.0.1", "localhost")


def new_page(browser, problems: PageProblems | None = None, javascript=True, **context_args):
    """A page in a fresh context; every request that would leave localhost is blocked and recorded."""
    problems = problems or PageProblems()
    context = browser.new_context(java_script_enabled=javascript, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", **context_args)

    def route(r):
        if _is_local(r.request.url):
            r.continue_()
        else:
            problems.external_requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
    page.on("pageerror", lambda e: problems.page_errors.append(str(e)))
    page.problems = problems
    return page


@pytest.fixture
def page(browser):
    """A JavaScript-enabled page; the test fails on console errors, page errors or third-party requests."""
    p = new_page(browser)
    yield p
    problems = p.problems
    p.context.close()
    assert not problems.page_errors, f"JavaScript errors: {problems.page_errors}"
    assert not problems.console_errors, f"console errors: {problems.console_errors}"
    assert not problems.external_requests, f"requests left the site: {problems.external_requests}"


@pytest.fixture
def nojs_page(browser):
    p = new_page(browser, javascript=False)
    yield p
    p.context.close()


AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, include=None) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the current page (each with the failing nodes)."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async ([tags, include]) => {
            const r = await axe.run(include || document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }""",
        [AXE_TAGS, include],
    )


def assert_no_axe_violations(page, include=None):
    violations = axe_violations(page, include)
    assert not violations, "axe-core violations on " + page.url + ":\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations
    )


@pytest.fixture
def content_copy(tmp_path):
    """A writable copy of the sample content folder, for tests that break or change content."""
    dest = tmp_path / "content"
    shutil.copytree(ROOT / "content", dest)
    return dest


_LAYOUT_SHIFTS_JS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
}).observe({type: 'layout-shift', buffered: true});
"""


def phone_page_with_late_file(browser, url: str, late: str):
    """A page at a phone's width that records layout shifts (window.__shifts), opened at `url`
    with the files matching the glob `late` held until the whole page has been drawn twice, as
    on a slow phone or network. (Not is_mobile: Chromium then marks every shift as after input.)"""
    page = new_page(browser, viewport={"width": 412, "height": 823})
    page.add_init_script(_LAYOUT_SHIFTS_JS)
    held = []
    page.route(late, lambda r: held.append(r))
    page.goto(url, wait_until="commit")
    page.wait_for_function("performance.getEntriesByType('paint').length > 0 && document.querySelector('footer')")
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert held, f"nothing matched {late}"
    for r in held:
        r.continue_()
    return page
