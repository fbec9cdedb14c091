"""Limits and policy settings at non-default values: per-address limit, lockout, session timeouts, MFA attempts, Conditional Access, the on-premises policy, audit of failures."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
