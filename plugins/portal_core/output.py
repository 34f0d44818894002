"""The one way the portal writes files besides Pelican's pages: JSON, copied static files, and the
precompressed copies (.gz, .br) that servers send as they are.

Compression happens once per file and build: a plugin asks for a file's copies with
`precompress_later(path)` (search files, which are fetched by every visitor), and
`portal_core.publish.finalize` makes them at the end of the build together with, on publishing,
every other file.
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


def _previous_copy(path: Path, data: bytes) -> Path | None:
    """The previous release's file at `path`'s place, when its bytes are `data`."""
    if _release is None:
        return None
    try:
        old = _release[1] / Path(path).relative_to(_release[0])
        st = os.lstat(old)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return None
        with open(old, "rb") as f:
            return old if f.read() == data else None
    except (ValueError, OSError):
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


def compress(path: Path, previous: Path | None = None) -> None:
    """Write path.gz and path.br next to a file (gzip level 9 without a timestamp, Brotli 11). When
    the file is the previous release's file (a hard link, `previous` being that file), its copies
    are taken from there."""
    import brotli

    if previous is not None and _same_file(path, previous):
        done = True
        for suffix in (".gz", ".br"):
            old, new = previous.with_name(previous.name + suffix), path.with_name(path.name + suffix)
            try:
                if new.exists():
                    new.unlink()
                os.link(old, new)
            except OSError:
                done = False
        if done:
            return
    data = path.read_bytes()
    replace_bytes(path.with_name(path.name + ".gz"), gzip.compress(data, compresslevel=9, mtime=0))
    replace_bytes(path.with_name(path.name + ".br"), brotli.compress(data, quality=11))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def precompress_later(path: Path) -> None:
    """Ask for path's .gz and .br copies, made once at the end of the build."""
    _wanted.add(Path(path))


def precompress(output: Path, everything: bool, previous: Path | None = None) -> None:
    """Make the copies asked for (and, when `everything`, of every text file worth it), each once;
    a file unchanged since the `previous` release takes that release's copies."""
    files = set(_wanted)
    _wanted.clear()
    if everything:
        files.update(f for f in output.rglob("*") if f.suffix in PRECOMPRESS_SUFFIXES and f.is_file()
                     and f.stat().st_size >= MIN_BYTES)
    for f in sorted(files):
        if f.is_file():
            compress(f, previous / f.relative_to(output) if previous is not None else None)
