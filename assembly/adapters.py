from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from assembly import selectors, services
from assembly.client_address import client_ip
from assembly.models import User, offered_language


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Nobody signs up on their own: organisers give roles, citizens register by code."""

    # Say what to do next, not only what went wrong: after three wrong codes
    # allauth ends the attempt and sends the person back to ask for a new code.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": _(
            "Deze code klopt niet. Kijk of u de code uit de laatste e-mail hebt overgenomen."
        ),
        "too_many_login_attempts": _(
            "Dat ging te vaak mis. Logt u in met een code? Vraag dan hieronder een nieuwe "
            "code aan. Logt u in met een wachtwoord? Probeer het dan over een paar minuten "
            "opnieuw."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Our own texts for allauth's e-mails (templates/account/email/) sign
        # off with the secretariat's address instead of the site's domain, and
        # say how long a login code works, so members need not guess.
        if template_prefix == "account/email/login_code" and _is_staff_address(email):
            # Staff log in with their password and TOTP. Their code is not
            # sent (so it cannot be used); they are told how to log in
            # instead, and the login page looks the same as for anyone else.
            template_prefix = "account/email/login_code_staff"
            context = {key: value for key, value in context.items() if key != "code"}
        context = {
            "contact_email": settings.INVITATION_CONTACT_EMAIL,
            "code_minutes": max(1, settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60),
            **context,
        }
        super().send_mail(template_prefix, email, context)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        # The language follows the person, not only the browser: a member who
        # reads English gets English again after logging in on a new phone or
        # after the browser forgot its cookie. A choice made on this device
        # before logging in wins, and their e-mails follow it too.
        response: HttpResponse = super().post_login(request, user, **kwargs)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen:
            services.user_language_set(user=user, language=chosen)
        else:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                offered_language(user.language),
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
            )
        return response

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (login codes, passwords) per visitor, read the
        # same way as the code-entry limit: behind the proxy, not the proxy.
        return client_ip(request)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # Staff are sent to set up TOTP straight after logging in with their
        # password; asking for that password again before the first factor
        # exists protects nothing. Changing or removing an existing factor
        # still asks for it.
        user = getattr(self.request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not Authenticator.objects.filter(user=user).exists()
        ):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))


def _is_staff_address(email: str) -> bool:
    user = User.objects.filter(email__iexact=email).first()
    return user is not None and selectors.is_staff_member(user=user)
