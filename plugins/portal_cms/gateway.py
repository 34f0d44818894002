"""The editing server that `invoke cms` runs: the browser editor with review, over a separate git
clone, with a preview site for every entry under review. Everything listens on 127.0.0.1 only.

    editor  ──▶ gateway :PORT ──▶ decap-server (git mode, :PORT+2) ──▶ the clone's branches
                 │  /            the site built from the clone's main branch, /quan-tri/ included
                 │  /api/v1      Decap's requests, checked here first (below), then passed on
                 └▶ :PORT+1      the preview of one entry under review ("Xem trước" in the editor)

decap-server's git mode keeps each entry under review on a branch `cms/<collection>/<slug>` and
publishes by merging it into main. What it does not do, the gateway adds:

- **No lost edit.** Each browser gets an editor cookie; the gateway remembers the text of every
  file an editor read. Saving a file that someone else changed since (two editors on one item)
  is refused with a message saying so; the editor's own text stays in the form and in Decap's
  local backup, and nothing on the branch is overwritten. Publishing or saving a branch that no
  longer merges cleanly with main is refused the same way, before git is touched.
- **Previews.** `getDeployPreview` answers with the preview server's address; the branch is built
  (`invoke build` on the branch's content) when first asked for and again when it changes, and
  a build that fails shows its messages instead of a site.
- After each publish the site on PORT is rebuilt from main.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import http.cookies
import http.server
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
DECAP_SERVER = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"
BRANCH_PREFIX = "cms/"
PREVIEW_PREFIX = "/xem-truoc/"
COOKIE = "portal_editor"
PREVIEW_COOKIE = "portal_preview"

CONFLICT_SAVE = ("Không lưu được: người khác đã sửa mục này ({path}) sau khi bạn mở nó. Nội dung bạn vừa "
                 "nhập vẫn còn trong biểu mẫu: hãy chép phần đã sửa ra nơi khác, tải lại trang để xem bản mới "
                 "nhất rồi sửa lại trên bản đó.")
CONFLICT_MERGE = ("Không {action} được: bản sửa của mục này ({path}) và bản đã đăng hiện nay cùng sửa một chỗ "
                  "(xung đột). Không có thay đổi nào bị mất: hãy mở mục, đối chiếu với bản đã đăng rồi lưu lại, "
                  "hoặc nhờ quản trị viên gộp hai bản.")


def git(repo: Path, *args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=check, **kw)


def branch_of(collection: str, slug: str) -> str:
    return f"{BRANCH_PREFIX}{collection}/{slug}"


class Gateway:
    def __init__(self, repo: Path, work: Path, port: int, branch: str = "main"):
        self.repo, self.work, self.port, self.branch = repo, work, port, branch
        self.decap_port = port + 2
        self.site = work / "site"
        self.lock = threading.Lock()  # one git operation at a time (decap-server has its own)
        self.read: dict[tuple[str, str], bytes] = {}  # (editor, path) -> the text the editor last read
        self.builds: dict[str, tuple[str, bool, str]] = {}  # branch -> (commit, ok, messages)
        self.build_lock = threading.Lock()
        self.proc: subprocess.Popen | None = None

    # --- git -----------------------------------------------------------------------------------
    def has_branch(self, name: str) -> bool:
        return git(self.repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False).returncode == 0

    def text_at(self, ref: str, path: str) -> bytes | None:
        got = git(self.repo, "show", f"{ref}:{path}", check=False)
        return got.stdout if got.returncode == 0 else None

    def merges_cleanly(self, branch: str) -> bool:
        return git(self.repo, "merge-tree", "--write-tree", self.branch, branch, check=False).returncode == 0

    # --- decap-server --------------------------------------------------------------------------
    def start_decap(self, log) -> None:
        env = {**os.environ, "PORT": str(self.decap_port), "BIND_HOST": "127.0.0.1", "MODE": "git",
               "GIT_REPO_DIRECTORY": str(self.repo), "LOG_LEVEL": os.environ.get("LOG_LEVEL", "info")}
        self.proc = subprocess.Popen(["node", str(DECAP_SERVER)], stdout=log, stderr=subprocess.STDOUT,
                                     env=env, cwd=str(self.work))

    def forward(self, body: bytes) -> tuple[int, bytes]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.decap_port}/api/v1", data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    # --- the API -------------------------------------------------------------------------------
    def api(self, editor: str, payload: dict) -> tuple[int, object]:
        action, params = payload.get("action"), payload.get("params") or {}
        with self.lock:
            refused = self.refuse(editor, action, params)
            if refused:
                return 409, {"error": refused}
            if action == "getDeployPreview":
                branch = branch_of(params.get("collection", ""), params.get("slug", ""))
                if not self.has_branch(branch):
                    return 200, None
                return 200, {"url": f"http://127.0.0.1:{self.port + 1}{PREVIEW_PREFIX}{branch[len(BRANCH_PREFIX):]}/",
                             "status": "SUCCESS"}
            status, raw = self.forward(json.dumps(payload).encode())
            try:
                answer = json.loads(raw or b"null")
            except ValueError:
                return status, {"error": raw.decode("utf-8", "replace")}
            if status == 200:
                self.remember(editor, action, params, answer)
                if action == "publishUnpublishedEntry":
                    threading.Thread(target=self.build_site, daemon=True).start()
            return status, answer

    def refuse(self, editor: str, action: str, params: dict) -> str | None:
        """Why this request must not reach git, or None."""
        if action == "persistEntry" and (params.get("options") or {}).get("useWorkflow"):
            files = params.get("dataFiles") or [params.get("entry") or {}]
            slug = files[0].get("slug", "")
            branch = branch_of((params.get("options") or {}).get("collectionName", ""), slug)
            ref = branch if self.has_branch(branch) else self.branch
            for f in files:
                path = f.get("path", "")
                now = self.text_at(ref, path)
                seen = self.read.get((editor, path))
                if now is not None and seen is not None and now != seen:
                    return CONFLICT_SAVE.format(path=path)
                if now is not None and seen is None and ref != self.branch:
                    return CONFLICT_SAVE.format(path=path)  # someone else's unpublished entry
            if ref != self.branch and not self.merges_cleanly(branch):
                return CONFLICT_MERGE.format(action="lưu", path=files[0].get("path", ""))
        if action == "publishUnpublishedEntry":
            branch = branch_of(params.get("collection", ""), params.get("slug", ""))
            if self.has_branch(branch) and not self.merges_cleanly(branch):
                return CONFLICT_MERGE.format(action="đăng", path=f"{params.get('collection')}/{params.get('slug')}")
        return None

    def remember(self, editor: str, action: str, params: dict, answer) -> None:
        """The text of every entry file this editor was given, or has just saved."""
        entries = answer if isinstance(answer, list) else [answer] if isinstance(answer, dict) else []
        if action in ("entriesByFolder", "entriesByFiles", "getEntry"):
            for e in entries:
                if isinstance(e, dict) and isinstance(e.get("file"), dict) and isinstance(e.get("data"), str):
                    self.read[(editor, e["file"]["path"])] = e["data"].encode()
        elif action == "unpublishedEntryDataFile" and isinstance(answer, dict):
            if isinstance(answer.get("data"), str):
                self.read[(editor, params.get("path", ""))] = answer["data"].encode()
        elif action == "persistEntry":
            for f in params.get("dataFiles") or [params.get("entry") or {}]:
                if isinstance(f.get("raw"), str):
                    self.read[(editor, f.get("newPath") or f.get("path", ""))] = f["raw"].encode()

    # --- builds --------------------------------------------------------------------------------
    def build(self, ref: str, out: Path) -> tuple[bool, str]:
        """`invoke build` of the content at `ref` into `out`: (ok, messages)."""
        src = self.work / "src" / hashlib.sha1(ref.encode()).hexdigest()[:12]
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        archive = git(self.repo, "archive", "--format=tar", ref, "content", check=False)
        if archive.returncode != 0:
            return False, archive.stderr.decode("utf-8", "replace")
        tar = src / "content.tar"
        tar.write_bytes(archive.stdout)
        with tarfile.open(tar) as t:
            t.extractall(src, filter="data")
        env = {**os.environ, "PORTAL_CMS_BACKEND": f"http://127.0.0.1:{self.port}/api/v1",  # the gateway itself
               "PORTAL_CMS_SITE_URL": f"http://127.0.0.1:{self.port}"}
        done = subprocess.run([sys.executable, "-m", "invoke", "-r", str(ROOT), "build", "--content",
                               str(src / "content"), "--output", str(out)], capture_output=True, text=True, env=env)
        shutil.rmtree(src, ignore_errors=True)
        return done.returncode == 0, (done.stdout + done.stderr).strip()

    def build_site(self) -> tuple[bool, str]:
        with self.build_lock:
            return self.build(self.branch, self.site)

    def preview(self, name: str) -> tuple[Path | None, str]:
        """The built preview of branch cms/<name> (built now if missing or stale), or its messages."""
        branch = BRANCH_PREFIX + name
        head = git(self.repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
        if head.returncode != 0:
            return None, "Mục này không còn chờ duyệt (đã đăng hoặc đã xóa bản nháp)."
        commit = head.stdout.decode().strip()
        out = self.work / "previews" / hashlib.sha1(branch.encode()).hexdigest()[:12]
        with self.build_lock:
            done = self.builds.get(branch)
            if not done or done[0] != commit:
                ok, messages = self.build(commit, out)
                self.builds[branch] = done = (commit, ok, messages)
        return (out if done[1] else None), done[2]


def _editor(handler) -> tuple[str, str | None]:
    """The editor cookie of this browser: (id, Set-Cookie value if new)."""
    jar = http.cookies.SimpleCookie(handler.headers.get("Cookie", ""))
    if COOKIE in jar and jar[COOKIE].value:
        return jar[COOKIE].value, None
    value = secrets.token_hex(16)
    return value, f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict"


def site_handler(gw: Gateway):
    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".yml": "text/yaml"}

        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(gw.site), **kw)

        def log_message(self, *args):
            pass

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            if getattr(self, "_cookie", None):
                self.send_header("Set-Cookie", self._cookie)
            super().end_headers()

        def do_GET(self):
            if not self.headers.get("Host", "").startswith("127.0.0.1:"):
                # One origin for the pages and the API (Decap needs an absolute address for it)
                self.send_response(307)
                self.send_header("Location", f"http://127.0.0.1:{gw.port}{self.path}")
                self.send_header("Content-Length", "0")
                self._cookie = None
                self.end_headers()
                return
            _, self._cookie = _editor(self)
            super().do_GET()

        def do_POST(self):
            if urlsplit(self.path).path != "/api/v1":
                self.send_error(404)
                return
            editor, self._cookie = _editor(self)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                status, answer = 400, {"error": "yêu cầu không đúng định dạng JSON"}
            else:
                status, answer = gw.api(editor, payload)
            body = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def preview_handler(gw: Gateway):
    """:PORT+1 serves one preview at a time, at the site's own paths: /xem-truoc/<collection>/<slug>/…
    chooses the entry (a cookie) and redirects to the page; later requests come from that build."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = unquote(urlsplit(self.path).path)
            if path.startswith(PREVIEW_PREFIX):
                parts = path[len(PREVIEW_PREFIX):].split("/", 2)
                if len(parts) < 2 or not parts[0] or not parts[1]:
                    return self.send_error(404)
                rest = "/" + (parts[2] if len(parts) > 2 else "")
                self.send_response(303)
                self.send_header("Set-Cookie", f"{PREVIEW_COOKIE}={parts[0]}/{parts[1]}; Path=/; SameSite=Lax")
                self.send_header("Location", rest)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            jar = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
            name = jar[PREVIEW_COOKIE].value if PREVIEW_COOKIE in jar else ""
            if not name:
                return self.message(404, "Chọn «Xem trước» của một mục đang chờ duyệt trong trình soạn thảo.")
            out, messages = gw.preview(name)
            if out is None:
                return self.message(200, "Bản xem trước chưa tạo được. Thông báo khi tạo trang:", messages)
            self.directory = str(out)
            super().do_GET()

        def message(self, status: int, title: str, details: str = ""):
            page = (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Xem trước</title></head>'
                    f'<body><main><h1>{html.escape(title)}</h1><pre>{html.escape(details)}</pre></main></body></html>')
            body = page.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def prepare_clone(source: Path, clone: Path, branch: str) -> None:
    """A clone of `source` for the editor: decap-server checks out branches and commits what it finds,
    so it never runs in a developer's own working tree."""
    if not (clone / ".git").is_dir():
        clone.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", "--branch", branch, str(source), str(clone)], check=True)
    for key, value in (("user.name", "Trình soạn thảo"), ("user.email", "cms@localhost")):
        if git(clone, "config", key, check=False).returncode != 0:
            git(clone, "config", key, value)
    # Bring in what developers committed since: fast-forward only; editors' work is never rewritten.
    if git(clone, "fetch", "--quiet", "origin", branch, check=False).returncode == 0:
        current = git(clone, "branch", "--show-current", check=False).stdout.decode().strip()
        if current == branch and git(clone, "merge", "--ff-only", "--quiet", f"origin/{branch}",
                                     check=False).returncode != 0:
            print(f"Nhánh {branch} của {clone} đã có thay đổi riêng (do biên tập viên đăng) nên không tự cập nhật "
                  f"từ kho gốc: hãy đẩy (git push) các thay đổi đó rồi gộp lại.", file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True, help="the git clone the editor works on")
    ap.add_argument("--work", required=True, help="folder for the built site and previews")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--branch", default="main")
    args = ap.parse_args(argv)
    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # stop decap-server with the gateway
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    gw = Gateway(Path(args.repo).resolve(), work, args.port, args.branch)
    log = open(work / "decap-server.log", "a")
    gw.start_decap(log)
    ok, messages = gw.build_site()
    if not ok:
        print(messages, file=sys.stderr)
        print("Nhánh chính của nội dung có lỗi: sửa rồi chạy lại.", file=sys.stderr)
    try:
        servers = [http.server.ThreadingHTTPServer(("127.0.0.1", args.port), site_handler(gw)),
                   http.server.ThreadingHTTPServer(("127.0.0.1", args.port + 1), preview_handler(gw))]
    except OSError as exc:
        gw.proc.terminate()
        print(f"Không mở được cổng {args.port} hoặc {args.port + 1} ({exc.strerror}): "
              f"chọn cổng khác, ví dụ `invoke cms --port {args.port + 10}`.", file=sys.stderr)
        return 2
    threading.Thread(target=servers[1].serve_forever, daemon=True).start()
    print(f"Trình soạn thảo: http://127.0.0.1:{args.port}/quan-tri/ (kho nội dung: {gw.repo})", flush=True)
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        servers[1].shutdown()
        gw.proc.terminate()
        gw.proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
