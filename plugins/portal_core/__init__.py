"""Core of the portal: one content format, validation, the content store, the registry of what
plugins declare, Vietnamese text rules, site settings."""
from .content import ContentError, Item, Problem, Store, current_store
from .portal_core import register
from .registry import ContentType, register_type

__all__ = ["ContentError", "ContentType", "Item", "Problem", "Store", "current_store", "register", "register_type"]
