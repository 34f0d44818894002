"""Plain Pelican for the benchmark: default theme, default generators, the content cache on.

    pelican benchmarks/work/plain -o OUT -s benchmarks/plainconf.py [-e CACHE_PATH='"DIR"']
"""
AUTHOR = "Trung tâm Phục vụ hành chính công"
SITENAME = "Trung tâm Phục vụ hành chính công (Pelican thuần)"
SITEURL = "http://localhost:8000"  # feeds need an absolute site URL
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
ARTICLE_PATHS = ["procedures", "offices", "news"]
PAGE_PATHS = ["pages"]
# Same caching as the portal (pelicanconf.py): a rebuild after editing one file reads only that file.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "benchmarks/work/cache-plain"
