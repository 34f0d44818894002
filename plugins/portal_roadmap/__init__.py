from .portal_roadmap import register  # noqa: F401
