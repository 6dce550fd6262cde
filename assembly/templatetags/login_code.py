"""How long an e-mailed login code works and how often it may be typed
wrong, for the pages that ask for it: the same numbers as the settings that
django-allauth enforces, so the page never promises more than it gives."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def login_code_limits() -> dict[str, int]:
    return {
        "minutes": max(1, settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60),
        "attempts": settings.ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS,
    }
