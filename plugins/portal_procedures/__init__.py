from .portal_procedures import register  # noqa: F401
