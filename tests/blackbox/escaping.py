"""Hostile text (names, job titles, locations, descriptions) is escaped on every page that shows it."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
