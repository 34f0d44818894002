"""Site settings that differ between deployments, read from `<content>/site.yaml`, and the build's today."""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from .frontmatter import FrontMatterError, read_yaml_file

TIMEZONE = "Asia/Ho_Chi_Minh"

DEFAULTS = {
    "name": "Trung tâm Phục vụ hành chính công",
    "short_name": "TTPVHCC",
    "url": "http://localhost:8000",
    "description": "Hướng dẫn thủ tục hành chính, địa điểm tiếp nhận hồ sơ và tin tức.",
    "contacts": {},
    "national_portal_url": "",
    "online_filing_url": "",
    "map_tile_url": "",
    "map_attribution": "",
    "holidays": [],
    "popular_procedures": [],
    "sample": False,
}


def read_site(content_path) -> dict:
    """site.yaml merged over the defaults; a broken or missing file gives the defaults.

    `pelicanconf.py` calls this before anything is validated; the content store validates the
    file itself and reports its problems with the rest of the content.
    """
    site = copy.deepcopy(DEFAULTS)
    f = Path(content_path) / "site.yaml"
    if f.exists():
        try:
            data = read_yaml_file(f)
        except FrontMatterError:
            data = None
        if isinstance(data, dict):
            site.update({k: v for k, v in data.items() if v is not None})
    site["url"] = str(site.get("url") or DEFAULTS["url"]).rstrip("/")
    return site


def today_in_vietnam() -> str:
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date().isoformat()
