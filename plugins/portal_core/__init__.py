"""Core of the portal: one content format, validation, the content store, site settings."""
from .content import ContentError, ContentType, Item, Problem, Store, current_store, register_content_type
from .portal_core import register

__all__ = [
    "ContentError", "ContentType", "Item", "Problem", "Store",
    "current_store", "register", "register_content_type",
]
