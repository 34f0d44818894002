"""Settings for publishing: development settings plus production overrides only."""
import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

DELETE_OUTPUT_DIRECTORY = True
PORTAL_MINIFY = True
