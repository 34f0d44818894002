"""News and announcements: schema and the publishing rules (draft, scheduled, expired, pinned).

News items are Pelican articles (read by portal_core's front-matter reader), so Pelican's own
pagination, categories, tags and feeds apply; this plugin decides what each item's status is on
the build's today.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pelican import signals

from portal_core import ContentType, register_content_type
from portal_core.content import as_date, current_store

HERE = Path(__file__).parent
RESERVED = frozenset({"the", "thong-bao", "tin-tuc", "page", "index", "feeds"})
CATEGORY_LABELS = {"tin-tuc": "Tin tức", "thong-bao": "Thông báo"}


def prepare(item, store):
    item.url = f"/tin-tuc/{item.slug}/"


def cross_check(store):
    for n in store["news"]:
        exp = as_date(n.data.get("expires"))
        if exp and exp < as_date(n.data["date"]):
            store.error(n, "ngày hết hạn trước ngày đăng", "expires")
        elif exp and n.data.get("pinned") and exp < store.today:
            store.warn(n, f"tin được ghim đã hết hạn ngày {exp.isoformat()}; hãy bỏ pinned", "pinned")


register_content_type(ContentType(
    name="news", folder="news", schema_path=HERE / "news.schema.json",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, render_body=False, order=40,
))


def apply_publishing_rules(generator, metadata):
    """Set each article's Pelican status from `status`, `date` and `expires` on the build's today."""
    store = current_store()
    today = store.today
    preview = generator.settings.get("PORTAL_DRAFTS", False)
    date = metadata.get("date")
    day = date.date() if isinstance(date, dt.datetime) else date
    expires = metadata.get("expires")
    metadata["is_draft"] = metadata.get("status") == "draft"
    metadata["is_future"] = bool(day and day > today)
    metadata["is_expired"] = bool(expires and expires < today)
    if metadata["is_draft"] or metadata["is_future"]:
        metadata["status"] = "published" if preview else "draft"
        metadata["preview"] = preview
    elif metadata["is_expired"]:
        metadata["status"] = "hidden"  # its page stays; listings, home page and feeds drop it
    else:
        metadata["status"] = "published"


def add_globals(generator):
    generator.env.globals.update(CATEGORY_LABELS=CATEGORY_LABELS)


def register():
    signals.article_generator_context.connect(apply_publishing_rules)
    signals.generator_init.connect(add_globals)
