"""Statistics: dossiers processed per month and the Decision 766 scores, from the CSV files the
one-stop software exports; /thong-ke/ with charts and tables, and the figures as open data."""
from .portal_statistics import register  # noqa: F401
