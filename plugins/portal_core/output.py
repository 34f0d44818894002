"""The one way the portal writes files besides Pelican's pages: JSON, copied static files, and the
precompressed copies (.gz, .br) that servers send as they are.

Compression happens once per file and build: a plugin asks for a file's copies with
`precompress_later(path)` (search files, which are fetched by every visitor), a worker process
makes them while the build goes on, and `portal_core.publish.finalize` waits for it and makes, on
publishing, those of every other file.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
from pathlib import Path

PRECOMPRESS_SUFFIXES = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".geojson"}
MIN_BYTES = 512  # smaller files gain nothing from compression

_wanted: set[Path] = set()
_release: tuple[Path, Path] | None = None  # (this build's output folder, the previous release)


def set_release(output: Path, previous: Path | None) -> None:
    """Name the release this build replaces: a file written with the same bytes as that release's
    file of the same path becomes a hard link to it (its time stays, and publishing skips it)."""
    global _release
    _release = (Path(output), Path(previous)) if previous is not None else None


def _previous_path(path: Path) -> Path | None:
    """Where the previous release has the file at `path`'s place (None without one)."""
    if _release is None:
        return None
    try:
        return _release[1] / Path(path).relative_to(_release[0])
    except ValueError:
        return None


def _previous_copy(path: Path, data: bytes) -> Path | None:
    """The previous release's file at `path`'s place, when its bytes are `data`."""
    old = _previous_path(path)
    if old is None:
        return None
    try:
        st = os.lstat(old)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return None
        with open(old, "rb") as f:
            return old if f.read() == data else None
    except OSError:
        return None


def put_bytes(path: Path, data: bytes) -> None:
    """Write a file (its folder must exist), as a hard link to the previous release's file when that
    holds the same bytes, else as a new file: never into a file that may be shared with a release."""
    old = _previous_copy(path, data)
    if old is not None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        try:
            os.link(old, path)
            return
        except OSError:
            pass
    try:
        if os.stat(path).st_nlink > 1:
            os.unlink(path)
    except FileNotFoundError:
        pass
    with open(path, "wb") as f:
        f.write(data)


def json_text(data, indent: int | None = None) -> str:
    """Compact UTF-8 JSON (or indented with `indent` spaces), Vietnamese letters kept as they are."""
    sep = (",", ":") if indent is None else (",", ": ")
    return json.dumps(data, ensure_ascii=False, indent=indent, separators=sep)


def write_json(path: Path, data, indent: int | None = None, newline: bool = True) -> None:
    write_text(path, json_text(data, indent) + ("\n" if newline else ""))


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    put_bytes(path, data)


def copy_files(src: Path, target: Path, names=None) -> None:
    """Copy the regular files of folder `src` (not hidden ones, not sub-folders; only `names` when
    given) into `target`."""
    if not src.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():  # regular files only: never what a symbolic link points to
        if f.is_file() and not f.is_symlink() and not f.name.startswith(".") and (names is None or f.name in names):
            put_bytes(target / f.name, f.read_bytes())


def copy_tree(src: Path, target: Path) -> None:
    shutil.copytree(src, target, dirs_exist_ok=True)


def replace_bytes(path: Path, data: bytes) -> None:
    """Write a file as a new file (a temporary one renamed over it): never into the old file, which
    may be a hard link shared with the previous release."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _link_copies(path: Path, previous: Path) -> bool:
    """Take the previous release's copies when `path` is that release's file."""
    if not _same_file(path, previous):
        return False
    for suffix in (".gz", ".br"):
        old, new = previous.with_name(previous.name + suffix), path.with_name(path.name + suffix)
        try:
            if new.exists():
                new.unlink()
            os.link(old, new)
        except OSError:
            return False
    return True


# Brotli 10, not 11: on the search and listing files (2 MB at 2,000 procedures) 11 takes three times
# as long (1.6 s against 0.5 s) for files 1.2% smaller.
BROTLI_QUALITY = 10


def compressed(data: bytes) -> tuple[bytes, bytes]:
    """(gzip, Brotli) copies of data: gzip level 9 without a timestamp, Brotli 10."""
    import brotli

    return gzip.compress(data, compresslevel=9, mtime=0), brotli.compress(data, quality=BROTLI_QUALITY)


def _compress_file(path: Path) -> None:
    """Write path.gz and path.br next to a file."""
    gz, br = compressed(path.read_bytes())
    replace_bytes(path.with_name(path.name + ".gz"), gz)
    replace_bytes(path.with_name(path.name + ".br"), br)


def needs_compressing(path: Path, data: bytes) -> bool:
    """False when the previous release holds these bytes at path (its copies will be linked)."""
    return _previous_copy(path, data) is None


def put_compressed(path: Path, data: bytes, copies: tuple[bytes, bytes] | None) -> None:
    """Write a file and ask for its .gz and .br copies, given already made (by `compressed`, in a
    process with time to spare: the search index's) or None to have them made as any other's."""
    write_bytes(path, data)
    if copies is None:
        precompress_later(path)
        return
    for suffix, copy in zip((".gz", ".br"), copies):
        put_bytes(path.with_name(path.name + suffix), copy)
    _wanted.add(path)
    _started[path] = _signature(path)  # done, as the worker's are once it ends


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# Brotli takes a second or more for the search files: a new file asked for is compressed at
# once by a worker process (this file run as a script), while the build renders pages.
_worker = None
# file -> what it was (size, time, inode) when the worker took it, or put_compressed wrote its copies
_started: dict[Path, tuple] = {}


def _signature(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def precompress_later(path: Path) -> None:
    """Ask for path's .gz and .br copies: made now in the background when the file is new in this
    build, and all done by the end of the build (`precompress`)."""
    path = Path(path)
    _wanted.add(path)
    old = _previous_path(path)
    if old is not None and _same_file(path, old):
        return  # unchanged: the previous release's copies are linked at the end
    global _worker
    try:
        if _worker is None:
            import subprocess
            import sys

            _worker = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        _worker.stdin.write((json.dumps(str(path)) + "\n").encode("utf-8"))
        _worker.stdin.flush()
        _started[path] = _signature(path)
    except OSError:  # no worker: the end of the build compresses it
        pass


def _finish_worker() -> set[Path]:
    """Wait for the worker; the files whose copies it (or put_compressed) made and that did not
    change since."""
    global _worker
    worker, _worker = _worker, None
    started = dict(_started)
    _started.clear()
    if worker is not None:
        try:
            worker.stdin.close()
        except OSError:
            pass
        err = worker.stderr.read()
        if worker.wait() != 0:
            raise RuntimeError("portal_core: không nén được tệp:\n" + err.decode("utf-8", "replace"))
    return {p for p, sig in started.items() if sig is not None and sig == _signature(p)}


def precompress(output: Path, everything: bool, previous: Path | None = None) -> None:
    """Make the copies asked for (and, when `everything`, of every text file worth it), each once;
    a file unchanged since the `previous` release takes that release's copies."""
    done = _finish_worker()
    files = set(_wanted)
    _wanted.clear()
    if everything:
        files.update(f for f in output.rglob("*") if f.suffix in PRECOMPRESS_SUFFIXES and f.is_file()
                     and f.stat().st_size >= MIN_BYTES)
    for f in sorted(files):
        if f.is_file():
            old = previous / f.relative_to(output) if previous is not None else None
            if old is not None and _link_copies(f, old):
                continue
            if f not in done:
                _compress_file(f)


if __name__ == "__main__":  # the worker: one JSON path a line on stdin, each compressed in turn
    import sys

    for line in sys.stdin:
        _compress_file(Path(json.loads(line)))
