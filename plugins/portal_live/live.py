"""Fast livereload: the page of an edited item is re-rendered within a second, the full build follows.

`invoke livereload` builds the site once (tasks.pelican, the only way full builds run), then keeps
a *page worker*: a process that has run the whole Pelican pipeline once in memory without
rendering anything, recording every page the generators asked the writer for (template, context
and variables). When an editor saves `content/procedures/<slug>.md` (or an office or roadmap
file), the worker

1. reads and validates that one file exactly as the content store does (its JSON Schema, slug
   rules, messages with file:line), updates the item in place, runs `prepare` and every content
   type's cross-checks on the updated store (a `related` or `replaced_by` that does not exist...);
2. re-renders only the pages whose variables hold that item (its page, its QR poster...) with the
   same templates and context, into the served output folder (written to a temporary file and
   renamed, so the server never serves half a page).

A broken edit writes nothing: the error is printed and the old page stays. Then a full build
runs in the background (listings, search index, feeds follow) and browsers reload again when it
is swapped in. The worker is replaced by a fresh one after a build that followed other changes
(a new file, a template, plugin code...), so its model never lags behind for long.

    python -m portal_live --content DIR --output DIR [--today D] [--drafts]

runs a worker by hand: one JSON request per line on stdin ({"paths": [...]}), one JSON answer
per line on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # plugins/portal_live/live.py → the project
PLUGINS = ROOT / "plugins"
READY_TIMEOUT = 900  # seconds a new worker may take to load the reference-scale site
UPDATE_TIMEOUT = 60
BUILD_NICENESS = 10  # the background full build yields the CPU to the page worker and the editor
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".part", ".crdownload")


# --- the worker's model: the pipeline run once, pages recorded, single pages re-rendered ------
@dataclass
class PageCall:
    """One writer.write_file call of the last in-memory run."""

    name: str
    template: object
    context: dict
    args: tuple
    kwargs: dict
    generator: object = None

    def shows(self, item) -> bool:
        return any(v is item for v in self.kwargs.values())


@dataclass
class Update:
    """What one request did: pages written, items it could not handle, the problems found."""

    written: list = field(default_factory=list)
    fallback: list = field(default_factory=list)  # files only a full build can handle
    report: str = ""
    warnings: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.report

    def as_dict(self) -> dict:
        return {"ok": self.ok, "written": self.written, "fallback": self.fallback, "report": self.report,
                "warnings": self.warnings, "seconds": round(self.seconds, 3)}


def _writer_classes():
    from pelican.writers import Writer

    class RecordingWriter(Writer):
        """Renders nothing: remembers what each generator asked to write."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.calls: list[PageCall] = []
            self.generator = None  # the generator whose generate_output is running

        def write_file(self, name, template, context, *args, **kwargs):
            from pelican.utils import sanitised_join

            if name:
                self.calls.append(PageCall(name, template, context, args, kwargs, self.generator))
                # the page's folder, as rendering would make it: plugins may put files beside it
                os.makedirs(os.path.dirname(sanitised_join(self.output_path, name)), exist_ok=True)

        def write_feed(self, *args, **kwargs):
            return None

    class _Atomic:
        """A file written under a temporary name and renamed into place on close."""

        def __init__(self, path: str, encoding: str):
            self.path = path
            fd, self.tmp = tempfile.mkstemp(prefix=".live-", dir=os.path.dirname(path))
            self.f = os.fdopen(fd, "w", encoding=encoding)

        def __enter__(self):
            return self.f

        def __exit__(self, exc_type, *rest):
            self.f.close()
            if exc_type is None:
                os.chmod(self.tmp, 0o644)
                os.replace(self.tmp, self.path)
            else:
                os.unlink(self.tmp)

    class PageWriter(Writer):
        """Pelican's writer, but only into folders that exist, and atomically."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.skipped: list[str] = []

        def write_file(self, name, template, context, *args, **kwargs):
            from pelican.utils import sanitised_join

            if not os.path.isdir(os.path.dirname(sanitised_join(self.output_path, name))):
                self.skipped.append(name)  # the output folder is being swapped by a full build
                return
            try:
                super().write_file(name, template, context, *args, **kwargs)
            except FileNotFoundError:  # swapped while writing: the build thread renders it again
                self.skipped.append(name)

        def _open_w(self, filename, encoding, override=False):
            # Pelican's Writer opens every page through this private method (Pelican 4.12): the
            # one place to make each write atomic, so that the server never sends half a page.
            return _Atomic(filename, encoding)

    return RecordingWriter, PageWriter


class Model:
    """The site in memory: the store, the generators' context and every page call, without output."""

    def __init__(self, content, output, settings_file: Path = ROOT / "pelicanconf.py"):
        self.content = Path(content).resolve()
        self.output = Path(os.path.abspath(output))  # the link to the served release, not one release
        self.settings_file = Path(settings_file)
        self.scratch = None
        self.calls: list[PageCall] = []

    def load(self) -> float:
        """Run the Pelican pipeline (contexts, then outputs into a scratch folder) recording pages.

        The environment (PORTAL_CONTENT, PORTAL_TODAY, PORTAL_DRAFTS) must be the full build's.
        """
        start = time.perf_counter()
        from pelican import Pelican, signals
        from pelican.settings import read_settings

        from portal_core import content as content_mod

        self.scratch = tempfile.mkdtemp(prefix="portal-live-")
        settings = read_settings(str(self.settings_file), override={
            "PATH": str(self.content), "OUTPUT_PATH": self.scratch,
            "CACHE_CONTENT": False,  # read the full builds' content cache, never write it
            "DELETE_OUTPUT_DIRECTORY": False,
        })
        self.settings = settings
        pelican = Pelican(settings)
        context = settings.copy()
        context["generated_content"] = {}
        context["static_links"] = set()
        context["static_content"] = {}
        context["localsiteurl"] = settings["SITEURL"]
        # Pelican.run() does these steps and writes every page; the worker needs them without the
        # writing, and Pelican offers no public way to get the generators of a run: hence its
        # private _get_generator_classes() (Pelican 4.12, pinned in requirements.txt).
        generators = [cls(context=context, settings=settings, path=pelican.path, theme=pelican.theme,
                          output_path=self.scratch) for cls in pelican._get_generator_classes()]
        for g in generators:
            if hasattr(g, "generate_context"):
                g.generate_context()
        signals.all_generators_finalized.send(generators)
        for g in generators:
            if hasattr(g, "refresh_metadata_intersite_links"):
                g.refresh_metadata_intersite_links()
        recording_cls, self._page_writer_cls = _writer_classes()
        recorder = recording_cls(self.scratch, settings=settings)
        for g in generators:
            if hasattr(g, "generate_output"):
                recorder.generator = g
                g.generate_output(recorder)
        # `finalized` (site-wide files: sitemap, search index) is left to the full builds.
        self.pelican, self.context, self.generators = pelican, context, generators
        self.calls = recorder.calls
        self.store = content_mod.current_store()
        self.types = {ct.name: ct for ct in content_mod.content_types()}
        self.validators = {name: ct.validator() for name, ct in self.types.items()}
        return time.perf_counter() - start

    def close(self) -> None:
        """End the run as Pelican does (`finalized`: plugins collect their work and reset), then
        remove the scratch folder."""
        import shutil

        from pelican import signals

        if self.calls:
            try:
                signals.finalized.send(self.pelican)
            except Exception as exc:  # noqa: BLE001 - closing must not fail on a plugin's error
                print(f"portal_live: finalized: {type(exc).__name__}: {exc}", file=sys.stderr)
            self.calls = []
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)

    # --- one edit --------------------------------------------------------------------------
    def type_of(self, path: Path):
        for ct in self.types.values():
            if ct.folder is not None and path.suffix == ".md" and path.is_relative_to(self.content / ct.folder):
                return ct
        return None

    def update(self, paths) -> Update:
        """Validate each edited file, update its item, re-render the pages that show it."""
        start = time.perf_counter()
        result = Update()
        reports = []
        for raw in paths:
            path = Path(raw).resolve()
            ct = self.type_of(path)
            old = self.store.get(ct.name, path.stem) if ct and path.is_file() else None
            pages = [c for c in self.calls if old is not None and c.shows(old)]
            if not pages:
                result.fallback.append(str(raw))  # new, deleted, or not a page of its own
                continue
            problems, warnings = self._apply(ct, old, path)
            result.warnings += [str(w) for w in warnings]
            if problems:
                from portal_core.content import ContentError

                reports.append(ContentError(problems).report())
                continue
            self._derive(pages)
            result.written += self._render(pages)
        result.report = "\n".join(reports)
        result.seconds = time.perf_counter() - start
        return result

    def _apply(self, ct, item, path: Path):
        """Read the file the way the store does; on success the item takes the new data in place."""
        from portal_core.content import Store

        store = self.store
        scratch = Store(store.path, store.settings)
        scratch.items[ct.name], scratch.by_slug[ct.name] = [], {}
        scratch._load_markdown(ct, self.validators[ct.name], path)
        if scratch.problems:
            return scratch.problems, scratch.warnings
        new = scratch.items[ct.name][0]
        backup = dict(item.__dict__)
        item.__dict__.update(new.__dict__)  # same object: lists and recorded pages see the edit
        if ct.prepare:
            ct.prepare(item, store)
        problems = self._cross_check()
        if problems:  # undo, and let the cross-checks rebuild what they derive from the old data
            item.__dict__.clear()
            item.__dict__.update(backup)
            self._cross_check()
        return problems, scratch.warnings

    def _derive(self, pages) -> None:
        """What the page's generator derives from its items in generate_context (related items,
        descriptions, JSON-LD...): computed again by that generator, a portal generator only."""
        from portal_core.portal_core import PortalGenerator

        for g in {id(c.generator): c.generator for c in pages}.values():
            if isinstance(g, PortalGenerator) and hasattr(g, "generate_context"):
                g.live = True
                try:
                    g.generate_context()
                finally:
                    g.live = False

    def _cross_check(self):
        store = self.store
        saved = store.problems, store.warnings
        store.problems, store.warnings = [], []
        try:
            for ct in self.types.values():
                if ct.cross_check:
                    ct.cross_check(store)
            return store.problems
        finally:
            store.problems, store.warnings = saved

    def _render(self, pages) -> list[str]:
        writer = self._page_writer_cls(str(self.output), settings=self.settings)
        for c in pages:
            writer.write_file(c.name, c.template, c.context, *c.args, **c.kwargs)
        return [c.name for c in pages if c.name not in writer.skipped]


def serve_requests(args) -> None:
    """The worker process: load the model, then answer one JSON line per request line."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # whatever plugins print goes to stderr, never into the answers

    def send(obj):
        proto.write(json.dumps(obj, ensure_ascii=False) + "\n")
        proto.flush()

    model = Model(args.content, args.output)
    try:
        seconds = model.load()
    except SystemExit as exc:  # invalid content: the store printed the problems
        send({"ready": False, "error": f"exit {exc.code}"})
        return
    send({"ready": True, "seconds": round(seconds, 2), "pages": len(model.calls)})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            try:
                send(model.update(req.get("paths", [])).as_dict())
            except Exception as exc:  # a plugin crash must not kill the worker
                import traceback

                traceback.print_exc()
                send({"ok": False, "written": [], "fallback": req.get("paths", []), "warnings": [],
                      "report": f"{type(exc).__name__}: {exc}", "crash": True})
    finally:
        model.close()


# --- the livereload side: worker processes, the background build, browser reloads -------------
class Worker:
    """A page worker process (see serve_requests)."""

    def __init__(self, content, output, env: dict):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "portal_live", "--content", str(content), "--output", str(output)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            env={**os.environ, **env, "PYTHONPATH": os.pathsep.join(filter(None, [str(PLUGINS), os.environ.get("PYTHONPATH")]))},
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.info: dict = {}

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _answer(self, timeout):
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise EOFError("page worker stopped")
        return json.loads(line)

    def wait_ready(self, timeout=READY_TIMEOUT) -> bool:
        try:
            self.info = self._answer(timeout)
        except (queue.Empty, EOFError):
            return False
        return bool(self.info.get("ready"))

    def update(self, paths, timeout=UPDATE_TIMEOUT) -> dict:
        self.proc.stdin.write(json.dumps({"paths": [str(p) for p in paths]}) + "\n")
        self.proc.stdin.flush()
        return self._answer(timeout)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def _say(msg: str, err=False) -> None:
    print(msg, file=sys.stderr if err else sys.stdout, flush=True)


class LiveSite:
    """What `invoke livereload` runs between the file watcher and the server.

    `build()` is a full build of content into output (tasks.pelican); `env` the environment it
    passes to Pelican (PORTAL_CONTENT, PORTAL_TODAY, PORTAL_DRAFTS).
    """

    def __init__(self, build, content, output, env: dict):
        self.build = build
        self.content = Path(content).resolve()
        self.output = Path(os.path.abspath(output))  # the link to the served release, not one release
        self.env = env
        self.worker: Worker | None = None
        self.worker_lock = threading.Lock()  # one request at a time
        self.state = threading.Lock()
        self.wake = threading.Event()
        self.building = False
        self.refresh_worker = False
        self.dirty: set[str] = set()  # fast-path files saved while a full build ran
        self.reload = lambda: None  # set by the server side: reload the browsers (thread-safe)
        self.generation = 0  # of the last worker started; an older one never replaces a newer
        self.installed = 0
        self.starts: queue.Queue = queue.Queue()  # worker starts, made from a normal-priority thread

    # full builds -------------------------------------------------------------------------------
    def full_build(self) -> bool:
        try:
            self.build()
            return True
        except SystemExit:
            _say("Lỗi nội dung: sửa tệp rồi lưu lại; trang web cũ vẫn được phục vụ.", err=True)
            return False

    def start(self) -> None:
        """The first full build (in the foreground), then the worker and the build thread."""
        self.full_build()
        threading.Thread(target=self._starter, daemon=True).start()
        threading.Thread(target=self._builder, daemon=True).start()
        self._start_worker()

    def _start_worker(self) -> None:
        with self.state:
            self.generation += 1
            self.starts.put(self.generation)

    def _starter(self) -> None:
        while True:
            generation = self.starts.get()
            threading.Thread(target=self._run_worker, args=(generation,), daemon=True).start()

    def _run_worker(self, generation: int) -> None:
        t = time.perf_counter()
        w = Worker(self.content, self.output, self.env)
        if not w.wait_ready():
            _say("Cập nhật nhanh tạm ngừng (nội dung lỗi hoặc worker không chạy); trang sẽ cập nhật sau mỗi lần tạo lại.",
                 err=True)
            w.close()
            return
        with self.worker_lock:
            if generation < self.installed:  # a newer worker is already serving
                w.close()
                return
            old, self.worker, self.installed = self.worker, w, generation
        if old:
            old.close()
        _say(f"Cập nhật nhanh đã sẵn sàng ({w.info.get('pages')} trang, {time.perf_counter() - t:.1f} s).")

    def request_build(self, refresh_worker: bool) -> None:
        with self.state:
            self.refresh_worker |= refresh_worker
        self.wake.set()

    def _builder(self) -> None:
        try:  # on Linux a thread's niceness is its own, and the build process inherits it
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BUILD_NICENESS)
        except (AttributeError, OSError):
            pass
        while True:
            self.wake.wait()
            self.wake.clear()
            with self.state:
                self.building, self.dirty = True, set()
                refresh, self.refresh_worker = self.refresh_worker, False
            t = time.perf_counter()
            ok = self.full_build()
            with self.state:
                self.building = False
                again = sorted(self.dirty)
            if ok:
                if again:  # saved while this build read the content: render them again over it
                    self._fast(again, quiet=True)
                _say(f"Đã tạo lại toàn bộ trang web ({time.perf_counter() - t:.1f} s).")
                self.reload()
                if refresh:
                    self._start_worker()
            elif refresh:
                with self.state:
                    self.refresh_worker = True

    # changes -----------------------------------------------------------------------------------
    def _fast(self, paths, quiet=False) -> dict | None:
        with self.worker_lock:
            if self.worker is None:
                return None
            try:
                answer = self.worker.update(paths)
            except (EOFError, queue.Empty, OSError, ValueError):
                self.worker.close()
                self.worker = None
                _say("Cập nhật nhanh gặp lỗi; đang khởi động lại.", err=True)
                self._start_worker()
                return None
        if answer.get("report"):
            _say(answer["report"], err=True)
            _say("Trang cũ vẫn được giữ nguyên cho đến khi sửa xong lỗi.", err=True)
        for w in answer.get("warnings", []):
            _say(f"Cảnh báo: {w}", err=True)
        if answer.get("written") and not quiet:
            _say(f"Đã cập nhật {', '.join('/' + n.removesuffix('index.html') for n in answer['written'])} "
                 f"({answer['seconds'] * 1000:.0f} ms); đang tạo lại toàn bộ trang web.")
        return answer

    def content_changed(self, paths) -> None:
        """Files changed under the content folder: fast path for item files, then a full build."""
        paths = [p for p in paths if not Path(p).name.startswith(".") and not str(p).endswith(IGNORED_SUFFIXES)]
        if not paths:
            return
        items = [p for p in paths if Path(p).suffix == ".md" and Path(p).is_file()]
        others = [p for p in paths if p not in items]
        answer = self._fast(items) if items else None
        if answer is not None:
            fallback = answer.get("fallback", [])
            with self.state:
                if self.building:  # the running build may have read the file before this save
                    self.dirty.update(str(p) for p in items if str(p) not in fallback)
            others += fallback
            if answer.get("written"):
                self.reload()
            if answer.get("report") and not others:
                return  # the full build would stop on the same error
        self.request_build(refresh_worker=bool(others) or answer is None)

    def code_changed(self, paths) -> None:
        """Templates, static files, plugins or settings changed: a full build and a fresh worker."""
        self.request_build(refresh_worker=True)

    def serve(self, host: str, port: int, code_paths) -> None:
        """Build, start the worker, serve the output with livereload and react to every change."""
        from livereload import Server
        from livereload.handlers import LiveReloadHandler

        self.start()
        watcher = event_watcher()
        self.reload = lambda: watcher.loop and watcher.loop.add_callback(LiveReloadHandler.reload_waiters, "*")
        server = Server(watcher=watcher)
        server.watch(str(self.content), self.content_changed)
        for path in code_paths:
            server.watch(str(path), self.code_changed)
        server.serve(host=host, port=port, root=str(self.output), open_url_delay=None)


def event_watcher():
    """livereload's watcher, fed by file system events (watchfiles) instead of polling every 0.8 s.

    Tasks are folders or files; a task's function gets the list of changed paths under it. The
    browsers are reloaded by LiveSite when a page was written, not by the watcher.
    """
    from livereload.watcher import Watcher

    class EventWatcher(Watcher):
        def __init__(self):
            super().__init__()
            self.pending: set[str] = set()
            self.lock = threading.Lock()
            self.loop = None

        def watch(self, path, func=None, delay=None, ignore=None):
            super().watch(str(Path(path).resolve()), func, delay, ignore)

        def start(self, callback):
            import watchfiles
            from tornado.ioloop import IOLoop

            self.loop = IOLoop.current()
            roots = [p for p in self._tasks if os.path.exists(p)]

            def run():
                for changes in watchfiles.watch(*roots, step=30, raise_interrupt=False):
                    with self.lock:
                        self.pending.update(path for _, path in changes)
                    self.loop.add_callback(callback)

            threading.Thread(target=run, daemon=True).start()
            return True

        def examine(self):
            with self.lock:
                changed, self.pending = sorted(self.pending), set()
            for root, task in self._tasks.items():
                hits = [p for p in changed if p == root or p.startswith(root.rstrip(os.sep) + os.sep)]
                if hits and task["func"]:
                    task["func"](hits)
            self._changes.clear()  # livereload's start-up entry: nothing to reload
            return None, None

    return EventWatcher()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="page worker for `invoke livereload`")
    ap.add_argument("--content", required=True)
    ap.add_argument("--output", required=True)
    serve_requests(ap.parse_args(argv))


if __name__ == "__main__":
    main()
