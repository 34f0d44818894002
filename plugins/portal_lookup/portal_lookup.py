"""Looking up a dossier by the code printed on the receipt.

The portal is a static site and holds no personal data: the citizen's code goes, from their own
browser, to the official look-up, `dossier_lookup_url` in site.yaml (`{code}` marks the place).
- Without JavaScript, when `{code}` is a query parameter, the form submits straight there.
- With JavaScript, a code that does not match `dossier_code_pattern` gets a plain message first,
  and the camera can read the receipt's barcode where the browser has `BarcodeDetector` (nothing
  is loaded for it; the button is absent elsewhere).
- On the kiosk, which must not leave the site, the form shows a QR code of the look-up address
  for the citizen's own phone.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from pelican import signals

from portal_core import output, registry, serving
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
URLS = {"index": "/tra-cuu-ho-so/", "qr": "/tra-cuu-ho-so/qr.svg", "script": "/static/portal_lookup/lookup.js"}
PLACE = "{code}"


def form_target(url: str) -> dict | None:
    """How a plain HTML form reaches `url` with the code filled in: {"action", "name", "hidden"},
    or None when `{code}` is not a query parameter (then only the script can go there)."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    names = [k for k, v in params if v == PLACE]
    if len(names) != 1 or PLACE in parts.path:
        return None
    return {"action": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), "name": names[0],
            "hidden": [(k, v) for k, v in params if v != PLACE]}


def base_address(url: str) -> str:
    """The look-up address without the code: what the kiosk's QR code opens."""
    target = form_target(url)
    if target is None:
        return url.split(PLACE)[0].rstrip("/=?&") or url
    parts = urlsplit(target["action"])
    query = "&".join(f"{k}={v}" for k, v in target["hidden"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def lookup(site: dict) -> dict | None:
    """What the page and the home box need, or None when the site has no look-up address."""
    url = site.get("dossier_lookup_url") or ""
    if PLACE not in url:
        return None
    return {"url": url, "pattern": site.get("dossier_code_pattern") or "", "example": site.get("dossier_code_example") or "",
            "sample": bool(site.get("dossier_lookup_sample")), "form": form_target(url), "base": base_address(url),
            "page": URLS["index"], "qr": URLS["qr"], "script": registry.asset(URLS["script"])}


class LookupGenerator(PortalGenerator):
    def generate_output(self, writer):
        site = self.settings.get("SITE") or {}
        info = lookup(site)
        pattern = site.get("dossier_code_pattern") or ""
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"content/site.yaml: trường 'dossier_code_pattern': biểu thức không hợp lệ ({exc})")
        if info is None:
            return
        from portal_core.qr_code import qr_svg

        output.write_bytes(Path(self.output_path) / URLS["qr"].lstrip("/"), qr_svg(info["base"]))
        self.write_page(writer, "lookup", URLS["index"], lookup=info)
        self.copy_files(HERE / "static", "static/portal_lookup", names={"lookup.js"})


def add_globals(generator):
    generator.env.globals["dossier_lookup"] = lambda: lookup(generator.settings.get("SITE") or {})


def get_generators(pelican):
    return LookupGenerator


def register():
    registry.register_asset(URLS["script"], HERE / "static" / "lookup.js")
    # the form goes to the official look-up; the camera reads the receipt's code
    registry.register_policy("form-action", lambda site: [serving.origin(site.get("dossier_lookup_url") or "")])
    registry.register_permission("camera")
    registry.register_urls("lookup", URLS)
    registry.register_home_block("lookup", "grid", "home_lookup.html", 15)
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
