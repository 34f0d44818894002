from .portal_offices import register  # noqa: F401
