from .portal_search import register  # noqa: F401
