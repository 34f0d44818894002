"""News and announcements: schema and the publishing rules (draft, scheduled, expired, pinned).

News items are Pelican articles (read by portal_core's front-matter reader), so Pelican's own
pagination, categories, tags and feeds apply; this plugin decides what each item's status is on
the build's today:

- `status: draft`                  -> never written (DRAFT_SAVE_AS is '');
- dated after today                -> never written until a build on or after its date;
- `expires` before today           -> Pelican status 'hidden': the page stays (marked expired),
                                      the listings, feeds and the home page drop it;
- otherwise                        -> published; `pinned` items lead the home page.

A preview build (`invoke livereload --drafts`, PORTAL_DRAFTS) publishes drafts and future items
with `preview = True` so that base.html shows the "Bản nháp" banner. Feeds get absolute links from
the site URL in site.yaml. The editor's warnings about images without alt text (in any Markdown
content, not only news) are raised here too, during the content check.
"""
from __future__ import annotations

import bisect
import datetime as dt
import html
import re
from pathlib import Path
from urllib.parse import urljoin

from feedgenerator import Rss201rev2Feed, get_tag_uri
from pelican import signals
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Category

from portal_core import registry, render_cache, text
from portal_core.content import current_store
from portal_core.registry import ContentType, SearchEntry
from portal_core.text import as_date

HERE = Path(__file__).parent
RESERVED = frozenset({"the", "thong-bao", "tin-tuc", "trang", "page", "index", "feeds", "ban-nhap"})
SCHEMA_PATH = HERE / "news.schema.json"
CATEGORY_LABELS = registry.enum_labels(registry.load_schema(SCHEMA_PATH), "category")
HOME_LATEST = 5  # latest news on the home page (besides the pinned ones)
URLS = {"index": "/tin-tuc/", "item": "/tin-tuc/{slug}/", "category": "/tin-tuc/{slug}/",
        "feed": "/tin-tuc/feeds/all.atom.xml"}
# News items are Pelican articles: Pelican's settings for their addresses, given as defaults (a
# site's settings file may still set any of them).
PELICAN_SETTINGS = {
    "ARTICLE_PATHS": ["news"],
    "ARTICLE_URL": "tin-tuc/{slug}/",
    "ARTICLE_SAVE_AS": "tin-tuc/{slug}/index.html",
    "DRAFT_URL": "tin-tuc/ban-nhap/{slug}/",
    "DRAFT_SAVE_AS": "",  # drafts are never written; `invoke livereload --drafts` previews them
    "DRAFT_LANG_SAVE_AS": "",
    "CATEGORY_URL": "tin-tuc/{slug}/",
    "CATEGORY_SAVE_AS": "tin-tuc/{slug}/index.html",
    "TAG_URL": "tin-tuc/the/{slug}/",
    "TAG_SAVE_AS": "tin-tuc/the/{slug}/index.html",
    "INDEX_SAVE_AS": "tin-tuc/index.html",
    "INDEX_URL": "tin-tuc/",  # the news listing (page 1); pagination links are built from it
    "FEED_ALL_ATOM": "tin-tuc/feeds/all.atom.xml",
    "FEED_ALL_RSS": "tin-tuc/feeds/all.rss.xml",
    "CATEGORY_FEED_ATOM": "tin-tuc/feeds/{slug}.atom.xml",
    "CATEGORY_FEED_RSS": "tin-tuc/feeds/{slug}.rss.xml",
}

# States of a news item on the build's today (one rule for the store and for Pelican).
DRAFT, FUTURE, EXPIRED, PUBLISHED = "draft", "future", "expired", "published"
STATE_LABELS = {DRAFT: "Bản nháp", FUTURE: "Hẹn giờ đăng", EXPIRED: "Đã hết hạn", PUBLISHED: "Đã đăng"}

# Images without a text alternative, in Markdown (`![](x.png)`) or in raw HTML (`<img ...>`).
MD_IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\s*(?:\([^)]*\)|\[[^\]]*\])")
HTML_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_ALT_RE = re.compile(r"""\balt\s*=\s*(?:"(?P<a>[^"]*)"|'(?P<b>[^']*)'|(?P<c>[^\s>]+))""", re.IGNORECASE)
# Root-relative links in the feeds' content, made absolute with the site URL.
ROOT_RELATIVE_RE = re.compile(r'(\s(?:href|src)=")/(?!/)')


def publishing_state(status: str | None, published, expires: dt.date | None, now) -> str:
    """DRAFT, FUTURE, EXPIRED or PUBLISHED at the moment `now` (a datetime in Vietnam; a date means
    the end of that day). `published` is a date or, when the file gives a time, a datetime: an item
    dated today at 23:59 is not out at 13:50. `expires` is the last day shown (both ends included)."""
    if isinstance(now, dt.date) and not isinstance(now, dt.datetime):
        now = dt.datetime.combine(now, dt.time(23, 59, 59))
    if status == "draft":
        return DRAFT
    if isinstance(published, dt.datetime):
        if published.replace(tzinfo=None) > now:
            return FUTURE
    elif published and published > now.date():
        return FUTURE
    if expires and expires < now.date():
        return EXPIRED
    return PUBLISHED


def published_at(value):
    """A news `date` as written: a date, or a datetime when the file gives a time."""
    text = str(value)
    return dt.datetime.fromisoformat(text) if len(text) > 10 else as_date(text)


def is_public(item, when) -> bool:
    """Whether a visitor sees the item at `when` (a datetime, or a whole day) in listings, feeds and
    search (published, its date come, not expired); an expired item keeps its page."""
    return publishing_state(item.status, item.published_at, item.expires_date, when) == PUBLISHED


def search_entries(store) -> list[SearchEntry]:
    """Published news and announcements, newest first, by title, summary and tags."""
    news = sorted(registry.public(store, "news"), key=lambda n: str(n.data["date"]), reverse=True)
    return [SearchEntry("announcement" if n.category == "thong-bao" else "news", n.title, n.url,
                        {"title": [n.title], "summary": [n.summary or ""] + [str(t) for t in n.tags or []]},
                        kind_label=CATEGORY_LABELS[n.category], names=[n.title], meta=text.date(n.date_value))
            for n in news]


def prepare(item, store):
    item.url = URLS["item"].format(slug=item.slug)
    item.date_value = as_date(item.data["date"])
    item.expires_date = as_date(item.data.get("expires"))
    item.published_at = published_at(item.data["date"])
    item.state = publishing_state(item.data.get("status"), item.published_at, item.expires_date, store.now)
    # What other plugins (search, sitemap, ...) may show: never a draft or a future item.
    item.listed = item.state == PUBLISHED


def images_without_alt(text: str) -> list[tuple[int, str, str]]:
    """(line offset from 0, the image markup, advice) for every image in `text` without alt text."""
    found = []
    for i, line in enumerate(text.split("\n")):
        for m in MD_IMAGE_RE.finditer(line):
            if not m.group("alt").strip():
                found.append((i, m.group(0), "viết mô tả ảnh trong ngoặc vuông, ví dụ ![Quầy tiếp nhận hồ sơ](anh.jpg)"))
        for m in HTML_IMG_RE.finditer(line):
            alt = HTML_ALT_RE.search(m.group(0))
            value = next((g for g in alt.groups() if g is not None), "") if alt else ""
            if not value.strip():
                found.append((i, m.group(0), 'thêm alt="mô tả ảnh" vào thẻ <img>'))
    return found


def warn_images_without_alt(store):
    """Warn (never stop the build) about images without alt text in any Markdown content."""
    for items in store.items.values():
        for item in items:
            if not item.body or not item.source.endswith(".md"):
                continue
            for offset, markup, advice in images_without_alt(item.body):
                store.warn(item, f"ảnh không có mô tả (alt) cho người không nhìn thấy ảnh: {markup} — {advice}",
                           line=item.body_line + offset)


def cross_check(store):
    for n in store["news"]:
        exp = n.expires_date
        if exp and exp < n.date_value:
            store.error(n, f"ngày hết hạn {exp.isoformat()} trước ngày đăng {n.date_value.isoformat()}", "expires")
        elif exp and n.data.get("pinned") and exp < store.today:
            store.warn(n, f"tin được ghim đã hết hạn ngày {exp.isoformat()} nên không còn trên trang chủ; "
                          "hãy bỏ dòng pinned hoặc gia hạn expires", "pinned")
    warn_images_without_alt(store)


NEWS = ContentType(
    name="news", folder="news", schema_path=SCHEMA_PATH, label="Tin tức", urls=URLS,
    singular="news", new_template=HERE / "new.md",
    reserved_slugs=RESERVED, prepare=prepare, cross_check=cross_check, order=40,
    is_public=is_public, search=search_entries, search_position=15,
)


def apply_settings(pelican):
    """Pelican's article settings for news, where the site's settings left Pelican's defaults."""
    for key, value in PELICAN_SETTINGS.items():
        if pelican.settings.get(key) == DEFAULT_CONFIG.get(key):
            pelican.settings[key] = value


def apply_publishing_rules(generator, metadata):
    """Set each article's Pelican status from `status`, `date` and `expires` on the build's today."""
    store = current_store()
    preview = bool(generator.settings.get("PORTAL_DRAFTS", False))
    item = store.get("news", metadata.get("slug", ""))
    state = item.state if item is not None else publishing_state(
        metadata.get("status"), metadata.get("date"), metadata.get("expires"), store.now)
    metadata["state"] = state
    metadata["state_label"] = STATE_LABELS[state]
    metadata["is_draft"] = state == DRAFT
    metadata["is_future"] = state == FUTURE
    metadata["is_expired"] = state == EXPIRED
    metadata["preview"] = False
    if state in (DRAFT, FUTURE):
        metadata["status"] = "published" if preview else "draft"
        metadata["preview"] = preview
    elif state == EXPIRED:
        metadata["status"] = "hidden"  # its page stays; listings, home page and feeds drop it
    else:
        metadata["status"] = "published"
    category = metadata.get("category")
    if category is not None and category.slug in CATEGORY_LABELS:
        # Vietnamese names for the category pages and the feed titles; the slug stays the same.
        named = Category(CATEGORY_LABELS[category.slug], generator.settings)
        named.slug = category.slug
        metadata["category"] = named


def link_neighbours(generator):
    """Previous (older) and next (newer) published article for every article page, and the
    pinned and latest news for the home page."""
    published = sorted(generator.articles, key=lambda a: (a.date, a.slug))
    keys = [(a.date, a.slug) for a in published]
    for art in list(generator.articles) + list(generator.hidden_articles):
        key = (art.date, art.slug)
        before, after = bisect.bisect_left(keys, key), bisect.bisect_right(keys, key)
        art.prev_article = published[before - 1] if before else None
        art.next_article = published[after] if after < len(published) else None
    newest_first = list(reversed(published))
    pinned = [a for a in newest_first if a.pinned]
    generator.context["news_pinned"] = pinned
    generator.context["news_latest"] = [a for a in newest_first if a not in pinned][:HOME_LATEST]


def _feed_page(context, path: str) -> str | None:
    """The listing page (URL relative to the site) that a feed file follows."""
    if path in (context.get("FEED_ALL_ATOM"), context.get("FEED_ALL_RSS")):
        return context.get("INDEX_URL")
    for slug in CATEGORY_LABELS:
        patterns = (context.get("CATEGORY_FEED_ATOM"), context.get("CATEGORY_FEED_RSS"))
        if path in [str(p).format(slug=slug) for p in patterns if p]:
            return str(context.get("CATEGORY_URL", "")).format(slug=slug)
    return None


def absolute_feed_links(context, feed):
    """Feeds are read elsewhere: every link in them is absolute, from the site URL in site.yaml.

    SITEURL stays '' so that pages keep root-relative links; Pelican's feed writer would then
    write relative item links, which feed readers cannot follow.
    """
    base = context.get("SITE_URL") or context.get("FEED_DOMAIN") or ""
    if not base:
        return
    root = base.rstrip("/") + "/"
    feed_url = feed.feed.get("feed_url") or root
    page = _feed_page(context, feed_url[len(root):] if feed_url.startswith(root) else "")
    feed.feed["link"] = root + (page or "")
    feed.feed["id"] = feed_url
    if page == context.get("INDEX_URL"):
        feed.feed["title"] = f"{context.get('SITENAME', '')} - Tin tức và thông báo"
    if not feed.feed.get("description"):
        feed.feed["description"] = context.get("SITE", {}).get("description", "") or context.get("SITENAME", "")
    author = context.get("SITENAME", "")
    # Pelican puts an article's summary in the feed as HTML; an editor's summary is text: escape it
    # (the description is the summary in Atom feeds, and in RSS feeds with RSS_FEED_SUMMARY_ONLY).
    summary_is_description = not isinstance(feed, Rss201rev2Feed) or context.get("RSS_FEED_SUMMARY_ONLY")
    for item in feed.items:
        if summary_is_description and item.get("description"):
            item["description"] = html.escape(str(item["description"]), quote=False)
        link = urljoin(root, item["link"])
        item["link"] = link
        item["unique_id"] = get_tag_uri(link, item["pubdate"])
        if not item.get("author_name"):
            item["author_name"] = author
        for key in ("content", "description"):
            if item.get(key):
                item[key] = ROOT_RELATIVE_RE.sub(lambda m: m.group(1) + root, str(item[key]))


def add_globals(generator):
    generator.env.globals.update(CATEGORY_LABELS=CATEGORY_LABELS, NEWS_STATE_LABELS=STATE_LABELS)


def batch_articles(generator, content=None):
    """Pelican's articles generator writes each news page (signalled just before): they are
    rendered together after its last page, by both processors (portal_core.render_cache)."""
    render_cache.start_batch()


def render_articles(generator, writer=None):
    render_cache.finish_batch(writer)


def register():
    registry.register_type(NEWS)
    registry.register_nav("news", "Tin tức", "news", 40)
    registry.register_home_block("news_pinned", "top", "home_news_pinned.html", 10)
    registry.register_home_block("news", "grid", "home_news.html", 40)
    signals.initialized.connect(apply_settings)
    signals.article_generator_context.connect(apply_publishing_rules)
    signals.article_generator_finalized.connect(link_neighbours)
    signals.feed_generated.connect(absolute_feed_links)
    signals.generator_init.connect(add_globals)
    signals.article_generator_write_article.connect(batch_articles)
    signals.article_writer_finalized.connect(render_articles)
