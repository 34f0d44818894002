"""Pelican settings for development builds. What differs between sites lives in <content>/site.yaml,
which the content store validates and turns into SITE, SITENAME, SITE_URL and FEED_DOMAIN at the
start of the build (portal_core/site.py). Each plugin gives Pelican the settings of its own content
(the news plugin its article URLs and feeds); a value set here overrides them.

`invoke build --content DIR --output DIR --today YYYY-MM-DD` passes its options through the
environment variables PORTAL_CONTENT, PORTAL_TODAY and PORTAL_DRAFTS, read here and nowhere else.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from portal_core.site import DEFAULTS, now_in_vietnam  # noqa: E402

PATH = os.environ.get("PORTAL_CONTENT", str(ROOT / "content"))
PORTAL_TODAY = os.environ.get("PORTAL_TODAY") or now_in_vietnam()  # a date, or a date and time
PORTAL_DRAFTS = os.environ.get("PORTAL_DRAFTS") == "1"
SITEURL = ""  # links stay root-relative so the same build works on localhost and on any host
FEED_DOMAIN = DEFAULTS["url"]  # replaced by the url of site.yaml when the content is read
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_DATE_FORMAT = "%d/%m/%Y"
LOCALE = ("C.UTF-8",)

THEME = str(ROOT / "theme")
PLUGIN_PATHS = [str(ROOT / "plugins")]
PLUGINS = [
    "portal_core", "portal_procedures", "portal_offices", "portal_roadmap", "portal_news",
    "portal_search", "portal_kiosk", "portal_cms", "portal_statistics", "portal_lookup", "portal_journeys",
    "portal_offline",
]
# Each content type keeps its templates beside its plugin code.
THEME_TEMPLATES_OVERRIDES = [
    str(ROOT / "plugins" / name / "templates") for name in PLUGINS
    if (ROOT / "plugins" / name / "templates").is_dir()
]

# Only news (articles, see plugins/portal_news) and pages go through Pelican's own generators; the
# other content types have generators of their own (see plugins/).
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]  # content/forms/ is published at /bieu-mau/ by portal_procedures
IGNORE_FILES = [".*", "__pycache__"]
SLUGIFY_SOURCE = "basename"
WITH_FUTURE_DATES = True  # the portal_news plugin decides on the build's today, not the clock
READERS = {"html": None, "rst": None}

PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES = ["index"]

AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
PAGINATED_TEMPLATES = {"index": 10, "category": 10, "tag": 10}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/trang/{number}/", "{base_name}/trang/{number}/index.html"),
)
DEFAULT_PAGINATION = 10

FEED_ATOM = FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = TAG_FEED_RSS = None
RSS_FEED_SUMMARY_ONLY = True

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.sane_lists": {},
        # not smarty: it doubled the time Markdown takes (1 s of CPU for 2,500 bodies) and was
        # never on (the store did not load these extensions until the trust-boundaries issue)
    },
    "output_format": "html5",
}

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = os.environ.get("PORTAL_CACHE", str(ROOT / ".cache" / "pelican"))  # one per output folder
DELETE_OUTPUT_DIRECTORY = False
OUTPUT_PATH = str(ROOT / "output")
RELATIVE_URLS = False
TYPOGRIFY = False
# auto_reload off: no template changes while a build runs, and Jinja would look at the template's file
# on every page (4,750 times at 2,000 procedures); a changed template is a new build
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True,
                     "auto_reload": False}
if os.environ.get("PORTAL_STRICT_TEMPLATES") == "1":  # the tests: a misspelt variable fails the build
    from jinja2 import StrictUndefined

    JINJA_ENVIRONMENT["undefined"] = StrictUndefined


def _compiled_templates() -> Path | None:
    """Where Jinja keeps compiled templates: code, like Python's __pycache__, so beside the code and
    shared by every build (a cold build of the content compiles none); apart for each set of the
    options above. Jinja checks each template's source before using its compiled copy. A checkout
    that cannot be written falls back to the output folder's cache, or to compiling every time."""
    import hashlib

    options = hashlib.sha256(repr(sorted(JINJA_ENVIRONMENT.items())).encode()).hexdigest()[:16]
    places = [ROOT / ".cache" / "jinja"] + ([Path(os.environ["PORTAL_CACHE"]) / "jinja"]
                                           if os.environ.get("PORTAL_CACHE") else [])
    for place in places:
        try:
            (place / options).mkdir(parents=True, exist_ok=True)
            if os.access(place / options, os.W_OK):
                return place / options
        except OSError:
            continue
    return None


_compiled = _compiled_templates()
if _compiled is not None:
    from jinja2 import FileSystemBytecodeCache

    JINJA_ENVIRONMENT["bytecode_cache"] = FileSystemBytecodeCache(str(_compiled))
