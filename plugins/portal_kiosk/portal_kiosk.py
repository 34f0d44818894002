"""Kiosk screen (/kiosk/) for the touch screen in the reception hall, and the kiosk mode it starts."""
from __future__ import annotations

from pathlib import Path

from pelican import signals

import portal_procedures
from portal_core import registry
from portal_core.portal_core import PortalGenerator

HERE = Path(__file__).parent
KIOSK_PATH = "kiosk/index.html"
KIOSK_URL = "/kiosk/"
URLS = {"index": KIOSK_URL, "script": "/static/portal_kiosk/kiosk.js", "boot": "/static/portal_kiosk/kiosk-boot.js",
        "start": "/static/portal_kiosk/kiosk-start.js"}
# Seconds without touch, keyboard or scrolling before a page in kiosk mode returns to /kiosk/.
IDLE_SECONDS = 90
# The sessionStorage key that marks kiosk mode (set by /kiosk/, removed by /kiosk/?thoat=1).
STORAGE_KEY = "portal-kiosk"


class KioskGenerator(PortalGenerator):
    """/kiosk/ and the script kiosk mode loads on every page."""

    def generate_output(self, writer):
        self.write(writer, "kiosk", KIOSK_PATH, page_name=KIOSK_URL,
                   kiosk={"url": KIOSK_URL, "finder_url": registry.url("offices.finder"),
                          "procedures_url": registry.url("procedures"),
                          "popular": portal_procedures.popular(self.store),
                          "fields": portal_procedures.field_groups(self.store)})
        self.copy_files(HERE / "static", "static/portal_kiosk")


def get_generators(pelican):
    return KioskGenerator


def add_globals(generator):
    generator.env.globals["KIOSK"] = {"url": KIOSK_URL, "idle_seconds": IDLE_SECONDS, "key": STORAGE_KEY,
                                      "script": registry.asset(URLS["script"]), "boot": URLS["boot"],
                                      "start": URLS["start"]}


def register():
    registry.register_urls("kiosk", URLS)
    for key in ("script", "boot", "start"):
        registry.register_asset(URLS[key], HERE / "static" / URLS[key].rsplit("/", 1)[1])
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
