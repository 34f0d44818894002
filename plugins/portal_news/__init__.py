from .portal_news import register  # noqa: F401
