"""Tasks for editors and operators: `invoke --list` shows them all."""
from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))
PY = sys.executable
DEFAULT_CONTENT = ROOT / "content"
DEFAULT_OUTPUT = ROOT / "output"
PREVIEW_OUTPUT = ROOT / "preview"


def _env(content, today=None, drafts=False) -> dict:
    env = {"PORTAL_CONTENT": str(Path(content).resolve())}
    if today:
        from portal_core.site import parse_moment

        try:
            parse_moment(today)
        except ValueError as exc:
            print(f"--today: {exc}", file=sys.stderr)
            sys.exit(2)
        env["PORTAL_TODAY"] = today
    if drafts:
        env["PORTAL_DRAFTS"] = "1"
    return env


def pelican(c, content=DEFAULT_CONTENT, output=DEFAULT_OUTPUT, today=None, drafts=False,
            settings="pelicanconf.py", extra=""):
    """Every build goes through here: one at a time per output folder, into a new release folder,
    switched in atomically only on success (plugins/portal_core/releases.py)."""
    from portal_core.releases import OutputRefused, Releases

    releases = Releases(output)
    output = releases.output
    with releases.lock(say=lambda msg: print(msg, file=sys.stderr, flush=True)):
        try:
            releases.check_output()
        except OutputRefused as exc:
            print(exc, file=sys.stderr)
            sys.exit(2)
        building = releases.new_release()
        env = _env(content, today, drafts)
        env["PORTAL_CACHE"] = str(output.parent / f".{output.name}.cache")
        # the same order of sets in every build, so that a value holding one digests the same each
        # time (plugins/portal_core/render_cache.py): with a random order it only costs time
        env["PYTHONHASHSEED"] = "0"
        previous = releases.current()  # pages and files that did not change are taken from it
        if previous is not None:
            env["PORTAL_PREVIOUS"] = str(previous)
        emptying = threading.Thread(target=releases.empty_trash)  # older releases go while Pelican works
        emptying.start()
        result = c.run(
            f'"{PY}" -m pelican -s "{ROOT / settings}" -o "{building}" --fatal errors {extra}',
            env=env, warn=True, pty=False,
        )
        emptying.join()
        if not result.ok:
            releases.discard(building)
            print(f"Không tạo được trang web; thư mục {output} được giữ nguyên.", file=sys.stderr)
            sys.exit(result.exited or 1)
        releases.publish(building)
    return output


@task(help={"content": "content folder (default: content/)", "output": "output folder (default: output/)",
            "today": "build as if today were YYYY-MM-DD", "drafts": "include drafts and future news"})
def build(c, content=str(DEFAULT_CONTENT), output=str(DEFAULT_OUTPUT), today=None, drafts=False):
    """Build the site from a content folder (checks all content first)."""
    pelican(c, content, output, today, drafts)


@task(help={"content": "content folder", "today": "check as if today were YYYY-MM-DD",
            "links": "also build and check every internal link"})
def check(c, content=str(DEFAULT_CONTENT), today=None, links=False):
    """Check all content without building; --links also builds and checks internal links."""
    os.environ.update(_env(content, today))
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    from portal_core import registry
    from portal_core.content import ContentError, load_store

    registry.register_plugins(settings["PLUGINS"])
    try:
        store = load_store(settings["PATH"], settings)
    except ContentError as exc:
        print(exc.report(), file=sys.stderr)
        sys.exit(2)
    for w in store.warnings:
        print(f"Cảnh báo: {w}", file=sys.stderr)
    counts = ", ".join(f"{k}: {len(v)}" for k, v in store.items.items() if v)
    print(f"Nội dung hợp lệ ({counts}).")
    if links:
        import tempfile

        from portal_core.links import broken_links, content_sources

        out = Path(tempfile.mkdtemp(prefix="portal-check-")) / "site"
        pelican(c, content, out, today)
        broken = broken_links(out, content_sources(store), base=store.path.parent)
        shutil.rmtree(out.parent, ignore_errors=True)
        for b in broken:
            print(f"Liên kết hỏng: {b}", file=sys.stderr)
        if broken:
            sys.exit(3)
        print("Không có liên kết nội bộ nào bị hỏng.")


def _site_settings(content, today=None) -> dict:
    """The build's settings with site.yaml read (SITE), for tasks that need them without a build."""
    os.environ.update(_env(content, today))
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    from portal_core import registry
    from portal_core.content import ContentError, load_store

    registry.register_plugins(settings["PLUGINS"])
    try:
        load_store(settings["PATH"], settings)
    except ContentError as exc:
        print(exc.report(), file=sys.stderr)
        sys.exit(2)
    return settings


@task(help={"content": "content folder (default: content/)", "root": "the output link on the server",
            "server_name": "the site's host name (default: from url in site.yaml)",
            "out": "folder to write portal.conf and logrotate to (default: deploy/nginx)",
            "check": "only check that the files there are up to date",
            "listen": "instead, write a whole nginx.conf serving --root over plain HTTP on this address "
                      "(127.0.0.1:8080), to try it locally: nginx -c OUT/nginx.conf",
            "tls_listen": "with --listen: serve HTTPS on this address (127.0.0.1:8443) as in production, "
                          "--listen only redirecting to it",
            "cert": "with --tls-listen: the certificate (PEM)", "key": "with --tls-listen: its private key (PEM)"})
def nginx_config(c, content=str(DEFAULT_CONTENT), root="/srv/portal/output", server_name=None,
                 out=str(ROOT / "deploy" / "nginx"), check=False, listen=None, tls_listen=None, cert=None, key=None):
    """Write the nginx configuration of the site (security headers, caching, precompressed files, TLS)."""
    from urllib.parse import urlsplit

    from portal_core import serving

    settings = _site_settings(content)
    if listen:
        folder = Path(out).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "nginx.conf"
        tls = None
        if tls_listen:
            if not (cert and key):
                print("--tls-listen cần --cert và --key (chứng chỉ và khoá PEM)", file=sys.stderr)
                sys.exit(2)
            tls = (tls_listen, str(Path(cert).resolve()), str(Path(key).resolve()))
        conf.write_text(serving.nginx_standalone(settings, str(Path(root).resolve()), listen, str(folder), tls),
                        encoding="utf-8")
        print(f"Đã ghi {conf}: nginx -c {conf}")
        return
    name = server_name or urlsplit(settings["SITE"]["url"]).hostname or "_"
    files = {"portal.conf": serving.nginx_site(settings, root, name), "logrotate": serving.LOGROTATE}
    folder = Path(out)
    stale = [n for n, text in files.items() if not (folder / n).is_file() or (folder / n).read_text(encoding="utf-8") != text]
    if check:
        if stale:
            print(f"Cấu hình nginx ở {folder} chưa khớp với mã và site.yaml ({', '.join(stale)}): chạy `invoke nginx-config`.",
                  file=sys.stderr)
            sys.exit(1)
        return
    folder.mkdir(parents=True, exist_ok=True)
    for n, text in files.items():
        (folder / n).write_text(text, encoding="utf-8")
    print(f"Đã ghi {', '.join(str(folder / n) for n in files)}.")


@task(help={"port": "port (default 8000)"})
def serve(c, port=8000, output=str(DEFAULT_OUTPUT)):
    """Serve the built site on http://localhost:8000."""
    c.run(f'"{PY}" -m pelican --listen -p {port} -o "{output}" -s "{ROOT / "pelicanconf.py"}"', pty=False)


@task(help={"drafts": "preview drafts and future news with a 'Bản nháp' banner",
            "port": "port (default 8000)", "content": "content folder",
            "today": "build as if today were YYYY-MM-DD"})
def livereload(c, drafts=False, port=8000, content=str(DEFAULT_CONTENT), output=None, today=None):
    """Build, serve on http://localhost:8000 and rebuild (and reload the browser) on every change."""
    # A preview with drafts goes to its own folder, so that output/ never holds unpublished items.
    output = output or str(PREVIEW_OUTPUT if drafts else DEFAULT_OUTPUT)
    # An edited procedure, office or roadmap page is re-rendered at once by a page worker; the full
    # build (listings, search index) follows in the background. See plugins/portal_live/live.py.
    from portal_live import LiveSite

    site = LiveSite(lambda: pelican(c, content, output, today=today, drafts=drafts), content, output,
                    _env(content, today, drafts))
    site.serve("localhost", int(port), [ROOT / "theme", ROOT / "plugins", ROOT / "pelicanconf.py"])


@task(help={"output": "output folder (default: output/)"})
def rollback(c, output=str(DEFAULT_OUTPUT)):
    """Serve the previous build again (the one the last build replaced)."""
    from portal_core.releases import OutputRefused, Releases

    releases = Releases(output)
    with releases.lock(say=lambda msg: print(msg, file=sys.stderr, flush=True)):
        try:
            back = releases.rollback()
        except OutputRefused as exc:
            print(exc, file=sys.stderr)
            sys.exit(2)
    print(f"{releases.output} giờ là bản dựng {back.name}.")


@task(help={"content": "content folder (default: content/)", "output": "output folder (default: output/)",
            "to": "also send the build there: s3://bucket/prefix (S3-compatible storage) or a folder",
            "endpoint": "the S3 service's address, for storage other than AWS (or PORTAL_S3_ENDPOINT)",
            "dry_run": "with --to: build, then only list what would be uploaded and deleted",
            "grace_days": "keep files named by their bytes this many days after they leave the build (default 7)"})
def publish(c, content=str(DEFAULT_CONTENT), output=str(DEFAULT_OUTPUT), to=None, endpoint=None, dry_run=False,
            grace_days=7):
    """Build the site for publishing with publishconf.py (minified, precompressed); --to sends it."""
    output = pelican(c, content, output, settings="publishconf.py")
    if not to:
        return
    from portal_core.upload import PublishError
    from portal_core.upload import publish as send

    try:
        send(output, to, endpoint=endpoint, dry_run=dry_run, grace_days=int(grace_days))
    except PublishError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)


@task(help={"kind": "procedure, office or news", "title": "the title, in Vietnamese",
            "content": "content folder"})
def new(c, kind, title, content=str(DEFAULT_CONTENT)):
    """Create a content file with every field to fill: invoke new procedure|office|news "Tiêu đề"."""
    from pelican.settings import read_settings

    from portal_core import registry
    from portal_core.new import new_item

    registry.register_plugins(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    path = new_item(kind, title, Path(content))
    print(f"Đã tạo {path}. Điền các trường rồi chạy: invoke check")


@task(help={"port": "the editor's port (default 8000; previews on port+1, decap-server on port+2)",
            "repo": "the git clone the editor works on (default .cms/repo, cloned from this repository)",
            "branch": "the branch editors publish to (default main)"})
def cms(c, port=8000, repo=None, branch="main"):
    """The browser editor with review (draft, review, publish) on http://127.0.0.1:8000/quan-tri/,
    over a separate clone of this repository (never this working tree), with a built preview of
    every entry under review. Push the clone's main branch to publish what editors approved."""
    from portal_cms.gateway import main as gateway, prepare_clone

    clone = Path(repo).resolve() if repo else ROOT / ".cms" / "repo"
    if not repo:
        prepare_clone(ROOT, clone, branch)
    sys.exit(gateway(["--repo", str(clone), "--work", str(ROOT / ".cms" / "work" / str(port)), "--port", str(port),
                      "--branch", branch]))


@task(help={"content": "content folder (default: content/)",
            "check": "only list the files the editor would write differently (exit 1 if any)"})
def cms_format(c, content=str(DEFAULT_CONTENT), check=False):
    """Write every content file the way the browser editor writes it (key order, YAML style), so
    that saving an entry unchanged changes nothing and a diff shows only what an editor changed."""
    from pelican.settings import read_settings

    from portal_cms.portal_cms import format_content
    from portal_core import registry

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    registry.register_plugins(settings["PLUGINS"])
    code, out = format_content(Path(content).resolve(), settings, check=check)
    print(out, end="")
    if check and code == 1:
        print("Các tệp trên chưa theo định dạng của trình soạn thảo: chạy `invoke cms-format`.", file=sys.stderr)
    sys.exit(code)


@task(help={"k": "only tests matching this expression", "browser": "include browser tests (default yes)"})
def test(c, k="", browser=True):
    """Run the whole test suite: JavaScript unit tests, then pytest (build, browser, relevance)."""
    c.run("node --test tests/js/", pty=False)
    marker = "" if browser else '-m "not browser"'
    kexpr = f'-k "{k}"' if k else ""
    c.run(f'"{PY}" -m pytest -n 2 --dist loadfile {marker} {kexpr}', pty=False)


@task(help={"runs": "builds of each kind, median reported (at least 3)",
            "quick": "small content and one run: checks the harness in a minute",
            "livereload": "also measure livereload's fast path (default yes)",
            "sizes": "instead, cold builds at these sizes (2000,5000,10000) against plain Pelican, with an SVG chart"})
def bench(c, runs=3, quick=False, livereload=True, sizes=None):
    """Benchmark the build at reference scale against plain Pelican, and search in Chromium."""
    opts = f"--runs {int(runs)}" + (" --quick" if quick else "") + ("" if livereload else " --no-livereload")
    if sizes:
        opts += f" --sizes {sizes}"
    c.run(f'"{PY}" benchmarks/bench.py {opts}', pty=False)
