"""Offline, for weak networks: a service worker (Workbox) that keeps the shell and the pages a
citizen opened or saved, and the page shown when a page is not there (/ngoai-tuyen/)."""
from .portal_offline import register

__all__ = ["register"]
