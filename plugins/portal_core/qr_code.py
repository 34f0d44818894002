"""QR codes as SVG: encoded by zxing-cpp (C++; the tests decode printed codes with it too) in
about 0.4 ms, drawn here as one path (0.4 ms more). A pure-Python encoder (segno) took 2.4 ms a
code: 5 seconds of a cold build at 2,000 procedures. Procedures' codes (portal_procedures/qr.py)
and the dossier lookup's use it."""
from __future__ import annotations

import re

import zxingcpp

# Error correction M survives a scuffed or partly covered poster.
ERROR = "M"
BORDER = 4  # the quiet zone the QR standard asks for, in modules
DRAWING = 1  # this way of drawing: a new value makes every cached SVG again
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
