"""The shipped web server configuration, with Debian's real nginx on 127.0.0.1 serving the sample
build: precompressed files, caching, the 404 page, security headers; and every kind of page under
the enforced Content-Security-Policy in Chromium, with no violation and no console error."""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, new_page

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
INVOKE = str(ROOT / ".venv" / "bin" / "invoke")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_nginx(folder: Path, ports: list[int]) -> subprocess.Popen:
    """Debian's nginx with the nginx.conf in `folder`, once it accepts connections on every port."""
    proc = subprocess.Popen([NGINX, "-c", str(folder / "nginx.conf")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"nginx did not start: {proc.stdout.read().decode()} "
                                f"{(folder / 'error.log').read_text() if (folder / 'error.log').exists() else ''}")
                time.sleep(0.05)
    return proc


@pytest.fixture(scope="module")
def nginx(sample_site, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail("nginx not found: run ./dev test as root (installs nginx and libnginx-mod-http-brotli-static)")
    folder = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    subprocess.run([INVOKE, "nginx-config", "--root", str(sample_site), "--out", str(folder),
                    "--listen", f"127.0.0.1:{port}"], cwd=ROOT, check=True, capture_output=True)
    proc = _start_nginx(folder, [port])
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def get(url: str, encoding: str | None = None):
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def _policy(headers) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}


def test_pages_get_the_security_headers_and_are_revalidated(nginx):
    status, h, body = get(nginx + "/")
    assert status == 200 and b'lang="vi"' in body
    csp = _policy(h)
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'self'"]
    # the form of the dossier look-up goes to the official look-up named in site.yaml
    assert csp["form-action"] == ["'self'", "https://dichvucong.binhduong.example.vn"]
    assert "unsafe-inline" not in h["Content-Security-Policy"] and "unsafe-eval" not in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Strict-Transport-Security"].startswith("max-age=31536000")
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=(self)" in h["Permissions-Policy"] and "camera=(self)" in h["Permissions-Policy"]
    assert h["Cache-Control"] == "no-cache"
    # the editor has its own, looser policy, only under its own address
    status, h, _ = get(nginx + "/quan-tri/")
    assert status == 200 and "'unsafe-eval'" in _policy(h)["script-src"]


def test_hashed_files_are_kept_a_year_and_sent_precompressed(nginx, sample_site):
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    css = re.search(r'href="(/theme/css/site\.[0-9a-f]{10}\.css)"', html).group(1)
    raw = (sample_site / css.lstrip("/")).read_bytes()
    for encoding, expected in (("br", "br"), ("gzip", "gzip"), (None, None)):
        status, h, body = get(nginx + css, encoding)
        assert status == 200 and h.get("Content-Encoding") == expected, encoding
        assert h["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Accept-Encoding" in (h.get("Vary") or ""), encoding
        assert h["Content-Type"].startswith("text/css")
        if expected is None:
            assert body == raw
    manifest = json.loads(get(nginx + "/static/search/manifest.json")[2])
    status, h, _ = get(nginx + manifest["procedures"], "br")
    assert status == 200 and h["Content-Encoding"] == "br" and "immutable" in h["Cache-Control"]
    # the manifest itself names the current files: revalidated
    status, h, _ = get(nginx + "/static/search/manifest.json")
    assert h["Cache-Control"] == "no-cache" and h["Content-Type"].startswith("application/json")


def test_unknown_addresses_get_the_sites_404_page_with_the_headers(nginx, sample_site):
    status, h, body = get(nginx + "/khong-co-trang-nay/")
    assert status == 404
    assert body == (sample_site / "404.html").read_bytes()
    assert h["X-Content-Type-Options"] == "nosniff" and "default-src 'self'" in h["Content-Security-Policy"]


def test_renamed_pages_are_redirected_by_the_server(nginx):
    import http.client
    from urllib.parse import urlsplit

    host = urlsplit(nginx)
    for old in ("/thu-tuc/cap-the-can-cuoc-cong-dan/", "/thu-tuc/cap-the-can-cuoc-cong-dan"):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        conn.request("GET", old)
        r = conn.getresponse()
        assert r.status == 301 and r.getheader("Location").endswith("/thu-tuc/cap-the-can-cuoc/"), old
        conn.close()


def test_security_txt_names_the_contact_and_expires(nginx):
    status, _, body = get(nginx + "/.well-known/security.txt")
    text = body.decode()
    assert status == 200 and "Contact: mailto:" in text and re.search(r"^Expires: \d{4}-\d\d-\d\dT", text, re.M)


def test_the_shipped_configuration_is_the_generated_one():
    proc = subprocess.run([INVOKE, "nginx-config", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


PAGES = ["/", "/thu-tuc/", "/thu-tuc/dang-ky-khai-sinh/", "/thu-tuc/dang-ky-khai-sinh/qr/", "/thu-tuc/linh-vuc/",
         "/tim-kiem/?q=khai%20sinh", "/dia-diem/", "/dia-diem/chi-nhanh-di-an/", "/dia-diem/gan-nhat/",
         "/lo-trinh/", "/tin-tuc/", "/thong-ke/", "/tra-cuu-ho-so/", "/su-kien/", "/su-kien/khi-sinh-con/",
         "/kiosk/", "/gioi-thieu/", "/thay-doi/", "/khong-co-trang-nay/"]
VIOLATIONS_JS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@pytest.mark.browser
def test_every_kind_of_page_works_under_the_enforced_policy(browser, nginx):
    page = new_page(browser)
    page.context.add_init_script(VIOLATIONS_JS)
    try:
        for path in PAGES:
            page.goto(nginx + path, wait_until="load")
            if path.startswith("/tim-kiem/"):  # search runs: scripts, index and styles all allowed
                page.wait_for_selector('[data-results][aria-busy="false"] a', state="attached", timeout=30000)
            if path == "/kiosk/":
                page.wait_for_function("sessionStorage.getItem('portal-kiosk') === '1'")
            assert page.evaluate("window.__violations") == [], path
            errors = page.problems.console_errors
            if path == "/khong-co-trang-nay/":  # the browser reports the 404 status itself, and only that
                assert errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
                errors.clear()
            assert errors == [], path
            assert page.locator("script:not([src]):not([type='application/ld+json']):not([type='application/json'])").count() == 0, path  # data, no inline script
            assert page.locator("[style]").count() == 0 or path.startswith("/dia-diem/gan-nhat/"), path
        # the search box's drop-down too, on a page that is not the search page
        page.goto(nginx + "/thu-tuc/")
        page.fill("#site-search-q", "ket hon")
        page.wait_for_selector(".search-dropdown__list a", timeout=30000)
        assert page.evaluate("window.__violations") == []
        problems = page.problems
        assert not problems.page_errors and not problems.console_errors and not problems.external_requests, (
            problems.page_errors, problems.console_errors, problems.external_requests)
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def nginx_tls(sample_site, tmp_path_factory):
    """The production shape on 127.0.0.1: plain HTTP only redirecting, HTTPS (a self-signed
    certificate made here with openssl) serving the build."""
    if not Path(NGINX).exists():
        pytest.fail("nginx not found: run ./dev test as root (installs nginx and libnginx-mod-http-brotli-static)")
    folder = tmp_path_factory.mktemp("nginx-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    http_port, https_port = _free_port(), _free_port()
    while https_port == http_port:
        https_port = _free_port()
    subprocess.run([INVOKE, "nginx-config", "--root", str(sample_site), "--out", str(folder),
                    "--listen", f"127.0.0.1:{http_port}", "--tls-listen", f"127.0.0.1:{https_port}",
                    "--cert", str(cert), "--key", str(key)], cwd=ROOT, check=True, capture_output=True)
    proc = _start_nginx(folder, [http_port, https_port])
    yield http_port, https_port, cert
    proc.terminate()
    proc.wait(timeout=30)


def _request(port: int, path: str, cert: Path | None = None):
    import http.client
    import ssl

    if cert:
        ctx = ssl.create_default_context(cafile=str(cert))
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=ctx)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        version = conn.sock.version() if cert else None
        return r.status, r.headers, body, version
    finally:
        conn.close()


def test_plain_http_only_redirects_to_https(nginx_tls):
    http_port, https_port, _ = nginx_tls
    for path in ("/", "/thu-tuc/dang-ky-khai-sinh/", "/tim-kiem/?q=khai+sinh"):
        status, h, body, _ = _request(http_port, path)
        assert status == 301 and h["Location"] == f"https://127.0.0.1:{https_port}{path}", (path, h["Location"])
        assert "Khai sinh" not in body.decode("utf-8", "replace")  # the page itself is not sent in the clear


def test_https_serves_the_site_with_hsts_and_the_policy(nginx_tls, sample_site):
    _, https_port, cert = nginx_tls
    status, h, body, version = _request(https_port, "/thu-tuc/dang-ky-khai-sinh/", cert)
    assert status == 200 and body == (sample_site / "thu-tuc/dang-ky-khai-sinh/index.html").read_bytes()
    assert version in ("TLSv1.2", "TLSv1.3")
    assert h["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    # a renamed page's redirect carries the same headers
    status, h, _, _ = _request(https_port, "/thu-tuc/cap-the-can-cuoc-cong-dan/", cert)
    assert status == 301 and h["Location"].endswith("/thu-tuc/cap-the-can-cuoc/")
    assert h["X-Content-Type-Options"] == "nosniff" and "default-src 'self'" in h["Content-Security-Policy"]


@pytest.mark.browser
def test_chromium_follows_http_to_https_and_the_page_works(browser, nginx_tls):
    from conftest import CHROMIUM, CHROMIUM_ARGS

    http_port, https_port, cert = nginx_tls
    # Chromium trusts the test's own certificate by its public key (a certificate error would also
    # stop the service worker), as a browser trusts a real one
    der = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=der, capture_output=True, check=True).stdout
    import base64
    import hashlib

    spki = base64.b64encode(hashlib.sha256(der).digest()).decode()
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki}"])
    try:
        page = new_page(b)
        page.goto(f"http://127.0.0.1:{http_port}/thu-tuc/dang-ky-khai-sinh/", wait_until="load")
        assert page.url == f"https://127.0.0.1:{https_port}/thu-tuc/dang-ky-khai-sinh/"
        assert page.locator("h1").inner_text().strip()
        assert page.evaluate("window.isSecureContext") is True
        # the offline worker registers under HTTPS and the policy
        assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)") is True
        problems = page.problems
        assert not problems.page_errors and not problems.console_errors and not problems.external_requests, (
            problems.page_errors, problems.console_errors, problems.external_requests)
    finally:
        b.close()
