"""The live page worker of `invoke livereload`: not a Pelican plugin (it is not in PLUGINS) but the
tool that runs Pelican's pipeline in memory to re-render an edited item's pages at once. See live.py."""
from .live import LiveSite, Model

__all__ = ["LiveSite", "Model"]
