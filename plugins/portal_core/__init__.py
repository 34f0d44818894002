"""Core of the portal: one content format, validation, the content store, the registry of what
plugins declare, Vietnamese text rules, site settings.

The names below are loaded on first use, so that a light module (`portal_core.releases`, which
`invoke build` reads before it starts Pelican) does not bring Pelican and the store with it."""
from __future__ import annotations

import importlib

_WHERE = {
    "ContentError": "content", "Item": "content", "Problem": "content", "Store": "content",
    "current_store": "content", "register": "portal_core", "ContentType": "registry", "register_type": "registry",
}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'portal_core' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
