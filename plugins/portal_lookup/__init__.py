"""Looking up a dossier: /tra-cuu-ho-so/ and a home page box send the code on the receipt to the
official look-up (`dossier_lookup_url` in site.yaml); the site itself holds no personal data."""
from .portal_lookup import register  # noqa: F401
