from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from assembly.selectors import is_organiser_anywhere


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    show_mailbox = bool(
        settings.DEV_MAILBOX and user is not None and is_organiser_anywhere(user=user)
    )
    return {
        "show_mailbox": show_mailbox,
        "dev_mailbox": settings.DEV_MAILBOX,
        # The secretariat's address, for every "who do I ask?" on the site.
        "contact_email": settings.INVITATION_CONTACT_EMAIL,
        "contact_phone": settings.INVITATION_CONTACT_PHONE,
    }
