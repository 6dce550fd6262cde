from __future__ import annotations

import datetime as dt
import re

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from assembly.models import Assembly, Role, RoleKind, User
from sessions.models import Weekend


def form_number(page: str, nth: int = 0) -> str:
    """The one-time number (``OneTimeForm``) of the page's nth such form."""
    numbers = re.findall(r'name="submission" value="([0-9a-f-]{36})"', page)
    assert len(numbers) > nth, "the page shows no one-time form number"
    return numbers[nth]


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    full_name = factory.Faker("name", locale="nl_NL")
    # Like create_user: members have no usable password, they log in by code.
    password = factory.django.Password(None)


class AssemblyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assembly
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"beraad-{n}")
    name = factory.Sequence(lambda n: f"Burgerberaad {n}")
    question = "Is een drugsbeleid mogelijk met minder criminaliteit en minder gezondheidsrisico's?"
    first_weekend = dt.date(2027, 2, 13)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    assembly = factory.SubFactory(AssemblyFactory)
    kind = RoleKind.MEMBER


class WeekendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Weekend

    assembly = factory.SubFactory(AssemblyFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyAttribute(
        lambda o: dt.date(2027, 2, 13) + dt.timedelta(weeks=5 * o.number)
    )
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=1))
    city = "Utrecht"


def give_totp(user: User, secret: str = TEST_TOTP_SECRET) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
