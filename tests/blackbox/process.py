"""The master process: SIGHUP reload, max_requests recycling, SIGTERM, --check, cookie_secure, sms_command failures."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
