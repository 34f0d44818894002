"""QR codes for procedure pages: one SVG per absolute page URL, made with segno.

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
from pathlib import Path

import segno

# Error correction M survives a scuffed or partly covered poster; a fixed mask pattern skips
# segno's evaluation of all eight masks (any mask is valid for every reader and it is 7x faster).
ERROR = "m"
MASK = 4
SCALE = 1  # the SVG has a viewBox and no size: the page sets its size
BORDER = 4  # the quiet zone the QR standard asks for, in modules


def qr_svg(url: str) -> bytes:
    """The SVG of a QR code encoding `url` (black on white, with its quiet zone)."""
    qr = segno.make_qr(url, error=ERROR, mask=MASK, boost_error=False)
    out = _Buffer()
    qr.save(out, kind="svg", scale=SCALE, border=BORDER, dark="#000", light="#fff",
            xmldecl=False, svgns=True, svgclass="qr", lineclass=None, omitsize=True)
    return out.getvalue()


def cache_name(url: str) -> str:
    key = f"{segno.__version__}|{ERROR}|{MASK}|{SCALE}|{BORDER}|{url}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest() + ".svg"


def write_qr(url: str, dest, cache_dir=None) -> None:
    """Write the QR SVG for `url` to `dest` (its folder must exist) as a hard link to
    `cache_dir/<hash>.svg`, made first when no earlier build made it: every release then holds the
    same file, which publishing recognises as unchanged."""
    dest = Path(dest)
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


class _Buffer:
    """A bytes sink for segno (io.BytesIO works too; this avoids a seek on every write)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, b):
        self.parts.append(b if isinstance(b, bytes) else b.encode("utf-8"))

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def main() -> int:
    for line in sys.stdin:
        if line.strip():
            url, dest, cache_dir = json.loads(line)
            write_qr(url, dest, cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
