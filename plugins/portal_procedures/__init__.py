"""Procedures. What other plugins may ask: active(store), popular(store), field_groups(store),
documents(procedure)."""
from .portal_procedures import active, documents, field_groups, popular, register

__all__ = ["active", "documents", "field_groups", "popular", "register"]
