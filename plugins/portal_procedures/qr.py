"""QR codes for procedure pages: one SVG per absolute page URL, encoded by zxing-cpp.

zxing-cpp (C++, already what the tests decode the printed codes with) encodes a code in tens of
microseconds, where a pure-Python encoder took 2.4 ms: 5 seconds of a cold build at 2,000
procedures. This module draws its modules as one SVG path.

Run as a script, it reads `[url, svg_path, cache_path]` JSON lines on stdin and writes each SVG
(a hard link to the cache's copy, made there first when no earlier build made it): the build
starts it in the background so the QR codes are made while the pages are rendered.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import zxingcpp

# Error correction M survives a scuffed or partly covered poster.
ERROR = "M"
BORDER = 4  # the quiet zone the QR standard asks for, in modules
DRAWING = 1  # this module's way of drawing: a new value makes every cached SVG again
ENCODER = version("zxing-cpp")
_DARK = re.compile(rb"\x00+")  # a run of dark modules in a row of the encoder's image (0 dark, 255 light)


def qr_svg(url: str) -> bytes:
    """The SVG of a QR code encoding `url`: black modules on white with the quiet zone, a viewBox
    and no size (the page sets its size)."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level=ERROR)
    image = code.to_image(scale=1, add_quiet_zones=False)
    rows, cols = image.shape
    pixels = bytes(memoryview(image))
    size = cols + 2 * BORDER
    moves, pen = [], None
    for y in range(rows):
        for run in _DARK.finditer(pixels, y * cols, (y + 1) * cols):
            x, n = run.start() - y * cols + BORDER, run.end() - run.start()
            # a horizontal stroke through the middle of the row's modules, moving relative to the last
            moves.append(f"M{x} {y + BORDER}.5h{n}" if pen is None else f"m{x - pen[0]} {y + BORDER - pen[1]}h{n}")
            pen = (x + n, y + BORDER)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr">'
            f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
            f'<path stroke="#000" d="{"".join(moves)}"/></svg>\n').encode("ascii")


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
