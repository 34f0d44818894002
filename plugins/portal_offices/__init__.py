"""Offices and wards. What other plugins may ask: accepting(store, procedure, day), accepts(office,
procedure), accepts_rule(value, field, non_geographic), is_main(office), of_kind(store, kind),
open_on(office, day), in_order(offices)."""
from .portal_offices import accepting, accepts, accepts_rule, in_order, is_main, of_kind, open_on, register

__all__ = ["accepting", "accepts", "accepts_rule", "in_order", "is_main", "of_kind", "open_on", "register"]
