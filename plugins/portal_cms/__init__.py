"""The browser editor (Decap CMS) under /quan-tri/, configured from the registered content types."""
from .portal_cms import cms_config, register

__all__ = ["cms_config", "register"]
