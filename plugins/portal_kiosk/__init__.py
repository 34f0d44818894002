from .portal_kiosk import register  # noqa: F401
