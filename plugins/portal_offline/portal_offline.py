"""Offline, for weak networks.

The build writes `/sw.js`, a service worker on Workbox's runtime (workbox-sw and its modules from
npm, copied under /static/vendor/workbox-<version>/: nothing is fetched from another server):

- the shell is precached on the first visit: the site's stylesheet, the scripts every page loads,
  the favicon and the offline page (`/ngoai-tuyen/`), named by their bytes, so an update replaces
  exactly what changed;
- pages are network first: always fresh with a network, the last copy without one; pages a
  citizen opened are kept (up to PAGES_KEPT), and "Lưu để xem khi không có mạng" on a procedure
  page saves it at once;
- files named by their bytes are cache first; the search manifest and other data network first;
- a page that was never kept gives the offline page, which lists the kept ones.

A new worker takes over at once (skipWaiting, clientsClaim) and removes the old precache, so no
stale page lingers. A page with `data-offline-keep` on its <main> (the kiosk screen) keeps more:
the search files and every page it links to, so the hall keeps working when the network drops.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pelican import signals

from portal_core import output, registry
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
WORKBOX_VERSION = "7.4.1"
WORKBOX_MODULES = ("workbox-core", "workbox-routing", "workbox-strategies", "workbox-precaching", "workbox-expiration")
URLS = {"index": "/ngoai-tuyen/", "worker": "/sw.js", "script": "/static/portal_offline/offline.js",
        "workbox": f"/static/vendor/workbox-{WORKBOX_VERSION}/"}
CACHES = {"pages": "portal-pages", "assets": "portal-assets", "data": "portal-data"}
PAGES_KEPT = 150
# what every page needs, precached on the first visit (besides the offline page)
SHELL = ("/theme/css/site.css", "/theme/css/print.css", "/theme/favicon.svg", URLS["script"])


def workbox_files() -> dict[str, Path]:
    """Workbox's runtime as published on npm: name in the vendor folder → file in node_modules."""
    files = {"workbox-sw.js": ROOT / "node_modules" / "workbox-sw" / "build" / "workbox-sw.js"}
    for m in WORKBOX_MODULES:
        files[f"{m}.prod.js"] = ROOT / "node_modules" / m / "build" / f"{m}.prod.js"
    return files


def worker(precache: list[dict]) -> str:
    """The service worker: sw.js in this folder, given its configuration."""
    config = {"workbox": URLS["workbox"], "offline": URLS["index"], "caches": CACHES, "pagesKept": PAGES_KEPT,
              "precache": precache}
    code = (HERE / "static" / "sw.js").read_text(encoding="utf-8")
    return code.replace("/*CONFIG*/{}", json.dumps(config, ensure_ascii=False, sort_keys=True))


class OfflineGenerator(PortalGenerator):
    def generate_output(self, writer):
        out = Path(self.output_path)
        self.write_page(writer, "offline", URLS["index"], offline={"caches": CACHES})
        vendor = out / URLS["workbox"].strip("/")
        for name, source in workbox_files().items():
            if not source.is_file():
                raise FileNotFoundError(f"portal_offline: {source} is missing: run `npm ci` (workbox in package.json)")
            output.write_bytes(vendor / name, source.read_bytes())
            output.precompress_later(vendor / name)
        written = out / URLS["index"].strip("/") / "index.html"
        if not written.is_file():  # livereload's page worker records pages without writing them
            return
        page = written.read_bytes()
        precache = [{"url": registry.asset(url), "revision": None} for url in SHELL]
        precache.append({"url": URLS["index"], "revision": hashlib.sha256(page).hexdigest()[:16]})
        precache += [{"url": URLS["workbox"] + name, "revision": WORKBOX_VERSION} for name in workbox_files()
                     if name != "workbox-sw.js"]
        target = out / URLS["worker"].lstrip("/")
        target.write_text(worker(precache), encoding="utf-8")
        output.precompress_later(target)


def get_generators(pelican):
    return OfflineGenerator


def add_globals(generator):
    generator.env.globals["OFFLINE"] = {"script": registry.asset(URLS["script"]), "worker": URLS["worker"],
                                        "pages": CACHES["pages"], "offline": URLS["index"]}


def register():
    registry.register_urls("offline", URLS)
    registry.register_asset(URLS["script"], HERE / "static" / "offline.js")
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
