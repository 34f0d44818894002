"""Life events, step by step (/su-kien/): journeys that group procedures in the order a citizen
does them ("Khi sinh con"), and each procedure page's place in them."""
from .portal_journeys import journeys_of, register  # noqa: F401
