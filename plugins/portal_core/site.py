"""Site settings that differ between deployments, read from `<content>/site.yaml`, and the build's today."""
from __future__ import annotations

import copy
import datetime as dt
from zoneinfo import ZoneInfo


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
    "dossier_lookup_url": "",
    "dossier_code_pattern": "",
    "dossier_code_example": "",
    "dossier_lookup_sample": False,
    "security_contact": "",
    "sample": False,
}


def site_settings(store) -> dict:
    """The Pelican settings that come from the validated site.yaml (its defaults when there is
    none): SITE (the file over DEFAULTS), SITENAME, SITE_URL (the published address, without a
    final '/'; feeds, QR codes, canonical links and open data use it) and FEED_DOMAIN."""
    site = copy.deepcopy(DEFAULTS)
    item = store.get("site", "site")
    if item is not None:
        site.update({k: v for k, v in item.data.items() if v is not None})
    site["url"] = str(site.get("url") or DEFAULTS["url"]).rstrip("/")
    # every contact field the schema declares, None when not given (templates read them all)
    declared = store_schema_contacts(store)
    site["contacts"] = {**dict.fromkeys(declared), **(site.get("contacts") or {})}
    return {"SITE": site, "SITENAME": site["name"], "SITE_URL": site["url"], "FEED_DOMAIN": site["url"]}


def store_schema_contacts(store) -> list[str]:
    from .registry import content_type

    ct = content_type("site")
    return list(ct.schema["properties"]["contacts"]["properties"]) if ct else []


def now_in_vietnam() -> str:
    """The build's moment: the date and time in Vietnam now, 'YYYY-MM-DDTHH:MM'."""
    return dt.datetime.now(ZoneInfo(TIMEZONE)).strftime("%Y-%m-%dT%H:%M")


def parse_moment(text: str) -> dt.datetime:
    """PORTAL_TODAY / --today: 'YYYY-MM-DD' (the end of that day: everything dated that day is out)
    or 'YYYY-MM-DD HH:MM' (Vietnam time). Raises ValueError with a message for editors."""
    text = str(text).strip()
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(23, 59, 59))
        return dt.datetime.fromisoformat(text).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        raise ValueError(f"'{text}' không phải là ngày (YYYY-MM-DD) hay ngày giờ (YYYY-MM-DD HH:MM)") from None


def today_in_vietnam() -> str:
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date().isoformat()
