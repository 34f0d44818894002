"""Procedures. What other plugins may ask: active(store), popular(store), field_groups(store)."""
from .portal_procedures import active, field_groups, popular, register

__all__ = ["active", "field_groups", "popular", "register"]
