"""Where a build's output goes: release folders, an atomic switch, one build at a time, rollback.

The output folder the server serves (`output/`, or `--output DIR`) is a symbolic link to a release
folder beside it, `.output.releases/<time>-<pid>/`. A build

1. takes the lock `.output.lock` (a second build waits, saying so; livereload's background builds
   take the same lock);
2. builds into a new release folder; a failing build removes only that folder;
3. switches the link to the new release by renaming a new link over it (`os.replace` of a link is
   atomic: killed at any instant, the link names either the old release or the new one);
4. keeps the release it replaced, so that `invoke rollback` can switch back, and moves older ones
   into `.output.trash/` (a rename); the next build deletes them while it renders (deleting a
   release's thousands of folders took 2 seconds of an editor's one-line rebuild).

It refuses an output folder it did not make (a folder with files and without the marker
`.portal-build`), so that `--output` never deletes someone's files; a build made before release
folders existed is recognised once by its own files and adopted as a release.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from pathlib import Path

MARKER = ".portal-build"
# A build from before release folders: these files together say the portal made the folder.
OLD_BUILD_FILES = ("index.html", "sitemap.xml", "robots.txt", "static/search")


class OutputRefused(Exception):
    """The output path is something the portal did not make: nothing was changed."""


class Releases:
    def __init__(self, output):
        self.output = Path(os.path.abspath(output))  # the link itself, never what it points to
        self.root = self.output.parent / f".{self.output.name}.releases"
        self.lock_path = self.output.parent / f".{self.output.name}.lock"
        self.trash = self.output.parent / f".{self.output.name}.trash"

    # --- one build at a time --------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, say=print):
        self.output.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say(f"Một lần tạo trang web khác đang ghi vào {self.output}; đang chờ lần đó xong…")
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- what is there now --------------------------------------------------------------------
    def current(self) -> Path | None:
        """The release the output link names (None when there is none yet)."""
        if self.output.is_symlink():
            return Path(os.path.realpath(self.output))
        return None

    def releases(self) -> list[Path]:
        """Release folders, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted((p for p in self.root.iterdir() if p.is_dir() and not p.is_symlink()), key=lambda p: p.name)

    def check_output(self) -> None:
        """Raise OutputRefused unless the output path is free, a link to one of our releases, an
        empty folder, or a folder a build made."""
        out = self.output
        if out.is_symlink():
            target = Path(os.path.realpath(out))
            if target.parent != self.root.resolve():
                raise OutputRefused(f"{out} là liên kết tới {target}, không phải bản dựng của trang web; không ghi đè. "
                                    "Hãy chọn thư mục khác (--output).")
            return
        if not out.exists():
            return
        if not out.is_dir():
            raise OutputRefused(f"{out} là một tệp, không phải thư mục; không ghi đè. Hãy chọn thư mục khác (--output).")
        if any(out.iterdir()) and not self._made_by_a_build(out):
            raise OutputRefused(f"Thư mục {out} có những tệp không do trang web tạo ra; không ghi đè, không xóa. "
                                "Hãy chọn một thư mục trống hoặc chưa có (--output).")

    @staticmethod
    def _made_by_a_build(folder: Path) -> bool:
        return (folder / MARKER).is_file() or all((folder / name).exists() for name in OLD_BUILD_FILES)

    # --- a build ------------------------------------------------------------------------------
    def new_release(self) -> Path:
        """A new, not yet existing release folder (the build creates it)."""
        self.root.mkdir(parents=True, exist_ok=True)
        base = time.strftime("%Y%m%dT%H%M%S")
        n = 0
        while (self.root / f"{base}-{os.getpid()}-{n}").exists():
            n += 1
        return self.root / f"{base}-{os.getpid()}-{n}"

    def discard(self, release: Path) -> None:
        """Remove a release that failed (never the current or the previous one)."""
        if release.parent == self.root and release != self.current():
            shutil.rmtree(release, ignore_errors=True)

    def publish(self, release: Path) -> None:
        """Serve `release` from now on: switch the link atomically, keep the release it replaces."""
        (release / MARKER).write_text("Thư mục này do trang web tạo ra (invoke build).\n", encoding="utf-8")
        previous = self.current()
        if self.output.is_dir() and not self.output.is_symlink():
            previous = self._adopt()
        self._switch(release)
        self._prune(keep={release, previous})

    def _adopt(self) -> Path | None:
        """Make a real output folder (a build from before releases, or an empty folder) a release."""
        if not any(self.output.iterdir()):
            self.output.rmdir()
            return None
        self.root.mkdir(parents=True, exist_ok=True)
        adopted = self.root / f"00000000T000000-adopted-{os.getpid()}"
        os.rename(self.output, adopted)
        (adopted / MARKER).write_text("Bản dựng cũ, nhận làm bản phát hành.\n", encoding="utf-8")
        return adopted

    def _switch(self, release: Path) -> None:
        tmp = self.output.parent / f".{self.output.name}.link-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(os.path.relpath(release, self.output.parent), tmp)
        os.replace(tmp, self.output)  # atomic: the old link or the new one, never neither

    def _prune(self, keep) -> None:
        keep = {Path(os.path.realpath(p)) for p in keep if p is not None}
        for r in self.releases():
            if r.resolve() not in keep:
                self.trash.mkdir(exist_ok=True)
                try:
                    os.rename(r, self.trash / r.name)
                except OSError:
                    shutil.rmtree(r, ignore_errors=True)

    def empty_trash(self) -> None:
        """Delete the releases pruned by earlier builds (tasks.pelican runs it beside a build)."""
        shutil.rmtree(self.trash, ignore_errors=True)

    # --- going back -----------------------------------------------------------------------------
    def rollback(self) -> Path:
        """Serve the release before the current one again; returns it."""
        current = self.current()
        older = [r for r in self.releases() if current is None or r.name < current.name]
        if not older:
            raise OutputRefused(f"Không có bản trước để quay lại cho {self.output}.")
        self._switch(older[-1])
        return older[-1]
