"""QR codes for procedure pages: one SVG per absolute page URL (portal_core.qr_code).

Run as a script, it reads `[url, svg_path, cache_path]` JSON lines on stdin and writes each SVG
(a hard link to the cache's copy, made there first when no earlier build made it): the build
starts it in the background so the QR codes are made while the pages are rendered.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

if __package__ in (None, ""):  # run as a script by the build: portal_core is in the plugins folder
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal_core.qr_code import BORDER, DRAWING, ERROR, qr_svg  # noqa: E402

ENCODER = version("zxing-cpp")


def cache_name(url: str) -> str:
    key = f"zxing-cpp {ENCODER}|{DRAWING}|{ERROR}|{BORDER}|{url}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest() + ".svg"


def write_qr(url: str, dest, cache_dir=None) -> None:
    """Write the QR SVG for `url` to `dest` as a hard link to `cache_dir/<hash>.svg`, made first when
    no earlier build made it: every release then holds the same file, which publishing recognises as
    unchanged. The page's folder is made here when the build has not made it yet (the build's
    writer may be making it at the same moment: both accept it existing)."""
    dest = Path(dest)
    os.makedirs(dest.parent, exist_ok=True)
    cached = Path(cache_dir) / cache_name(url) if cache_dir else None
    if cached is None:
        dest.write_bytes(qr_svg(url))
        return
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(qr_svg(url))
        os.replace(tmp, cached)
    dest.unlink(missing_ok=True)
    try:
        os.link(cached, dest)
    except OSError:  # the cache is on another file system
        shutil.copyfile(cached, dest)


def main() -> int:
    for line in sys.stdin:
        if line.strip():
            url, dest, cache_dir = json.loads(line)
            write_qr(url, dest, cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
